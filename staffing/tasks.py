"""Tasks of the staffing app."""

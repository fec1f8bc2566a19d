"""Forms of the staffing app."""

"""Services of the staffing app."""

"""Views of the staffing app."""

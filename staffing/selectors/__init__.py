"""Selectors of the staffing app."""

"""Menu entries of the staffing app."""

NAVIGATION: list = []

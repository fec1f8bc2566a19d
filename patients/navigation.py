"""Menu entries of the patients app."""

NAVIGATION: list = []

"""Menu entries of the sites app."""

NAVIGATION: list = []

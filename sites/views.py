"""Views of the sites app."""

"""Tasks of the sites app."""

"""Forms of the sites app."""

"""Forms of the patients app."""

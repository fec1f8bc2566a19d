"""Forms of the reporting app."""

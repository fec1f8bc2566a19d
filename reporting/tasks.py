"""Tasks of the reporting app."""

"""Services of the reporting app."""

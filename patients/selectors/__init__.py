"""Selectors of the patients app."""

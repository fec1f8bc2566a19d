"""Writes of the reporting app: funding lines and expenses (funding), monthly reports (reports)."""

"""Views of the patients app (thin: parse, check the role, call a selector or service, render)."""

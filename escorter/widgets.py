"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms

from escorter import forms_markup


class LongSelect(forms.Select):
    """A <select> whose options are rendered in Python, not one template each.

    A regional territory lists hundreds of communes; with Django's per-option template
    the commune filter alone cost most of the waiting list's rendering time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        return forms_markup.select(self, name, value, attrs)

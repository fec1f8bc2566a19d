"""Filters every template gets without {% load %} (TEMPLATES builtins): phones, French numbers, form fields."""

from django import template

from escorter import forms_markup, phones

register = template.Library()


@register.filter
def phone(value) -> str:
    return phones.format_phone(value)


@register.filter
def phone_uri(value) -> str:
    return phones.phone_uri(value)


@register.filter
def fr_number(value) -> str:
    """12345 -> "12 345" (narrow no-break space), 3.5 -> "3,5": French number formatting."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")


@register.filter
def form_field(bound_field) -> str:
    """A form field in Bootstrap 5 markup, rendered in Python: the markup of crispy-forms'
    `as_crispy_field` (label, widget with its classes, invalid feedback) without its dozen
    nested templates per field (escorter.forms_markup)."""
    return forms_markup.field(bound_field)

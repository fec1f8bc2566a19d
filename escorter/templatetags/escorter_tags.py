"""Filters every template gets without {% load %} (TEMPLATES builtins): phones, French numbers."""

from django import template

from escorter import phones

register = template.Library()


@register.filter
def phone(value) -> str:
    return phones.format_phone(value)


@register.filter
def phone_uri(value) -> str:
    return phones.phone_uri(value)

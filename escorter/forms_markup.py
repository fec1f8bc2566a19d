"""Form fields in the Bootstrap 5 markup of crispy-forms, rendered in Python.

crispy-forms' `as_crispy_field` renders a field through a dozen nested templates, and Django's
<select> one template per option: on the waiting list the filter form cost more CPU than the
fifty rows of patients (profile, bench/render.py). This renders the same markup for the widgets
a filter form uses (text inputs and single selects); any other widget is rendered by Django.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# the classes crispy-forms' Bootstrap 5 pack adds to each kind of widget
_SELECT_CLASS = "form-select"
_INPUT_CLASS = "form-control"


def _widget_class(widget) -> str:
    css = _SELECT_CLASS if isinstance(widget, forms.Select) else _INPUT_CLASS
    return f"{widget.__class__.__name__.lower()} {css}"


def select(widget: forms.Select, name: str, value, attrs: dict) -> SafeString:
    """A single <select> with its options written in one pass (no template per option)."""
    context = widget.get_context(name, value, attrs)["widget"]
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
            for _, group, _ in context["optgroups"]
            for option in group
        ),
    )
    return format_html('<select name="{}"{}>{}</select>', context["name"], flatatt(context["attrs"]), options)


def _widget(bound_field, attrs: dict) -> SafeString:
    widget = bound_field.field.widget
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        attrs = {**attrs, "id": bound_field.auto_id}
        if bound_field.field.required and bound_field.form.use_required_attribute:
            attrs["required"] = True
        return select(widget, bound_field.html_name, bound_field.value(), attrs)
    return bound_field.as_widget(attrs=attrs)


def field(bound_field) -> SafeString:
    """`<div id="div_id_x" class="mb-3"><label …>…</label><widget …><div class="invalid-feedback">…`"""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    errors = bound_field.errors
    css = _widget_class(widget)
    extra = widget.attrs.get("class")
    attrs = {"class": f"{extra} {css}" if extra else css}
    if errors:
        attrs["class"] += " is-invalid"
        attrs["aria-describedby"] = f"{auto_id}_error"
        attrs["aria-invalid"] = "true"
    label = ""
    if bound_field.label:
        asterisk = mark_safe('<span class="asteriskField">*</span>') if bound_field.field.required else ""
        label = format_html('<label for="{}" class="form-label">{}{}</label>', auto_id, bound_field.label, asterisk)
    feedback = ""
    if errors:
        feedback = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, auto_id, error) for number, error in enumerate(errors, start=1)),
            ),
        )
    help_text = ""
    if bound_field.help_text:
        help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, bound_field.help_text)
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        auto_id,
        label,
        _widget(bound_field, attrs),
        feedback,
        help_text,
    )

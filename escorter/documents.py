"""Every PDF the app writes is an HTML template laid out by WeasyPrint, here."""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string

# WeasyPrint narrates each layout step at INFO; the web and worker logs do not need it
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def lay_out(html: str, *, variant: str | None = None):
    """`html` laid out in pages (a WeasyPrint Document: its pages can be measured before writing).
    The documents embed their images as data URIs, and nothing else is fetched: no file of the
    server's disk, no address of the network (a resource named in the HTML is left out)."""
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(pdf_variant=variant)


def html_to_pdf(html: str, *, variant: str | None = None) -> bytes:
    """`html` laid out as a PDF."""
    return lay_out(html, variant=variant).write_pdf(pdf_variant=variant)


def render_pdf(template: str, context: dict, *, variant: str | None = None) -> bytes:
    """The Django template `template` rendered with `context`, as a PDF."""
    return html_to_pdf(render_to_string(template, context), variant=variant)

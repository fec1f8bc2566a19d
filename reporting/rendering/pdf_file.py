"""PDF of a monthly report: a Django template rendered by WeasyPrint, with server-side SVG charts."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from django.template.loader import render_to_string

from escorter.documents import html_to_pdf
from reporting.rendering import ReportDocument
from reporting.rendering.charts import table_chart


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _logo_uri(path: str) -> str:
    """The CPTS logo embedded in the PDF ('' when the configured file is missing)."""
    file = Path(path) if path else None
    if file is None or not file.is_file():
        return ""
    mime = mimetypes.guess_type(file.name)[0] or "image/png"
    return f"data:{mime};base64," + base64.b64encode(file.read_bytes()).decode("ascii")


def render_html(document: ReportDocument) -> str:
    sections = []
    for section in document.sections:
        tables = []
        for table in section.tables:
            chart = table_chart(table) if table.chart else ""
            tables.append({"table": table, "chart": _data_uri(chart) if chart else ""})
        sections.append({"section": section, "tables": tables})
    logo = _logo_uri(document.sender.logo) if document.sender else ""
    return render_to_string("reporting/pdf/report.html", {"doc": document, "sections": sections, "logo": logo})


def render_pdf(document: ReportDocument) -> bytes:
    # PDF/UA-1: a tagged PDF (structure, reading order, alternative texts) that screen readers
    # can follow; funders are public bodies bound by the RGAA.
    return html_to_pdf(render_html(document), variant="pdf/ua-1")

"""PDF of a monthly report: a Django template rendered by WeasyPrint, with server-side SVG charts."""

from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.template.loader import render_to_string

from reporting.rendering import ReportDocument
from reporting.rendering.charts import table_chart

# WeasyPrint narrates each layout step at INFO; the worker log does not need it
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(document: ReportDocument) -> str:
    sections = []
    for section in document.sections:
        tables = []
        for table in section.tables:
            chart = table_chart(table) if table.chart else ""
            tables.append({"table": table, "chart": _data_uri(chart) if chart else ""})
        sections.append({"section": section, "tables": tables})
    return render_to_string("reporting/pdf/report.html", {"doc": document, "sections": sections})


def render_pdf(document: ReportDocument) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(document), base_url=str(settings.BASE_DIR)).write_pdf()

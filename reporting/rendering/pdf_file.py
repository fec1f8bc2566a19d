"""PDF of a monthly report: a Django template rendered by WeasyPrint, with server-side SVG charts."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from django.template.loader import render_to_string

from escorter.documents import lay_out
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


# Tighter spacing and charts, tried in turn when the report would end on a nearly empty page
# (a page with two lines on it reads as a printing error to the funder who signs it).
FIT_LEVELS = ("", "fit-tight")
# PDF/UA-1: a tagged PDF (structure, reading order, alternative texts) that screen readers
# can follow; funders are public bodies bound by the RGAA. Layout and writing both need it.
PDF_VARIANT = "pdf/ua-1"
NEARLY_EMPTY = 0.4  # share of the last page's height under which another layout is tried


def render_html(document: ReportDocument, *, fit: str = "") -> str:
    sections = []
    for section in document.sections:
        tables = []
        for table in section.tables:
            chart = table_chart(table) if table.chart else ""
            tables.append({"table": table, "chart": _data_uri(chart) if chart else ""})
        sections.append({"section": section, "tables": tables})
    logo = _logo_uri(document.sender.logo) if document.sender else ""
    return render_to_string(
        "reporting/pdf/report.html", {"doc": document, "sections": sections, "logo": logo, "fit": fit}
    )


def last_page_fill(rendered) -> float:
    """How much of the last page's content area the body fills (0 to 1); 1 if unknown."""
    try:
        page = rendered.pages[-1]._page_box  # WeasyPrint keeps the laid-out boxes here
        body = page.children[0].children[0]
        bottom = max((box.position_y + box.margin_height() for box in body.children), default=page.content_box_y())
        return (bottom - page.content_box_y()) / page.height
    except (AttributeError, IndexError):
        return 1.0


def render_pdf(document: ReportDocument) -> bytes:
    best = None
    for fit in FIT_LEVELS:
        rendered = lay_out(render_html(document, fit=fit), variant=PDF_VARIANT)
        fill = last_page_fill(rendered)
        # fewer pages first, then a fuller last page
        if best is None or (len(rendered.pages), -fill) < (len(best.pages), -last_page_fill(best)):
            best = rendered
        if len(rendered.pages) == 1 or fill >= NEARLY_EMPTY:
            break
    return best.write_pdf(pdf_variant=PDF_VARIANT)

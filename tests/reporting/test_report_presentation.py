"""How the funder report reads: tagged PDF (PDF/UA), the CPTS letterhead, the coordinator's
commentary, symbols explained before the first table, the app's tier colours, no float noise."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import replace
from decimal import Decimal

from escorter.documents import lay_out
from escorter.palette import TIER_COLOURS
from reporting.periods import Month
from reporting.rendering import ReportDocument, Sender
from reporting.rendering.charts import bar_chart
from reporting.rendering.pdf_file import NEARLY_EMPTY, last_page_fill, render_html, render_pdf
from reporting.rendering.xlsx_file import spreadsheet_number
from reporting.tables import Cell, ProtectedSection, ProtectedTable


def _document(commentary: str = "") -> ReportDocument:
    table = ProtectedTable(
        key="status",
        title="Patients par statut",
        row_header="Statut",
        header=["P1", "P2"],
        rows=[("En attente", [Cell(12, "12"), Cell(None, "< 5", "primary")])],
        formats=["int", "int"],
        chart="bar",
    )
    return ReportDocument(
        audience_name="ARS Pays de la Loire",
        audience_kind="ARS",
        month=Month.parse("2026-11"),
        version=2,
        generated_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        territory="CPTS Loire-Vendée-Océan",
        headline=[("Patients signalés", Cell(117, "117"))],
        sections=[ProtectedSection(key="s", title="Parcours", tables=[table], notes=[])],
        notes=["Aucune donnée nominative."],
        sender=Sender(
            name="CPTS Loire-Vendée-Océan",
            address="2 rue de la Poste, 85230 Bouin",
            email="coordination@example.fr",
            phone="02 51 00 00 00",
            logo="",
        ),
        commentary=commentary,
    )


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (object streams hide the catalog)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def test_the_pdf_is_tagged_for_screen_readers():
    objects = _pdf_objects(render_pdf(_document()))
    assert b"/StructTreeRoot" in objects and b"/Marked true" in objects


def test_the_letterhead_names_the_cpts_and_how_to_reach_it():
    html = render_html(_document())
    assert "CPTS Loire-Vendée-Océan" in html and "02 51 00 00 00" in html and "coordination@example.fr" in html


def test_the_coordinator_commentary_is_printed_before_the_figures():
    html = render_html(_document(commentary="Ouverture de Bouin le 3 novembre."))
    assert html.index("Ouverture de Bouin le 3 novembre.") < html.index("Chiffres clés")


def test_no_commentary_prints_no_empty_box():
    assert "Le mot de la coordination" not in render_html(_document())


def test_masking_symbols_are_explained_before_the_first_table():
    html = render_html(_document())
    assert html.index("valeur masquée") < html.index("Patients par statut")


def test_a_report_that_would_end_on_a_nearly_empty_page_is_laid_out_tighter():
    # three tables of 8 rows, each with its chart: two pages and a few lines on a third
    tables = [
        ProtectedTable(
            key=f"t{i}",
            title=f"Tableau {i}",
            row_header="Statut",
            header=["P1", "P2"],
            rows=[(f"Ligne {j}", [Cell(10 + j, str(10 + j)), Cell(20 + j, str(20 + j))]) for j in range(8)],
            formats=["int", "int"],
            chart="bar",
        )
        for i in range(3)
    ]
    document = replace(_document(), sections=[ProtectedSection(key="s", title="Parcours", tables=tables, notes=[])])
    normal = lay_out(render_html(document))
    assert len(normal.pages) == 3 and last_page_fill(normal) < NEARLY_EMPTY
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", _pdf_objects(render_pdf(document)))
    assert len(pages) == 2


def test_the_reading_notes_come_before_the_first_table_not_alone_at_the_end():
    html = render_html(_document())
    assert html.index("Aucune donnée nominative.") < html.index("Patients par statut")


def test_tier_series_use_the_app_tier_colours():
    svg = bar_chart(["En attente"], [("P1", [12]), ("P2", [7]), ("P3", [3])])
    for tier in ("P1", "P2", "P3"):
        assert f"fill='{TIER_COLOURS[tier]}'" in svg


def test_long_category_labels_get_room_below_the_axis():
    short = bar_chart(["a", "b"], [("x", [1, 2])])
    long = bar_chart(["Cabinet municipal de Beauvoir-sur-Mer", "b"], [("x", [1, 2])])
    height = lambda svg: int(svg.split("height='")[1].split("'")[0])  # noqa: E731
    assert height(long) > height(short)


def test_spreadsheet_numbers_carry_no_float_noise():
    assert spreadsheet_number(485.0000000000001) == 485
    assert spreadsheet_number(0.1 + 0.2) == 0.3
    assert spreadsheet_number(Decimal("12.50")) == 12.5
    assert spreadsheet_number(7) == 7


def test_the_running_month_is_marked_partial_on_the_dashboard_charts():
    from reporting.selectors.dashboard import mark_partial

    chart = {"labels": ["octobre 2026", "novembre 2026", "décembre 2026"], "datasets": []}
    mark_partial(chart, today=dt.date(2026, 12, 1))
    assert chart["labels"][-1] == "décembre 2026 (en cours au 01/12)" and chart["partial"] is True
    assert chart["labels"][0] == "octobre 2026"

"""CSV of the indicators: one line per displayed cell, for funders who load figures elsewhere."""

from __future__ import annotations

import io

from escorter.spreadsheets import csv_writer
from reporting.rendering import ReportDocument


def render_csv(document: ReportDocument) -> bytes:
    """UTF-8 with BOM and semicolons, as French spreadsheets expect; masked cells have no value."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["mois", "destinataire", "section", "tableau", "ligne", "colonne", "valeur", "affichage", "masque"])
    base = [document.month.key, document.audience_name]
    for label, cell in document.headline:
        writer.writerow(base + ["Synthèse", "Chiffres clés", label, "", _raw(cell), cell.display, cell.flag])
    for section in document.sections:
        for table in section.tables:
            for label, cells in table.rows:
                for column, cell in zip(table.header, cells, strict=True):
                    writer.writerow(
                        base + [section.title, table.title, label, column, _raw(cell), cell.display, cell.flag]
                    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _raw(cell) -> str:
    if cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)

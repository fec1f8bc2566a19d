"""XLSX export of funding lines (consumption, forecast) and every expense."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from escorter.spreadsheets import neutralise_row

HEADER_FILL = PatternFill("solid", fgColor="DCE8F2")


def _header(ws, titles):
    ws.append(neutralise_row(titles))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL


def render_funding_xlsx(budgets, expenses) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Lignes de financement"
    _header(
        ws,
        [
            "Financeur",
            "Ligne",
            "Objet",
            "Début",
            "Fin",
            "Accordé (€)",
            "Consommé (€)",
            "Reste (€)",
            "Taux de consommation",
            "Période écoulée",
            "Projection fin de période (€)",
            "Épuisement prévu le",
            "Tendance",
        ],
    )
    for b in budgets:
        ws.append(
            neutralise_row(
                [
                    b.line.funder.name,
                    b.line.label,
                    b.line.get_purpose_display(),
                    b.line.period_start,
                    b.line.period_end,
                    float(b.granted),
                    float(b.spent),
                    float(b.remaining),
                    b.consumption,
                    b.elapsed_share,
                    float(b.projected) if b.projected is not None else None,
                    b.exhaustion_date,
                    b.outlook_label,
                ]
            )
        )
        row = ws.max_row
        for col in "DEL":
            ws[f"{col}{row}"].number_format = "DD/MM/YYYY"
        for col in "FGHK":
            ws[f"{col}{row}"].number_format = '#,##0.00 "€"'
        for col in "IJ":
            ws[f"{col}{row}"].number_format = "0.0%"
    for col, width in zip("ABCDEFGHIJKLM", (26, 40, 26, 12, 12, 14, 14, 14, 12, 12, 16, 14, 18), strict=True):
        ws.column_dimensions[col].width = width
    sheet = wb.create_sheet("Dépenses")
    _header(
        sheet,
        [
            "Financeur",
            "Ligne",
            "Date",
            "Catégorie",
            "Bénéficiaire / fournisseur",
            "Heures",
            "Taux horaire (€)",
            "Montant (€)",
            "Remarque",
        ],
    )
    for e in expenses.iterator(chunk_size=2000):
        sheet.append(
            neutralise_row(
                [
                    e.line.funder.name,
                    e.line.label,
                    e.date,
                    e.get_category_display(),
                    e.supplier,
                    float(e.hours) if e.hours is not None else None,
                    float(e.hourly_rate) if e.hourly_rate is not None else None,
                    float(e.amount),
                    e.note,
                ]
            )
        )
        sheet[f"C{sheet.max_row}"].number_format = "DD/MM/YYYY"
        sheet[f"H{sheet.max_row}"].number_format = '#,##0.00 "€"'
    for col, width in zip("ABCDEFGHI", (26, 40, 12, 22, 30, 10, 14, 14, 40), strict=True):
        sheet.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""XLSX of a monthly report: a summary sheet, one sheet per theme, a methods sheet."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from escorter.spreadsheets import neutralise
from reporting.rendering import ReportDocument
from reporting.tables import Cell, ProtectedTable

TITLE = Font(bold=True, size=14, color="1F5F8B")
SUBTITLE = Font(bold=True, size=11)
HEADER_FILL = PatternFill("solid", fgColor="DCE8F2")
TOTAL_FILL = PatternFill("solid", fgColor="F1F3F5")
MASK_FONT = Font(italic=True, color="6C757D")
THIN = Side(style="thin", color="C8CED3")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMBER_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "eur": '#,##0.00 "€"',
    "hours": '#,##0.0 "h"',
    "days": '0 "j"',
    "decimal": "#,##0.0",
}


def _sheet_title(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def spreadsheet_number(value):
    """The value as stored in the sheet: sums of hours such as 485.0000000000001 are rounded
    (6 decimals keep every rate and amount exact), Decimals become floats."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        value = round(value, 6)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def _write_cell(ws, row: int, col: int, cell: Cell, fmt: str, bold: bool = False):
    target = ws.cell(row=row, column=col)
    if cell.masked or cell.value is None:
        target.value = neutralise(cell.display)
        target.font = MASK_FONT if cell.masked else Font(bold=bold)
        target.alignment = Alignment(horizontal="right")
    else:
        target.value = neutralise(spreadsheet_number(cell.value))
        target.number_format = NUMBER_FORMATS.get(fmt, "General")
        target.font = Font(bold=bold)
    target.border = BORDER
    return target


def _write_table(ws, start_row: int, table: ProtectedTable) -> int:
    ws.cell(row=start_row, column=1, value=neutralise(table.title)).font = SUBTITLE
    row = start_row + 1
    for col, text in enumerate([table.row_header, *table.header], start=1):
        cell = ws.cell(row=row, column=col, value=neutralise(text))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if col > 1 else "left")
    for index, (label, cells) in enumerate(table.rows):
        row += 1
        strong = table.is_emphasised(index)
        first = ws.cell(row=row, column=1, value=neutralise(label))
        first.border = BORDER
        first.font = Font(bold=strong)
        if strong:
            first.fill = TOTAL_FILL
        for col, (cell, fmt) in enumerate(zip(cells, table.formats, strict=True), start=2):
            written = _write_cell(ws, row, col, cell, fmt, bold=strong)
            if strong:
                written.fill = TOTAL_FILL
    if table.note:
        row += 1
        ws.cell(row=row, column=1, value=neutralise(table.note)).font = Font(italic=True, size=9, color="555555")
    return row + 2


def render_xlsx(document: ReportDocument) -> bytes:
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _sheet_title("Synthèse", used)
    ws["A1"] = f"Rapport mensuel – {document.month.label}"
    ws["A1"].font = TITLE
    ws["A2"] = neutralise(f"{document.territory} · destinataire : {document.audience_name}")
    ws["A3"] = f"Version {document.version}, générée le {document.generated_at:%d/%m/%Y à %H:%M}"
    ws["A3"].font = Font(italic=True, color="555555")
    row = 5
    for col, text in enumerate(["Indicateur", "Valeur"], start=1):
        cell = ws.cell(row=row, column=col, value=neutralise(text))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for label, cell in document.headline:
        row += 1
        ws.cell(row=row, column=1, value=neutralise(label)).border = BORDER
        _write_cell(ws, row, 2, cell, "hours" if "Heures" in label else "int")
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 18
    for section in document.sections:
        sheet = wb.create_sheet(_sheet_title(section.title, used))
        sheet["A1"] = neutralise(section.title)
        sheet["A1"].font = TITLE
        sheet["A2"] = neutralise(document.month.label.capitalize())
        row = 4
        if section.missing:
            sheet.cell(row=row, column=1, value=neutralise(section.missing)).font = Font(italic=True)
            row += 2
        for table in section.tables:
            row = _write_table(sheet, row, table)
        for note in section.notes:
            sheet.cell(row=row, column=1, value=neutralise(note)).font = Font(italic=True, size=9)
            row += 1
        widest = max((len(table.header) for table in section.tables), default=1)
        sheet.column_dimensions["A"].width = 48
        for col in range(2, widest + 2):
            sheet.column_dimensions[get_column_letter(col)].width = 18
        sheet.freeze_panes = "B4"
    notes = wb.create_sheet(_sheet_title("Méthode", used))
    notes["A1"] = "Méthode et secret statistique"
    notes["A1"].font = TITLE
    for i, note in enumerate(document.notes, start=3):
        notes.cell(row=i, column=1, value=neutralise(note)).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 120
    wb.properties.creator = "Escorter"
    wb.properties.title = f"Rapport mensuel {document.month.key} – {document.audience_name}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

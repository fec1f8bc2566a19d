"""Every XLSX and CSV the app writes goes through here: no text can run as a formula.

A spreadsheet evaluates a cell that starts with =, +, -, @ (and, in some versions, a tab
or a carriage return followed by one of those): a patient registered as
`=HYPERLINK("http://…", "Cliquez")` would become a live link, or worse, in the
coordinator's or the funder's spreadsheet. OWASP's advice, followed here: such text
gets a leading apostrophe, which spreadsheets show as text. Numbers, dates and booleans
are untouched, so figures stay figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """`value` made inert for a spreadsheet: text starting with a formula trigger gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(values) -> list:
    return [neutralise(v) for v in values]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(neutralise_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """csv.writer whose every cell goes through `neutralise`."""
    return _SafeWriter(csv.writer(stream, **kwargs))


def xlsx_table(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet XLSX of `rows` under a bold header: text neutralised, dates shown DD/MM/YYYY.

    Written row by row (openpyxl's write-only mode keeps rows on disk, in a temporary file
    removed once read), so a list of 100,000 patients does not sit in memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)

    def header_cell(text):
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = bold
        return cell

    def cell(value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = "DD/MM/YYYY"
            return dated
        return neutralise(value)

    sheet.append([header_cell(text) for text in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        workbook.save(tmp.name)
        return Path(tmp.name).read_bytes()

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

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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

# ruff: noqa: E501 - OOXML boilerplate reads best on one line per part
"""Build the binary files of tests/data/ (run once; the outputs are committed beside this script).

    python tests/data/build_files.py

- cpam-export-excel.xlsx: a CPAM-style workbook as people really send them (title row, serial
  dates, INSEE codes that lost their leading zero, phone numbers stored as numbers, a hidden sheet).
- bombe-decompression.xlsx: ~300 KB that inflate to ~300 MB (the file that took a worker to 6 GB).
- dimensions-absurdes.xlsx: a small workbook that claims A1:XFD1048576 and has a cell at the last row.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def _deterministic(buffer: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so that a rebuild gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(buffer))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 3, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def cpam_export() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Patients sans MT"
    sheet.append(["CPAM de la Vendée – assurés sans médecin traitant – extraction du 03/11/2026"])
    sheet.merge_cells("A1:H1")
    sheet.append(["NOM", "PRENOM", "DATE NAISSANCE", "CODE INSEE", "CODE POSTAL", "TOP ALD", "TELEPHONE", "Sexe"])
    sheet.append(["TESSIER", "Yvonne", 12500, 85018, 85230.0, "Oui", 612345678, 2])  # serial date, numbers
    sheet.append(["BRETON", "Louis", dt.datetime(1936, 2, 29), "85029", "85230", "NON", "06.12.34.56.79", 1])
    sheet.append(["AUBRY", "Nadine", "02/03/1950", 1053, None, 1, None, "F"])  # Bourg-en-Bresse, 01053
    sheet.append(["COLIN", "René", "1944-08-25", None, 85550, 0, "+33612345680", "M"])
    sheet.append(["DUMAS", "Odile", 18324.0, "85012", None, "x", None, None])
    sheet.append([None] * 8)  # a blank row before the footer
    sheet.append(["Total : 5 assurés"])
    hidden = workbook.create_sheet("Paramètres")
    hidden.append(["ne pas modifier"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic(buffer.getvalue())


def _minimal_xlsx(sheet_xml_chunks, *, dimension: str) -> bytes:
    """A valid workbook written by hand, its sheet streamed from `sheet_xml_chunks`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        stamp = (2026, 11, 3, 0, 0, 0)
        parts = {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ),
        }
        for name, text in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as sheet:
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="{dimension}"/><sheetData>'
                ).encode()
            )
            for chunk in sheet_xml_chunks:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> bytes:
    return (
        '<row r="1">' + _cell("A1", "Nom") + _cell("B1", "Prénom") + _cell("C1", "Date de naissance") + "</row>"
    ).encode()


def bomb() -> bytes:
    """A header and a row, then 300 MB of (legal) whitespace, which deflates ~1000:1."""
    row = b'<row r="2"><c t="inlineStr"><is><t>Dupont</t></is></c><c t="inlineStr"><is><t>Jean</t></is></c></row>'
    block = b" " * (1024 * 1024)

    def chunks():
        yield _header_row()
        yield row
        for _ in range(300):
            yield block

    return _minimal_xlsx(chunks(), dimension="A1:C2")


def absurd_dimensions() -> bytes:
    rows = [
        _header_row(),
        ('<row r="2">' + _cell("A2", "Martin") + _cell("B2", "Paul") + _cell("C2", "01/01/1950") + "</row>").encode(),
    ]
    rows.append(('<row r="1048576">' + _cell("XFD1048576", "fin") + "</row>").encode())
    return _minimal_xlsx(rows, dimension="A1:XFD1048576")


if __name__ == "__main__":
    (HERE / "cpam-export-excel.xlsx").write_bytes(cpam_export())
    (HERE / "bombe-decompression.xlsx").write_bytes(bomb())
    (HERE / "dimensions-absurdes.xlsx").write_bytes(absurd_dimensions())
    for name in ("cpam-export-excel.xlsx", "bombe-decompression.xlsx", "dimensions-absurdes.xlsx"):
        print(name, (HERE / name).stat().st_size, "bytes")

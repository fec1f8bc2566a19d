"""What an uploaded list may cost: caps on size, rows, columns and cells, checked before and while
reading, so that a hostile or broken file (zip bomb, binary, NUL bytes, a 1 MB cell, a sheet
claiming a million rows) is refused with a French message in bounded memory and time.

The caps hold whatever the file claims: an XLSX is inspected before openpyxl opens it (declared
sizes, compression ratios; zipfile never inflates a member past its declared size, and a lie
ends in a CRC error), CSV lines are read with a length limit, and rows are counted as they come.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


def thousands(number: int) -> str:
    """12345 -> '12 345' (French: a narrow no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u202f")


class ImportFileError(Exception):
    """The file cannot be used at all: nothing is written."""


@dataclass(frozen=True)
class Limits:
    max_rows: int = 1_000_000  # data rows: a region's registry in one list
    max_columns: int = 200
    max_cell_chars: int = 10_000  # a long address is 200; 10,000 is no longer a name
    max_line_bytes: int = 1 * MB  # one physical CSV line
    max_unzipped_bytes: int = 400 * MB  # every member of an XLSX together
    max_shared_strings_bytes: int = 50 * MB  # openpyxl holds this part in memory
    max_zip_ratio: int = 100  # beyond it a large member is a bomb (XML sheets compress ~5-30x)
    max_zip_members: int = 1_000


DEFAULT_LIMITS = Limits()

# magic numbers of files people drop by mistake
_BINARY_SIGNATURES = {
    b"%PDF": "un PDF",
    b"\xd0\xcf\x11\xe0": "un ancien fichier Excel .xls ou Word .doc",
    b"\x1f\x8b": "une archive gzip",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"7z\xbc\xaf": "une archive 7-Zip",
    b"Rar!": "une archive RAR",
    b"\x7fELF": "un programme",
    b"MZ": "un programme Windows",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def refuse_binary(head: bytes) -> None:
    """Raise ImportFileError if the first bytes show anything but a CSV text or an XLSX."""
    for signature, what in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            hint = " Réenregistrez-le au format .xlsx." if "xls" in what else ""
            raise ImportFileError(
                f"Ce fichier est {what}, pas une liste CSV ou Excel (.xlsx) : il n'a pas été lu.{hint}"
            )
    if head.startswith(_UTF16_BOMS):
        raise ImportFileError(
            "Fichier texte en UTF-16 (« Texte Unicode » d'Excel) : réenregistrez-le en « CSV UTF-8 » ou en .xlsx."
        )
    if b"\x00" in head:
        raise ImportFileError(
            "Le fichier contient des octets nuls (NUL) : c'est un fichier binaire, pas une liste CSV. "
            "Déposez un fichier CSV ou Excel (.xlsx)."
        )


def check_xlsx_archive(binary, limits: Limits) -> None:
    """Refuse a zip that is not a workbook, or whose members would inflate beyond the caps."""
    try:
        archive = zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError("Fichier Excel illisible : l'archive .xlsx est endommagée.") from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
    binary.seek(0)
    if len(members) > limits.max_zip_members:
        raise ImportFileError(f"Fichier refusé : l'archive contient {len(members)} éléments, ce n'est pas un classeur.")
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ImportFileError("Fichier OpenDocument (.ods) : réenregistrez-le au format Excel (.xlsx) ou CSV.")
        raise ImportFileError("Cette archive n'est pas un classeur Excel (.xlsx).")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise ImportFileError(
            f"Fichier refusé : une fois décompressé, il ferait {total // MB} Mo "
            f"({limits.max_unzipped_bytes // MB} Mo au plus). Découpez la liste ou déposez-la en CSV."
        )
    for member in members:
        if member.filename.endswith("sharedStrings.xml") and member.file_size > limits.max_shared_strings_bytes:
            raise ImportFileError(
                f"Fichier refusé : ses textes occupent {member.file_size // MB} Mo une fois décompressés "
                f"({limits.max_shared_strings_bytes // MB} Mo au plus). Déposez la liste en CSV."
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 10 * MB and ratio > limits.max_zip_ratio:
            raise ImportFileError(
                "Fichier refusé : il se décompresse de façon anormale (bombe de décompression) : "
                f"{member.compress_size // 1024} Ko deviendraient {member.file_size // MB} Mo."
            )


def check_declared_dimensions(max_row: int | None, max_column: int | None, limits: Limits) -> None:
    """A sheet's <dimension> tag, read before any row: a claim of a million rows is refused."""
    if (max_row or 0) > limits.max_rows + 100 or (max_column or 0) > limits.max_columns:
        raise ImportFileError(
            f"Dimensions absurdes : la feuille annonce {thousands(max_row or 0)} lignes × "
            f"{thousands(max_column or 0)} colonnes ({thousands(limits.max_rows)} lignes et "
            f"{limits.max_columns} colonnes au plus). Copiez les seules cellules utiles dans un nouveau classeur."
        )


def check_row(number: int, cells, limits: Limits) -> None:
    """Caps on one row as read (CSV or XLSX): width and cell length."""
    if len(cells) > limits.max_columns:
        # trailing empty cells (a sheet formatted far to the right) are not a reason to refuse
        while cells and cells[-1] in (None, ""):
            cells = cells[:-1]
        if len(cells) > limits.max_columns:
            raise ImportFileError(
                f"Dimensions absurdes : la ligne {number} a {len(cells)} colonnes ({limits.max_columns} au plus)."
            )
    try:
        longest = max(map(len, cells), default=0)  # a CSV row: all text, measured in C
    except TypeError:  # an XLSX row: numbers and dates too
        longest = max((len(c) for c in cells if isinstance(c, str)), default=0)
    if longest > limits.max_cell_chars:
        index, cell = next((i, c) for i, c in enumerate(cells) if isinstance(c, str) and len(c) == longest)
        raise ImportFileError(
            f"Cellule démesurée ligne {number}, colonne {index + 1} : {thousands(len(cell))} caractères "
            f"({thousands(limits.max_cell_chars)} au plus). Fichier refusé."
        )


def bounded_lines(binary, limits: Limits):
    """Physical lines of a text file, each at most `max_line_bytes`, none with a NUL byte."""
    number = 0
    while True:
        raw = binary.readline(limits.max_line_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limits.max_line_bytes:
            raise ImportFileError(
                f"Ligne {number} démesurée (plus de {limits.max_line_bytes // MB} Mo sans retour à la ligne) : "
                "ce n'est pas une liste CSV. Fichier refusé."
            )
        if b"\x00" in raw:
            raise ImportFileError(
                f"Octet nul (NUL) ligne {number} : le fichier est binaire ou corrompu. Fichier refusé ; "
                "réenregistrez la liste en CSV UTF-8 ou en .xlsx."
            )
        yield raw

"""Reading a list whatever its shape: XLSX or CSV (; , or tab), UTF-8 with or without BOM or cp1252,
title lines above the header, French header names. Streams rows; never loads the file."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from patients.normalise import simplify

# simplified header -> field; several spellings per field, as partners write them
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "last_name": ("nom", "nom d usage", "nom usuel", "nom de famille", "nom patient", "nom du patient", "nom marital"),
    "birth_name": ("nom de naissance", "nom de jeune fille", "nom jeune fille", "nom naissance"),
    "first_names": ("prenom", "prenoms", "prenom s", "prenom usuel", "prenom du patient"),
    "birth_date": ("date de naissance", "date naissance", "ddn", "ne le", "nee le", "ne e le", "naissance"),
    "sex": ("sexe", "genre", "civilite"),
    "nir": (
        "nir",
        "numero de securite sociale",
        "n de securite sociale",
        "no de securite sociale",
        "n securite sociale",
        "numero securite sociale",
        "securite sociale",
        "n ss",
        "no ss",
        "num ss",
        "nss",
        "ins",
        "matricule",
        "numero insee",
    ),
    "address": ("adresse", "adresse postale", "rue", "adresse 1", "voie"),
    "insee": ("code insee", "insee", "code commune", "code insee commune", "cog"),
    "commune_name": ("commune", "ville", "localite", "commune de residence", "nom commune"),
    "postal_code": ("code postal", "cp", "code postal commune"),
    "phone": ("telephone", "tel", "telephone 1", "tel 1", "portable", "mobile", "telephone portable", "tel portable"),
    "phone_2": ("telephone 2", "tel 2", "telephone fixe", "fixe", "tel fixe", "autre telephone"),
    "email": ("email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail", "adresse electronique"),
    "ald": ("ald", "en ald", "patient en ald", "ald oui non", "affection de longue duree"),
    "ald_codes": ("code ald", "codes ald", "n ald", "no ald", "numero ald", "numeros ald", "liste ald", "ald n"),
    "referral_date": ("date de signalement", "date signalement", "date d adressage", "date adressage", "date liste"),
    "disability": ("handicap", "situation de handicap"),
    "pregnancy": ("grossesse", "enceinte"),
    "lives_alone": ("vit seul", "vit seule", "vit seul e", "isole", "isolement"),
    "hospital_discharge_date": ("date de sortie", "sortie d hospitalisation", "date sortie hopital", "sortie hopital"),
}
HEADER_TO_FIELD = {synonym: name for name, synonyms in HEADER_SYNONYMS.items() for synonym in synonyms}
REQUIRED_FIELDS = ("last_name", "first_names", "birth_date")
FIELD_LABELS = {
    "last_name": "nom",
    "birth_name": "nom de naissance",
    "first_names": "prénom",
    "birth_date": "date de naissance",
    "sex": "sexe",
    "nir": "NIR",
    "address": "adresse",
    "insee": "code INSEE",
    "commune_name": "commune",
    "postal_code": "code postal",
    "phone": "téléphone",
    "phone_2": "téléphone 2",
    "email": "e-mail",
    "ald": "ALD",
    "ald_codes": "code ALD",
    "referral_date": "date de signalement",
    "disability": "handicap",
    "pregnancy": "grossesse",
    "lives_alone": "vit seul(e)",
    "hospital_discharge_date": "date de sortie d'hôpital",
}
HEADER_SEARCH_LINES = 10  # title lines a partner may put above the header


class ImportFileError(Exception):
    """The file cannot be used at all: nothing is written."""


@dataclass
class Header:
    columns: dict[int, str]  # column index -> field
    labels: dict[str, str]  # field -> header as written in the file
    ignored: list[str] = field(default_factory=list)
    line: int = 1


def match_header(cells: list) -> Header | None:
    columns, labels, ignored = {}, {}, []
    for index, cell in enumerate(cells):
        text = simplify(str(cell)) if cell is not None else ""
        if not text:
            continue
        name = HEADER_TO_FIELD.get(text)
        if name is None and text.startswith("n "):
            name = HEADER_TO_FIELD.get("n " + text[2:])
        if name and name not in labels:
            columns[index] = name
            labels[name] = str(cell).strip()
        else:
            ignored.append(str(cell).strip())
    if not set(REQUIRED_FIELDS) <= set(labels):
        return None
    return Header(columns=columns, labels=labels, ignored=ignored)


class ListReader:
    """Iterate (line number, {field: raw value}) over an uploaded list.

    `encoding`, `delimiter` and `header` describe what was detected, for the report.
    """

    def __init__(self, binary, *, name: str = ""):
        self.binary = binary
        self.name = name
        self.kind = ""
        self.encoding = ""
        self.delimiter = ""
        self.header: Header | None = None
        self.cp1252_lines = 0
        self.utf8_lines = 0  # lines with accents that were valid UTF-8
        self._rows = self._open()

    # -- detection ---------------------------------------------------------------------
    def _open(self) -> Iterator[tuple[int, list]]:
        head = self.binary.read(4096)
        self.binary.seek(0)
        if not head.strip():
            raise ImportFileError("Le fichier est vide.")
        if head.startswith(b"PK\x03\x04"):
            return self._open_xlsx()
        if head.startswith((b"%PDF", b"\xd0\xcf\x11\xe0")) or b"\x00" in head:
            raise ImportFileError(
                "Format de fichier non reconnu : déposez un fichier CSV ou Excel (.xlsx). "
                "Les anciens fichiers .xls doivent être réenregistrés en .xlsx."
            )
        return self._open_csv(head)

    def _open_xlsx(self) -> Iterator[tuple[int, list]]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.binary, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(f"Fichier Excel illisible ({exc.__class__.__name__}).")
        self.kind, self.encoding = "xlsx", "xlsx"
        sheet = workbook.worksheets[0]

        def rows():
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(row)
            workbook.close()

        return rows()

    def _open_csv(self, head: bytes) -> Iterator[tuple[int, list]]:
        self.kind = "csv"
        sample = head.decode("utf-8", errors="ignore") if _is_utf8(head) else head.decode("cp1252", errors="replace")
        self.encoding = "UTF-8 (BOM)" if head.startswith(b"\xef\xbb\xbf") else ("UTF-8" if _is_utf8(head) else "cp1252")
        first_lines = sample.splitlines()[:HEADER_SEARCH_LINES] or [""]
        counts = {d: sum(line.count(d) for line in first_lines) for d in (";", ",", "\t")}
        self.delimiter = max(counts, key=counts.get) if any(counts.values()) else ";"
        text_lines = self._decode_lines()
        reader = csv.reader(text_lines, delimiter=self.delimiter)

        def rows():
            for row in reader:
                yield reader.line_num, row

        return rows()

    def _decode_lines(self) -> Iterator[str]:
        """Line by line: UTF-8 first, cp1252 for lines that are not (lists pasted from several sources)."""
        first = True
        for raw in self.binary:
            if first:
                first = False
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            try:
                text = raw.decode("utf-8")
                if not raw.isascii():
                    self.utf8_lines += 1
                yield text
            except UnicodeDecodeError:
                self.cp1252_lines += 1
                try:
                    yield raw.decode("cp1252")
                except UnicodeDecodeError:
                    yield raw.decode("latin-1")

    @property
    def detected_encoding(self) -> str:
        """What the whole file turned out to be (the first 4 kB may not tell)."""
        if self.kind != "csv" or not self.cp1252_lines:
            return (
                self.encoding if self.kind != "csv" or not self.utf8_lines else self.encoding.replace("cp1252", "UTF-8")
            )
        if self.utf8_lines:
            return "mixte UTF-8 et Windows-1252"
        return "Windows-1252"

    # -- rows --------------------------------------------------------------------------
    def cells(self) -> Iterator[tuple[int, list]]:
        """Every raw row, header and rejected lines included (erasure searches a stored file)."""
        return self._rows

    def find_header(self) -> Header:
        for number, cells in self._rows:
            if not any(c not in (None, "") for c in cells):
                continue
            header = match_header(cells)
            if header is not None:
                header.line = number
                self.header = header
                return header
            if number >= HEADER_SEARCH_LINES:
                break
        raise ImportFileError(
            "Aucune ligne d'en-tête utilisable : il faut au moins les colonnes « nom », « prénom » "
            "et « date de naissance » (dans les 10 premières lignes)."
        )

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        header = self.header or self.find_header()
        for number, cells in self._rows:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            values = {}
            for index, name in header.columns.items():
                value = cells[index] if index < len(cells) else None
                if isinstance(value, str):
                    value = value.strip()
                values[name] = value
            yield number, values


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the 4 kB sample is still UTF-8
        return exc.start >= len(data) - 3


def open_list(binary, *, name: str = "") -> ListReader:
    if isinstance(binary, (bytes, bytearray)):
        binary = io.BytesIO(binary)
    return ListReader(binary, name=name)

"""Reading a list whatever its shape: XLSX or CSV (; , or tab), UTF-8 with or without BOM or cp1252,
title lines above the header, French header names. Streams rows; never loads the file, and
refuses hostile or broken files within the caps of `safety`."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from patients.normalise import simplify
from patients.services.importing.safety import (
    DEFAULT_LIMITS,
    ImportFileError,
    Limits,
    bounded_lines,
    check_declared_dimensions,
    check_row,
    check_xlsx_archive,
    refuse_binary,
    thousands,
)

logger = logging.getLogger(__name__)

# simplified header -> field; several spellings per field, as partners write them (CPAM extracts,
# hospital information systems with the INS vocabulary, town halls' spreadsheets). Within a field,
# the earlier spelling wins when a file has several (the usage name over the birth name for "nom").
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "last_name": (
        "nom", "nom d usage", "nom usage", "nom usuel", "nom utilise", "nom d usage ou marital", "nom marital",
        "nom epoux", "nom d epouse", "nom patient", "nom du patient", "patient nom", "nom de l assure",
        "nom assure", "nom du beneficiaire", "nom beneficiaire", "nom de famille", "nom famille", "noms",
    ),
    "birth_name": (
        "nom de naissance", "nom naissance", "nom de jeune fille", "nom jeune fille", "nom patronymique",
        "nee", "nom de naissance ins",
    ),
    "first_names": (
        "prenom", "prenoms", "prenom s", "liste des prenoms", "prenoms de naissance", "prenom s de naissance",
        "liste des prenoms de naissance", "premier prenom", "premier prenom de naissance", "prenom usuel",
        "prenom utilise", "prenom du patient", "prenom patient", "patient prenom", "prenom de l assure",
        "prenom assure", "prenom beneficiaire", "prenom du beneficiaire",
    ),
    "birth_date": (
        "date de naissance", "date naissance", "date de naiss", "date naiss", "dt naissance", "dt naiss",
        "ddn", "ne le", "nee le", "ne e le", "naissance", "date de naissance du patient", "date naissance patient",
        "date de naissance de l assure", "date naissance beneficiaire",
    ),
    "sex": ("sexe", "genre", "civilite", "sexe m f", "sexe f m", "titre"),
    "nir": (
        "nir", "numero de securite sociale", "n de securite sociale", "no de securite sociale",
        "n securite sociale", "numero securite sociale", "securite sociale", "n ss", "no ss", "num ss", "nss",
        "ins", "matricule", "matricule ins", "numero insee", "nir ins", "n immatriculation",
        "numero d immatriculation", "immatriculation", "nir de l assure", "nir beneficiaire",
    ),
    "address": (
        "adresse", "adresse postale", "rue", "adresse 1", "adresse ligne 1", "voie", "numero et voie",
        "numero et libelle de voie", "n et voie", "domicile", "adresse domicile", "adresse du domicile",
        "adresse complete", "adresse patient", "adresse de residence",
    ),
    "insee": (
        "code insee", "insee", "code commune", "code insee commune", "cog", "code insee residence",
        "code insee de residence", "commune insee", "code geographique", "depcom", "code commune insee",
        "code insee de la commune", "code commune de residence",
    ),
    "commune_name": (
        "commune", "ville", "localite", "commune de residence", "nom commune", "nom de la commune",
        "libelle commune", "commune residence", "lieu de residence", "ville de residence", "commune domicile",
        "localite de residence", "bureau distributeur", "cp ville", "code postal ville", "cp commune",
        "code postal et ville", "commune patient",
    ),
    "postal_code": ("code postal", "cp", "code postal commune", "code postal de residence", "c p"),
    "phone": (
        "telephone", "tel", "telephone 1", "tel 1", "portable", "mobile", "telephone portable", "tel portable",
        "tel mobile", "telephone mobile", "gsm", "n telephone", "numero de telephone", "telephone domicile",
        "tel domicile", "telephone patient",
    ),
    "phone_2": ("telephone 2", "tel 2", "telephone fixe", "fixe", "tel fixe", "autre telephone"),
    "email": (
        "email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail", "adresse electronique",
        "adresse email", "email patient",
    ),
    "ald": (
        "ald", "en ald", "patient en ald", "ald oui non", "ald o n", "affection de longue duree",
        "exoneration ald", "top ald", "statut ald", "beneficiaire ald",
    ),
    "ald_codes": (
        "code ald", "codes ald", "n ald", "no ald", "numero ald", "numeros ald", "liste ald", "ald n",
        "num ald", "n d ald", "numero d ald", "liste des ald",
    ),
    "referral_date": (
        "date de signalement", "date signalement", "date d adressage", "date adressage", "date liste",
        "date d inscription", "date inscription", "date de demande", "date de la demande", "date demande",
        "date d entree", "date entree liste",
    ),
    "disability": ("handicap", "situation de handicap", "personne handicapee", "handicap oui non"),
    "pregnancy": ("grossesse", "enceinte", "grossesse en cours"),
    "lives_alone": ("vit seul", "vit seule", "vit seul e", "isole", "isolement", "personne isolee", "seul"),
    "hospital_discharge_date": (
        "date de sortie", "sortie d hospitalisation", "date sortie hopital", "sortie hopital",
        "date de sortie d hospitalisation", "date sortie hospitalisation", "date de sortie hopital",
    ),
}  # fmt: skip
HEADER_TO_FIELD = {synonym: name for name, synonyms in HEADER_SYNONYMS.items() for synonym in synonyms}
HEADER_RANK = {synonym: rank for synonyms in HEADER_SYNONYMS.values() for rank, synonym in enumerate(synonyms)}
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


@dataclass
class Header:
    columns: dict[int, str]  # column index -> field
    labels: dict[str, str]  # field -> header as written in the file
    ignored: list[str] = field(default_factory=list)
    line: int = 1
    copies: dict[str, str] = field(default_factory=dict)  # field -> field whose value it takes when empty


_NOTE = re.compile(r"^(total|nombre|nb|source|extraction|edite|edition|fin|page|document)\b")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]")


def _header_field(text: str) -> str | None:
    """'Date de naissance (jj/mm/aaaa)', 'N° SS', 'PRENOM(S)' -> the field, or None."""
    for candidate in (simplify(text), simplify(_PARENTHESES.sub(" ", text))):
        name = HEADER_TO_FIELD.get(candidate)
        if name is None and candidate.startswith(("no ", "num ", "numero ")):
            name = HEADER_TO_FIELD.get("n " + candidate.split(" ", 1)[1])
        if name:
            return name
    return None


def match_header(cells: list) -> Header | None:
    chosen: dict[str, tuple[int, int]] = {}  # field -> (rank of the spelling, column index)
    for index, cell in enumerate(cells):
        text = str(cell).strip() if cell is not None else ""
        if not text or len(text) > 100:
            continue
        name = _header_field(text)
        if name is None:
            continue
        rank = HEADER_RANK.get(simplify(text), 99)
        if name not in chosen or rank < chosen[name][0]:
            chosen[name] = (rank, index)
    columns = {index: name for name, (_, index) in chosen.items()}
    labels = {name: str(cells[index]).strip() for index, name in columns.items()}
    ignored = [
        str(cell).strip() for index, cell in enumerate(cells) if index not in columns and str(cell or "").strip()
    ]
    copies = {}
    # a hospital extract gives the birth name, and the usage name only when it differs: the
    # person then goes by the birth name
    if "birth_name" in labels:
        copies["last_name"] = "birth_name"
        labels.setdefault("last_name", labels["birth_name"])
    if not set(REQUIRED_FIELDS) <= set(labels):
        return None
    return Header(columns=columns, labels=labels, ignored=ignored, copies=copies)


class ListReader:
    """Iterate (line number, {field: raw value}) over an uploaded list.

    `encoding`, `delimiter` and `header` describe what was detected, for the report.
    """

    def __init__(self, binary, *, name: str = "", limits: Limits = DEFAULT_LIMITS):
        self.binary = binary
        self.name = name
        self.limits = limits
        self.kind = ""
        self.encoding = ""
        self.delimiter = ""
        self.header: Header | None = None
        self.cp1252_lines = 0
        self.utf8_lines = 0  # lines with accents that were valid UTF-8
        self.notes: list[int] = []  # lines of one note under or inside the list, not people
        self._rows = self._guarded(self._open())

    # -- detection ---------------------------------------------------------------------
    def _open(self) -> Iterator[tuple[int, list]]:
        head = self.binary.read(4096)
        self.binary.seek(0)
        if not head.strip():
            raise ImportFileError("Le fichier est vide.")
        if head.startswith(b"PK\x03\x04"):
            return self._open_xlsx()
        refuse_binary(head)
        return self._open_csv(head)

    def _open_xlsx(self) -> Iterator[tuple[int, list]]:
        from openpyxl import load_workbook

        check_xlsx_archive(self.binary, self.limits)
        try:
            workbook = load_workbook(self.binary, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            declared = (sheet.max_row, sheet.max_column)
        except Exception as exc:  # noqa: BLE001 - whatever a hostile workbook makes openpyxl raise
            logger.info("unreadable workbook %s: %r", self.name, exc)
            raise ImportFileError(f"Fichier Excel illisible ({exc.__class__.__name__}).") from None
        self.kind, self.encoding = "xlsx", "xlsx"
        try:
            check_declared_dimensions(*declared, self.limits)
        except ImportFileError:
            workbook.close()
            raise
        # rows as they are, not padded to the declared (or a stray far-away cell's) width
        sheet.reset_dimensions()

        def rows():
            try:
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, list(row)
            finally:
                workbook.close()

        return rows()

    def _guarded(self, rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        """Every row within the caps; anything a broken file makes the parsers raise becomes a refusal."""
        number = 0
        limit = self.limits.max_rows + HEADER_SEARCH_LINES
        try:
            for number, cells in rows:
                if number > limit:
                    raise ImportFileError(
                        f"Fichier refusé : plus de {thousands(self.limits.max_rows)} lignes. Découpez la liste."
                    )
                check_row(number, cells, self.limits)
                yield number, cells
        except ImportFileError:
            raise
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise ImportFileError(
                    f"Cellule démesurée après la ligne {number} (plus de {thousands(csv.field_size_limit())} "
                    "caractères) : fichier refusé."
                ) from None
            raise ImportFileError(
                f"CSV illisible après la ligne {number} : {exc} (un guillemet non fermé ?). Fichier refusé."
            ) from None
        except Exception as exc:  # noqa: BLE001 - a corrupt XLSX can raise anything from zipfile or XML
            logger.info("unreadable list %s after line %s: %r", self.name, number, exc)
            raise ImportFileError(
                f"Fichier illisible après la ligne {number} ({exc.__class__.__name__}) : il est endommagé. "
                "Fichier refusé."
            ) from None

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
        for raw in bounded_lines(self.binary, self.limits):
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
        best: tuple[int, list[str]] = (0, [])  # the line that looked most like a header
        for number, cells in self._rows:
            if not any(c not in (None, "") for c in cells):
                continue
            header = match_header(cells)
            if header is not None:
                header.line = number
                self.header = header
                return header
            found = [f for f in REQUIRED_FIELDS if any(_header_field(str(c)) == f for c in cells if c)]
            if len(found) > best[0]:
                best = (len(found), found)
            if number >= HEADER_SEARCH_LINES:
                break
        missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in best[1]]
        raise ImportFileError(
            "Aucune ligne d'en-tête utilisable : il faut au moins les colonnes « nom », « prénom » "
            "et « date de naissance » (dans les 10 premières lignes)"
            + (f" ; introuvable(s) : {', '.join(missing)}." if best[0] else ".")
        )

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        header = self.header or self.find_header()
        for number, cells in self._rows:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            first = cells[0]
            if (
                isinstance(first, str)
                and all(c in (None, "") for c in cells[1:])
                and (":" in first or _NOTE.match(simplify(first)))
            ):
                self.notes.append(number)  # "Total : 215 assurés", "Source : CPAM" under the list
                continue
            values = {}
            for index, name in header.columns.items():
                value = cells[index] if index < len(cells) else None
                if isinstance(value, str):
                    value = value.strip()
                values[name] = value
            for target, source in header.copies.items():
                if values.get(target) in (None, ""):
                    values[target] = values.get(source)
            yield number, values


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the 4 kB sample is still UTF-8
        return exc.start >= len(data) - 3


def open_list(binary, *, name: str = "", limits: Limits = DEFAULT_LIMITS) -> ListReader:
    if isinstance(binary, (bytes, bytearray)):
        binary = io.BytesIO(binary)
    return ListReader(binary, name=name, limits=limits)

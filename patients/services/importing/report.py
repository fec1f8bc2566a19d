"""What an import tells the coordinator: the summary, the issues (page and CSV file) and the preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError

from escorter.spreadsheets import csv_writer
from patients.models import IssueKind
from patients.normalise import parse_date, parse_sex

MAX_ISSUES_KEPT = 500  # in memory for the page; the error file has them all (up to the next cap)
MAX_ISSUES_WRITTEN = 50_000


@dataclass
class ImportIssue:
    line: int
    column: str
    message: str
    value: str = ""
    kind: str = IssueKind.ERROR
    person: str = ""  # who the row is about, so that the coordinator can find them

    def as_row(self) -> list:
        # the CSV file is read by people: the French label
        return [self.line, self.person, IssueKind(self.kind).label, self.column, self.message, self.value]


def describe_person(values: dict) -> str:
    """'DUPONT Marie, née le 02/03/1950' from a row's values, parsed or raw (never raises)."""
    name = " ".join(" ".join(str(values.get(key) or "").split())[:60] for key in ("last_name", "first_names")).strip()
    birth = values.get("birth_date")
    try:
        birth = parse_date(birth)
    except (ValidationError, ValueError, OverflowError):
        pass
    try:
        sex = parse_sex(values.get("sex"))
    except ValidationError:
        sex = ""
    born = {"F": "née", "M": "né"}.get(sex, "né(e)")
    if isinstance(birth, dt.date):
        when = f"{born} le {birth:%d/%m/%Y}"
    elif str(birth or "").strip():
        when = f"date de naissance « {str(birth).strip()[:30]} »"
    else:
        when = "sans date de naissance"
    return f"{name or 'sans nom'}, {when}"


@dataclass
class ImportReport:
    file_name: str = ""
    kind: str = ""
    encoding: str = ""
    delimiter: str = ""
    cp1252_lines: int = 0
    note_lines: list = field(default_factory=list)
    header_line: int = 0
    columns: dict = field(default_factory=dict)
    ignored_columns: list = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    already_known: int = 0
    duplicates_in_file: int = 0
    rejected: int = 0
    conflicts: int = 0
    issues: list = field(default_factory=list)
    issues_total: int = 0
    preview: list = field(default_factory=list)
    dry_run: bool = False
    all_or_nothing: bool = False
    written: bool = False
    fatal: str = ""
    truncated: bool = False
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return 2
        return 1 if self.rejected else 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["issues"] = [asdict(i) if isinstance(i, ImportIssue) else i for i in self.issues]
        data["exit_code"] = self.exit_code
        return data

    def summary_lines(self) -> list[str]:
        if self.fatal:
            return [f"Fichier inutilisable : {self.fatal}", "Rien n'a été importé."]
        lines = [
            f"{self.rows} ligne(s) lue(s) ({self.kind.upper()}, {self.encoding}"
            + (f", séparateur « {self.delimiter} »" if self.delimiter else "")
            + ").",
            (
                f"{self.created} patient(s) créé(s), {self.updated} complété(s), "
                if self.written
                else f"{self.created} patient(s) à créer, {self.updated} à compléter, "
            )
            + f"{self.already_known} déjà connu(s), {self.duplicates_in_file} doublon(s) dans le fichier.",
            f"{self.rejected} ligne(s) rejetée(s), {self.conflicts} conflit(s) signalé(s) "
            "(valeurs existantes conservées).",
        ]
        if self.cp1252_lines:
            lines.append(f"{self.cp1252_lines} ligne(s) encodée(s) en Windows-1252 (Latin-1) ont été converties.")
        if self.note_lines:
            lines.append(
                "Ligne(s) de commentaire ignorée(s) (une seule cellule, « Total : … ») : "
                + ", ".join(str(n) for n in self.note_lines)
                + "."
            )
        if self.ignored_columns:
            lines.append("Colonnes ignorées : " + ", ".join(self.ignored_columns) + ".")
        if self.truncated:
            lines.append(f"Vérification limitée aux {self.rows} premières lignes : le bilan complet suivra l'import.")
        if self.dry_run:
            lines.append("Simulation : rien n'a été enregistré.")
        elif self.all_or_nothing and self.rejected:
            lines.append("Mode tout ou rien : aucune ligne importée car des lignes ont été rejetées.")
        return lines


class ReportSink:
    """Issues go to the CSV report as they come; the first ones stay in memory for the page,
    with the preview of the first `preview_rows` rows."""

    HEADER = ["ligne", "personne", "type", "colonne", "message", "valeur"]

    def __init__(self, report: ImportReport, stream=None, *, preview_rows: int = 0, commune_names: dict | None = None):
        self.report = report
        self.preview_rows = preview_rows
        self.commune_names = commune_names if commune_names is not None else {}
        self.writer = csv_writer(stream, delimiter=";") if stream is not None else None
        if self.writer:
            self.writer.writerow(self.HEADER)

    def add(self, issue: ImportIssue) -> None:
        self.report.issues_total += 1
        if issue.kind == IssueKind.CONFLICT:
            self.report.conflicts += 1
        if len(self.report.issues) < MAX_ISSUES_KEPT:
            self.report.issues.append(issue)
        if self.writer:
            # the report is stored with the import: bounded like everything else
            if self.report.issues_total <= MAX_ISSUES_WRITTEN:
                self.writer.writerow(issue.as_row())
            elif self.report.issues_total == MAX_ISSUES_WRITTEN + 1:
                self.writer.writerow(
                    ["", "", "", "", f"Rapport limité aux {MAX_ISSUES_WRITTEN} premières remarques.", ""]
                )

    def preview(self, line: int, values: dict, outcome: str, message: str = "") -> None:
        if len(self.report.preview) < self.preview_rows:
            shown = {k: values.get(k) for k in ("last_name", "first_names", "birth_date", "commune_id", "ald")}
            if isinstance(shown.get("birth_date"), dt.date):
                shown["birth_date"] = shown["birth_date"].strftime("%d/%m/%Y")
            shown["commune"] = self.commune_names.get(values.get("commune_id"), "")
            shown["nir"] = "oui" if values.get("nir") else ""
            self.report.preview.append({"line": line, "values": shown, "outcome": outcome, "message": message})

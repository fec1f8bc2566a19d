"""The import itself: stream rows in batches, dedup against the registry, fill empty fields only.

Everything happens in one transaction: a crash, `dry_run` or `all_or_nothing` with a
rejected row leaves the registry untouched; otherwise the valid rows are committed together.
Later batches see earlier ones (same transaction), so a person listed twice in one file is
created once. Memory stays flat: only one batch of rows is held at a time, and rejected rows
go straight to the error report file.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from escorter.spreadsheets import csv_writer
from patients.models import ImportedPatient, Patient, PatientStatusChange
from patients.normalise import identity_key, parse_date, parse_sex, simplify
from patients.services.importing.copy_text import _MISSING, _RENDER, _copy_text, _CopyText
from patients.services.importing.reader import FIELD_LABELS, ImportFileError, open_list
from patients.services.importing.rows import CommuneResolver, RowErrors, parse_row
from patients.services.importing.safety import DEFAULT_LIMITS, Limits
from patients.services.priority import active_rule

BATCH_SIZE = 2000
COPY_CHUNK = 250  # rows per write to a COPY
MAX_ISSUES_KEPT = 500  # in memory for the page; the error file has them all (up to the next cap)
MAX_ISSUES_WRITTEN = 50_000
# fields a list may fill on an existing patient; never overwritten once set
FILLABLE = (
    "birth_name",
    "sex",
    "nir",
    "address",
    "commune_id",
    "phone",
    "phone_2",
    "email",
    "ald",
    "ald_codes",
    "disability",
    "pregnancy",
    "lives_alone",
    "hospital_discharge_date",
)
EMPTY = ("", None, False, [])


class _Rollback(Exception):
    pass


@dataclass
class ImportIssue:
    line: int
    column: str
    message: str
    value: str = ""
    kind: str = "erreur"  # erreur | conflit | doublon
    person: str = ""  # who the row is about, so that the coordinator can find them

    def as_row(self) -> list:
        return [self.line, self.person, self.kind, self.column, self.message, self.value]


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


class _ErrorSink:
    """Issues go to the CSV report as they come; the first ones stay in memory for the page."""

    HEADER = ["ligne", "personne", "type", "colonne", "message", "valeur"]

    def __init__(self, report: ImportReport, stream=None):
        self.report = report
        self.writer = csv_writer(stream, delimiter=";") if stream is not None else None
        if self.writer:
            self.writer.writerow(self.HEADER)

    def add(self, issue: ImportIssue) -> None:
        self.report.issues_total += 1
        if issue.kind == "conflit":
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


def import_patients(
    binary,
    *,
    source: str = Patient.ReferralSource.CPAM,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    user=None,
    errors_stream=None,
    file_name: str = "",
    preview_rows: int = 0,
    progress=None,
    today: dt.date | None = None,
    max_rows: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    patient_import=None,
) -> ImportReport:
    """Import a CSV/XLSX list. Never raises for bad content: the report says what happened."""
    started = time.monotonic()
    report = ImportReport(file_name=file_name, dry_run=dry_run, all_or_nothing=all_or_nothing)
    sink = _ErrorSink(report, errors_stream)
    today = today or timezone.localdate()
    try:
        reader = open_list(binary, name=file_name, limits=limits)
        header = reader.find_header()
    except ImportFileError as exc:
        report.fatal = str(exc)
        report.seconds = time.monotonic() - started
        return report
    report.kind, report.encoding, report.delimiter = reader.kind, reader.encoding, reader.delimiter
    report.header_line = header.line
    report.columns = {FIELD_LABELS[name]: label for name, label in header.labels.items()}
    report.ignored_columns = header.ignored
    context = _Context(
        report=report,
        sink=sink,
        source=source,
        user=user,
        today=today,
        labels=header.labels,
        preview=preview_rows,
        progress=progress,
        import_id=patient_import.pk if patient_import is not None and not dry_run else None,
    )
    try:
        with transaction.atomic():
            try:
                batch: list[tuple[int, dict]] = []
                for line, raw in reader:
                    if max_rows is not None and report.rows >= max_rows:
                        report.truncated = True
                        break
                    report.rows += 1
                    batch.append((line, raw))
                    if len(batch) >= BATCH_SIZE:
                        context.process(batch)
                        batch = []
                if batch:
                    context.process(batch)
                context.finish()
            finally:
                context.close()  # never leave the block (commit or rollback) with a COPY in flight
            report.cp1252_lines = reader.cp1252_lines
            report.note_lines = reader.notes[:20]
            report.encoding = reader.detected_encoding
            report.preview.sort(key=lambda row: row["line"])
            if dry_run or (all_or_nothing and report.rejected):
                raise _Rollback
            report.written = True
    except _Rollback:
        report.written = False
    except ImportFileError as exc:  # e.g. a broken XLSX detected while streaming
        report.fatal = str(exc)
        report.written = False
    if report.rows == 0 and not report.fatal:
        report.fatal = "Le fichier ne contient aucune ligne de données sous l'en-tête."
    report.seconds = time.monotonic() - started
    return report


class _Context:
    def __init__(self, *, report, sink, source, user, today, labels, preview, progress=None, import_id=None):
        self.report, self.sink, self.source, self.user, self.today = report, sink, source, user, today
        self.import_id = import_id  # link created and completed patients to this PatientImport
        self.progress = progress
        self.labels = labels
        self.preview = preview
        self.communes = CommuneResolver()
        self.rule = active_rule()
        self.now = timezone.now()
        self.user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        # every stored column of Patient but the id and the generated search column
        fields = [f for f in Patient._meta.concrete_fields if not f.generated and not f.primary_key]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.defaults.update(
            referral_source=source,
            status=Patient.Status.WAITING,
            status_changed_at=self.now,
            created_at=self.now,
            updated_at=self.now,
            created_by_id=self.user_id,
            priority_rule_id=self.rule.pk,
        )
        self.default_texts = {name: _copy_text(value) for name, value in self.defaults.items()}
        self.explanation_texts: dict[tuple, _CopyText] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        self.pending = None
        # (parsed rows, rejected rows, identity keys, rows to create) of the batch whose lookups are running
        self.held = None

    def _preview(self, line: int, values: dict, outcome: str, message: str = "") -> None:
        if len(self.report.preview) < self.preview:
            shown = {k: values.get(k) for k in ("last_name", "first_names", "birth_date", "commune_id", "ald")}
            if isinstance(shown.get("birth_date"), dt.date):
                shown["birth_date"] = shown["birth_date"].strftime("%d/%m/%Y")
            shown["commune"] = self.communes.names.get(values.get("commune_id"), "")
            shown["nir"] = "oui" if values.get("nir") else ""
            self.report.preview.append({"line": line, "values": shown, "outcome": outcome, "message": message})

    def process(self, batch: list[tuple[int, dict]]) -> None:
        """Parse `batch`, then settle the previous one: a one-batch pipeline.

        The helper thread runs, one after the other on our connection, the COPY of batch k and
        the lookups of batch k+1 (which must see batch k), while this thread parses batch k+2.
        Results, issues and previews come out in file order, as if batches ran one by one.
        """
        parsed: list[tuple[int, dict]] = []
        rejected: list[tuple[int, dict, list]] = []
        for line, raw in batch:
            try:
                parsed.append((line, parse_row(raw, communes=self.communes, labels=self.labels, today=self.today)))
            except RowErrors as exc:
                rejected.append((line, raw, exc.errors))
        keys = [identity_key(v["last_name"], v["first_names"], v["birth_date"]) for _, v in parsed]
        # rows as they would be created, scored now, while PostgreSQL works on the previous batch
        new_rows = [self._new_row(values) for _, values in parsed]
        self._settle(next_batch=(parsed, rejected, keys, new_rows))

    def finish(self) -> None:
        """Settle the last batch and wait for its COPY."""
        self._settle(next_batch=None)
        self.wait_for_copy()

    def _settle(self, *, next_batch) -> None:
        found = self.wait_for_copy()  # lookups of the held batch, run after every earlier write
        to_create: list[dict] = []
        if self.held is not None:
            parsed, rejected, keys, new_rows = self.held
            for line, raw, errors in rejected:
                self.report.rejected += 1
                person = describe_person(raw)
                for column, message, value in errors:
                    self.sink.add(ImportIssue(line, column, message, value, person=person))
                self._preview(line, {k: raw.get(k) for k in raw}, "rejetée", errors[0][1])
            if parsed:
                if self.progress is not None:
                    # note: inside the import's transaction, so pollers see it at the end (PostgreSQL isolation)
                    self.progress.step(min(95, 5 + self.report.rows // 1000), f"{self.report.rows} lignes lues…")
                to_create = self._match(
                    parsed, keys, new_rows, found or set()
                )  # its updates run here, before the next lookups
        self.held = next_batch
        lookups = None
        if next_batch is not None and next_batch[0]:
            nirs = [v["nir"] for _, v in next_batch[0] if v.get("nir")]
            pairs = {(f"{last} {first}", birth) for last, first, birth in next_batch[2]}
            lookups = ([name for name, _ in pairs], [birth for _, birth in pairs], nirs)
        if to_create or lookups:
            connection.ensure_connection()
            # Django's connection object is per thread: hand the helper our psycopg connection
            self.pending = self.executor.submit(self._write_and_look_up, connection.connection, to_create, lookups)

    def _look_up(self, cursor, lookups) -> set:
        """Registry rows (id, nir, last name, first names, birth date) that may be the batch's people.

        Two index scans (an OR would defeat both), the keys passed as arrays (one parameter each,
        not thousands of placeholders to build and plan); identity_name is the SQL twin of
        identity_key, so this stays small however big the registry.
        """
        names, births, nirs = lookups
        table = Patient._meta.db_table
        cursor.execute(
            f"SELECT id, nir, last_name, first_names, birth_date FROM {table} "  # noqa: S608
            "WHERE anonymised_at IS NULL AND (identity_name, birth_date) IN "
            "(SELECT * FROM unnest(%s::text[], %s::date[]))",
            [names, births],
        )
        found = set(cursor.fetchall())
        if nirs:
            cursor.execute(
                f"SELECT id, nir, last_name, first_names, birth_date FROM {table} "  # noqa: S608
                "WHERE anonymised_at IS NULL AND nir <> '' AND nir = ANY(%s::text[])",
                [nirs],
            )
            found.update(cursor.fetchall())
        return found

    def _match(self, parsed: list[tuple[int, dict]], keys: list[tuple], new_rows: list[dict], found: set) -> list[dict]:
        """Dedup a parsed batch against `found`; updates existing patients, returns the rows to create."""
        light = ("pk", "nir", "last_name", "first_names", "birth_date")
        nir_to_pk: dict[str, int] = {}
        key_to_pk: dict[tuple, int] = {}
        for pk, found_nir, last_name, first_names, birth_date in found:
            if found_nir:
                nir_to_pk[found_nir] = pk
            key_to_pk.setdefault(identity_key(last_name, first_names, birth_date), pk)
        matched = set()
        for (_, values), key in zip(parsed, keys, strict=True):
            pk = nir_to_pk.get(values.get("nir") or "") or key_to_pk.get(key)
            if pk:
                matched.add(pk)
        by_pk = {p.pk: p for p in Patient.objects.filter(pk__in=matched).only(*light, *FILLABLE)} if matched else {}
        by_nir = {nir: by_pk[pk] for nir, pk in nir_to_pk.items() if pk in by_pk}
        by_key = {key: by_pk[pk] for key, pk in key_to_pk.items() if pk in by_pk}
        new_in_batch: dict[object, int] = {}  # key or nir -> line, for people listed twice in this batch
        to_create: list[dict] = []
        to_update: dict[int, Patient] = {}
        updated_fields: set[str] = set()
        for (line, values), key, new_row in zip(parsed, keys, new_rows, strict=True):
            nir = values.get("nir") or ""
            first_line = new_in_batch.get(nir) if nir else None
            first_line = first_line or new_in_batch.get(key)
            if first_line:
                self.report.duplicates_in_file += 1
                self.sink.add(
                    ImportIssue(
                        line,
                        "",
                        f"Même personne qu'à la ligne {first_line} : ligne ignorée.",
                        "",
                        "doublon",
                        describe_person(values),
                    )
                )
                self._preview(line, values, "doublon")
                continue
            patient = by_nir.get(nir) if nir else None
            patient = patient or by_key.get(key)
            if patient is None:
                to_create.append(new_row)
                if nir:
                    new_in_batch[nir] = line
                new_in_batch[key] = line
                self._preview(line, values, "nouveau")
                continue
            changed = self._merge(line, patient, values)
            if changed:
                to_update[patient.pk] = patient
                updated_fields.update(changed)
                self.report.updated += 1
                self._preview(
                    line, values, "complété", ", ".join(FIELD_LABELS.get(f.removesuffix("_id"), f) for f in changed)
                )
            else:
                self.report.already_known += 1
                self._preview(line, values, "déjà connu")
        self.report.created += len(to_create)
        if to_update:
            patients = list(to_update.values())
            for patient in patients:
                patient.apply_priority(self.rule, self.today)
            fields = sorted(
                updated_fields
                | {"priority_score", "priority_tier", "priority_rule", "priority_explanation", "updated_at"}
            )
            now = timezone.now()
            for patient in patients:
                patient.updated_at = now
            Patient.objects.bulk_update(patients, fields, batch_size=1000)
            if self.import_id:
                ImportedPatient.objects.bulk_create(
                    ImportedPatient(
                        patient_import_id=self.import_id, patient_id=p.pk, outcome=ImportedPatient.Outcome.COMPLETED
                    )
                    for p in patients
                )
        return to_create

    def _new_row(self, values: dict) -> dict:
        """The columns that differ from the import-wide defaults (those are rendered once)."""
        row = dict(values)
        row["referral_date"] = values.get("referral_date") or self.today
        score, tier, explanation = self.rule.evaluate(_Candidate(row, self.defaults), self.today)
        # few distinct explanations in a list (same rule, same day): render each one once
        key = (score, tier, *((c["code"], c["label"], c["points"]) for c in explanation["criteria"]))
        text = self.explanation_texts.get(key)
        if text is None:
            if len(self.explanation_texts) >= 10_000:
                self.explanation_texts.clear()  # memory stays bounded whatever the list
            text = self.explanation_texts[key] = _CopyText(_copy_text(explanation))
        row.update(priority_score=score, priority_tier=tier, priority_explanation=text)
        return row

    def _write_and_look_up(self, raw, rows: list[dict], lookups) -> set | None:
        """In the helper thread: COPY the new patients and their first history row (one
        round trip per batch instead of one per row), then look up the next batch's people, which must see these rows.

        Ids are taken from the sequence beforehand, since COPY cannot return them. Same
        connection (psycopg's is thread-safe), same transaction; the main thread only touches
        the connection after `wait_for_copy`.
        """
        with raw.cursor() as cursor:
            if rows:
                self._copy_rows(cursor, rows)
            return self._look_up(cursor, lookups) if lookups else None

    def _copy_rows(self, cursor, rows: list[dict]) -> None:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Patient._meta.db_table, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        # COPY's text format written by hand: psycopg's per-value dumpers cost more than the
        # database work itself on a 35-column row; sent in chunks so PostgreSQL starts early
        defaults = self.default_texts
        columns = self.columns
        render = _RENDER.get
        missing = _MISSING
        with cursor.copy(
            f"COPY {Patient._meta.db_table} ({', '.join(['id', *columns])}) FROM STDIN"  # noqa: S608
        ) as copy:
            for start in range(0, len(rows), COPY_CHUNK):
                end = start + COPY_CHUNK
                copy.write(
                    "".join(
                        str(pk)
                        + "\t"
                        + "\t".join(
                            [
                                defaults[name]
                                if (value := row.get(name, missing)) is missing
                                else render(type(value), _copy_text)(value)
                                for name in columns
                            ]
                        )
                        + "\n"
                        for pk, row in zip(ids[start:end], rows[start:end], strict=True)
                    )
                )
        note = _copy_text(f"Import de la liste « {self.report.file_name} »"[:500])
        history_tail = f"\t\t{Patient.Status.WAITING}\t{self.now.isoformat()}\t{_copy_text(self.user_id)}\t{note}\n"
        table = PatientStatusChange._meta.db_table
        with cursor.copy(f"COPY {table} (patient_id, from_status, to_status, at, by_id, note) FROM STDIN") as copy:
            copy.write("".join(f"{pk}{history_tail}" for pk in ids))
        if self.import_id:
            links = ImportedPatient._meta.db_table
            tail = f"\t{self.import_id}\t{ImportedPatient.Outcome.CREATED}\n"
            with cursor.copy(f"COPY {links} (patient_id, patient_import_id, outcome) FROM STDIN") as copy:
                copy.write("".join(f"{pk}{tail}" for pk in ids))

    def close(self) -> None:
        try:
            self.wait_for_copy()
        except Exception:  # noqa: BLE001 - already failing: the transaction rolls back anyway
            pass
        self.executor.shutdown(wait=True)

    def wait_for_copy(self) -> set | None:
        """Wait for the helper thread's work; returns its lookups' result, if it had some."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            return pending.result()  # re-raises a failed COPY here, inside the transaction
        return None

    def _merge(self, line: int, patient: Patient, values: dict) -> list[str]:
        """Fill empty fields of `patient`; report differing non-empty ones as conflicts."""
        changed = []
        person = describe_person(values)
        for name in ("last_name", "first_names"):
            if simplify(values[name]) != simplify(getattr(patient, name)):
                self.sink.add(
                    ImportIssue(
                        line,
                        FIELD_LABELS[name],
                        f"Déjà enregistré comme « {getattr(patient, name)} » : valeur conservée.",
                        values[name],
                        "conflit",
                        person,
                    )
                )
        for name in FILLABLE:
            if name not in values:
                continue
            new, old = values[name], getattr(patient, name)
            if new in EMPTY or new == old:
                continue
            if old in EMPTY:
                setattr(patient, name, new)
                changed.append(name)
                continue
            if name in ("birth_name", "address") and simplify(new) == simplify(old):
                continue
            if name == "commune_id":
                label = next((self.labels[k] for k in ("insee", "commune_name", "postal_code") if k in self.labels), "")
            else:
                label = self.labels.get(name) or FIELD_LABELS.get(name, name)
            shown_old = self.communes.names.get(old, old) if name == "commune_id" else old
            shown_new = self.communes.names.get(new, new) if name == "commune_id" else new
            if name == "nir":
                shown_old, shown_new = "(NIR enregistré)", "(NIR du fichier)"
            self.sink.add(
                ImportIssue(
                    line,
                    label,
                    f"Valeur déjà saisie « {_fmt(shown_old)} » conservée.",
                    _fmt(shown_new),
                    "conflit",
                    person,
                )
            )
        return changed


class _Candidate:
    """Just enough of a Patient for PriorityRule.evaluate, without a model instance per row."""

    __slots__ = (
        "ald",
        "birth_date",
        "disability",
        "pregnancy",
        "hospital_discharge_date",
        "lives_alone",
        "referral_date",
        "status",
        "status_changed_at",
    )
    age_on = Patient.age_on
    weeks_waiting = Patient.weeks_waiting
    CLOSED_STATUSES = Patient.CLOSED_STATUSES

    def __init__(self, row: dict, defaults: dict):
        for name in self.__slots__:
            setattr(self, name, row[name] if name in row else defaults.get(name))


def _fmt(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


__all__ = ["ImportFileError", "ImportIssue", "ImportReport", "import_patients"]

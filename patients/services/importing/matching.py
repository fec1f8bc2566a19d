"""Deduplication: find the registry's patients a batch may be about, then fill their empty fields.

A row is the same person as a registry patient with the same NIR, or else with the same
identity key (simplified names and birth date); a row repeating an earlier one of the same
file is a duplicate. Existing values are never overwritten: differing ones become conflicts.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.models import ImportedPatient, IssueKind, Patient, RowOutcome
from patients.normalise import identity_key, simplify
from patients.services.importing.reader import FIELD_LABELS
from patients.services.importing.report import ImportIssue, ReportSink, describe_person

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


def look_up(cursor, lookups: tuple[list, list, list]) -> set:
    """Registry rows (id, nir, last name, first names, birth date) that may be the batch's people.

    Two index scans (an OR would defeat both), the keys passed as arrays (one parameter each,
    not thousands of placeholders to build and plan); identity_name is the SQL twin of
    identity_key, so this stays small however big the registry.

    Anonymised patients are left out here, not in the WHERE clause: `anonymised_at IS NULL` is
    the predicate of the list-order partial indexes, and on a table without statistics (never
    analysed, or just bulk-loaded) the planner takes IS NULL for rare (0.5 %) and answered
    with a bitmap scan of a whole partial index, then a hash join: every patient's row read for
    every batch, 175 ms a batch on 350,000 rows (`EXPLAIN ANALYZE`). Without it, the keys'
    own indexes are the only way in, whatever the statistics say.
    """
    names, births, nirs = lookups
    table = Patient._meta.db_table
    cursor.execute(
        f"SELECT id, nir, last_name, first_names, birth_date, anonymised_at IS NULL FROM {table} "  # noqa: S608
        "WHERE (identity_name, birth_date) IN (SELECT * FROM unnest(%s::text[], %s::date[]))",
        [names, births],
    )
    rows = cursor.fetchall()
    if nirs:
        cursor.execute(
            f"SELECT id, nir, last_name, first_names, birth_date, anonymised_at IS NULL FROM {table} "  # noqa: S608
            "WHERE nir <> '' AND nir = ANY(%s::text[])",
            [nirs],
        )
        rows += cursor.fetchall()
    return {row[:5] for row in rows if row[5]}


def lookups_for(parsed: list[tuple[int, dict]], keys: list[tuple]) -> tuple[list, list, list]:
    """The arguments of `look_up` for a parsed batch and its identity keys."""
    nirs = [v["nir"] for _, v in parsed if v.get("nir")]
    pairs = {(f"{last} {first}", birth) for last, first, birth in keys}
    return [name for name, _ in pairs], [birth for _, birth in pairs], nirs


class Matcher:
    """Settles parsed batches against the registry rows `look_up` found for them."""

    def __init__(self, *, sink: ReportSink, rule, today: dt.date, labels: dict, commune_names: dict, import_id=None):
        self.sink, self.report = sink, sink.report
        self.rule, self.today, self.labels = rule, today, labels
        self.commune_names = commune_names
        self.import_id = import_id  # link completed patients to this PatientImport

    def match(self, parsed: list[tuple[int, dict]], keys: list[tuple], new_rows: list[dict], found: set) -> list[dict]:
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
                        IssueKind.DUPLICATE,
                        describe_person(values),
                    )
                )
                self.sink.preview(line, values, RowOutcome.DUPLICATE)
                continue
            patient = by_nir.get(nir) if nir else None
            patient = patient or by_key.get(key)
            if patient is None:
                to_create.append(new_row)
                if nir:
                    new_in_batch[nir] = line
                new_in_batch[key] = line
                self.sink.preview(line, values, RowOutcome.NEW)
                continue
            changed = self.merge(line, patient, values)
            if changed:
                to_update[patient.pk] = patient
                updated_fields.update(changed)
                self.report.updated += 1
                self.sink.preview(
                    line,
                    values,
                    RowOutcome.COMPLETED,
                    ", ".join(FIELD_LABELS.get(f.removesuffix("_id"), f) for f in changed),
                )
            else:
                self.report.already_known += 1
                self.sink.preview(line, values, RowOutcome.KNOWN)
        self.report.created += len(to_create)
        if to_update:
            self._save(list(to_update.values()), updated_fields)
        return to_create

    def _save(self, patients: list[Patient], updated_fields: set[str]) -> None:
        for patient in patients:
            patient.apply_priority(self.rule, self.today)
        fields = sorted(
            updated_fields | {"priority_score", "priority_tier", "priority_rule", "priority_explanation", "updated_at"}
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

    def merge(self, line: int, patient: Patient, values: dict) -> list[str]:
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
                        IssueKind.CONFLICT,
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
            shown_old = self.commune_names.get(old, old) if name == "commune_id" else old
            shown_new = self.commune_names.get(new, new) if name == "commune_id" else new
            if name == "nir":
                shown_old, shown_new = "(NIR enregistré)", "(NIR du fichier)"
            self.sink.add(
                ImportIssue(
                    line,
                    label,
                    f"Valeur déjà saisie « {_fmt(shown_old)} » conservée.",
                    _fmt(shown_new),
                    IssueKind.CONFLICT,
                    person,
                )
            )
        return changed


def _fmt(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)

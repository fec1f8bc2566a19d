"""Writing: new patients, their first history row and their link to the import, by COPY.

Ids are taken from the sequence beforehand, since COPY cannot return them; one round trip
per batch instead of one per row. Rows go through psycopg's `copy.write_row`, which renders
COPY's text format (escapes, NULLs, arrays) in C.
"""

from __future__ import annotations

import datetime as dt
import json

from patients.models import ImportedPatient, Patient, PatientStatusChange


class PatientWriter:
    """Rows as they will be created (import-wide defaults, priority scored) and their COPY."""

    def __init__(self, *, source: str, rule, today: dt.date, now: dt.datetime, user_id, note: str, import_id=None):
        self.rule, self.today, self.now, self.user_id = rule, today, now, user_id
        self.note = note[:500]
        self.import_id = import_id  # link created patients to this PatientImport
        # every stored column of Patient but the id and the generated search column
        fields = [f for f in Patient._meta.concrete_fields if not f.generated and not f.primary_key]
        self.columns = [f.column for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.defaults.update(
            referral_source=source,
            status=Patient.Status.WAITING,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
            created_by_id=user_id,
            priority_rule_id=rule.pk,
        )
        # COPY reads text: a JSON value goes as its JSON text (psycopg has no dumper for a bare dict)
        self.defaults = {
            name: json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
            for name, value in self.defaults.items()
        }
        self.explanation_texts: dict[tuple, str] = {}

    def new_row(self, values: dict) -> dict:
        """The columns that differ from the import-wide defaults."""
        row = dict(values)
        row["referral_date"] = values.get("referral_date") or self.today
        score, tier, explanation = self.rule.evaluate(_Candidate(row, self.defaults), self.today)
        # few distinct explanations in a list (same rule, same day): render each one once
        key = (score, tier, *((c["code"], c["label"], c["points"]) for c in explanation["criteria"]))
        text = self.explanation_texts.get(key)
        if text is None:
            if len(self.explanation_texts) >= 10_000:
                self.explanation_texts.clear()  # memory stays bounded whatever the list
            text = self.explanation_texts[key] = json.dumps(explanation, ensure_ascii=False)
        row.update(priority_score=score, priority_tier=tier, priority_explanation=text)
        return row

    def copy_rows(self, cursor, rows: list[dict]) -> None:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Patient._meta.db_table, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        defaults = self.defaults
        columns = self.columns
        with cursor.copy(
            f"COPY {Patient._meta.db_table} ({', '.join(['id', *columns])}) FROM STDIN"  # noqa: S608
        ) as copy:
            write_row = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                write_row([pk, *[row[name] if name in row else defaults[name] for name in columns]])
        table = PatientStatusChange._meta.db_table
        with cursor.copy(f"COPY {table} (patient_id, from_status, to_status, at, by_id, note) FROM STDIN") as copy:
            for pk in ids:
                copy.write_row((pk, "", Patient.Status.WAITING, self.now, self.user_id, self.note))
        if self.import_id:
            links = ImportedPatient._meta.db_table
            with cursor.copy(f"COPY {links} (patient_id, patient_import_id, outcome) FROM STDIN") as copy:
                for pk in ids:
                    copy.write_row((pk, self.import_id, ImportedPatient.Outcome.CREATED))


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

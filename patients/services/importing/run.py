"""The import itself: stream rows in batches, dedup against the registry, fill empty fields only.

Everything happens in one transaction: a crash, `dry_run` or `all_or_nothing` with a
rejected row leaves the registry untouched; otherwise the valid rows are committed together.
Later batches see earlier ones (same transaction), so a person listed twice in one file is
created once. Memory stays flat: only one batch of rows is held at a time, and rejected rows
go straight to the error report file.

Parts: `reader` (the file), `rows` (one row's values), `matching` (deduplication),
`writing` (COPY), `report` (summary, issues, preview); this module runs the batches.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.utils import timezone

from patients.models import Patient, RowOutcome
from patients.normalise import identity_key, remembering_names
from patients.services.importing.matching import Matcher, look_up, lookups_for
from patients.services.importing.reader import FIELD_LABELS, ImportFileError, open_list
from patients.services.importing.report import ImportIssue, ImportReport, ReportSink, describe_person
from patients.services.importing.rows import CommuneResolver, RowErrors, parse_row
from patients.services.importing.safety import DEFAULT_LIMITS, Limits
from patients.services.importing.writing import PatientWriter
from patients.services.priority import active_rule

BATCH_SIZE = 2000


class _Rollback(Exception):
    pass


@remembering_names()  # names repeat in a list; forgotten when the import ends
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
        errors_stream=errors_stream,
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
    """One import's batches: parse, look up, match, write, as a one-batch pipeline."""

    def __init__(self, *, report, errors_stream, source, user, today, labels, preview, progress=None, import_id=None):
        self.report, self.today, self.labels, self.progress = report, today, labels, progress
        self.communes = CommuneResolver()
        self.sink = ReportSink(report, errors_stream, preview_rows=preview, commune_names=self.communes.names)
        rule = active_rule()
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        self.writer = PatientWriter(
            source=source,
            rule=rule,
            today=today,
            now=timezone.now(),
            user_id=user_id,
            note=f"Import de la liste « {report.file_name} »",
            import_id=import_id,
        )
        self.matcher = Matcher(
            sink=self.sink,
            rule=rule,
            today=today,
            labels=labels,
            commune_names=self.communes.names,
            import_id=import_id,
        )
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        self.pending = None
        # (parsed rows, rejected rows, identity keys, rows to create) of the batch whose lookups are running
        self.held = None

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
        new_rows = [self.writer.new_row(values) for _, values in parsed]
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
                self.sink.preview(line, {k: raw.get(k) for k in raw}, RowOutcome.REJECTED, errors[0][1])
            if parsed:
                if self.progress is not None:
                    # note: inside the import's transaction, so pollers see it at the end (PostgreSQL isolation)
                    self.progress.step(min(95, 5 + self.report.rows // 1000), f"{self.report.rows} lignes lues…")
                # its updates run here, before the next lookups
                to_create = self.matcher.match(parsed, keys, new_rows, found or set())
        self.held = next_batch
        lookups = lookups_for(next_batch[0], next_batch[2]) if next_batch is not None and next_batch[0] else None
        if to_create or lookups:
            connection.ensure_connection()
            # Django's connection object is per thread: hand the helper our psycopg connection
            self.pending = self.executor.submit(self._write_and_look_up, connection.connection, to_create, lookups)

    def _write_and_look_up(self, raw, rows: list[dict], lookups) -> set | None:
        """In the helper thread: COPY the new patients, then look up the next batch's people,
        which must see these rows.

        Same connection (psycopg's is thread-safe), same transaction; the main thread only
        touches the connection after `wait_for_copy`.
        """
        with raw.cursor() as cursor:
            if rows:
                self.writer.copy_rows(cursor, rows)
            return look_up(cursor, lookups) if lookups else None

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


__all__ = ["import_patients"]

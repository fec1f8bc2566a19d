"""Build, publish and announce the monthly reports.

Idempotency, in three steps:
1. `request_monthly_report` picks the row to build, keyed by the unique
   (audience, month, version): the published report when there is one (nothing to do), an
   unfinished row left by a dead worker (finish it), or a new version (explicit regeneration).
2. `build_report(report_id)` claims the row: a session advisory lock (released by
   PostgreSQL if the worker dies) plus a conditional UPDATE on status = building/failed.
   A redelivered task therefore either finds the report published (no-op) or takes over.
3. Files are written to a private temporary directory, moved into place with os.replace,
   and the report becomes visible in one conditional UPDATE (status -> published).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from escorter.audit import record_system
from escorter.phones import format_phone
from reporting.models import Funder, MonthlyReport
from reporting.periods import Month
from reporting.rendering import ReportDocument, Sender
from reporting.rendering.csv_file import render_csv
from reporting.rendering.pdf_file import render_pdf
from reporting.rendering.xlsx_file import render_xlsx
from reporting.secrecy import NOTE, format_value, is_small, protect_section
from reporting.selectors.base import Scope
from reporting.selectors.headline import HEADLINE_LABELS, headline
from reporting.selectors.sections import build_sections
from reporting.services.month_ends import refresh_month_ends
from reporting.tables import Cell

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = 7007  # pg advisory lock class id of monthly report builds
EXTENSIONS = ("xlsx", "pdf", "csv")


class ReportBusy(Exception):
    """Another worker is building this report right now."""


@dataclass
class Outcome:
    report: MonthlyReport
    built: bool  # False when the report was already published (nothing done)


# --- 1. which row to build ----------------------------------------------------------------


def request_monthly_report(
    *, audience: Funder, month: Month, force: bool = False, user=None, commentary: str = ""
) -> MonthlyReport:
    """The report row to build for (audience, month).

    Without `force`, an existing published version is returned as is. With `force`, a new
    version is created, unless an unfinished one already exists (a regeneration in flight
    is not duplicated by a double click). `commentary` goes with the new version only.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                # serialise version numbering per audience; the unique constraint is the backstop
                Funder.objects.select_for_update().only("pk").get(pk=audience.pk)
                latest = (
                    MonthlyReport.objects.filter(audience=audience, month=month.first_day).order_by("-version").first()
                )
                if latest is not None and (latest.status != MonthlyReport.Status.PUBLISHED or not force):
                    return latest
                version = (latest.version + 1) if latest else 1
                return MonthlyReport.objects.create(
                    audience=audience, month=month.first_day, version=version, requested_by=user, commentary=commentary
                )
        except IntegrityError:
            continue  # another request created this version between our read and insert
    raise ReportBusy("Impossible de réserver une version de ce rapport, réessayez.")


# --- 2. claim ---------------------------------------------------------------------------


@contextmanager
def _advisory_lock(report_id: int):
    """A session-level lock tied to this database connection: if the worker process dies,
    PostgreSQL drops the connection and the lock with it, so a redelivered task can proceed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, report_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, report_id])


def _claim(report_id: int, token: str) -> bool:
    claimed = MonthlyReport.objects.filter(
        pk=report_id, status__in=[MonthlyReport.Status.BUILDING, MonthlyReport.Status.FAILED]
    ).update(status=MonthlyReport.Status.BUILDING, claim_token=token, claimed_at=timezone.now(), error="")
    return claimed == 1


# --- 3. compute, write, publish ---------------------------------------------------------------


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def _headline_cells(figures: dict) -> list[tuple[str, Cell]]:
    cells = []
    for key, label in HEADLINE_LABELS.items():
        value = figures.get(key)
        if value is None:
            cells.append((label, Cell(None, "–")))
        elif is_small(value) and key != "permanence_hours":
            cells.append((label, Cell(None, "< 5", "primary")))
        else:
            cells.append((label, Cell(value, format_value(value, "hours" if key == "permanence_hours" else "int"))))
    return cells


def report_sender() -> Sender:
    return Sender(
        name=settings.ESCORTER_TERRITORY_NAME,
        address=settings.ESCORTER_CPTS_ADDRESS,
        email=settings.ESCORTER_CPTS_EMAIL,
        phone=format_phone(settings.ESCORTER_TEAM_PHONE),
        logo=str(settings.ESCORTER_CPTS_LOGO),
    )


def compute_document(
    *, audience: Funder, month: Month, version: int, commentary: str = "", progress=None
) -> ReportDocument:
    """Every figure of the report, already protected by statistical secrecy."""

    def step(index, total, name):
        if progress is not None:
            progress(10 + int(60 * index / max(1, total)), f"Calcul des indicateurs ({index + 1}/{total})…")

    sections = build_sections(month, Scope(audience=audience), progress=step)
    protected = [protect_section(section) for section in sections]
    missing = [f"{s.title} : {s.missing}" for s in protected if s.missing]
    return ReportDocument(
        audience_name=audience.name,
        audience_kind=audience.get_kind_display(),
        month=month,
        version=version,
        generated_at=timezone.localtime(),
        territory=settings.ESCORTER_TERRITORY_NAME,
        sender=report_sender(),
        commentary=commentary,
        headline=_headline_cells(headline(month)),
        sections=protected,
        notes=[
            "Aucune donnée nominative : ce rapport ne contient que des effectifs agrégés.",
            NOTE,
            "Statut en fin de mois : dernier changement de statut enregistré avant le premier jour du mois "
            "suivant (heure de Paris).",
            *missing,
        ],
    )


def _write_files(document: ReportDocument, directory: Path, stem: str, progress=None) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    renderers = {"xlsx": render_xlsx, "csv": render_csv, "pdf": render_pdf}
    paths = {}
    for index, ext in enumerate(("xlsx", "csv", "pdf")):
        if progress is not None:
            progress(72 + 8 * index, f"Écriture du fichier {ext.upper()}…")
        path = directory / f"{stem}.{ext}"
        with open(path, "wb") as handle:
            handle.write(renderers[ext](document))
            handle.flush()
            os.fsync(handle.fileno())
        paths[ext] = path
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_stem(report: MonthlyReport) -> str:
    from django.utils.text import slugify

    return f"rapport-{slugify(report.audience.name)}-{report.month:%Y-%m}-v{report.version}"


def build_report(*, report_id: int, progress=None) -> Outcome:
    """Build and publish report `report_id`; a no-op if it is already published.

    Raises ReportBusy when another worker holds it (the task retries later).
    """
    report = MonthlyReport.objects.select_related("audience").get(pk=report_id)
    if report.is_published:
        return Outcome(report, built=False)
    token = uuid.uuid4().hex
    with _advisory_lock(report.pk) as acquired:
        if not acquired:
            raise ReportBusy("Ce rapport est déjà en cours de construction.")
        if not _claim(report.pk, token):
            report.refresh_from_db()
            return Outcome(report, built=False)  # published meanwhile
        tmp_dir = reports_root() / ".tmp" / token
        final_rel = (
            Path("reports") / str(report.audience_id) / f"{report.month:%Y-%m}" / f"v{report.version}-{token[:8]}"
        )
        final_dir = Path(settings.MEDIA_ROOT) / final_rel
        try:
            if progress is not None:
                progress(5, "Calcul des indicateurs…")
            refresh_month_ends(months=[Month.of(report.month)], wait=True)  # exact: the dashboard's figures
            document = compute_document(
                audience=report.audience,
                month=Month.of(report.month),
                version=report.version,
                commentary=report.commentary,
                progress=progress,
            )
            stem = file_stem(report)
            paths = _write_files(document, tmp_dir, stem, progress)
            checksums = {ext: _sha256(path) for ext, path in paths.items()}
            overall = hashlib.sha256("\n".join(f"{ext}:{checksums[ext]}" for ext in EXTENSIONS).encode()).hexdigest()
            if progress is not None:
                progress(96, "Publication…")
            final_dir.mkdir(parents=True, exist_ok=True)
            for path in paths.values():
                os.replace(path, final_dir / path.name)  # atomic within one filesystem
            # a list, not a dict: jsonb does not keep key order and the portal shows them in order
            figures = [
                {"label": label, "value": _json(cell.value), "display": cell.display}
                for label, cell in document.headline
            ]
            published = MonthlyReport.objects.filter(
                pk=report.pk, claim_token=token, status=MonthlyReport.Status.BUILDING
            ).update(
                status=MonthlyReport.Status.PUBLISHED,
                generated_at=timezone.now(),
                xlsx_file=str(final_rel / f"{stem}.xlsx"),
                pdf_file=str(final_rel / f"{stem}.pdf"),
                csv_file=str(final_rel / f"{stem}.csv"),
                checksum=overall,
                checksums=checksums,
                figures=figures,
                error="",
            )
            if not published:
                shutil.rmtree(final_dir, ignore_errors=True)
                raise ReportBusy("Ce rapport a été repris par une autre tâche.")
        except ReportBusy:
            raise
        except Exception as exc:
            MonthlyReport.objects.filter(pk=report.pk, claim_token=token).update(
                status=MonthlyReport.Status.FAILED, error=f"{exc.__class__.__name__} : {exc}"[:2000]
            )
            shutil.rmtree(final_dir, ignore_errors=True)
            logger.exception("Monthly report %s failed", report.pk)
            raise
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    report.refresh_from_db()
    record_system(
        "create",
        object_type="reporting.MonthlyReport",
        object_id=report.pk,
        detail=f"Rapport {report.month:%m/%Y} v{report.version} publié pour {report.audience}",
        user=report.requested_by,
    )
    return Outcome(report, built=True)


def _json(value):
    if value is None or isinstance(value, int | float | str):
        return value
    return float(value)


# --- 4. tell the funder -------------------------------------------------------------------


def notify_audience(*, report: MonthlyReport) -> int:
    """Email the audience's users that `report` is available; at most once per report.

    The conditional UPDATE on notified_at is the claim: a redelivered task sends nothing.
    """
    if not report.is_published:
        return 0
    claimed = MonthlyReport.objects.filter(pk=report.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    users = get_user_model().objects.filter(funder_membership__funder=report.audience, is_active=True).exclude(email="")
    subject = f"Rapport mensuel de {Month.of(report.month).label} disponible"
    url = reverse("reporting:portal")
    body = (
        "Bonjour,\n\n"
        f"Le rapport mensuel de {Month.of(report.month).label} (version {report.version}) de l'équipe de soins "
        f"coordonnés de la {settings.ESCORTER_TERRITORY_NAME} est disponible sur votre portail financeur "
        f"({url}) aux formats PDF, XLSX et CSV.\n\n"
        "Ce message ne contient aucune donnée de santé. Merci de ne pas y répondre.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in users]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)


def build_last_month_reports(*, progress=None) -> list[Outcome]:
    """The beat job: last month's report for every funder, then an email to its users."""
    month = Month.last()
    outcomes = []
    funders = list(Funder.objects.order_by("name"))
    for index, funder in enumerate(funders):
        report = request_monthly_report(audience=funder, month=month)
        outcome = build_report(report_id=report.pk)
        if progress is not None:
            progress(int(100 * (index + 1) / max(1, len(funders))), f"{funder} : rapport {month.label} prêt.")
        notify_audience(report=outcome.report)
        outcomes.append(outcome)
    return outcomes

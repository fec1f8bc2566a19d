"""Writes of the rota: rules, generation of permanences, manual permanences, cancellation, absences.

The exclusion constraints on Permanence are the real guard against double-booking a
professional or a room; these functions only translate their errors into French.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from escorter.db import constraint_name, save_retrying_deadlocks
from sites.models import Closure, Premises, Room
from staffing.models import Absence, Permanence, Professional, RotaRule
from staffing.selectors.bookings import booked_permanence_ids
from staffing.selectors.calendars import paris_datetime, public_holidays
from staffing.services import disruptions

logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 12
EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"


class PermanenceConflict(ValidationError):
    """Another active permanence holds the same professional or room at that time."""


# --- Recurrence -------------------------------------------------------------------------


def _nth_weekday_of_month(year: int, month: int, weekday: int, nth: int) -> dt.date | None:
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def rule_dates(rule: RotaRule, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates in [start, end] on which `rule` recurs, within its validity (holidays not yet removed)."""
    start = max(start, rule.valid_from)
    if rule.valid_until:
        end = min(end, rule.valid_until)
    if start > end:
        return []
    if rule.recurrence == RotaRule.Recurrence.MONTHLY_NTH:
        found, month = [], start.replace(day=1)
        while month <= end:
            day = _nth_weekday_of_month(month.year, month.month, rule.weekday, rule.week_of_month or 1)
            if day and start <= day <= end:
                found.append(day)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return found
    first = start + dt.timedelta(days=(rule.weekday - start.weekday()) % 7)
    interval = rule.interval_weeks if rule.recurrence == RotaRule.Recurrence.EVERY_N_WEEKS else 1
    if interval > 1:
        # every N weeks counted from the week of valid_from, whatever window we look at
        anchor = rule.valid_from + dt.timedelta(days=(rule.weekday - rule.valid_from.weekday()) % 7)
        offset = ((first - anchor).days // 7) % interval
        if offset:
            first += dt.timedelta(weeks=interval - offset)
    found, day = [], first
    while day <= end:
        found.append(day)
        day += dt.timedelta(weeks=interval)
    return found


@dataclass
class Occurrence:
    """One date a rule recurs on, and why no permanence is held that day (if so)."""

    rule: RotaRule
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    skip_reason: str = ""
    conflict: str = ""

    @property
    def ok(self) -> bool:
        return not (self.skip_reason or self.conflict)


class _Context:
    """Holidays, absences and closures over a window, loaded once for many rules."""

    def __init__(self, start: dt.date, end: dt.date, professional_ids=None, premises_ids=None):
        self.holidays = public_holidays(start, end)
        absences = Absence.objects.filter(start_date__lte=end, end_date__gte=start)
        closures = Closure.objects.filter(start_date__lte=end, end_date__gte=start)
        if professional_ids is not None:
            absences = absences.filter(professional_id__in=professional_ids)
        if premises_ids is not None:
            closures = closures.filter(premises_id__in=premises_ids)
        self.absences: dict[int, list[Absence]] = {}
        for absence in absences:
            self.absences.setdefault(absence.professional_id, []).append(absence)
        self.closures: dict[int, list[Closure]] = {}
        for closure in closures:
            self.closures.setdefault(closure.premises_id, []).append(closure)

    def skip_reason(self, rule: RotaRule, day: dt.date, premises: Premises) -> str:
        if day in self.holidays:
            return f"Jour férié ({self.holidays[day]})"
        for absence in self.absences.get(rule.professional_id, ()):
            if absence.start_date <= day <= absence.end_date:
                return f"Absence ({absence.get_kind_display().lower()})"
        if not premises.is_available_on(day):
            return "Local indisponible à cette date"
        for closure in self.closures.get(rule.premises_id, ()):
            if closure.covers(day, rule.room_id):
                return f"Local fermé ({closure.reason})"
        return ""


def rule_occurrences(rule: RotaRule, start: dt.date, end: dt.date, context: _Context | None = None) -> list[Occurrence]:
    context = context or _Context(start, end, [rule.professional_id], [rule.premises_id])
    premises = rule.premises
    return [
        Occurrence(
            rule=rule,
            date=day,
            start=paris_datetime(day, rule.start_time),
            end=paris_datetime(day, rule.end_time),
            skip_reason=context.skip_reason(rule, day, premises),
        )
        for day in rule_dates(rule, start, end)
    ]


def describe(permanence: Permanence) -> str:
    start, end = timezone.localtime(permanence.start), timezone.localtime(permanence.end)
    room = f", {permanence.room.name}" if permanence.room_id else ""
    return (
        f"{permanence.professional} à {permanence.premises.name}{room} "
        f"le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"
    )


def find_conflict(
    *, professional_id: int, room_id: int | None, start: dt.datetime, end: dt.datetime, exclude_pk=None
) -> Permanence | None:
    """The active permanence that would clash with this one (same person or same room), if any."""
    clash = Q(professional_id=professional_id)
    if room_id:
        clash |= Q(room_id=room_id)
    queryset = Permanence.objects.active().overlapping(start, end).filter(clash)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("professional", "premises", "room").order_by("start").first()


def conflict_message(*, professional_id, room_id, start, end, exclude_pk=None) -> str:
    other = find_conflict(professional_id=professional_id, room_id=room_id, start=start, end=end, exclude_pk=exclude_pk)
    if other is None:
        return "Ce créneau chevauche une autre permanence."
    if other.professional_id == professional_id:
        return f"Ce professionnel tient déjà une permanence sur ce créneau : {describe(other)}."
    return f"Cette salle est déjà occupée sur ce créneau : {describe(other)}."


def _save_permanence(permanence: Permanence) -> None:
    """Save in a savepoint; raise PermanenceConflict naming the clashing permanence on overlap."""
    try:
        save_retrying_deadlocks(permanence)
    except IntegrityError as exc:
        if "overlap" not in constraint_name(exc):
            raise
        raise PermanenceConflict(
            conflict_message(
                professional_id=permanence.professional_id,
                room_id=permanence.room_id,
                start=permanence.start,
                end=permanence.end,
                exclude_pk=permanence.pk,
            ),
            code="overlap",
        ) from exc


# --- Preview ----------------------------------------------------------------------------


def preview_rule(rule: RotaRule, *, weeks: int = DEFAULT_WEEKS, today: dt.date | None = None) -> list[Occurrence]:
    """The permanences `rule` (saved or not) would generate over the next `weeks`, with the ones it cannot."""
    today = today or timezone.localdate()
    end = today + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    occurrences = rule_occurrences(rule, today, end)
    for occurrence in occurrences:
        if occurrence.skip_reason:
            continue
        other = find_conflict(
            professional_id=rule.professional_id, room_id=rule.room_id, start=occurrence.start, end=occurrence.end
        )
        if other is not None and not (rule.pk and other.rule_id == rule.pk):
            if other.professional_id == rule.professional_id:
                occurrence.conflict = f"Conflit : le professionnel tient déjà une permanence – {describe(other)}"
            else:
                occurrence.conflict = f"Conflit : la salle est déjà occupée – {describe(other)}"
    return occurrences


# --- Generation -------------------------------------------------------------------------


@dataclass
class GenerationReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    # permanences that should change but keep their booked patients: (permanence id, message)
    blocked: list[tuple[int, str]] = field(default_factory=list)
    # occurrences that clash with another permanence: messages naming it
    conflicts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "blocked": [message for _, message in self.blocked],
            "conflicts": self.conflicts,
        }

    @property
    def summary(self) -> str:
        text = (
            f"{self.created} permanence(s) créée(s), {self.updated} mise(s) à jour, "
            f"{self.removed} retirée(s), {self.unchanged} inchangée(s)."
        )
        if self.blocked:
            text += f" {len(self.blocked)} permanence(s) avec des patients réservés n'ont pas été modifiées."
        if self.conflicts:
            text += f" {len(self.conflicts)} conflit(s) à résoudre."
        return text


@dataclass
class _Pending:
    """Writes of a bulk generation, made once for all rules."""

    removed: list[int] = field(default_factory=list)
    new: list[Permanence] = field(default_factory=list)


def _sync_rule(
    rule: RotaRule,
    start: dt.date,
    end: dt.date,
    context: _Context,
    now: dt.datetime,
    report: GenerationReport,
    *,
    existing: list[Permanence] | None = None,
    booked: set[int] | None = None,
    pending: _Pending | None = None,
) -> None:
    """Bring `rule`'s permanences in line. With `pending` (bulk generation), `existing` and
    `booked` come preloaded and removals and creations are only collected."""
    desired = (
        {o.date: o for o in rule_occurrences(rule, start, end, context) if not o.skip_reason} if rule.active else {}
    )
    if rule.active:
        report.skipped += len(rule_dates(rule, start, end)) - len(desired)
    if existing is None:
        existing = list(
            rule.permanences.filter(occurrence_date__gte=start, occurrence_date__lte=end).select_related(
                "professional", "premises", "room"
            )
        )
        future_planned = [p.pk for p in existing if p.start > now and p.status == Permanence.Status.PLANNED]
        booked = booked_permanence_ids(future_planned) if future_planned else set()
    for permanence in existing:
        occurrence = desired.pop(permanence.occurrence_date, None)
        if permanence.start <= now or permanence.status != Permanence.Status.PLANNED:
            report.unchanged += 1  # the past is history; a cancelled occurrence stays cancelled
            continue
        if occurrence is None:
            if permanence.pk in booked:
                report.blocked.append((permanence.pk, f"{describe(permanence)} : plus prévue par la règle"))
            elif pending is not None:
                pending.removed.append(permanence.pk)
                report.removed += 1
            else:
                permanence.delete()
                report.removed += 1
            continue
        target = {
            "professional_id": rule.professional_id,
            "premises_id": rule.premises_id,
            "room_id": rule.room_id,
            "start": occurrence.start,
            "end": occurrence.end,
            "kinds": list(rule.kinds),
        }
        if all(getattr(permanence, key) == value for key, value in target.items()):
            report.unchanged += 1
            continue
        if permanence.pk in booked:
            report.blocked.append((permanence.pk, f"{describe(permanence)} : modifiée par la règle"))
            continue
        for key, value in target.items():
            setattr(permanence, key, value)
        try:
            _save_permanence(permanence)
            report.updated += 1
        except PermanenceConflict as exc:
            report.conflicts.append(f"{occurrence.date:%d/%m/%Y} – {exc.message}")
    new = [
        Permanence(
            professional_id=rule.professional_id,
            premises_id=rule.premises_id,
            room_id=rule.room_id,
            start=occurrence.start,
            end=occurrence.end,
            kinds=list(rule.kinds),
            origin=Permanence.Origin.RULE,
            rule=rule,
            occurrence_date=occurrence.date,
        )
        for occurrence in desired.values()
    ]
    if pending is not None:
        pending.new.extend(new)
        return
    if not new:
        return
    try:
        # the common case, one INSERT for the rule's new weeks; any clash sends us row by row
        with transaction.atomic():
            Permanence.objects.bulk_create(new)
        report.created += len(new)
        return
    except IntegrityError:
        for permanence in new:
            permanence.pk = None
    for permanence in new:
        try:
            _save_permanence(permanence)
            report.created += 1
        except PermanenceConflict as exc:
            report.conflicts.append(f"{permanence.occurrence_date:%d/%m/%Y} – {exc.message}")
        except IntegrityError:
            # another run created this occurrence meanwhile (unique rule + date): nothing to do
            report.unchanged += 1


def _generate_in_bulk(
    rules: list[RotaRule], start: dt.date, end: dt.date, context: _Context, now: dt.datetime
) -> GenerationReport | None:
    """All rules in one transaction and a number of queries that does not grow with the
    permanences: one read of the existing ones, one of their bookings, one DELETE, one INSERT
    (plus one save per permanence a changed rule moves). None if an insert clashes."""
    existing: dict[int, list[Permanence]] = defaultdict(list)
    rows = Permanence.objects.filter(
        rule__in=[rule.pk for rule in rules], occurrence_date__gte=start, occurrence_date__lte=end
    ).select_related("professional", "premises", "room")
    for permanence in rows:
        existing[permanence.rule_id].append(permanence)
    future_planned = [
        p.pk for ps in existing.values() for p in ps if p.start > now and p.status == Permanence.Status.PLANNED
    ]
    booked = booked_permanence_ids(future_planned)
    report, pending = GenerationReport(), _Pending()
    try:
        with transaction.atomic():
            for rule in rules:
                _sync_rule(
                    rule, start, end, context, now, report, existing=existing[rule.pk], booked=booked, pending=pending
                )
            if pending.removed:
                Permanence.objects.filter(pk__in=pending.removed).delete()
            if pending.new:
                Permanence.objects.bulk_create(pending.new)
    except IntegrityError:
        return None
    report.created += len(pending.new)
    return report


def generate_permanences(
    *,
    weeks: int = DEFAULT_WEEKS,
    start: dt.date | None = None,
    end: dt.date | None = None,
    rule_ids: list[int] | None = None,
    progress=None,
) -> GenerationReport:
    """Materialise the rota rules into permanences from `start` (default today) for `weeks` weeks.

    Idempotent: occurrences are keyed by (rule, date), so a second run creates nothing.
    A changed rule updates only future permanences without bookings; booked ones are
    reported in `blocked`, never moved behind the patients' backs. All rules are written in
    bulk; if that clashes, each rule runs in its own transaction so one bad rule does not roll
    back the others.
    """
    start = start or timezone.localdate()
    end = end or start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    now = timezone.now()
    rules = RotaRule.objects.select_related("professional", "premises", "room").order_by("pk")
    if rule_ids is not None:
        rules = rules.filter(pk__in=rule_ids)
    else:
        rules = rules.filter(Q(active=True) | Q(permanences__start__gt=now)).distinct()
    rules = list(rules)
    context = _Context(start, end)
    report = _generate_in_bulk(rules, start, end, context, now)
    if report is None:
        # a clash somewhere: rule by rule, each in its own transaction, so that every conflict
        # is named and one bad rule does not roll back the others
        report = GenerationReport()
        for index, rule in enumerate(rules, start=1):
            with transaction.atomic():
                _sync_rule(rule, start, end, context, now, report)
            if progress is not None:
                progress.step(100 * index // max(len(rules), 1), f"Règle {index}/{len(rules)}")
    elif progress is not None:
        progress.step(100, f"{len(rules)} règle(s)")
    logger.info("generate_permanences %s..%s: %s", start, end, report.summary)
    return report


# --- Rules ------------------------------------------------------------------------------


def save_rule(*, rule: RotaRule, weeks: int = DEFAULT_WEEKS) -> GenerationReport:
    """Save a new or edited rule and bring its next `weeks` of permanences in line with it."""
    rule.full_clean()
    with transaction.atomic():
        rule.save()
    return generate_permanences(weeks=weeks, rule_ids=[rule.pk])


def deactivate_rule(*, rule: RotaRule) -> GenerationReport:
    """Stop a rule: its future permanences without bookings go away, booked ones are reported."""
    RotaRule.objects.filter(pk=rule.pk).update(active=False)
    rule.active = False
    return generate_permanences(rule_ids=[rule.pk])


# --- Single permanences -----------------------------------------------------------------


@transaction.atomic
def create_permanence(
    *,
    professional: Professional,
    premises: Premises,
    room: Room | None,
    start: dt.datetime,
    end: dt.datetime,
    kinds: list[str],
) -> Permanence:
    """A permanence outside the rota (a replacement, an extra half-day). Raises PermanenceConflict on overlap."""
    if room is not None and room.premises_id != premises.pk:
        raise ValidationError({"room": "Cette salle n'appartient pas au local choisi."})
    if start >= end:
        raise ValidationError({"end": "La fin doit suivre le début."})
    permanence = Permanence(
        professional=professional,
        premises=premises,
        room=room,
        start=start,
        end=end,
        kinds=list(kinds),
        origin=Permanence.Origin.MANUAL,
    )
    _save_permanence(permanence)
    return permanence


def cancel_permanence(*, permanence: Permanence, reason: str, user, now: dt.datetime | None = None):
    """Cancel one permanence; its patients are moved or queued "à rappeler" (staffing.services.disruptions)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    if not Permanence.objects.filter(pk=permanence.pk, status=Permanence.Status.PLANNED).exists():
        raise ValidationError("Cette permanence est déjà annulée.")
    result = disruptions.carry_out(disruptions.for_permanence(permanence, reason), user=user, now=now)
    if not result.permanences:  # cancelled by someone else between the check and the lock
        raise ValidationError("Cette permanence est déjà annulée.")
    return result


# --- Absences ---------------------------------------------------------------------------


def record_absence(*, absence: Absence, user=None, now: dt.datetime | None = None):
    """Record leave or a sick day: the professional's permanences then are cancelled and their
    patients moved or queued "à rappeler" (staffing.services.disruptions)."""
    now = now or timezone.now()
    absence.full_clean()
    with transaction.atomic():
        absence.save()
        return disruptions.carry_out(disruptions.for_absence(absence, now=now), user=user, now=now)

"""Generation: the rota rules materialised into permanences, previewed, saved and stopped."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from staffing.models import Permanence, RotaRule
from staffing.selectors.bookings import booked_permanence_ids
from staffing.services.rota.permanences import PermanenceConflict, describe, find_conflict, save_permanence
from staffing.services.rota.recurrence import Occurrence, RotaContext, rule_dates, rule_occurrences

logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 12


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
    context: RotaContext,
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
            save_permanence(permanence)
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
            save_permanence(permanence)
            report.created += 1
        except PermanenceConflict as exc:
            report.conflicts.append(f"{permanence.occurrence_date:%d/%m/%Y} – {exc.message}")
        except IntegrityError:
            # another run created this occurrence meanwhile (unique rule + date): nothing to do
            report.unchanged += 1


def _generate_in_bulk(
    rules: list[RotaRule], start: dt.date, end: dt.date, context: RotaContext, now: dt.datetime
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
    context = RotaContext(start, end)
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

"""The rows of the waiting list, rendered in Python.

Fifty rows of about thirty template variables and filters each were most of the page's CPU once
the filter form was rendered by hand (bench/render.py); this writes the same markup as the loop
of templates/patients/_waiting_rows.html used to, escaping every value (format_html).
"""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from escorter.phones import format_phone, phone_uri
from patients.models.statuses import STATUS_CSS

_ROW = (
    '<tr><td class="text-muted small card-rank">{}</td>'
    '<td class="text-nowrap card-tier"><span class="badge tier-{}">{}</span> <span class="fw-semibold">{}</span></td>'
    '<td class="card-title-cell"><a href="{}" class="fw-semibold">{} {}</a>{}{}'
    '<div class="small text-muted">{}</div></td>'
    '<td class="text-nowrap" data-label="Âge"><div>{} ans '
    '<span class="small text-muted d-md-block">{}</span></div></td>'
    '<td data-label="Commune">{}</td>'
    '<td class="text-nowrap" data-label="Téléphone">{}</td>'
    '<td data-label="Statut"><div><span class="badge {}">{}</span>{}</div></td>'
    '<td data-label="Signalé le"><div><span class="text-nowrap">{}</span> '
    '<span class="small text-muted d-md-block">{}</span></div></td></tr>'
)
_EMPTY = '<tr><td colspan="8" class="text-center text-muted py-4">Aucun patient ne correspond à ces critères.</td></tr>'


def criteria_labels(explanation) -> str:
    criteria = (explanation or {}).get("criteria") or []
    return " · ".join(f"{c['label']} +{c['points']}" for c in criteria)


def status_badge(status: str) -> str:
    return STATUS_CSS.get(status, "text-bg-light")


def _date(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _next_appointment(next_appointment) -> SafeString | str:
    if not next_appointment:
        return ""
    start = timezone.localtime(next_appointment.start)
    proposed = next_appointment.proposed
    return format_html(
        ' <div class="small mt-1 {}"><i class="bi {}" aria-hidden="true"></i> {} le {} à {} '
        '<span class="text-muted">· {}</span></div>',
        "text-warning-emphasis" if proposed else "text-success-emphasis",
        "bi-hourglass-split" if proposed else "bi-calendar-check",
        "Proposition" if proposed else "RDV",
        f"{start:%d/%m/%Y}",
        f"{start:%H:%M}",
        next_appointment.site,
    )


def _row(rank: int, patient) -> tuple:
    phone = patient.phone
    return (
        intcomma(rank),
        patient.priority_tier,
        patient.priority_tier,
        patient.priority_score,
        reverse("patients:patient_detail", args=[patient.pk]),
        patient.last_name.upper(),
        patient.first_names,
        format_html(' <span class="text-muted">({})</span>', note) if (note := patient.birth_name_note) else "",
        mark_safe(' <span class="badge badge-ald ms-1">ALD</span>') if patient.ald else "",
        criteria_labels(patient.priority_explanation) or "Aucun critère de fragilité",
        patient.age,
        _date(patient.birth_date),
        patient.commune.name if patient.commune_id and patient.commune.name else "—",
        format_html('<a href="tel:{}">{}</a>', phone_uri(phone), format_phone(phone)) if phone else "—",
        status_badge(patient.status),
        patient.get_status_display(),
        _next_appointment(getattr(patient, "next_appointment", None)),
        _date(patient.referral_date),
        patient.get_referral_source_display(),
    )


def waiting_rows(page) -> SafeString:
    """The <tr> of each patient of a keyset page (patients.selectors.paging), numbered from its first rank."""
    rows = list(page)
    if not rows:
        return mark_safe(_EMPTY)  # noqa: S308 (a constant)
    return format_html_join("", _ROW, (_row(page.first_rank + index, patient) for index, patient in enumerate(rows)))

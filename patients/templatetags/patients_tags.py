"""Display helpers of the registry templates."""

from django import template
from django.utils.html import format_html

from escorter.phones import format_phone
from patients import waiting_rows as rows
from patients.models import IssueKind, RowOutcome

register = template.Library()
register.filter("criteria_labels", rows.criteria_labels)
register.filter("status_badge", rows.status_badge)


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter
def key_label(key: str) -> str:
    """'date_de_naissance' -> 'Date de naissance' (right-of-access PDF)."""
    labels = {
        "prenoms": "prénoms",
        "coordonnees": "coordonnées",
        "criteres": "critères",
        "priorite": "priorité",
        "telephone": "téléphone",
        "autre_telephone": "autre téléphone",
        "enregistre_le": "enregistré le",
        "modifie_le": "modifié le",
        "identite": "identité",
        "sortie_hopital": "sortie d'hôpital",
        "accepte_les_sms": "accepte les SMS",
        "nir": "NIR",
        "ald": "ALD",
        "codes_ald": "codes ALD",
        "email": "e-mail",
        "vit_seul": "vit seul(e)",
    }
    text = labels.get(key, key.replace("_", " "))
    return text[:1].upper() + text[1:]


# import remarks and previewed rows: code value -> (French label, badge colour)
_IMPORT_BADGES = {
    IssueKind.ERROR: (IssueKind.ERROR.label, "text-bg-danger"),
    IssueKind.CONFLICT: (IssueKind.CONFLICT.label, "text-bg-warning"),
    IssueKind.DUPLICATE: (IssueKind.DUPLICATE.label, "text-bg-secondary"),
    RowOutcome.NEW: (RowOutcome.NEW.label, "text-bg-success"),
    RowOutcome.COMPLETED: (RowOutcome.COMPLETED.label, "text-bg-info"),
    RowOutcome.KNOWN: (RowOutcome.KNOWN.label, "text-bg-secondary"),
    RowOutcome.REJECTED: (RowOutcome.REJECTED.label, "text-bg-danger"),
}


@register.filter
def import_badge(code: str) -> str:
    """The badge of an import remark's kind or of a previewed row's outcome."""
    label, colour = _IMPORT_BADGES.get(code, (code, "text-bg-secondary"))
    return format_html('<span class="badge {}">{}</span>', colour, label)


@register.filter
def waiting_rows(page) -> str:
    """The rows of a page of the waiting list, rendered in Python (patients.waiting_rows)."""
    return rows.waiting_rows(page)

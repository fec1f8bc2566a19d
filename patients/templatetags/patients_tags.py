"""Display helpers of the registry templates."""

from django import template

from escorter.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.filter
def criteria_labels(explanation) -> str:
    criteria = (explanation or {}).get("criteria") or []
    return " · ".join(f"{c['label']} +{c['points']}" for c in criteria)


@register.filter
def status_badge(status: str) -> str:
    return {
        "waiting": "text-bg-warning",
        "in_care": "text-bg-info",
        "gp_found": "text-bg-success",
        "moved": "text-bg-secondary",
        "deceased": "text-bg-dark",
        "declined": "text-bg-light border",
    }.get(status, "text-bg-light")


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

"""The patients app's steps of erasure and right of access (registered in escorter.gdpr).

What the patients app holds about a person besides the patient row: status-change notes,
calls to the unscheduled-care line (theirs, or any call quoting their number or name),
import previews, error reports and uploaded source files, admin history, audit entries.
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.utils import timezone

from escorter import gdpr
from escorter.models import AuditLog
from patients.models import Call, Patient, PatientImport, PatientStatusChange
from patients.services.importing.reader import ImportFileError, open_list


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


# --- erasure ---------------------------------------------------------------------------


@gdpr.erasure_step("patients.status_changes")
def erase_status_notes(*, person: gdpr.Person) -> None:
    PatientStatusChange.objects.filter(patient_id=person.patient_id).exclude(note="").update(note="")


@gdpr.erasure_step("patients.calls")
def erase_calls(*, person: gdpr.Person) -> None:
    """Their calls keep date, category, outcome and duration (statistics); the words go.

    A call not attached to them may still quote them (a relative calling, a number given
    over the phone): those lose the quoted identifiers only.
    """
    Call.objects.filter(patient_id=person.patient_id).update(
        caller_name="", caller_phone="", reason="", follow_up_note=""
    )
    quoting = Q()
    for name in person.names:
        for field in ("caller_name", "reason", "follow_up_note"):
            quoting |= Q(**{f"{field}__unaccent__icontains": name})
    for phone in person.phones:
        quoting |= Q(caller_phone__endswith=phone[-9:]) | Q(reason__contains=phone[-4:])
    if person.nir:
        quoting |= Q(reason__contains=person.nir[-6:]) | Q(follow_up_note__contains=person.nir[-6:])
    for email in person.emails:
        quoting |= Q(reason__icontains=email) | Q(follow_up_note__icontains=email)
    if not quoting:
        return
    for call in Call.objects.filter(quoting).exclude(patient_id=person.patient_id).iterator():
        values = {
            f: person.redact(getattr(call, f)) for f in ("caller_name", "caller_phone", "reason", "follow_up_note")
        }
        if any(values[f] != getattr(call, f) for f in values):
            Call.objects.filter(pk=call.pk).update(**values)


def _scrub_json(value, person: gdpr.Person):
    """Drop every list item (a preview row, an issue) that mentions the person; redact strings."""
    if isinstance(value, dict):
        return {k: _scrub_json(v, person) for k, v in value.items()}
    if isinstance(value, list):
        return [
            _scrub_json(item, person)
            for item in value
            if not (isinstance(item, (dict, list)) and person.found_in(json.dumps(item, ensure_ascii=False)))
        ]
    if isinstance(value, str):
        return person.redact(value)
    return value


def _file_mentions(batch: PatientImport, person: gdpr.Person) -> bool:
    try:
        with batch.file.open("rb") as fh:
            try:
                reader = open_list(fh, name=batch.original_name)
                return any(
                    person.found_in(" ".join(str(c) for c in cells if c is not None)) for _, cells in reader.cells()
                )
            except ImportFileError:
                fh.seek(0)
                return person.found_in(fh.read().decode("utf-8", errors="replace"))
    except FileNotFoundError:
        return False


@gdpr.erasure_step("patients.imports")
def erase_from_imports(*, person: gdpr.Person) -> None:
    """Previews and error reports lose the person's rows; a source file that lists them is deleted.

    Rewriting a customer's spreadsheet row by row would risk corrupting it; an import
    still in preview whose file is deleted cannot be confirmed any more and says so.
    """
    for batch in PatientImport.objects.iterator():
        summary = _scrub_json(batch.summary, person)
        errors_csv = "".join(gdpr.lines_without(person, batch.errors_csv.splitlines(keepends=True)))
        changes = {}
        if summary != batch.summary:
            changes["summary"] = summary
        if errors_csv != batch.errors_csv:
            changes["errors_csv"] = errors_csv
        if batch.file and _file_mentions(batch, person):
            batch.file.storage.delete(batch.file.name)
            changes["file"] = ""
            if batch.state == PatientImport.State.PREVIEW and not batch.imported_at:
                changes["state"] = PatientImport.State.FAILED
                summary = changes.get("summary", batch.summary)
                summary["lines"] = [
                    "Fichier source supprimé (droit à l'effacement d'une personne qu'il contenait) : "
                    "déposez de nouveau la liste."
                ]
                changes["summary"] = summary
        if changes:
            PatientImport.objects.filter(pk=batch.pk).update(**changes)


@gdpr.erasure_step("patients.admin_history")
def erase_admin_history(*, person: gdpr.Person) -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Patient)
    LogEntry.objects.filter(content_type=content_type, object_id=str(person.patient_id)).update(
        object_repr=f"Patient #{person.patient_id}", change_message=""
    )


# --- right of access -------------------------------------------------------------------


@gdpr.access_section("appels", "Appels à la ligne de soins non programmés")
def calls_section(*, person: gdpr.Person) -> list[dict]:
    return [
        {
            "recu_le": _when(call.received_at),
            "appelant": call.get_caller_kind_display(),
            "nom_de_l_appelant": call.caller_name,
            "telephone_de_l_appelant": call.caller_phone,
            "categorie": call.get_category_display(),
            "motif": call.reason,
            "orientation": call.get_outcome_display(),
            "suite_a_donner": call.follow_up_note,
        }
        for call in Call.objects.filter(patient_id=person.patient_id).order_by("received_at")
    ]


@gdpr.access_section("journal_d_acces", "Accès à votre dossier (journal d'accès)")
def access_log_section(*, person: gdpr.Person) -> list[dict]:
    """Who read, changed or exported the file, and when (art. 15: the recipients)."""
    entries = AuditLog.objects.filter(object_type="patients.Patient", object_id=str(person.patient_id)).order_by("at")
    return [
        {"date": _when(e.at), "utilisateur": e.username, "role": e.role, "action": e.get_action_display()}
        for e in entries[:5000]
    ]

"""The registry of patients without a GP ("patients sans médecin traitant") and their status history."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, Lower
from django.utils import timezone

from escorter.fields import recorded_by
from patients.models.priority import QUEUE_ORDER, Tier, age_on, weeks_waiting
from patients.models.statuses import ACTIVE_STATUSES, CLOSED_STATUSES, PatientStatus


class ImmutableUnaccent(models.Func):
    """PostgreSQL's unaccent() wrapped in an IMMUTABLE function (migration 0001).

    unaccent() itself is only STABLE (its dictionary could change), so it cannot appear
    in an index or a generated column; the wrapper pins the dictionary.
    """

    function = "escorter_unaccent"
    output_field = models.TextField()


def search_expression(*expressions):
    return Lower(ImmutableUnaccent(*expressions))


class RegexpReplace(models.Func):
    function = "regexp_replace"
    output_field = models.TextField()


class SubstringMatch(models.Func):
    """substring(text from pattern): the first match of a POSIX regular expression."""

    function = "substring"
    template = "%(function)s(%(expressions)s)"
    output_field = models.TextField()


class PhoneDigits(models.Func):
    """escorter_phone_digits(text) (migration 0009): a phone as national digits, '+33 6 12…' -> '0612…'."""

    function = "escorter_phone_digits"
    output_field = models.TextField()


class Negated(models.Func):
    """-x. The waiting list is ordered by (tier, -score, referral date, pk) all ascending, so that
    one btree row comparison `(tier, -score, date, pk) > (…)` serves keyset paging; a DESC
    column between ASC ones cannot be a single index range."""

    template = "(-%(expressions)s)"
    output_field = models.IntegerField()


# the queue order (QUEUE_ORDER: tier, score, referral date) as ascending index expressions
WAITING_ORDER = (F("priority_tier"), Negated(F("priority_score")), F("referral_date"), F("id"))
NOT_ANONYMISED = Q(anonymised_at__isnull=True)
ACTIVE = Q(anonymised_at__isnull=True, status__in=[s.value for s in ACTIVE_STATUSES])
# Patient.AWAITING_CALL (waiting to be called), and waiting with a consultation proposed or booked
AWAITING = Q(status=PatientStatus.WAITING.value, anonymised_at__isnull=True, next_consultation_at__isnull=True)
SCHEDULED = Q(status=PatientStatus.WAITING.value, anonymised_at__isnull=True, next_consultation_at__isnull=False)


class PatientQuerySet(models.QuerySet):
    def awaiting_call(self):
        """THE definition of "waiting to be called", shared by the waiting list, its counts,
        the dashboards, the scheduler and the capacity planner: still in the registry, status
        "en attente", and no consultation proposed or booked (`next_consultation_at` is kept
        by a trigger on consultations, staffing migration 0004)."""
        return self.filter(Patient.AWAITING_CALL)

    def in_queue_order(self):
        return self.order_by(*QUEUE_ORDER)


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Femme"
        MALE = "M", "Homme"

    Status = PatientStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES
    # "waiting to be called": see PatientQuerySet.awaiting_call
    AWAITING_CALL = AWAITING
    CLOSED_STATUSES = CLOSED_STATUSES

    class ReferralSource(models.TextChoices):
        CPAM = "cpam", "Liste CPAM"
        HOSPITAL = "hospital", "Sortie d'hospitalisation (PRADO)"
        PHARMACY = "pharmacy", "Pharmacie"
        TOWN_HALL = "town_hall", "Mairie"
        SELF = "self", "Demande du patient"
        OTHER = "other", "Autre professionnel"
        SAS = "sas", "SAS (Service d'accès aux soins)"

    # identity
    last_name = models.CharField("nom d'usage", max_length=100)
    birth_name = models.CharField("nom de naissance", max_length=100, blank=True)
    first_names = models.CharField("prénoms", max_length=150)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("date de naissance", db_index=True)
    nir = models.CharField(
        "NIR (n° de sécurité sociale)", max_length=15, blank=True, help_text="15 caractères, clé comprise (facultatif)."
    )
    # contact
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "sites.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="patients", null=True
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    phone_2 = models.CharField("autre téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    sms_consent = models.BooleanField("accepte les SMS", default=False)
    # referral
    referral_date = models.DateField("date de signalement", default=dt.date.today)
    referral_source = models.CharField(
        "origine du signalement", max_length=20, choices=ReferralSource.choices, default=ReferralSource.CPAM
    )
    # frailty criteria
    ald = models.BooleanField("ALD", default=False)
    ald_codes = ArrayField(
        models.CharField(max_length=2),
        verbose_name="n° d'ALD",
        default=list,
        blank=True,
        help_text="ALD de la liste (1 à 30) ou HL (hors liste).",
    )
    disability = models.BooleanField("situation de handicap", default=False)
    # not a priority criterion: what the scheduler matches against step-free rooms
    mobility_need = models.BooleanField(
        "besoin d'un accès de plain-pied",
        default=False,
        db_default=False,  # bulk COPY writers (import, benches) may leave it out
        help_text="Fauteuil roulant, marche difficile : seules les salles accessibles sont proposées.",
    )
    pregnancy = models.BooleanField("grossesse en cours", default=False)
    hospital_discharge_date = models.DateField("date de sortie d'hôpital", null=True, blank=True)
    lives_alone = models.BooleanField("vit seul(e)", default=False)
    notes = models.TextField("notes", blank=True)
    # lifecycle
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    status_changed_at = models.DateTimeField("statut modifié le", default=timezone.now)
    new_gp_name = models.CharField("nouveau médecin traitant", max_length=150, blank=True)
    new_gp_rpps = models.CharField("RPPS du médecin traitant", max_length=11, blank=True)
    gp_found_date = models.DateField("date de déclaration du médecin traitant", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    # priority (stored, recomputed nightly and on save)
    priority_score = models.IntegerField("score de priorité", default=0, db_index=True)
    priority_tier = models.CharField("niveau", max_length=2, choices=Tier.choices, default=Tier.P3, db_index=True)
    priority_rule = models.ForeignKey(
        "patients.PriorityRule", verbose_name="règle de priorité", null=True, blank=True, on_delete=models.PROTECT
    )
    priority_explanation = models.JSONField("détail du score", default=dict, blank=True)
    # earliest proposed or booked consultation, NULL when none: maintained by a trigger on
    # staffing_consultation (staffing migration 0004), so every write path keeps it right
    next_consultation_at = models.DateTimeField("prochain rendez-vous", null=True, blank=True, editable=False)
    # search: lower(unaccent(names)) kept by PostgreSQL, trigram-indexed
    search_name = models.GeneratedField(
        expression=search_expression(Concat(F("last_name"), Value(" "), F("birth_name"), Value(" "), F("first_names"))),
        output_field=models.TextField(),
        db_persist=True,
    )
    # dedup key of imports: "lastname firstgivenname", lower case, no accents nor punctuation
    # (the SQL twin of patients.normalise.identity_key, which compares it with the birth date)
    identity_name = models.GeneratedField(
        expression=Concat(
            RegexpReplace(search_expression(F("last_name")), Value("[^a-z0-9]+"), Value(""), Value("g")),
            Value(" "),
            Coalesce(
                SubstringMatch(search_expression(F("first_names")), Value("[a-z0-9]+")),
                Value(""),
                output_field=models.TextField(),
            ),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    # every phone of the person as national digits, one trigram-indexed text ("0612345678 0251000000"),
    # kept by PostgreSQL so COPY imports and raw writes fill it too
    phone_search = models.GeneratedField(
        expression=Concat(
            PhoneDigits(F("phone")), Value(" "), PhoneDigits(F("phone_2")), output_field=models.TextField()
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    created_by = recorded_by("créé par")

    objects = PatientQuerySet.as_manager()

    class Meta:
        verbose_name = "patient"
        verbose_name_plural = "patients"
        ordering = list(QUEUE_ORDER)
        constraints = [
            models.UniqueConstraint(fields=["nir"], condition=~Q(nir=""), name="patient_nir_unique"),
            models.CheckConstraint(
                condition=Q(nir="") | Q(nir__regex=r"^[12][0-9]{2}[0-9]{2}([0-9]{2}|2A|2B)[0-9]{8}$"),
                name="patient_nir_format",
            ),
            models.CheckConstraint(condition=Q(priority_tier__in=["P1", "P2", "P3"]), name="patient_tier_valid"),
            models.CheckConstraint(condition=Q(ald=True) | Q(ald_codes=[]), name="patient_ald_codes_need_ald"),
            models.CheckConstraint(
                condition=~Q(status=PatientStatus.GP_FOUND.value) | Q(gp_found_date__isnull=False),
                name="patient_gp_found_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PatientStatus.values),
                name="patient_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["priority_tier", "-priority_score", "referral_date"], name="patient_queue_order_idx"),
            # the default page of the waiting list and the scheduler's read: awaiting a call, queue order
            models.Index(
                fields=["priority_tier", "-priority_score", "referral_date", "id"],
                condition=AWAITING,
                name="patient_awaiting_call_idx",
            ),
            GinIndex(OpClass(F("search_name"), name="gin_trgm_ops"), name="patient_search_trgm_idx"),
            GinIndex(OpClass(F("phone_search"), name="gin_trgm_ops"), name="patient_phone_search_trgm_idx"),
            models.Index(fields=["status", "status_changed_at"], name="patient_status_changed_idx"),
            # the dashboard's running month: counts of what the maintained counts leave out or cannot group
            models.Index(F("status"), name="patient_anonymised_idx", condition=~NOT_ANONYMISED),
            models.Index(F("referral_date"), name="patient_referral_date_idx"),
            models.Index(
                F("gp_found_date"), name="patient_gp_found_date_idx", condition=Q(status=PatientStatus.GP_FOUND.value)
            ),
            models.Index(fields=["identity_name", "birth_date"], name="patient_identity_idx"),
            # the waiting list and the filters secretaries use, chosen from EXPLAIN at 1,000,000 patients
            # (bench/search.py): each one walks in list order, so a page reads 50 index entries
            # (the tier leads each one: a tier filter is a range of the same index)
            models.Index(*WAITING_ORDER, name="patient_wait_awaiting_idx", condition=AWAITING),
            models.Index(*WAITING_ORDER, name="patient_wait_scheduled_idx", condition=SCHEDULED),
            models.Index(*WAITING_ORDER, name="patient_wait_active_idx", condition=ACTIVE),
            models.Index(*WAITING_ORDER, name="patient_wait_all_idx", condition=NOT_ANONYMISED),
            models.Index(F("status"), *WAITING_ORDER, name="patient_wait_status_idx", condition=NOT_ANONYMISED),
            models.Index(F("commune"), *WAITING_ORDER, name="patient_wait_commune_idx", condition=AWAITING),
            models.Index(*WAITING_ORDER, name="patient_wait_ald_idx", condition=AWAITING & Q(ald=True)),
            # EPCI (a commune-id list) + ALD: an index-only capped count (was a 0.3 s BitmapAnd at 1M)
            models.Index(
                F("commune"), *WAITING_ORDER, name="patient_wait_commune_ald_idx", condition=AWAITING & Q(ald=True)
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    # columns only the database writes (triggers, generated columns): a save() from an
    # instance loaded a moment ago must not put back a stale value
    DATABASE_KEPT = ("next_consultation_at",)

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and not f.generated and f.name not in self.DATABASE_KEPT
            ]
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        name = f"{self.last_name.upper()} {self.first_names}".strip()
        if self.birth_name_note:
            name += f" ({self.birth_name_note})"
        return name

    @property
    def birth_name_note(self) -> str:
        """'née LEFÈVRE' when the birth name differs from the usual name (searches match both)."""
        if not self.birth_name or self.birth_name.lower() == self.last_name.lower():
            return ""
        return f"{'née' if self.sex == self.Sex.FEMALE else 'né'} {self.birth_name.upper()}"

    def age_on(self, day: dt.date) -> int | None:
        return age_on(self.birth_date, day)

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    def weeks_waiting(self, today: dt.date) -> int:
        return weeks_waiting(self, today)

    @property
    def awaits_call(self) -> bool:
        """Python twin of `Patient.objects.awaiting_call()` for one loaded patient."""
        return self.status == self.Status.WAITING and self.anonymised_at is None and self.next_consultation_at is None

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def has_found_gp(self) -> bool:
        return self.status == self.Status.GP_FOUND

    @property
    def masked_nir(self) -> str:
        """Only the sex and birth year/month digits and the key stay visible."""
        if not self.nir:
            return ""
        return f"{self.nir[0]} {self.nir[1:3]} {self.nir[3:5]} •• ••• ••• {self.nir[13:]}"

    def apply_priority(self, rule, today: dt.date | None = None) -> bool:
        """Set the stored score from `rule`; returns True when anything changed."""
        today = today or timezone.localdate()
        score, tier, explanation = rule.evaluate(self, today)
        changed = (
            score != self.priority_score
            or tier != self.priority_tier
            or self.priority_rule_id != rule.pk
            or explanation.get("criteria") != (self.priority_explanation or {}).get("criteria")
        )
        self.priority_score, self.priority_tier, self.priority_rule = score, tier, rule
        self.priority_explanation = explanation
        return changed


class PatientStatusChange(models.Model):
    """One dated step of a patient's lifecycle, with who recorded it."""

    patient = models.ForeignKey(
        Patient, verbose_name="patient", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField("ancien statut", max_length=10, choices=Patient.Status.choices, blank=True)
    to_status = models.CharField("nouveau statut", max_length=10, choices=Patient.Status.choices)
    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    by = recorded_by("par")
    note = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "historique des statuts"
        ordering = ["-at", "-pk"]
        # a patient's status at a date (reporting): its latest change before that date
        indexes = [models.Index(fields=["patient", "at"], name="statuschange_patient_at")]

    def __str__(self) -> str:
        return f"{self.patient_id} : {self.from_status or '—'} → {self.to_status} ({self.at:%d/%m/%Y})"

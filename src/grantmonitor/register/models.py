"""The register: what a promoter's coach records about people and what happened to them.

Participants are pseudonymous: the funder never sees a name or a national number, only a
keyed hash of the INSZ (see :mod:`grantmonitor.register.pseudonyms`) that recognises the same
person across projects. Every KPI the engine computes counts rows of these tables. Names and
contact details, where a promoter keeps them, sit apart in :class:`ParticipantIdentity`,
encrypted (see :mod:`grantmonitor.register.crypto`).
"""

from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Call, Project
from grantmonitor.common.money import validate_cents
from grantmonitor.kpis.models import OutcomeSource, OutcomeStatus
from grantmonitor.organisations.models import Organisation
from grantmonitor.register.crypto import EncryptedTextField

YOUNG_BELOW_AGE = 28
OLDER_FROM_AGE = 50


class Gender(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")
    OTHER = "x", _("non-binary or other")


class CharacteristicCode(models.TextChoices):
    """Recorded at intake (ESF+ participant characteristics where they fit)."""

    OCCUPATIONAL_DISABILITY = "occupational_disability", _("occupational disability")
    MIGRATION_BACKGROUND = "migration_background", _("migration background")
    UNEMPLOYED_OVER_1_YEAR = "unemployed_over_1_year", _("unemployed for more than 1 year")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("unemployed for more than 2 years")
    LOW_EDUCATED = "low_educated", _("low-educated")
    SECOND_CHANCE = "second_chance", _("bankrupt former entrepreneur (second chance)")


class DerivedCharacteristic(models.TextChoices):
    """Derived from the birth year at the date of the event that is counted."""

    YOUNG = "young", _("under 28")
    AGED_50_PLUS = "aged_50_plus", _("aged 50 and over")


def characteristic_codes() -> list[str]:
    return [*CharacteristicCode.values, *DerivedCharacteristic.values]


class ActivityKind(models.TextChoices):
    INFO_SESSION = "info_session", _("information session")
    THEME_SESSION = "theme_session", _("theme session")
    EVENT = "event", _("event")
    TRAINING = "training", _("training")
    INDIVIDUAL_CONTACT = "individual_contact", _("individual contact")
    INDIVIDUAL_GUIDANCE = "individual_guidance", _("individual guidance session")
    COLLECTIVE_GUIDANCE = "collective_guidance", _("collective guidance session")


class TrajectoryKind(models.TextChoices):
    DESIGNED_FOR_PROJECT = "designed_for_project", _("designed for this project")
    INDIVIDUAL_GUIDANCE = "individual_guidance", _("individual guidance")
    TOWARDS_ENTREPRENEURSHIP = "towards_entrepreneurship", _("towards entrepreneurship")
    OTHER = "other", _("other")


class CreditDecision(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ReachedKind(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", _("higher education")
    FIELD_ORGANISATION = "field_organisation", _("field organisation")
    COMPANY_STARTED = "company_started", _("company started through the project")
    NETWORK = "network", _("network informed structurally")


def _choices_check(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Participant(models.Model):
    """A person registered by a project, known to the funder only by a keyed hash."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), related_name="participants", on_delete=models.CASCADE
    )
    person_key = models.CharField(
        _("person key"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Keyed hash of the national register number; never the number itself."),
    )
    reference = models.CharField(
        _("promoter's reference"),
        max_length=100,
        blank=True,
        help_text=_("The promoter's own pseudonymous code for this person, if any."),
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    registered_on = models.DateField(_("intake date"))

    class Meta:
        ordering = ["project", "registered_on", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person_key"],
                condition=~Q(person_key=""),
                name="participant_person_once_per_project",
                violation_error_message=_("This person is already registered in this project."),
            ),
        ]

    def __str__(
        self,
    ) -> str:  # the audit trail keeps this: never the reference, which erasing clears
        return f"#{self.pk}"

    @property
    def label(self) -> str:
        """How the promoter's staff know this person: their own reference, or the number."""
        return self.reference or str(self)


class ParticipantIdentity(models.Model):
    """Name and contact details, where the promoter keeps them; encrypted in the database.

    Only the promoter's staff read them (``permissions.can_view_identities``); no KPI, answer or
    admin page uses them, so erasing this row changes no figure.
    """

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        related_name="identity",
        on_delete=models.CASCADE,
    )
    name = EncryptedTextField(_("name"), blank=True, validators=[MaxLengthValidator(200)])
    email = EncryptedTextField(
        _("e-mail address"), blank=True, validators=[MaxLengthValidator(254), EmailValidator()]
    )
    phone = EncryptedTextField(_("telephone"), blank=True, validators=[MaxLengthValidator(40)])
    address = EncryptedTextField(_("address"), blank=True, validators=[MaxLengthValidator(300)])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participant identity")
        verbose_name_plural = _("participant identities")

    def __str__(self) -> str:  # the audit trail shows this: never the name
        return f"{self.participant} (identity)"


class Characteristic(models.Model):
    """A characteristic of a participant, as recorded on a date (usually at intake)."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        related_name="characteristics",
        on_delete=models.CASCADE,
    )
    code = models.CharField(_("characteristic"), max_length=40, choices=CharacteristicCode.choices)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        ordering = ["participant", "recorded_on", "code"]
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "code", "recorded_on"],
                name="characteristic_once_per_date",
            ),
            _choices_check("code", CharacteristicCode, "characteristic_code_known"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_code_display()} ({self.recorded_on})"


class Activity(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), related_name="activities", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        related_name="organised_activities",
        on_delete=models.PROTECT,
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("in cooperation with"),
        related_name="partnered_activities",
        blank=True,
    )
    audience = models.CharField(
        _("aimed at"),
        max_length=40,
        blank=True,
        help_text=_("A characteristic the activity is specifically aimed at, e.g. young people."),
    )

    class Meta:
        ordering = ["project", "date", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["project", "kind", "date"])]
        constraints = [_choices_check("kind", ActivityKind, "activity_kind_known")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Attendance(models.Model):
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        related_name="attendances",
        on_delete=models.CASCADE,
        db_index=False,  # the unique (activity, participant) index serves lookups by activity
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        related_name="attendances",
        on_delete=models.CASCADE,
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"],
                name="attendance_once_per_activity",
                violation_error_message=_("This participant already attended this activity."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.activity}"


class CallPerson(models.Model):
    """A person the call's projects reached: attended an activity inside its project's period.

    Kept by :mod:`grantmonitor.register.reach`, never written otherwise. ``person`` is the
    person key, or ``#<participant id>`` for a participant registered without INSZ.
    """

    call = models.ForeignKey(
        Call,
        verbose_name=_("call"),
        related_name="+",
        on_delete=models.CASCADE,
        db_index=False,  # the unique (call, person) index serves lookups by call
    )
    person = models.CharField(_("person"), max_length=64)
    participants = models.PositiveIntegerField(
        _("participants"),
        help_text=_("The person's participants who attended: one per project that reached them."),
    )

    class Meta:
        verbose_name = _("person reached by a call")
        verbose_name_plural = _("people reached by a call")
        constraints = [
            models.UniqueConstraint(fields=["call", "person"], name="call_person_once"),
            models.CheckConstraint(condition=Q(participants__gt=0), name="call_person_attended"),
        ]

    def __str__(self) -> str:  # never the person key
        return f"{self.call_id}: {self.participants}"


class CallReach(models.Model):
    """The people a call reached, read as one row: each once, and the projects' counts summed.

    Kept by :mod:`grantmonitor.register.reach` together with the :class:`CallPerson` rows it
    totals.
    """

    call = models.OneToOneField(
        Call, verbose_name=_("call"), related_name="+", on_delete=models.CASCADE
    )
    people = models.PositiveIntegerField(_("people"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)

    class Meta:
        verbose_name = _("people reached by a call, in total")
        verbose_name_plural = _("people reached by calls, in total")

    def __str__(self) -> str:
        return f"{self.call}: {self.people}"


class ProjectWrite(models.Model):
    """A transaction that wrote to what a project's figures and pages are drawn from (its
    register, its period, its KPIs and their values, its dossier), or, without a project, to a
    table shared by every page (calls, organisations, users, questions, definitions): one row
    each. How many there were is the project's (or the shared tables') stamp, what its figures
    and pages may be kept under. A transaction's first write to a project folds that project's
    earlier rows into its own, adding up their ``weight``, so a project keeps a row or two and
    the stamp is the sum of the weights.

    Written by PostgreSQL triggers (:mod:`grantmonitor.register.stamps`), never otherwise. No
    foreign key: a project's rows are deleted before it, and each deletion is written here.
    """

    project_id = models.BigIntegerField(_("project"), null=True)
    transaction = models.BigIntegerField(_("transaction"))
    #: How many writing transactions the row stands for: its own, and those of the rows
    #: folded into it. The stamp is the sum.
    weight = models.PositiveBigIntegerField(_("transactions"), db_default=1)

    class Meta:
        verbose_name = _("write to a project or to the shared tables")
        verbose_name_plural = _("writes to projects and to the shared tables")
        constraints = [
            models.UniqueConstraint(
                fields=["project_id", "transaction"], name="project_write_once_per_transaction"
            ),
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(project_id__isnull=True),
                name="shared_write_once_per_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id or '-'}: {self.transaction}"


class OrganisationPresence(models.Model):
    """An organisation present at an activity (e.g. stakeholders at an information session)."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        related_name="organisations_present",
        on_delete=models.CASCADE,
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("organisation present")
        verbose_name_plural = _("organisations present")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation"],
                name="presence_once_per_activity",
                violation_error_message=_("This organisation is already present at this activity."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.activity}"


class Trajectory(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        related_name="trajectories",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TrajectoryKind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["participant", "start_date", "pk"]
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        constraints = [
            _choices_check("kind", TrajectoryKind, "trajectory_kind_known"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="trajectory_period_ordered",
                violation_error_message=_("The end date lies before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_kind_display()} {self.start_date}"


class CreditApplication(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("applicant"),
        related_name="credit_applications",
        on_delete=models.CASCADE,
    )
    applied_on = models.DateField(_("application date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0), validate_cents],
    )
    lender = models.ForeignKey(
        Organisation, verbose_name=_("lender"), related_name="credits", on_delete=models.PROTECT
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=CreditDecision.choices, default=CreditDecision.PENDING
    )
    decided_on = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        ordering = ["participant", "applied_on", "pk"]
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        constraints = [
            _choices_check("decision", CreditDecision, "credit_decision_known"),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on")),
                name="credit_decided_after_application",
                violation_error_message=_("The decision date lies before the application date."),
            ),
            models.CheckConstraint(
                condition=(Q(decision="pending") & Q(decided_on__isnull=True))
                | (~Q(decision="pending") & Q(decided_on__isnull=False)),
                name="credit_decision_dated",
                violation_error_message=_(
                    "A decision needs a decision date; a pending one has none."
                ),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="credit_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.amount} ({self.get_decision_display()})"


class Referral(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        related_name="referrals",
        on_delete=models.CASCADE,
    )
    from_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("referred by"),
        related_name="referrals_made",
        on_delete=models.PROTECT,
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("referred to"),
        related_name="referrals_received",
        on_delete=models.PROTECT,
    )
    referred_on = models.DateField(_("referral date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    taken_up = models.BooleanField(_("taken up"), null=True, blank=True)

    class Meta:
        ordering = ["referred_on", "pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organisation=F("to_organisation")),
                name="referral_not_to_itself",
                violation_error_message=_("An organisation cannot refer to itself."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation} ({self.referred_on})"


class OrganisationReached(models.Model):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        related_name="organisations_reached",
        on_delete=models.CASCADE,
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReachedKind.choices)
    reached_on = models.DateField(_("reached on"))

    class Meta:
        ordering = ["project", "reached_on", "pk"]
        verbose_name = _("organisation reached")
        verbose_name_plural = _("organisations reached")
        constraints = [
            _choices_check("kind", ReachedKind, "reached_kind_known"),
            models.UniqueConstraint(
                fields=["project", "organisation", "kind"],
                name="reached_once_per_kind",
                violation_error_message=_("This organisation is already recorded as reached."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_kind_display()})"


class FollowUpOutcome(models.Model):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        related_name="outcomes",
        on_delete=models.CASCADE,
    )
    observed_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=30, choices=OutcomeStatus.choices)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=OutcomeSource.choices)

    class Meta:
        ordering = ["participant", "observed_on", "pk"]
        verbose_name = _("follow-up outcome")
        verbose_name_plural = _("follow-up outcomes")
        constraints = [
            _choices_check("status", OutcomeStatus, "outcome_status_known"),
            _choices_check("source", OutcomeSource, "outcome_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_status_display()} ({self.observed_on})"

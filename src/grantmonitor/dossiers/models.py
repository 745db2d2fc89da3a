from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumValidationError

from grantmonitor.calls.models import Project
from grantmonitor.common.money import validate_cents
from grantmonitor.dossiers import rules


class DossierStatus(models.TextChoices):
    RUNNING = rules.Status.RUNNING, _("running")
    FINAL_REPORT_IN = rules.Status.FINAL_REPORT_IN, _("final report in")
    WITH_INSPECTION = rules.Status.WITH_INSPECTION, _("with the inspection service")
    BACK_WITH_CASE_HANDLER = rules.Status.BACK_WITH_CASE_HANDLER, _("back with the case handler")
    BALANCE_PAID = rules.Status.BALANCE_PAID, _("balance paid")
    BALANCE_RECOVERED = rules.Status.BALANCE_RECOVERED, _("balance recovered")
    CLOSED = rules.Status.CLOSED, _("closed")


class CostCategory(models.TextChoices):
    PERSONNEL = rules.CostCategory.PERSONNEL, _("personnel costs")
    OPERATING = rules.CostCategory.OPERATING, _("operating costs")
    EXTERNAL = rules.CostCategory.EXTERNAL, _("external services")


class Verdict(models.TextChoices):
    ACCEPTED = rules.Verdict.ACCEPTED, _("accepted")
    PARTLY_ACCEPTED = rules.Verdict.PARTLY_ACCEPTED, _("partly accepted")
    REJECTED = rules.Verdict.REJECTED, _("rejected")


class OrderKind(models.TextChoices):
    PAYMENT = "payment", _("payment order")
    RECOVERY = "recovery", _("recovery order")
    NONE = "none", _("no balance")


MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


def _validate_with(module, value: str, message: str) -> None:
    try:
        module.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            message, params={"value": value, "reason": exc.message}, code="invalid"
        ) from exc


def validate_iban(value: str) -> None:
    _validate_with(iban, value, _("%(value)s is not a valid IBAN (%(reason)s)."))


def validate_bic(value: str) -> None:
    _validate_with(bic, value, _("%(value)s is not a valid BIC (%(reason)s)."))


def validate_structured_communication(value: str) -> None:
    _validate_with(
        ogm_vcs, value, _("%(value)s is not a valid structured communication (%(reason)s).")
    )


class Dossier(models.Model):
    """The funder's case file of one project: its money and its path to closure."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), related_name="dossier", on_delete=models.PROTECT
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    case_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case handler"),
        related_name="handled_dossiers",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    allocated_amount = models.DecimalField(
        _("allocated (on estimated costs)"),
        null=True,
        blank=True,
        help_text=_("Empty where the allocation is not recorded here."),
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        **MONEY,
    )
    net_amount = models.DecimalField(
        _("net to finance (on accepted costs)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        help_text=_("Set when the dossier is settled after inspection."),
        **MONEY,
    )
    subsidy_rate = models.DecimalField(
        _("subsidy rate (%)"),
        null=True,
        blank=True,
        help_text=_("Share of the eligible costs, minus revenues, that the funder pays."),
        **PERCENT,
    )
    overhead_rate = models.DecimalField(
        _("flat-rate overhead (% of personnel costs)"),
        default=Decimal("0"),
        **PERCENT,
    )
    payee_iban = models.CharField(
        _("IBAN of the promoter"), max_length=34, blank=True, validators=[validate_iban]
    )
    payee_bic = models.CharField(
        _("BIC of the promoter"), max_length=11, blank=True, validators=[validate_bic]
    )

    class Meta:
        ordering = ["project"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated_amount__isnull=True) | Q(allocated_amount__gte=0),
                name="dossier_allocation_not_negative",
                violation_error_message=_("The allocated amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(net_amount__isnull=True)
                | (
                    Q(net_amount__gte=0)
                    & (
                        Q(allocated_amount__isnull=True)
                        | Q(net_amount__lte=models.F("allocated_amount"))
                    )
                ),
                name="dossier_net_within_allocation",
                violation_error_message=_(
                    "The net amount lies between zero and the allocated amount."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.project)

    @property
    def difference(self) -> Decimal | None:
        return rules.difference(self.allocated_amount, self.net_amount)

    def clean(self) -> None:
        self.payee_iban = iban.compact(self.payee_iban) if self.payee_iban else ""
        self.payee_bic = bic.compact(self.payee_bic) if self.payee_bic else ""

    @property
    def payee_name(self) -> str:
        promoter = self.project.promoter
        return promoter.legal_name or promoter.name


class DossierStatusChange(models.Model):
    """One step on the dossier's path. The current status is the latest row's."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), related_name="status_changes", on_delete=models.CASCADE
    )
    status = models.CharField(_("status"), max_length=30, choices=DossierStatus.choices)
    changed_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["dossier", "changed_on", "recorded_at", "pk"]
        get_latest_by = ["changed_on", "recorded_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["dossier", "-changed_on", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_status_display()} ({self.changed_on})"


class BudgetLine(models.Model):
    """The allocation's estimate by cost category (the flat-rate overhead is computed)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), related_name="budget_lines", on_delete=models.CASCADE
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    amount = models.DecimalField(
        _("estimated amount"),
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        **MONEY,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["dossier", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "category"], name="budget_line_one_per_category"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_category_display()}"


class Advance(models.Model):
    """One advance payment on the schedule: a share of the allocation, approved, then paid."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), related_name="advances", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("number"))
    percentage = models.DecimalField(_("share of the allocation (%)"), **PERCENT)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0")), validate_cents], **MONEY
    )
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["dossier", "number"]
        verbose_name = _("advance")
        verbose_name_plural = _("advances")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="advance_number_unique"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | Q(approved_on__isnull=False),
                name="advance_paid_after_approval",
                violation_error_message=_("An advance is approved before it is paid."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="advance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {_('advance')} {self.number}"


class CostStatement(models.Model):
    """The promoter's final cost statement: realised cost lines and project revenues."""

    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("dossier"),
        related_name="cost_statement",
        on_delete=models.CASCADE,
    )
    revenues = models.DecimalField(
        _("project revenues"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        **MONEY,
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("final cost statement")
        verbose_name_plural = _("final cost statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(revenues__gte=0), name="cost_statement_revenues_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {_('final cost statement')}"


class CostLine(models.Model):
    """A declared realised cost and the inspector's verdict on it."""

    statement = models.ForeignKey(
        CostStatement,
        verbose_name=_("cost statement"),
        related_name="lines",
        on_delete=models.CASCADE,
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(
        _("declared amount"),
        validators=[MinValueValidator(Decimal("0.01")), validate_cents],
        **MONEY,
    )
    document_ref = models.CharField(_("supporting document"), max_length=100)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    accepted_amount = models.DecimalField(
        _("accepted amount"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        **MONEY,
    )
    reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    class Meta:
        ordering = ["statement", "pk"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cost_line_positive"),
            models.CheckConstraint(
                condition=Q(accepted_amount__isnull=True)
                | (Q(accepted_amount__gte=0) & Q(accepted_amount__lte=models.F("amount"))),
                name="cost_line_accepted_within_declared",
                violation_error_message=_(
                    "The accepted amount lies between zero and the declared amount."
                ),
            ),
            models.CheckConstraint(
                condition=Q(verdict="", accepted_amount__isnull=True)
                | (~Q(verdict="") & Q(accepted_amount__isnull=False)),
                name="cost_line_verdict_with_amount",
                violation_error_message=_("A verdict comes with an accepted amount."),
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Inspection(models.Model):
    """One round of control by the inspection service."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), related_name="inspections", on_delete=models.CASCADE
    )
    sent_on = models.DateField(_("sent to inspection on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    accepted_total = models.DecimalField(
        _("accepted costs"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), validate_cents],
        **MONEY,
    )

    class Meta:
        ordering = ["dossier", "sent_on", "pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(completed_on__isnull=True),
                name="inspection_one_open_per_dossier",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(accepted_total__isnull=False),
                name="inspection_completed_with_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {_('inspection')} {self.sent_on}"


class Settlement(models.Model):
    """The settlement computed from accepted costs, and the order for its balance."""

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("dossier"), related_name="settlement", on_delete=models.CASCADE
    )
    accepted_direct = models.DecimalField(_("accepted costs"), **MONEY)
    accepted_personnel = models.DecimalField(_("of which personnel costs"), **MONEY)
    overhead = models.DecimalField(_("flat-rate overhead"), **MONEY)
    revenues = models.DecimalField(_("project revenues"), **MONEY)
    eligible = models.DecimalField(_("eligible costs"), **MONEY)
    funded = models.DecimalField(_("subsidy rate applied"), **MONEY)
    net = models.DecimalField(_("net to finance"), **MONEY)
    advances_paid = models.DecimalField(_("advances paid"), **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    settled_on = models.DateField(_("settled on"))
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    order_kind = models.CharField(_("balance order"), max_length=10, choices=OrderKind.choices)
    structured_communication = models.CharField(
        _("structured communication"),
        max_length=12,
        blank=True,
        validators=[validate_structured_communication],
        help_text=_("For a recovery: the +++xxx/xxxx/xxxxx+++ the promoter's transfer must carry."),
    )
    executed_on = models.DateField(_("paid or recovered on"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid or recovered by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(
                condition=(Q(order_kind="payment") & Q(balance__gt=0))
                | (Q(order_kind="recovery") & Q(balance__lt=0) & ~Q(structured_communication=""))
                | (Q(order_kind="none") & Q(balance=0)),
                name="settlement_order_matches_balance",
                violation_error_message=_(
                    "A positive balance is paid, a negative one recovered with a structured "
                    "communication."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {_('settlement')}"

    @property
    def order_amount(self) -> Decimal:
        return abs(self.balance)

    @property
    def structured_communication_display(self) -> str:
        if not self.structured_communication:
            return ""
        return f"+++{ogm_vcs.format(self.structured_communication)}+++"


class DossierAuditEntry(models.Model):
    """Who did what to a dossier when, with the old and new values. Written by the services.

    A model of our own rather than django-auditlog's ``LogEntry``: each row belongs to one
    dossier (a foreign key, so the trail of a dossier is one indexed query and is deleted with
    nothing else), names the business step (``settle``, ``cost_line_review``...) rather than a
    table's save, and carries the values of several tables changed in one step (a verdict and
    the accepted amount, the net amount and the balance order) with the actor's note. The
    services write it in the same transaction as the change, so it cannot be missing or extra.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), related_name="audit_entries", on_delete=models.CASCADE
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=50)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("{field: [old, new]}")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["dossier", "at", "pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.dossier}: {self.action} ({self.at:%Y-%m-%d %H:%M})"

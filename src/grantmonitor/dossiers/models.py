from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Project
from grantmonitor.common.money import validate_cents
from grantmonitor.dossiers import rules


class DossierStatus(models.TextChoices):
    RUNNING = rules.Status.RUNNING, _("running")
    FINAL_REPORT_IN = rules.Status.FINAL_REPORT_IN, _("final report in")
    WITH_INSPECTION = rules.Status.WITH_INSPECTION, _("with the inspection service")
    BACK_WITH_CASE_HANDLER = rules.Status.BACK_WITH_CASE_HANDLER, _("back with the case handler")
    BALANCE_PAID = rules.Status.BALANCE_PAID, _("balance paid")
    CLOSED = rules.Status.CLOSED, _("closed")


MONEY = {"max_digits": 14, "decimal_places": 2}


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

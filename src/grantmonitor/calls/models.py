from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grantmonitor.common.money import validate_cents
from grantmonitor.organisations.models import Organisation


class TargetGroup(models.Model):
    """A group a call aims at (young people, 50+, ...). One person may belong to several."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        language = language or get_language() or "nl"
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Call(models.Model):
    title = models.CharField(_("title"), max_length=300, unique=True)
    minister = models.CharField(_("responsible minister"), max_length=200, blank=True)
    portfolio = models.CharField(_("portfolio / department"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        help_text=_("As stated when the exact dates are not known (3,5 years = 42 months)."),
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), validate_cents],
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="calls", blank=True
    )
    number_of_projects = models.PositiveSmallIntegerField(
        _("number of projects"),
        help_text=_("How many projects the call funded, including any not recorded here."),
    )
    published_on = models.DateField(
        _("figures published on"),
        null=True,
        blank=True,
        help_text=_(
            "From this day the call's figures are open data for everyone; empty: not published."
        ),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("figures published by"),
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="call_period_ordered",
                violation_error_message=_("The end date lies before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="call_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), related_name="projects", on_delete=models.PROTECT
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Short name used in reports, e.g. the promoter.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    promoter = models.ForeignKey(
        Organisation,
        verbose_name=_("promoter"),
        related_name="promoted_projects",
        on_delete=models.PROTECT,
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner organisations"),
        related_name="partner_projects",
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="project_name_unique_in_call"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="project_period_ordered",
                violation_error_message=_("The end date lies before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

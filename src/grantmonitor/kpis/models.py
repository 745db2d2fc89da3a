from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Project, TargetGroup
from grantmonitor.kpis import rules


class KpiKind(models.TextChoices):
    COUNT = rules.Kind.COUNT, _("count with a minimum objective")
    INCREASE = rules.Kind.INCREASE, _("increase against a baseline")
    RATIO = rules.Kind.RATIO, _("ratio")
    QUALITATIVE = rules.Kind.QUALITATIVE, _("qualitative")


class ChildrenRule(models.TextChoices):
    NONE = rules.ChildrenRule.NONE, _("listed only")
    SUM = rules.ChildrenRule.SUM, _("children add up to the parent")
    OF_WHICH = rules.ChildrenRule.OF_WHICH, _("of which (parts of the parent)")
    DISTINCT = rules.ChildrenRule.DISTINCT, _("overlapping groups of distinct people")


class ValueSource(models.TextChoices):
    REPORTED = "reported", _("reported")
    COMPUTED = "computed", _("computed")


def _label(obj, language: str | None) -> str:
    language = language or get_language() or "nl"
    return obj.name_en if language.startswith("en") and obj.name_en else obj.name


class Track(models.Model):
    """A group of KPIs within a project, e.g. Hefboom's "Jongeren"."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), related_name="tracks", on_delete=models.CASCADE
    )
    name = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["project", "order", "pk"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="track_name_unique_in_project")
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.name}"

    def label(self, language: str | None = None) -> str:
        return _label(self, language)


class Kpi(models.Model):
    """A key performance indicator of one project: what was promised, in the shape of its kind.

    The realised side lives in :class:`KpiValue`, reported or computed.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), related_name="kpis", on_delete=models.CASCADE
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        related_name="kpis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent KPI"),
        related_name="children",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name (Dutch)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KpiKind.choices)
    children_rule = models.CharField(
        _("children rule"),
        max_length=20,
        choices=ChildrenRule.choices,
        default=ChildrenRule.NONE,
        help_text=_("How the realised values of the child KPIs relate to this one."),
    )
    unit = models.CharField(
        _("unit"), max_length=100, blank=True, help_text=_("E.g. 'aanvragen p/j'.")
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    objective_value = models.DecimalField(
        _("objective"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    objective_percent = models.DecimalField(
        _("objective: minimal increase (%)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    objective_numerator = models.DecimalField(
        _("objective: numerator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    objective_denominator = models.DecimalField(
        _("objective: denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    objective_text = models.TextField(
        _("objective in words"),
        blank=True,
        help_text=_("For a qualitative KPI, or to word a numeric objective."),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Explanation shown with the KPI, e.g. how its outcomes were surveyed."),
    )

    class Meta:
        ordering = ["project", "track__order", "order", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="count")
                | Q(kind="increase")
                | Q(kind="ratio")
                | Q(kind="qualitative"),
                name="kpi_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(objective_value__isnull=True) | Q(objective_value__gte=0),
                name="kpi_objective_not_negative",
                violation_error_message=_("The objective cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(objective_denominator__isnull=True) | Q(objective_denominator__gt=0),
                name="kpi_objective_denominator_positive",
                violation_error_message=_("A ratio's denominator must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="qualitative")
                | (
                    Q(objective_value__isnull=True)
                    & Q(objective_percent__isnull=True)
                    & Q(objective_numerator__isnull=True)
                    & Q(objective_denominator__isnull=True)
                ),
                name="kpi_qualitative_has_no_numbers",
                violation_error_message=_("A qualitative KPI has no numeric objective."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.name}"

    def label(self, language: str | None = None) -> str:
        return _label(self, language)

    @property
    def objective(self) -> rules.Figures:
        return rules.Figures(
            value=self.objective_value,
            percent=self.objective_percent,
            numerator=self.objective_numerator,
            denominator=self.objective_denominator,
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.parent_id and self.project_id and self.parent.project_id != self.project_id:
            errors.setdefault("parent", []).append(
                _("The parent KPI “%(parent)s” belongs to another project.")
                % {"parent": self.parent.name}
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors.setdefault("parent", []).append(_("A KPI cannot be its own parent."))
        if self.track_id and self.project_id and self.track.project_id != self.project_id:
            errors.setdefault("track", []).append(
                _("The track “%(track)s” belongs to another project.") % {"track": self.track.name}
            )
        numeric = {
            "objective_value": self.objective_value,
            "objective_percent": self.objective_percent,
            "objective_numerator": self.objective_numerator,
            "objective_denominator": self.objective_denominator,
        }
        allowed = {
            KpiKind.COUNT: {"objective_value"},
            KpiKind.INCREASE: {"objective_percent"},
            KpiKind.RATIO: {"objective_numerator", "objective_denominator"},
            KpiKind.QUALITATIVE: set(),
        }.get(self.kind, set())
        for field, value in numeric.items():
            if value is not None and field not in allowed:
                errors.setdefault(field, []).append(
                    _("A KPI of kind “%(kind)s” has no %(field)s.")
                    % {
                        "kind": self.get_kind_display(),
                        "field": self._meta.get_field(field).verbose_name,
                    }
                )
        if self.kind == KpiKind.RATIO:
            if (self.objective_numerator is None) != (self.objective_denominator is None):
                errors.setdefault("objective_denominator", []).append(
                    _("A ratio objective needs both a numerator and a denominator.")
                )
            if self.objective_denominator is not None and self.objective_denominator <= 0:
                errors.setdefault("objective_denominator", []).append(
                    _("A ratio's denominator must be greater than zero.")
                )
        if self.objective_value is not None and self.objective_value < 0:
            errors.setdefault("objective_value", []).append(_("The objective cannot be negative."))
        if errors:
            raise ValidationError(errors)


class KpiValue(models.Model):
    """A realised value of a KPI, for the whole project (no period) or for one period.

    Reported values are typed by the promoter with their evidence; computed values come
    from the register through the KPI engine. The latest row for a period is the current one.
    """

    kpi = models.ForeignKey(
        Kpi, verbose_name=_("KPI"), related_name="values", on_delete=models.CASCADE
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    value = models.DecimalField(
        _("realised"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline = models.DecimalField(
        _("baseline"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For an increase: the level before the project."),
    )
    numerator = models.DecimalField(
        _("numerator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    narrative = models.TextField(_("narrative"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ValueSource.choices, default=ValueSource.REPORTED
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Where a reported value comes from.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    definition_version = models.ForeignKey(
        "MeasureDefinitionVersion",
        verbose_name=_("definition version"),
        related_name="values",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For a computed value: the version of the measure definition it used."),
    )

    class Meta:
        ordering = ["kpi", "period_start", "-recorded_at", "-pk"]
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        indexes = [models.Index(fields=["kpi", "period_start", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="kpivalue_denominator_positive",
                violation_error_message=_("A ratio's denominator must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="kpivalue_value_not_negative",
                violation_error_message=_("A realised value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(Q(period_start__isnull=True) & Q(period_end__isnull=True))
                | (
                    Q(period_start__isnull=False)
                    & Q(period_end__isnull=False)
                    & Q(period_end__gte=models.F("period_start"))
                ),
                name="kpivalue_period_complete",
                violation_error_message=_("A period needs a start and an end, in that order."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value}"

    @property
    def figures(self) -> rules.Figures:
        return rules.Figures(
            value=self.value,
            baseline=self.baseline,
            numerator=self.numerator,
            denominator=self.denominator,
        )

    def clean(self) -> None:
        kpi = self.kpi if self.kpi_id else None
        errors = figures_errors(kpi, self.figures)
        if kpi is not None and kpi.kind == KpiKind.QUALITATIVE and not self.narrative.strip():
            errors.setdefault("narrative", []).append(
                _("A qualitative KPI is realised in words: write the narrative.")
            )
        if errors:
            raise ValidationError(errors)


# The realised figures each kind of KPI takes.
REALISED_FIGURES = {
    KpiKind.COUNT: {"value"},
    KpiKind.INCREASE: {"value", "baseline"},
    KpiKind.RATIO: {"numerator", "denominator"},
    KpiKind.QUALITATIVE: set(),
}


def figures_errors(kpi: Kpi | None, figures: rules.Figures) -> dict[str, list[str]]:
    """What is wrong with these realised figures for this KPI, by field (no query): the
    check of ``KpiValue.clean``, also made on the engine's values before they are stored."""
    kind = kpi.kind if kpi is not None else None
    errors: dict[str, list[str]] = {}
    allowed = REALISED_FIGURES.get(kind, set())
    for field in ("value", "baseline", "numerator", "denominator"):
        if getattr(figures, field) is not None and field not in allowed:
            errors.setdefault(field, []).append(
                _("A KPI of kind “%(kind)s” takes no %(field)s.")
                % {
                    "kind": kpi.get_kind_display() if kpi is not None else "",
                    "field": KpiValue._meta.get_field(field).verbose_name,
                }
            )
    if kind == KpiKind.RATIO and (figures.numerator is None) != (figures.denominator is None):
        errors.setdefault("denominator", []).append(
            _("A realised ratio needs both a numerator and a denominator.")
        )
    if figures.denominator is not None and figures.denominator <= 0:
        errors.setdefault("denominator", []).append(
            _("A ratio's denominator must be greater than zero.")
        )
    if kind == KpiKind.INCREASE and figures.baseline is not None and figures.baseline <= 0:
        errors.setdefault("baseline", []).append(
            _("An increase needs a baseline greater than zero.")
        )
    for field in ("value", "baseline", "numerator"):
        amount = getattr(figures, field)
        if amount is not None and amount < Decimal(0):
            errors.setdefault(field, []).append(_("A realised value cannot be negative."))
    return errors


class TargetGroupCount(models.Model):
    """How many of a KPI's population belong to a target group (groups overlap)."""

    kpi = models.ForeignKey(
        Kpi,
        verbose_name=_("population KPI"),
        related_name="target_group_counts",
        on_delete=models.CASCADE,
    )
    target_group = models.ForeignKey(
        TargetGroup, verbose_name=_("target group"), on_delete=models.PROTECT
    )
    count = models.PositiveIntegerField(_("count"))
    source = models.CharField(
        _("source"), max_length=20, choices=ValueSource.choices, default=ValueSource.REPORTED
    )

    class Meta:
        ordering = ["kpi", "target_group__order"]
        verbose_name = _("target-group count")
        verbose_name_plural = _("target-group counts")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "target_group"], name="targetgroupcount_unique_per_kpi"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.target_group} {self.count}"


class OutcomeStatus(models.TextChoices):
    STARTED_PROGRAMME = "started_programme", _("started a follow-up programme")
    OTHER_PATH = "other_path", _("continued another way")
    SELF_EMPLOYED = "self_employed", _("registered as self-employed")
    EMPLOYEE = "employee", _("working as an employee")
    STILL_IN_TRAJECTORY = "still_in_trajectory", _("still in trajectory")
    OTHER = "other", _("other")


class OutcomeSource(models.TextChoices):
    SURVEY = "survey", _("survey")
    RECORD = "record", _("record")


class OutcomeCount(models.Model):
    """A follow-up outcome of a KPI's population: how many reached a status by a date."""

    kpi = models.ForeignKey(
        Kpi,
        verbose_name=_("population KPI"),
        related_name="outcome_counts",
        on_delete=models.CASCADE,
    )
    status = models.CharField(_("status"), max_length=30, choices=OutcomeStatus.choices)
    programme = models.CharField(
        _("programme"), max_length=200, blank=True, help_text=_("E.g. 'Maak werk van je zaak'.")
    )
    count = models.PositiveIntegerField(_("count"))
    as_of = models.DateField(_("as of"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=OutcomeSource.choices)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["kpi", "order", "pk"]
        verbose_name = _("follow-up outcome")
        verbose_name_plural = _("follow-up outcomes")

    def __str__(self) -> str:
        return f"{self.kpi}: {self.get_status_display()} {self.count}"


class MeasureDefinition(models.Model):
    """How a KPI is counted from the register, as data (see :mod:`grantmonitor.kpis.definitions`).

    The definition itself is a name; its content lives in numbered versions, so a value
    computed last year still says which rules produced it.
    """

    code = models.SlugField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name (Dutch)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("measure definition")
        verbose_name_plural = _("measure definitions")

    def __str__(self) -> str:
        return self.code

    def label(self, language: str | None = None) -> str:
        return _label(self, language)


class MeasureDefinitionVersion(models.Model):
    definition = models.ForeignKey(
        MeasureDefinition,
        verbose_name=_("measure definition"),
        related_name="versions",
        on_delete=models.CASCADE,
    )
    number = models.PositiveIntegerField(_("version"))
    spec = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["definition", "-number"]
        verbose_name = _("measure definition version")
        verbose_name_plural = _("measure definition versions")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "number"], name="definition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.code} v{self.number}"

    def clean(self) -> None:
        # Imported here: the definition language reads the register's vocabulary, whose
        # models import this module.
        from grantmonitor.kpis import definitions

        definitions.validate(self.spec)


class KpiMeasure(models.Model):
    """Binds a KPI to the definition its realised value is computed with (latest version)."""

    kpi = models.OneToOneField(
        Kpi, verbose_name=_("KPI"), related_name="measure", on_delete=models.CASCADE
    )
    definition = models.ForeignKey(
        MeasureDefinition,
        verbose_name=_("measure definition"),
        related_name="kpis",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("KPI measure")
        verbose_name_plural = _("KPI measures")

    def __str__(self) -> str:
        return f"{self.kpi} ← {self.definition}"


class KeptInputs(models.Model):
    """One measure's inputs kept for one project (:mod:`grantmonitor.kpis.kept`): its
    :class:`KeptItem` rows are what the register holds as long as no :class:`KeptStale` mark
    of the project is left."""

    measure = models.CharField(max_length=64)  # the key of the measure's definition
    project = models.ForeignKey(Project, related_name="+", on_delete=models.CASCADE)
    base_year = models.PositiveSmallIntegerField()  # the year of bit 0 of its items' years

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "measure"], name="kept_inputs_once")
        ]

    def __str__(self) -> str:
        return f"{self.measure[:12]} @ {self.project_id}"


class KeptItem(models.Model):
    """An item (a participant) a kept measure selects in its project, and the years it does."""

    pk = models.CompositePrimaryKey("inputs", "item")
    inputs = models.ForeignKey(
        KeptInputs,
        related_name="items",
        on_delete=models.CASCADE,
        db_index=False,  # the primary key (inputs, item) serves lookups by inputs
        # kept anew a million at a time, deleted only with their inputs (kpis.kept): no
        # foreign-key check per row at the commit (seconds at a thousand projects)
        db_constraint=False,
    )
    item = models.BigIntegerField()
    years = models.BigIntegerField()  # bit y set: selected in the year base_year + y

    def __str__(self) -> str:
        return f"{self.item} in {self.inputs_id}: {self.years:b}"


class KeptStale(models.Model):
    """A write to the register the kept inputs of a project do not show yet: of one
    participant, or (``participant_id`` empty) of the whole project. Written by the database's
    triggers, consumed by :func:`grantmonitor.kpis.kept.refresh`. No foreign keys: a project
    or participant being deleted marks its project, after its marks may have been deleted."""

    project_id = models.BigIntegerField(db_index=True)
    participant_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.project_id}/{self.participant_id or '*'}"

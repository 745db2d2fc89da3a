"""Writes on KPIs and their reported values. Each validates fully and saves atomically."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Project, TargetGroup
from grantmonitor.common import bulk
from grantmonitor.kpis import definitions, rules
from grantmonitor.kpis.models import (
    ChildrenRule,
    Kpi,
    KpiKind,
    KpiMeasure,
    KpiValue,
    MeasureDefinition,
    MeasureDefinitionVersion,
    OutcomeCount,
    OutcomeSource,
    OutcomeStatus,
    TargetGroupCount,
    Track,
    ValueSource,
    figures_errors,
)


@transaction.atomic
def track_create(*, project: Project, name: str, name_en: str = "", order: int = 0) -> Track:
    track = Track(project=project, name=name, name_en=name_en, order=order)
    track.full_clean()
    track.save()
    return track


@transaction.atomic
def kpi_create(
    *,
    project: Project,
    name: str,
    kind: KpiKind,
    name_en: str = "",
    track: Track | None = None,
    parent: Kpi | None = None,
    order: int = 0,
    children_rule: ChildrenRule = ChildrenRule.NONE,
    unit: str = "",
    higher_is_better: bool = True,
    objective_value: Decimal | None = None,
    objective_percent: Decimal | None = None,
    objective_numerator: Decimal | None = None,
    objective_denominator: Decimal | None = None,
    objective_text: str = "",
    note: str = "",
) -> Kpi:
    kpi = Kpi(
        project=project,
        name=name,
        name_en=name_en,
        kind=kind,
        track=track if track is not None else (parent.track if parent is not None else None),
        parent=parent,
        order=order,
        children_rule=children_rule,
        unit=unit,
        higher_is_better=higher_is_better,
        objective_value=objective_value,
        objective_percent=objective_percent,
        objective_numerator=objective_numerator,
        objective_denominator=objective_denominator,
        objective_text=objective_text,
        note=note,
    )
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_value_record(
    *,
    kpi: Kpi,
    value: Decimal | None = None,
    baseline: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    narrative: str = "",
    source: ValueSource = ValueSource.REPORTED,
    evidence: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    actor: User | None = None,
) -> KpiValue:
    """Record a realised value; the latest one per period is the KPI's current value."""
    kpi_value = KpiValue(
        kpi=kpi,
        value=value,
        baseline=baseline,
        numerator=numerator,
        denominator=denominator,
        narrative=narrative,
        source=source,
        evidence=evidence,
        period_start=period_start,
        period_end=period_end,
        recorded_by=actor,
    )
    kpi_value.full_clean()
    kpi_value.save()
    return kpi_value


@transaction.atomic
def target_group_count_set(
    *,
    kpi: Kpi,
    target_group: TargetGroup,
    count: int,
    source: ValueSource = ValueSource.REPORTED,
) -> TargetGroupCount:
    TargetGroupCount(kpi=kpi, target_group=target_group, count=count, source=source).full_clean(
        validate_unique=False
    )
    row, _ = TargetGroupCount.objects.update_or_create(
        kpi=kpi, target_group=target_group, defaults={"count": count, "source": source}
    )
    return row


@transaction.atomic
def outcome_count_add(
    *,
    kpi: Kpi,
    status: OutcomeStatus,
    count: int,
    source: OutcomeSource,
    programme: str = "",
    as_of: datetime.date | None = None,
    note: str = "",
    order: int = 0,
) -> OutcomeCount:
    outcome = OutcomeCount(
        kpi=kpi,
        status=status,
        count=count,
        source=source,
        programme=programme,
        as_of=as_of,
        note=note,
        order=order,
    )
    outcome.full_clean()
    outcome.save()
    return outcome


@dataclass(frozen=True)
class ComputedValue:
    """A KPI's figures as the engine computed them with one definition version: for the
    whole window (no period) or for one year of it."""

    kpi: Kpi
    version: MeasureDefinitionVersion
    figures: rules.Figures
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


# What a computed value stores, in this order (the rest keep their defaults: no narrative,
# evidence or recorder).
_COMPUTED_FIELDS = [
    "kpi_id",
    "definition_version_id",
    "period_start",
    "period_end",
    "value",
    "baseline",
    "numerator",
    "denominator",
    "source",
    "narrative",
    "evidence",
    "recorded_at",
]


@transaction.atomic
def kpi_values_record_computed(*, values: list[ComputedValue]) -> list[ComputedValue]:
    """Store values the engine computed, in one write, all recorded at the same moment.

    Each one's figures are checked against its KPI's kind (``figures_errors``, the check of
    ``KpiValue.clean``) before anything is written; the database enforces the column types
    and the table's constraints (a period's order, a positive denominator).
    """
    for value in values:
        errors = figures_errors(value.kpi, value.figures)
        if errors:
            raise ValidationError(
                {
                    field: [f"{value.kpi.name}: {message}" for message in messages]
                    for field, messages in errors.items()
                }
            )
    now = timezone.now()
    bulk.insert_values(
        KpiValue,
        _COMPUTED_FIELDS,
        (
            (
                value.kpi.pk,
                value.version.pk,
                value.period_start,
                value.period_end,
                value.figures.value,
                value.figures.baseline,
                value.figures.numerator,
                value.figures.denominator,
                ValueSource.COMPUTED,
                "",
                "",
                now,
            )
            for value in values
        ),
    )
    return values


@transaction.atomic
def measure_definition_create(
    *, code: str, name: str, spec: dict, name_en: str = "", description: str = ""
) -> MeasureDefinition:
    """A new measure definition with its first version; the spec is validated first."""
    definition = MeasureDefinition(code=code, name=name, name_en=name_en, description=description)
    definition.full_clean()
    definition.save()
    measure_definition_revise(definition=definition, spec=spec)
    return definition


@transaction.atomic
def measure_definition_revise(
    *, definition: MeasureDefinition, spec: dict
) -> MeasureDefinitionVersion:
    """Add a version; bound KPIs compute with it from their next recompute on."""
    definition = MeasureDefinition.objects.select_for_update().get(pk=definition.pk)
    last = definition.versions.order_by("-number").first()
    version = MeasureDefinitionVersion(
        definition=definition, number=(last.number + 1) if last else 1, spec=spec
    )
    version.full_clean()
    for kpi in Kpi.objects.filter(measure__definition=definition).select_related("project"):
        _check_fits(kpi, spec)
    version.save()
    return version


@transaction.atomic
def kpi_measure_bind(*, kpi: Kpi, definition: MeasureDefinition) -> KpiMeasure:
    """Compute this KPI's realised value with ``definition`` from now on."""
    latest = definition.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError({"definition": _("This definition has no version yet.")})
    _check_fits(kpi, latest.spec)
    binding, _created = KpiMeasure.objects.update_or_create(
        kpi=kpi, defaults={"definition": definition}
    )
    return binding


def _check_fits(kpi: Kpi, spec: dict) -> None:
    try:
        definitions.validate(spec, kind=kpi.kind)
    except ValidationError as exc:
        raise ValidationError(
            {"definition": [f"{kpi.name}: {message}" for message in exc.messages]}
        ) from exc
    shape = definitions.shape(spec)
    if (
        (shape == "average_per_year" or (shape == "change" and spec.get("per_year", True)))
        and spec["measure"].get("window", "project") == "project"
        and not (kpi.project.start_date and kpi.project.end_date)
    ):
        raise ValidationError(
            {
                "definition": _(
                    "%(kpi)s: an average per year over the project period needs the project's "
                    "start and end dates."
                )
                % {"kpi": kpi.name}
            }
        )

"""The KPI engine: realised values computed from the register with a measure definition.

Every figure is an aggregate query through the ORM (``COUNT(DISTINCT …)`` over the rows a
measure selects): one query per measure for the whole window and one grouped by year for the
reporting years, whatever the number of records. Nothing loops over register rows in Python.

A computed value is stored as a :class:`KpiValue` with ``source=computed``, ``recorded_at``
(when it was computed) and the definition version it used; cumulative values have no period,
reporting-year values have the calendar year (cut to the window) as their period. A
recompute that finds the same figures as the current value stores nothing: recomputing is
idempotent.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, NullIf

from grantmonitor.calls.models import Call, Project
from grantmonitor.kpis import definitions, rules
from grantmonitor.kpis.definitions import Window
from grantmonitor.kpis.models import (
    Kpi,
    KpiMeasure,
    KpiValue,
    MeasureDefinitionVersion,
    ValueSource,
)
from grantmonitor.kpis.services import kpi_values_record_computed
from grantmonitor.register.models import (
    OLDER_FROM_AGE,
    YOUNG_BELOW_AGE,
    Activity,
    Attendance,
    Characteristic,
    CreditApplication,
    DerivedCharacteristic,
    FollowUpOutcome,
    OrganisationPresence,
    OrganisationReached,
    Participant,
    Referral,
    Trajectory,
)

CENT = Decimal("0.01")


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


@dataclass(frozen=True)
class Source:
    """Where a countable lives in the register and how its filters translate to SQL."""

    model: type
    project: str  # path to the project
    date: str  # path to the date the window applies to
    counted: str  # path whose distinct values are counted
    participant: str | None = None  # path to the participant ("" for Participant itself)
    activity: str | None = None  # path to the activity ("" for Activity itself)

    def filter_q(self, name: str, value) -> Q:
        if name == "characteristics":
            return _characteristics_q(self, value)
        if name in ("activity_kind", "audience", "partner"):
            builder = {
                "activity_kind": lambda v: Q(**{_path(self.activity, "kind__in"): v}),
                "audience": lambda v: Q(**{_path(self.activity, "audience"): v}),
                "partner": lambda v: Q(**{_path(self.activity, "partners__name__iexact"): v}),
            }[name]
            return builder(value)
        return FIELD_FILTERS[name](value)


FIELD_FILTERS: dict[str, Callable[[object], Q]] = {
    "trajectory_kind": lambda v: Q(kind__in=v),
    "decision": lambda v: Q(decision__in=v),
    "lender": lambda v: Q(lender__name__iexact=v),
    "reached_kind": lambda v: Q(kind__in=v),
    "taken_up": lambda v: Q(taken_up=v),
    "outcome_status": lambda v: Q(status__in=v),
    "programme": lambda v: Q(programme__iexact=v),
}

SOURCES: dict[str, Source] = {
    "attendees": Source(
        Attendance,
        "activity__project",
        "activity__date",
        "participant_id",
        "participant",
        "activity",
    ),
    "activities": Source(Activity, "project", "date", "pk", None, ""),
    "organisations_present": Source(
        OrganisationPresence,
        "activity__project",
        "activity__date",
        "organisation_id",
        None,
        "activity",
    ),
    "participants": Source(Participant, "project", "registered_on", "pk", ""),
    "trajectories": Source(Trajectory, "participant__project", "start_date", "pk", "participant"),
    "participants_in_trajectory": Source(
        Trajectory, "participant__project", "start_date", "participant_id", "participant"
    ),
    "credit_applications": Source(
        CreditApplication, "participant__project", "applied_on", "pk", "participant"
    ),
    "credit_applicants": Source(
        CreditApplication, "participant__project", "applied_on", "participant_id", "participant"
    ),
    "organisations_reached": Source(
        OrganisationReached, "project", "reached_on", "organisation_id"
    ),
    "referrals": Source(Referral, "participant__project", "referred_on", "pk", "participant"),
    "participants_with_outcome": Source(
        FollowUpOutcome, "participant__project", "observed_on", "participant_id", "participant"
    ),
}


def _characteristics_q(source: Source, codes: list[str]) -> Q:
    """All of ``codes``, as they stood at the date of the counted row."""
    q = Q()
    pk = _path(source.participant, "pk")
    for code in codes:
        if code == DerivedCharacteristic.YOUNG:
            q &= Q(
                **{
                    _path(source.participant, "birth_year__gt"): ExtractYear(source.date)
                    - YOUNG_BELOW_AGE
                }
            )
        elif code == DerivedCharacteristic.AGED_50_PLUS:
            q &= Q(
                **{
                    _path(source.participant, "birth_year__lte"): ExtractYear(source.date)
                    - OLDER_FROM_AGE
                }
            )
        else:
            q &= Q(
                Exists(
                    Characteristic.objects.filter(
                        participant_id=OuterRef(pk),
                        code=code,
                        recorded_on__lte=OuterRef(source.date),
                    )
                )
            )
    return q


def _rows(measure: dict, *, scope: Q, source: Source) -> QuerySet:
    """The rows a measure selects within ``scope`` (a filter on the project), before windows."""
    qs = source.model.objects.filter(scope)
    for name, value in measure.get("filters", {}).items():
        qs = qs.filter(source.filter_q(name, value))
    window = definitions.parse_window(measure.get("window", "project"))
    if window is None:  # the project's own period, read in SQL so a call's projects each use theirs
        start, end = _path(source.project, "start_date"), _path(source.project, "end_date")
        qs = qs.filter(Q(**{f"{start}__isnull": True}) | Q(**{f"{source.date}__gte": F(start)}))
        qs = qs.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{source.date}__lte": F(end)}))
    return _window_filter(qs, source, window)


def _window_filter(qs: QuerySet, source: Source, window: Window | None) -> QuerySet:
    if window is not None and window.start is not None:
        qs = qs.filter(**{f"{source.date}__gte": window.start})
    if window is not None and window.end is not None:
        qs = qs.filter(**{f"{source.date}__lte": window.end})
    return qs


def _project_scope(source: Source, project: Project) -> Q:
    return Q(**{_path(source.project, "id"): project.pk})


def measure_rows(measure: dict, *, project: Project) -> QuerySet:
    source = SOURCES[measure["count"]]
    return _rows(measure, scope=_project_scope(source, project), source=source)


def _count(qs: QuerySet, source: Source) -> int:
    return qs.aggregate(n=Count(source.counted, distinct=True))["n"]


def _count_by_year(qs: QuerySet, source: Source) -> dict[int, int]:
    rows = (
        qs.annotate(year=ExtractYear(source.date))
        .values("year")
        .annotate(n=Count(source.counted, distinct=True))
        .order_by("year")
    )
    return {row["year"]: row["n"] for row in rows}


def _measure_window(measure: dict, project: Project) -> Window:
    explicit = definitions.parse_window(measure.get("window", "project"))
    return explicit if explicit is not None else Window(project.start_date, project.end_date)


def years_in(window: Window) -> Decimal | None:
    """A closed window's length in years: whole months / 12, else days / 365.25."""
    if not window.closed or window.empty:
        return None
    start, end = window.start, window.end
    next_day = end + datetime.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (next_day.year - start.year) * 12 + next_day.month - start.month
        return Decimal(months) / 12
    return Decimal((end - start).days + 1) / Decimal("365.25")


def _per_year(count: int, window: Window) -> Decimal | None:
    years = years_in(window)
    return None if not years else _q(Decimal(count) / years)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Computed:
    """The figures of one KPI for one period (None: the whole window)."""

    period: Window | None
    figures: rules.Figures


def compute(spec: dict, *, project: Project) -> list[Computed]:
    """The cumulative figures and those of each reporting (calendar) year."""
    shape = definitions.shape(spec)
    parts = definitions.measures(spec)
    totals, by_year, windows = [], [], []
    for measure in parts:
        source = SOURCES[measure["count"]]
        qs = measure_rows(measure, project=project)
        totals.append(_count(qs, source))
        by_year.append(_count_by_year(qs, source))
        windows.append(_measure_window(measure, project))
    baseline = None
    if shape == "change":
        measure = {**spec["measure"], "window": spec["baseline"]}
        baseline_window = definitions.parse_window(spec["baseline"])
        baseline_count = _count(measure_rows(measure, project=project), SOURCES[measure["count"]])
        baseline = (
            _per_year(baseline_count, baseline_window)
            if spec.get("per_year", True)
            else Decimal(baseline_count)
        )
    results = [Computed(None, _figures(spec, totals, windows[0], baseline))]
    window = windows[0]
    years = sorted(set().union(*by_year))
    if window.closed:
        years = list(range(window.start.year, window.end.year + 1))
    for year in years:
        period = Window(datetime.date(year, 1, 1), datetime.date(year, 12, 31)).intersect(window)
        counts = [part.get(year, 0) for part in by_year]
        results.append(Computed(period, _figures(spec, counts, period, baseline)))
    return results


def _figures(spec: dict, counts: list[int], window: Window, baseline: Decimal | None):
    shape = definitions.shape(spec)
    if shape == "measure":
        return rules.Figures(value=Decimal(counts[0]))
    if shape == "average_per_year":
        return rules.Figures(value=_per_year(counts[0], window))
    if shape == "change":
        level = _per_year(counts[0], window) if spec.get("per_year", True) else Decimal(counts[0])
        return rules.Figures(value=level, baseline=baseline or None)
    numerator, denominator = counts
    if spec.get("as") == "one_in":
        if not numerator:
            return rules.Figures()
        return rules.Figures(numerator=Decimal(1), denominator=_q(Decimal(denominator) / numerator))
    if not denominator:
        return rules.Figures()
    return rules.Figures(numerator=Decimal(numerator), denominator=Decimal(denominator))


def latest_version(definition_id: int) -> MeasureDefinitionVersion:
    return MeasureDefinitionVersion.objects.filter(definition_id=definition_id).latest("number")


@transaction.atomic
def kpi_recompute(*, kpi: Kpi, version: MeasureDefinitionVersion | None = None) -> list[KpiValue]:
    """Compute a bound KPI and store the values that changed; returns the stored rows."""
    if version is None:
        version = latest_version(kpi.measure.definition_id)
    current = {}
    for value in KpiValue.objects.filter(kpi=kpi).order_by("recorded_at", "pk"):
        current[(value.period_start, value.period_end)] = value  # the latest wins
    stored = []
    for result in compute(version.spec, project=kpi.project):
        period = (result.period.start, result.period.end) if result.period else (None, None)
        latest = current.get(period)
        if (
            latest is not None
            and latest.source == ValueSource.COMPUTED
            and latest.definition_version_id == version.pk
            and latest.figures == result.figures
        ):
            continue
        stored.append(
            KpiValue(
                kpi=kpi,
                value=result.figures.value,
                baseline=result.figures.baseline,
                numerator=result.figures.numerator,
                denominator=result.figures.denominator,
                source=ValueSource.COMPUTED,
                period_start=period[0],
                period_end=period[1],
                definition_version=version,
            )
        )
    return kpi_values_record_computed(values=stored)


def bound_measures(*, projects: Iterable[Project] | None = None) -> QuerySet[KpiMeasure]:
    qs = KpiMeasure.objects.select_related("kpi__project", "definition")
    return qs if projects is None else qs.filter(kpi__project__in=list(projects))


@transaction.atomic
def project_recompute(*, project: Project, touching: set[str] | None = None) -> int:
    """Recompute the project's bound KPIs whose definitions count any of ``touching``.

    ``touching=None`` recomputes every bound KPI. Returns how many values were stored.
    """
    stored = 0
    for binding in bound_measures(projects=[project]):
        version = latest_version(binding.definition_id)
        if touching is None or definitions.countables(version.spec) & touching:
            stored += len(kpi_recompute(kpi=binding.kpi, version=version))
    return stored


def recompute_all(*, projects: Iterable[Project] | None = None) -> int:
    stored = 0
    for binding in bound_measures(projects=projects):
        stored += len(kpi_recompute(kpi=binding.kpi))
    return stored


def _person(source: Source) -> Coalesce:
    """The keyed hash of the person, or the participant row when no INSZ was given."""
    return Coalesce(
        NullIf(_path(source.participant, "person_key"), Value("")),
        Concat(Value("#"), Cast(_path(source.participant, "pk"), CharField())),
        output_field=CharField(),
    )


def call_distinct_people(*, call: Call, measure: dict, across_projects: bool = True) -> int:
    """A people measure over every project of a call.

    ``across_projects``: each person once in the whole call, recognised by the keyed hash of
    the INSZ; otherwise once per project (what adding up the projects' figures gives).
    """
    definitions.validate(measure)
    if measure["count"] not in definitions.PEOPLE:
        raise ValueError(f"{measure['count']} does not count people")
    source = SOURCES[measure["count"]]
    qs = _rows(measure, scope=Q(**{_path(source.project, "call_id"): call.pk}), source=source)
    counted = _person(source) if across_projects else _path(source.participant, "pk")
    return qs.aggregate(n=Count(counted, distinct=True))["n"]


def kpi_population(*, kpi: Kpi) -> QuerySet[Participant] | None:
    """The participants a people-counting KPI counts, or None when it counts something else."""
    binding = KpiMeasure.objects.filter(kpi=kpi).first()
    if binding is None:
        return None
    spec = latest_version(binding.definition_id).spec
    if not definitions.counts_people(spec):
        return None
    source = SOURCES[spec["count"]]
    rows = measure_rows(spec, project=kpi.project)
    ids = rows.values(_path(source.participant, "pk"))
    return Participant.objects.filter(pk__in=ids)

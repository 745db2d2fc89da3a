"""Reads of KPIs: one row per KPI with its current value, verdict and breakdown checks."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from grantmonitor.calls.models import Call, Project
from grantmonitor.kpis import definitions, rules
from grantmonitor.kpis.models import Kpi, KpiValue, OutcomeCount, TargetGroupCount, Track


@dataclass
class KpiRow:
    kpi: Kpi
    depth: int
    value: KpiValue | None
    assessment: rules.Assessment
    checks: list[rules.BreakdownCheck] = field(default_factory=list)
    children: list["KpiRow"] = field(default_factory=list)

    @property
    def kind(self) -> rules.Kind:
        return rules.Kind(self.kpi.kind)

    @property
    def realised(self) -> rules.Figures:
        return self.value.figures if self.value else rules.Figures()

    @property
    def narrative(self) -> str:
        return self.value.narrative if self.value else ""

    @property
    def source(self) -> str:
        return self.value.source if self.value else ""

    @property
    def mismatches(self) -> list[rules.BreakdownCheck]:
        return [check for check in self.checks if not check.ok]


@dataclass
class TrackBlock:
    track: Track | None
    rows: list[KpiRow]  # depth-first, parents before their children


class Populations:
    """The target-group counts and outcomes recorded for the KPIs of projects read together,
    by population KPI id: read when first asked for, for all those projects at once (a call's
    table of projects and the API's KPI table need neither)."""

    def __init__(self, project_ids: list[int]):
        self.project_ids = project_ids

    @cached_property
    def target_group_counts(self) -> dict[int, list[TargetGroupCount]]:
        counts: dict[int, list[TargetGroupCount]] = {}
        for row in (
            TargetGroupCount.objects.filter(kpi__project_id__in=self.project_ids)
            .select_related("target_group")
            .order_by("target_group__order", "pk")
        ):
            counts.setdefault(row.kpi_id, []).append(row)
        return counts

    @cached_property
    def outcomes(self) -> dict[int, list[OutcomeCount]]:
        outcomes: dict[int, list[OutcomeCount]] = {}
        for row in OutcomeCount.objects.filter(kpi__project_id__in=self.project_ids).order_by(
            "order", "pk"
        ):
            outcomes.setdefault(row.kpi_id, []).append(row)
        return outcomes


@dataclass
class ProjectKpis:
    project: Project
    blocks: list[TrackBlock]
    populations: Populations

    @property
    def target_group_counts(self) -> dict[int, list[TargetGroupCount]]:
        return self.populations.target_group_counts

    @property
    def outcomes(self) -> dict[int, list[OutcomeCount]]:
        return self.populations.outcomes

    @property
    def rows(self) -> list[KpiRow]:
        return [row for block in self.blocks for row in block.rows]

    def summary(self) -> dict[rules.Verdict, int]:
        counts: dict[rules.Verdict, int] = {}
        for row in self.rows:
            counts[row.assessment.verdict] = counts.get(row.assessment.verdict, 0) + 1
        return counts


def current_values() -> QuerySet[KpiValue]:
    """The current value of each KPI and period: its latest recorded row, not its history.

    A KPI's history grows with every registration that changes it; a page reads one row per
    KPI and period however long that history is.
    """
    latest = Window(
        RowNumber(),
        partition_by=[F("kpi_id"), F("period_start"), F("period_end")],
        order_by=[F("recorded_at").desc(), F("pk").desc()],
    )
    return KpiValue.objects.annotate(rank=latest).filter(rank=1).order_by()


def project_kpis(
    *, project: Project, provenance: "dict[int, KpiProvenance] | None" = None
) -> ProjectKpis:
    """Every KPI of a project with its current cumulative value, in answer order.

    ``provenance``: the project's :func:`project_kpi_provenance` when the caller has read it
    (a project page): its current values are these, and are not read again.
    """
    return projects_kpis(projects=[project], provenance=provenance)[0]


def projects_kpis(
    *, projects: list[Project], provenance: "dict[int, KpiProvenance] | None" = None
) -> list[ProjectKpis]:
    """The KPI tables of several projects in a fixed number of queries (``provenance``: the
    current values of all their KPIs, as :func:`project_kpi_provenance` reads them)."""
    ids = [project.pk for project in projects]
    kpis = list(
        Kpi.objects.filter(project_id__in=ids)
        .select_related("track")  # a track without KPIs shows no block
        .order_by("project_id", "track__order", "track_id", "order", "pk")
    )
    # The projects already read are the KPIs' own, and one instance stands for each track.
    project_by_id = {project.pk: project for project in projects}
    tracks: dict[int, Track] = {}
    for kpi in kpis:
        kpi.project = project_by_id[kpi.project_id]
        if kpi.track_id is not None:
            kpi.track = tracks.setdefault(kpi.track_id, kpi.track)
    if provenance is not None:
        cumulative = {
            kpi_id: entry.current
            for kpi_id, entry in provenance.items()
            if entry.current is not None
        }
    else:
        cumulative = {
            value.kpi_id: value
            for value in current_values().filter(
                kpi_id__in=[kpi.pk for kpi in kpis], period_start__isnull=True
            )
        }
    # Grouped once, so a call of a thousand projects is not rescanned per project.
    by_project_parent: dict[int, dict[int | None, list[Kpi]]] = {}
    for kpi in kpis:
        by_project_parent.setdefault(kpi.project_id, {}).setdefault(kpi.parent_id, []).append(kpi)
    tracks_by_project: dict[int, list[Track]] = {}
    for track in sorted(tracks.values(), key=lambda track: (track.order, track.pk)):
        tracks_by_project.setdefault(track.project_id, []).append(track)

    populations = Populations(ids)
    result = []
    for project in projects:
        by_parent = by_project_parent.get(project.pk, {})
        blocks = []
        for track in [None, *tracks_by_project.get(project.pk, [])]:
            roots = [
                kpi
                for kpi in by_parent.get(None, [])
                if kpi.track_id == (track.pk if track else None)
            ]
            rows: list[KpiRow] = []
            for root in roots:
                _walk(root, 0, by_parent, cumulative, rows)
            if rows:
                blocks.append(TrackBlock(track, rows))
        result.append(ProjectKpis(project, blocks, populations))
    return result


def projects_verdicts(*, projects: list[Project]) -> dict[int, dict[rules.Verdict, int]]:
    """Per project id, how many of its KPIs have each verdict: :meth:`ProjectKpis.summary`
    of :func:`projects_kpis`, read as plain values in two queries (a call's table of projects
    shows these counts, not the KPIs)."""
    ids = [project.pk for project in projects]
    realised = {
        kpi_id: rules.Figures(value=value, baseline=baseline, numerator=num, denominator=den)
        for kpi_id, value, baseline, num, den in current_values()
        .filter(kpi__project_id__in=ids, period_start__isnull=True)
        .values_list("kpi_id", "value", "baseline", "numerator", "denominator")
    }
    counts: dict[int, dict[rules.Verdict, int]] = {pk: {} for pk in ids}
    for pk, project_id, kind, higher, value, percent, num, den in (
        Kpi.objects.filter(project_id__in=ids)
        .order_by()
        .values_list(
            "pk",
            "project_id",
            "kind",
            "higher_is_better",
            "objective_value",
            "objective_percent",
            "objective_numerator",
            "objective_denominator",
        )
    ):
        objective = rules.Figures(value=value, percent=percent, numerator=num, denominator=den)
        verdict = rules.assess(
            rules.Kind(kind),
            objective,
            realised.get(pk, rules.Figures()),
            higher_is_better=higher,
        ).verdict
        counts[project_id][verdict] = counts[project_id].get(verdict, 0) + 1
    return counts


def _walk(
    kpi: Kpi, depth: int, by_parent: dict, cumulative: dict[int, KpiValue], out: list[KpiRow]
) -> KpiRow:
    value = cumulative.get(kpi.pk)
    realised = value.figures if value else rules.Figures()
    row = KpiRow(
        kpi=kpi,
        depth=depth,
        value=value,
        assessment=rules.assess(
            rules.Kind(kpi.kind), kpi.objective, realised, higher_is_better=kpi.higher_is_better
        ),
    )
    out.append(row)
    for child in by_parent.get(kpi.pk, []):
        row.children.append(_walk(child, depth + 1, by_parent, cumulative, out))
    rule = rules.ChildrenRule(kpi.children_rule)
    objective_check = rules.check_children(
        rule, kpi.objective_value, [c.kpi.objective_value for c in row.children], side="objective"
    )
    realised_check = rules.check_children(
        rule, realised.value, [c.realised.value for c in row.children], side="realised"
    )
    row.checks = [check for check in (objective_check, realised_check) if check is not None]
    return row


def call_kpis(*, call: Call) -> list[ProjectKpis]:
    projects = list(
        call.projects.select_related("promoter")
        .prefetch_related("partners")
        .order_by("order", "name")
    )
    return projects_kpis(projects=projects)


@dataclass
class KpiProvenance:
    """Where a KPI's current figures come from, and its current figures per reporting period."""

    current: KpiValue | None = None  # the cumulative value, with its definition version
    periods: list[KpiValue] = field(default_factory=list)  # one per period, in date order

    @property
    def counts_people(self) -> bool:
        """Computed with a definition that counts distinct people."""
        version = self.current.definition_version if self.current else None
        return version is not None and definitions.counts_people(version.spec)


def project_kpi_provenance(*, project: Project) -> dict[int, KpiProvenance]:
    """Per KPI id of the project: the current value of the whole project and of each period.

    One query; the latest row of each period is the current one, as in :func:`project_kpis`.
    """
    return projects_kpi_provenance(projects=[project])


def kpi_get(*, project: Project, pk: int) -> Kpi:
    """One KPI of a project; ``Kpi.DoesNotExist`` when the project has no such KPI."""
    return Kpi.objects.select_related("project").get(project=project, pk=pk)


def projects_kpi_provenance(*, projects: list[Project]) -> dict[int, KpiProvenance]:
    """:func:`project_kpi_provenance` of several projects in one query, by KPI id (a KPI is of
    one project): a call's open data reads a thousand projects' provenance at once."""
    values = current_values().filter(kpi__project__in=[project.pk for project in projects])
    result: dict[int, KpiProvenance] = {}
    for value in sorted(
        values.select_related("definition_version__definition"),
        key=lambda value: (value.kpi_id, value.period_start or datetime.date.min),
    ):
        entry = result.setdefault(value.kpi_id, KpiProvenance())
        if value.period_start is None:
            entry.current = value
        else:
            entry.periods.append(value)
    return result

"""The KPI engine: realised values computed from the register with a measure definition.

Every figure is counted in SQL built with the ORM: the distinct items a measure selects
(people, activities, ...), grouped by project, whatever the number of records. A recompute is
set-based: the measures that read the same rows (one source, one window, one set of projects)
are counted in one query, per year and over the whole window, for up to
``PROJECTS_PER_STATEMENT`` of the projects whose KPIs use them, whatever the number of KPIs; a
large recompute shares those statements among connections on one snapshot. Nothing loops
over register rows in Python. On PostgreSQL, the people who attended activities chosen by
the activities alone are counted from inputs kept up to date with the register
(:mod:`grantmonitor.kpis.kept`): the same figures, without reading every attendance.

A computed value is stored as a :class:`KpiValue` with ``source=computed``, ``recorded_at``
(when it was computed) and the definition version it used; cumulative values have no period,
reporting-year values have the calendar year (cut to the window) as their period. A
recompute that finds the same figures as the current value stores nothing: recomputing is
idempotent.
"""

import datetime
import json
import operator
import queue
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, NullIf

from grantmonitor.calls.models import Call, Project
from grantmonitor.kpis import definitions, kept, rules
from grantmonitor.kpis.definitions import Window
from grantmonitor.kpis.models import (
    Kpi,
    KpiMeasure,
    KpiValue,
    MeasureDefinitionVersion,
    ValueSource,
)
from grantmonitor.kpis.selectors import current_values
from grantmonitor.kpis.services import ComputedValue, kpi_values_record_computed
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
#: PostgreSQL's memory per sort or hash during a recompute (the server default is 4MB): the
#: distinct (project, year, person) rows of a call of 100 projects need about 50MB, of 1.000
#: projects about ten times that; a hash that does not fit spills to disk in batches.
RECOMPUTE_WORK_MEM = "512MB"
#: What a recompute's transactions run with (PostgreSQL): room to hash, and no JIT compiling,
#: which costs 10–15 ms a statement, more than it saves on statements of tens of ms (at L,
#: 0,1–0,15 s of a full recompute).
RECOMPUTE_SETTINGS = f"SET LOCAL work_mem = '{RECOMPUTE_WORK_MEM}'; SET LOCAL jit = off"
#: A call's projects are counted this many to a statement. The distinct rows of a thousand
#: projects at once are a hash table of 400MB, slower per row than twenty of 20MB (at L, on
#: one connection: 18 s against 13 s); and the statements of a large call can be shared
#: among connections (``RECOMPUTE_CONNECTIONS``).
PROJECTS_PER_STATEMENT = 50


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


@dataclass
class _Grouped:
    """A measure's distinct counts for many projects at once: in total and per year."""

    totals: dict[int, int]  # project id -> count
    by_year: dict[int, dict[int, int]]  # project id -> year -> count


#: Counts the distinct rows ``d`` (project, year, item), each flagged with the measures that
#: select it: per project and year, and per project over the years (year NULL). Selecting the
#: distinct rows first and counting them after lets PostgreSQL hash where
#: ``COUNT(DISTINCT …)`` sorts every row, and the whole window is counted from the distinct
#: rows instead of from the register a second time. ``before`` names CTEs ``d`` reads.
COUNT_DISTINCT_ROWS = """
WITH {before}d AS MATERIALIZED ({distinct})
SELECT grouped_project, grouped_year, {sums} FROM d GROUP BY grouped_project, grouped_year
UNION ALL
SELECT grouped_project, NULL, {sums}
FROM (SELECT grouped_project, counted_item, {maxes} FROM d GROUP BY grouped_project, counted_item)
AS items GROUP BY grouped_project
"""
#: The distinct rows of rows that carry their own project, year and flags.
DISTINCT_ROWS = """
SELECT grouped_project, grouped_year, counted_item, {maxes}
FROM ({rows}) AS r GROUP BY grouped_project, grouped_year, counted_item"""
#: The distinct rows of a source whose rows hang off an activity and whose measures filter on
#: the activity only (its kind, audience, partners, date): the project, year and flags are
#: worked out once per activity (``a``), not once per attendance; the rows only add the item.
DISTINCT_ROWS_BY_ACTIVITY = """
SELECT grouped_project, grouped_year, t.{item} AS counted_item, {maxes}
FROM {table} AS t JOIN a ON t.{activity} = a.activity_id
GROUP BY grouped_project, grouped_year, t.{item}"""
#: Years a closed window may reach for :data:`COUNT_YEAR_BITS`: the bits of a BIGINT, sign aside.
YEAR_BITS = 63
#: Counts a statement of :data:`COUNT_YEAR_BITS` may make per project (a measure's years and
#: its whole window): PostgreSQL's rows take at most 1.664 columns.
YEAR_COUNTS = 1600
#: The counts of :data:`COUNT_DISTINCT_ROWS` where the window is closed and the database has
#: ``BIT_OR`` (PostgreSQL; DuckDB runs it too): one distinct row per (project, item) carrying,
#: per measure, the years it was selected in as the bits of one integer (``years_i``), instead
#: of a row per (project, year, item). At L, 50.000 distinct rows a statement instead of
#: 124.000. They are counted in one pass grouped by project alone, per measure a count per
#: year and one for the whole window (``p``: a row per project), then given back as
#: :data:`COUNT_DISTINCT_ROWS` gives them: a row per project and year that counts anyone
#: (``year_rows``) and one per project (year ``NULL``). About 15 % faster than joining every
#: distinct row to its years and grouping them again.
COUNT_YEAR_BITS = """
WITH {before}d AS MATERIALIZED ({distinct}),
p AS MATERIALIZED (SELECT grouped_project, {year_counts} FROM d GROUP BY grouped_project)
{year_rows}
"""
YEAR_ROW = "SELECT grouped_project, {year}, {counts} FROM p WHERE {any} > 0"
#: The activities of :data:`DISTINCT_ROWS_BY_ACTIVITY` with their years as bits, and the
#: distinct rows of :data:`COUNT_YEAR_BITS` read from them.
ACTIVITY_YEAR_BITS = """a AS MATERIALIZED (
SELECT activity_id, grouped_project, {masks} FROM ({activities}) AS s),"""
YEAR_BITS_BY_ACTIVITY = """
SELECT grouped_project, t.{item} AS counted_item, {bit_ors}
FROM {table} AS t JOIN a ON t.{activity} = a.activity_id
GROUP BY grouped_project, t.{item}"""


def _filters_q(measure: dict, source: Source) -> Q:
    q = Q()
    for name, value in measure.get("filters", {}).items():
        q &= source.filter_q(name, value)
    return q


def _grouped_statement(
    measures: list[dict], project_ids: list[int], years: tuple[int, int] | None = None
) -> tuple[str, list]:
    """One statement for measures that read the same rows (one source and window), for every
    project in ``project_ids``: each measure's distinct items per year and in all. ``years``:
    the first and last year the window reaches, if it is closed.

    Each measure's filters become a flag on the distinct rows, so the register rows that
    several definitions count (the attendances of a call, say) are read once.
    """
    source = SOURCES[measures[0]["count"]]
    if _by_activity(source, measures):
        return _grouped_by_activity(measures, project_ids, source, years)
    scope = Q(**{_path(source.project, "id__in"): project_ids})
    rows = _flagged(
        _rows({**measures[0], "filters": {}}, scope=scope, source=source),
        measures,
        source,
        counted_item=F(source.counted),
    )
    sql, params = rows.query.sql_with_params()
    return _count_distinct(measures, distinct=DISTINCT_ROWS, rows=sql), list(params)


def _by_activity(source: Source, measures: list[dict]) -> bool:
    """Whether the rows' project, date and every filter are their activity's."""
    return (
        bool(source.activity)
        and source.project == _path(source.activity, "project")
        and source.date == _path(source.activity, "date")
        and all(
            set(measure.get("filters", {})) <= set(definitions.ACTIVITY_FILTERS)
            for measure in measures
        )
    )


def _grouped_by_activity(
    measures: list[dict], project_ids: list[int], source: Source, years: tuple[int, int] | None
) -> tuple[str, list]:
    """The statement of :func:`_grouped_statement` for a source whose measures select rows by
    their activity alone: the activities selected, with their flags, joined to the rows; the
    years as bits (``COUNT_YEAR_BITS``) where the database and the window allow."""
    sql, params = _selected_activities(measures, project_ids)
    quote = connection.ops.quote_name
    fields = source.model._meta
    parts = {
        "table": quote(fields.db_table),
        "item": quote(fields.get_field(source.counted).column),
        "activity": quote(fields.get_field(source.activity).column),
    }
    if (
        connection.vendor == "postgresql"
        and years
        and years[1] - years[0] < YEAR_BITS
        and len(measures) * (years[1] - years[0] + 2) <= YEAR_COUNTS
    ):
        return _count_year_bits(measures, sql, first=years[0], last=years[1], **parts), list(params)
    statement = _count_distinct(
        measures, distinct=DISTINCT_ROWS_BY_ACTIVITY, before=f"a AS MATERIALIZED ({sql}),", **parts
    )
    return statement, list(params)


def _selected_activities(measures: list[dict], project_ids: list[int]) -> tuple[str, list]:
    """SQL of the activities of ``project_ids`` any of ``measures`` (of one window) selects:
    ``activity_id``, ``grouped_project``, ``grouped_year`` and a flag per measure."""
    activities = SOURCES["activities"]
    selected = _flagged(
        _rows(
            {**measures[0], "filters": {}}, scope=Q(project_id__in=project_ids), source=activities
        ),
        measures,
        activities,
        activity_id=F("pk"),
    )
    return selected.query.sql_with_params()


def _count_year_bits(
    measures: list[dict], activities: str, *, first: int, last: int, **parts
) -> str:
    names = [f"years_{i}" for i in range(len(measures))]
    masks = ", ".join(
        f"CAST(flag_{i} AS BIGINT) << (grouped_year - {int(first)}) AS {name}"
        for i, name in enumerate(names)
    )
    offsets = range(int(last) - int(first) + 1)
    year_counts = ", ".join(
        count
        for name in names
        for count in (
            *(f"COUNT(*) FILTER (WHERE ({name} >> {y}) & 1 <> 0) AS {name}_{y}" for y in offsets),
            f"COUNT(*) FILTER (WHERE {name} <> 0) AS {name}_all",
        )
    )
    year_rows = " UNION ALL ".join(
        YEAR_ROW.format(
            year=year,
            counts=", ".join(f"{name}_{column}" for name in names),
            any=" + ".join(f"{name}_{column}" for name in names),
        )
        for year, column in [*((int(first) + y, y) for y in offsets), ("NULL", "all")]
    )
    return COUNT_YEAR_BITS.format(
        before=ACTIVITY_YEAR_BITS.format(masks=masks, activities=activities),
        distinct=YEAR_BITS_BY_ACTIVITY.format(
            bit_ors=", ".join(f"BIT_OR({name}) AS {name}" for name in names), **parts
        ),
        year_counts=year_counts,
        year_rows=year_rows,
    )


def _flagged(qs: QuerySet, measures: list[dict], source: Source, **columns) -> QuerySet:
    """``qs``'s rows that any of ``measures`` selects, as their project, year, ``columns`` and
    a flag per measure (1 when it selects the row)."""
    conditions = [_filters_q(measure, source) for measure in measures]
    if len(measures) == 1:
        qs, flags = qs.filter(conditions[0]), [Value(1)]
    else:
        if all(conditions):  # no measure takes every row: read only the rows one selects
            qs = qs.filter(reduce(operator.or_, conditions))
        flags = [
            Case(When(q, then=Value(1)), default=Value(0)) if q else Value(1) for q in conditions
        ]
    return (
        qs.values(
            grouped_project=F(_path(source.project, "id")),
            # an integer: PostgreSQL's EXTRACT gives a numeric, twice as slow to sort and hash
            grouped_year=Cast(ExtractYear(source.date), IntegerField()),
            **columns,
        )
        .annotate(**{f"flag_{i}": flag for i, flag in enumerate(flags)})
        .order_by()
    )


def _count_distinct(measures: list[dict], *, distinct: str, before: str = "", **parts) -> str:
    names = [f"flag_{i}" for i in range(len(measures))]
    maxes = ", ".join(f"MAX({name}) AS {name}" for name in names)
    return COUNT_DISTINCT_ROWS.format(
        before=before,
        distinct=distinct.format(maxes=maxes, **parts),
        sums=", ".join(f"SUM({name})" for name in names),
        maxes=maxes,
    )


def _add_counts(grouped: list[_Grouped], rows: list[tuple]) -> None:
    for project, year, *counts in rows:
        for part, count in zip(grouped, counts, strict=True):
            if not count:
                continue  # as if the measure had its own query: no row, no year
            if year is None:
                part.totals[project] = count
            else:
                part.by_year.setdefault(project, {})[year] = count


def _chunks(project_ids: tuple[int, ...]) -> list[list[int]]:
    size = PROJECTS_PER_STATEMENT
    return [list(project_ids[i : i + size]) for i in range(0, len(project_ids), size)]


def _fetch(statements: list[tuple[str, list]], *, large: bool) -> list[list[tuple]]:
    """Every statement's rows: on this connection, or, for a ``large`` recompute (more than one
    statement's worth of projects), shared among connections when that is exact (see
    :func:`_shared_snapshot`)."""
    snapshot = _shared_snapshot(statements) if large else None
    if snapshot is not None:
        return _fetch_in_parallel(statements, snapshot)
    found = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            found.append(cursor.fetchall())
    return found


def _shared_snapshot(statements: list[tuple[str, list]]) -> str | None:
    """The snapshot of this transaction, exported for other connections to count with, or
    None to count on this connection alone.

    Other connections see exactly this transaction's view of the database (PostgreSQL's
    exported snapshots, as ``pg_dump --jobs`` uses), except what this transaction wrote
    itself: so only while it has written nothing (no transaction id assigned yet).
    """
    if (
        connection.vendor != "postgresql"
        or settings.RECOMPUTE_CONNECTIONS < 2
        or len(statements) < 2
        or not connection.in_atomic_block
        or any(connection.savepoint_ids)  # PostgreSQL exports no snapshot of a savepoint
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NULL")
        if not cursor.fetchone()[0]:
            return None  # this transaction has written: other connections would not see it
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _fetch_in_parallel(statements: list[tuple[str, list]], snapshot: str) -> list[list[tuple]]:
    """The statements' rows, counted on ``RECOMPUTE_CONNECTIONS`` connections at once, each
    in a read-only transaction on ``snapshot``: what one transaction would have counted."""
    if not re.fullmatch(r"[0-9A-F]+-[0-9A-F]+-[0-9]+", snapshot):
        raise ValueError(f"not a snapshot identifier: {snapshot!r}")
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for index, statement in enumerate(statements):
        pending.put((index, statement))
    found: list[list[tuple] | None] = [None] * len(statements)
    errors: list[BaseException] = []

    def count() -> None:
        own = connections[DEFAULT_DB_ALIAS]  # this thread's own connection
        try:
            with own.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                cursor.execute(RECOMPUTE_SETTINGS)
                while not errors:
                    try:
                        index, (sql, params) = pending.get_nowait()
                    except queue.Empty:
                        break
                    cursor.execute(sql, params)
                    found[index] = cursor.fetchall()
                cursor.execute("COMMIT")
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)
        finally:
            own.close()

    workers = [
        threading.Thread(target=count, name=f"recompute-{n}")
        for n in range(min(settings.RECOMPUTE_CONNECTIONS, len(statements)))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return found


@dataclass
class _SpecCounts:
    """Everything a definition's figures need, for many projects: each measure's counts, and
    for a change the baseline's."""

    parts: list[_Grouped]
    baseline: dict[int, int] | None = None


def _spec_measures(spec: dict) -> list[dict]:
    """The measures a definition's figures need: its own, then a change's baseline."""
    needed = list(definitions.measures(spec))
    if definitions.shape(spec) == "change":
        needed.append({**spec["measure"], "window": spec["baseline"]})
    return needed


def _reads_alone(measure: dict) -> bool:
    # a partner filter joins the activity's partners (many rows per row): kept in its own query
    return "partner" in measure.get("filters", {})


def _counts(
    specs: dict[int, tuple[dict, list[Project]]], *, every_project: bool = False
) -> dict[int, _SpecCounts]:
    """The counts of several definitions (by key: spec and its projects) in a fixed number of
    queries: one per source, window and set of projects (and per ``PROJECTS_PER_STATEMENT``
    of them), whatever the number of definitions. ``every_project``: these are every bound
    definition's, in every project (see :func:`grantmonitor.kpis.kept.refresh`)."""
    found: dict[int, dict[int, _Grouped]] = {}
    groups: dict[tuple, list[tuple[int, int, dict]]] = {}
    projects = {project.pk: project for _spec, chosen in specs.values() for project in chosen}
    for key, (spec, chosen) in specs.items():
        for slot, measure in enumerate(_spec_measures(spec)):
            rows = (
                measure["count"],
                json.dumps(measure.get("window", "project"), sort_keys=True),
                tuple(sorted(project.pk for project in chosen)),
                (key, slot) if _reads_alone(measure) else None,
            )
            groups.setdefault(rows, []).append((key, slot, measure))
    statements, targets, wanted = [], [], {}
    for (_count, _window, project_ids, _alone), needs in groups.items():
        counted = [_Grouped({}, {}) for _ in needs]
        measures = [measure for *_, measure in needs]
        for chunk in _chunks(project_ids):
            windows = [_measure_window(measures[0], projects[pk]) for pk in chunk]
            register = (measures, chunk, _years(windows))
            if _kept(measures, windows):
                keys = [kept.key(measure) for measure in measures]
                for measure, measure_key in zip(measures, keys, strict=True):
                    bases = wanted.setdefault(measure_key, (measure, {}))[1]
                    bases.update((pk, w.start.year) for pk, w in zip(chunk, windows, strict=True))
                span = max(window.end.year - window.start.year for window in windows) + 1
                statements.append(kept.count_statement(keys, chunk, span))
            else:
                keys = None
                statements.append(_grouped_statement(*register))
            targets.append((counted, keys, register))
        for (key, slot, _measure), part in zip(needs, counted, strict=True):
            found.setdefault(key, {})[slot] = part
    if wanted or (every_project and kept.enabled()):
        kept.refresh(
            wanted,
            activities=_selected_activities,
            chunk=PROJECTS_PER_STATEMENT,
            every_project=every_project,
        )
    large = len(projects) > PROJECTS_PER_STATEMENT
    again = []  # kept inputs dropped by another transaction since the refresh
    fetched = _fetch(statements, large=large)
    for (counted, keys, register), rows in zip(targets, fetched, strict=True):
        if keys is None:
            _add_counts(counted, rows)
        elif not kept.add_counts(counted, keys, register[1], rows):
            again.append((counted, register))
    if again:
        recounted = _fetch([_grouped_statement(*register) for _c, register in again], large=False)
        for (counted, _register), rows in zip(again, recounted, strict=True):
            _add_counts(counted, rows)
    result = {}
    for key, (spec, _chosen) in specs.items():
        parts = [found[key][slot] for slot in range(len(definitions.measures(spec)))]
        baseline = found[key][len(parts)].totals if definitions.shape(spec) == "change" else None
        result[key] = _SpecCounts(parts, baseline)
    return result


def _kept(measures: list[dict], windows: list[Window]) -> bool:
    """Whether the measures are counted from kept inputs (:mod:`grantmonitor.kpis.kept`) in
    projects with these windows: closed, not empty, and each within an integer's years."""
    return (
        kept.enabled()
        and all(kept.keepable(measure) for measure in measures)
        and all(
            window.closed and not window.empty and window.end.year - window.start.year < YEAR_BITS
            for window in windows
        )
    )


def _measure_window(measure: dict, project: Project) -> Window:
    explicit = definitions.parse_window(measure.get("window", "project"))
    return explicit if explicit is not None else Window(project.start_date, project.end_date)


def _years(windows: list[Window]) -> tuple[int, int] | None:
    """The first and last year a measure's windows (in some projects) can reach, or None
    when a window is open."""
    if not windows or any(window.start is None or window.end is None for window in windows):
        return None
    return min(window.start.year for window in windows), max(window.end.year for window in windows)


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
    return _results(spec, project, _counts({0: (spec, [project])})[0])


def _results(spec: dict, project: Project, counts: _SpecCounts) -> list[Computed]:
    """One project's figures from counts made for many projects at once."""
    totals = [part.totals.get(project.pk, 0) for part in counts.parts]
    by_year = [part.by_year.get(project.pk, {}) for part in counts.parts]
    window = _measure_window(definitions.measures(spec)[0], project)
    baseline = None
    if counts.baseline is not None:
        baseline_count = counts.baseline.get(project.pk, 0)
        baseline = (
            _per_year(baseline_count, definitions.parse_window(spec["baseline"]))
            if spec.get("per_year", True)
            else Decimal(baseline_count)
        )
    results = [Computed(None, _figures(spec, totals, window, baseline))]
    years = sorted(set().union(*by_year))
    if window.closed:
        years = list(range(window.start.year, window.end.year + 1))
    for year in years:
        period = Window(datetime.date(year, 1, 1), datetime.date(year, 12, 31)).intersect(window)
        counts_in_year = [part.get(year, 0) for part in by_year]
        results.append(Computed(period, _figures(spec, counts_in_year, period, baseline)))
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


def _latest_versions(definition_ids: Iterable[int]) -> dict[int, MeasureDefinitionVersion]:
    """The latest version of each definition, in one query."""
    latest = {}
    for version in MeasureDefinitionVersion.objects.filter(
        definition_id__in=set(definition_ids)
    ).order_by("definition_id", "number"):
        latest[version.definition_id] = version  # the highest number wins
    return latest


def _current_values(kpi_ids: list[int]) -> dict[int, dict[tuple, KpiValue]]:
    """Per KPI, its current value of each period (the latest recorded), in one query."""
    current: dict[int, dict[tuple, KpiValue]] = {}
    for value in current_values().filter(kpi_id__in=kpi_ids):
        current.setdefault(value.kpi_id, {})[(value.period_start, value.period_end)] = value
    return current


# no savepoint of its own: its counts may then share the transaction's snapshot with other
# connections; when a recompute fails, what called it fails too
@transaction.atomic(savepoint=False)
def _recompute(
    bindings: list[tuple[Kpi, MeasureDefinitionVersion]], *, every_project: bool = False
) -> list[ComputedValue]:
    """Compute bound KPIs and store, in one insert, the values that changed.

    The register is read set-based: per definition version a fixed number of aggregate
    queries grouped by project, whatever the number of projects and KPIs bound to it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(RECOMPUTE_SETTINGS)
    by_version: dict[int, list[Kpi]] = {}
    versions: dict[int, MeasureDefinitionVersion] = {}
    for kpi, version in bindings:
        versions[version.pk] = version
        by_version.setdefault(version.pk, []).append(kpi)
    current = _current_values([kpi.pk for kpi, _version in bindings])
    counts = _counts(
        {
            version_id: (versions[version_id].spec, list({kpi.project for kpi in kpis}))
            for version_id, kpis in by_version.items()
        },
        every_project=every_project,
    )
    stored = []
    for version_id, kpis in by_version.items():
        version = versions[version_id]
        for kpi in kpis:
            results = _results(version.spec, kpi.project, counts[version_id])
            stored += _changed(kpi, version, results, current.get(kpi.pk, {}))
    return kpi_values_record_computed(values=stored)


def _changed(
    kpi: Kpi, version: MeasureDefinitionVersion, results: list[Computed], current: dict
) -> list[ComputedValue]:
    changed = []
    for result in results:
        period = (result.period.start, result.period.end) if result.period else (None, None)
        latest = current.get(period)
        if (
            latest is not None
            and latest.source == ValueSource.COMPUTED
            and latest.definition_version_id == version.pk
            and latest.figures == result.figures
        ):
            continue
        changed.append(ComputedValue(kpi, version, result.figures, *period))
    return changed


def kpi_recompute(
    *, kpi: Kpi, version: MeasureDefinitionVersion | None = None
) -> list[ComputedValue]:
    """Compute a bound KPI and store the values that changed; returns those values."""
    if version is None:
        version = latest_version(kpi.measure.definition_id)
    return _recompute([(kpi, version)])


def bound_measures(*, projects: Iterable[Project] | None = None) -> QuerySet[KpiMeasure]:
    qs = KpiMeasure.objects.select_related("kpi__project", "definition")
    return qs if projects is None else qs.filter(kpi__project__in=list(projects))


def _bindings(
    projects: Iterable[Project] | None, touching: set[str] | None = None
) -> list[tuple[Kpi, MeasureDefinitionVersion]]:
    measures = list(bound_measures(projects=projects))
    versions = _latest_versions(binding.definition_id for binding in measures)
    return [
        (binding.kpi, versions[binding.definition_id])
        for binding in measures
        if touching is None
        or definitions.countables(versions[binding.definition_id].spec) & touching
    ]


def project_recompute(*, project: Project, touching: set[str] | None = None) -> int:
    """Recompute the project's bound KPIs whose definitions count any of ``touching``.

    ``touching=None`` recomputes every bound KPI. Returns how many values were stored.
    """
    return len(_recompute(_bindings([project], touching)))


def recompute_all(*, projects: Iterable[Project] | None = None) -> int:
    """Recompute every bound KPI (of ``projects``); returns how many values were stored."""
    return len(_recompute(_bindings(projects), every_project=projects is None))


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
    counted = _person(source) if across_projects else F(_path(source.participant, "pk"))
    # COUNT(*) of the distinct rows: hashed, where COUNT(DISTINCT …) sorts every attendance
    return qs.values(counted_person=counted).distinct().order_by().count()


def kpis_populations(*, kpis: list[Kpi]) -> dict[int, QuerySet]:
    """Per KPI id of ``kpis`` that counts people, the ids of the participants it counts (a
    subquery to filter on), in two queries: the bindings and the latest versions."""
    bindings = dict(
        KpiMeasure.objects.filter(kpi__in=[kpi.pk for kpi in kpis]).values_list(
            "kpi_id", "definition_id"
        )
    )
    versions = _latest_versions(bindings.values()) if bindings else {}
    populations = {}
    for kpi in kpis:
        version = versions.get(bindings.get(kpi.pk))
        if version is not None and definitions.counts_people(version.spec):
            source = SOURCES[version.spec["count"]]
            rows = measure_rows(version.spec, project=kpi.project)
            populations[kpi.pk] = rows.values(_path(source.participant, "pk"))
    return populations


def kpi_population(*, kpi: Kpi) -> QuerySet[Participant] | None:
    """The participants a people-counting KPI counts, or None when it counts something else."""
    ids = kpis_populations(kpis=[kpi]).get(kpi.pk)
    return None if ids is None else Participant.objects.filter(pk__in=ids)

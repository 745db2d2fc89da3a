"""KPI inputs kept from the register, so that a recompute counts kept rows, not attendances.

Counting the people who attended a call's activities reads every attendance: at a thousand
projects, ten million rows hashed into a million (project, person) rows, nearly all of a full
recompute's time. Those distinct rows change only when the register does, so for each measure
that counts ``attendees`` by their activity alone (its kind and audience, in a closed window)
they are kept, per project:

- :class:`~grantmonitor.kpis.models.KeptInputs`: the measure (by :func:`key`) is kept for the
  project, with the year of bit 0;
- :class:`~grantmonitor.kpis.models.KeptItem`: per participant the measure selects, the years
  it does, as the bits of one integer: exactly the distinct rows the engine hashes
  (``engine.COUNT_YEAR_BITS``), counted by :func:`count_statement` without the register.

PostgreSQL's triggers (:func:`install_statements`) mark what a write makes stale
(:class:`~grantmonitor.kpis.models.KeptStale`), in the writing transaction, whatever wrote:
the services, an import's COPY, the admin, a bulk ``update()``:

- an attendance added, removed or changed: its participant in its activity's project;
- an activity's project, kind, date or audience changed, or the activity removed: the whole
  project;
- a project's period changed: the whole project (a window ``"project"`` is its period).

Before counting, :func:`refresh` takes the marks of the projects counted and brings their kept
rows up to date: a participant's rows counted again from its attendances, a whole project's (or
a measure never kept there, or kept with another first year) from all of them; the measures of
one window together, reading the attendances once, as the engine counts them. So a registration
refreshes one person, and a full recompute counts a million kept rows a measure instead of ten
million attendances. A refresh locks the projects it refreshes (their rows, until the commit)
before it reads their marks, so two transactions never refresh the same project from snapshots
that miss each other's writes; a project whose marks were taken keeps only the measures
refreshed then (the others are dropped, to be kept again when counted). A recompute that finds
a measure dropped by another transaction after its own refresh counts it from the register
(:func:`add_counts`). ``python -m grantmonitor recompute --from-register`` drops them all
(:func:`forget`) and keeps them anew from the register: an operator's check.

Measures filtered by a partner or by the participants' characteristics, other countables and
open windows are counted from the register as before, and so is everything off PostgreSQL or
with ``KEPT_KPI_INPUTS`` off.
"""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from grantmonitor.calls.models import Project
from grantmonitor.kpis.models import KeptInputs, KeptItem, KeptStale
from grantmonitor.register import stamps
from grantmonitor.register.models import Activity, Attendance

#: Filters a kept measure may have: those of its activities held in the activity's own row.
KEPT_FILTERS = {"activity_kind", "audience"}

INPUTS = KeptInputs._meta.db_table
ITEMS = KeptItem._meta.db_table
STALE = KeptStale._meta.db_table
ATTENDANCE = Attendance._meta.db_table
ACTIVITY = Activity._meta.db_table
PROJECT = Project._meta.db_table

#: (a measure, its projects and the first year of each): what a recompute counts kept.
Wanted = dict[str, tuple[dict, dict[int, int]]]


def key(measure: dict) -> str:
    """The key of what a measure counts: the same for equal measures of any definition."""
    counted = {
        "count": measure["count"],
        "filters": measure.get("filters", {}),
        "window": measure.get("window", "project"),
    }
    return hashlib.sha256(json.dumps(counted, sort_keys=True).encode()).hexdigest()


def enabled() -> bool:
    return connection.vendor == "postgresql" and settings.KEPT_KPI_INPUTS


def keepable(measure: dict) -> bool:
    """Whether the measure's rows can be kept (its windows must be closed too, and short)."""
    return measure["count"] == "attendees" and set(measure.get("filters", {})) <= KEPT_FILTERS


def count_statement(keys: list[str], project_ids: list[int], span: int) -> tuple[str, list]:
    """Per kept measure of ``keys`` in ``project_ids``: its project, key and first year, its
    items, and its items of each of the ``span`` years from the first."""
    years = ", ".join(
        f"COUNT(*) FILTER (WHERE (k.years >> {y}) & 1 <> 0) AS year_{y}" for y in range(span)
    )
    # per kept measure its own items, through the primary key: joined and grouped, the planner
    # reads every kept item of the database for a chunk's hundred thousand
    counts = f"SELECT COUNT(*) AS items, {years} FROM {ITEMS} k WHERE k.inputs_id = i.id"  # noqa: S608
    return (
        f"SELECT i.project_id, i.measure, i.base_year, c.* FROM {INPUTS} i "  # noqa: S608
        f"CROSS JOIN LATERAL ({counts}) c WHERE i.project_id = ANY(%s) AND i.measure = ANY(%s)",
        [list(project_ids), sorted(set(keys))],
    )


def add_counts(parts: list, keys: list[str], project_ids: list[int], rows: list[tuple]) -> bool:
    """Rows of :func:`count_statement` into ``parts`` (each with ``totals`` and ``by_year``,
    one per key of ``keys``), as the engine adds its own counts: no entry for a count of 0.
    False, and nothing added, when a measure was not kept in a project: another transaction
    dropped it (:func:`forget`, or a refresh that took the project's marks) after this one's
    refresh; then count the register."""
    found = {(measure, project) for project, measure, *_counts in rows}
    if any((key, project) not in found for key in keys for project in project_ids):
        return False
    for project, measure, base_year, total, *years in rows:
        for part, part_key in zip(parts, keys, strict=True):
            if part_key != measure or not total:
                continue
            part.totals[project] = total
            for offset, count in enumerate(years):
                if count:
                    part.by_year.setdefault(project, {})[base_year + offset] = count
    return True


#: Marks of more people than this in a project: the project is kept anew, not person by
#: person (a bulk load or an import; a project's whole register is a statement of its own).
PEOPLE_PER_PROJECT = 100
#: The marks of the projects ``%s``, taken: per project the people marked, or NULL for the
#: whole project (marked so, or more than ``%s`` people).
TAKE_MARKS = f"""
WITH taken AS (DELETE FROM {STALE} WHERE project_id = ANY(%s) RETURNING project_id, participant_id)
SELECT project_id, CASE WHEN bool_or(participant_id IS NULL)
    OR COUNT(DISTINCT participant_id) > %s THEN NULL
    ELSE array_agg(DISTINCT participant_id) END
FROM taken GROUP BY project_id"""  # noqa: S608 -- our names


@transaction.atomic(savepoint=False)
def refresh(
    wanted: Wanted,
    *,
    activities: Callable[[list[dict], list[int]], tuple[str, list]],
    chunk: int,
    every_project: bool = False,
) -> None:
    """Bring the kept rows of ``wanted`` up to date with the register, writing only if they
    are not. ``activities(measures, project_ids)``: SQL of the activities any of the
    measures (of one window) selects in those projects, as ``activity_id``,
    ``grouped_project``, ``grouped_year`` and a ``flag_<i>`` per measure; ``chunk``: projects
    to a statement. ``every_project``: ``wanted`` is every measure any KPI counts kept, so the
    others are dropped (those of a definition revised since)."""
    projects = sorted({project for _measure, bases in wanted.values() for project in bases})
    with connection.cursor() as cursor:
        if every_project:
            _drop_unwanted(cursor, wanted, None)
        needing = _outdated(cursor, wanted, projects, _kept(cursor, wanted, projects))
        if not needing:
            return
        cursor.execute(
            f"SELECT id FROM {PROJECT} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",  # noqa: S608
            [needing],
        )
        # under the lock, a new snapshot: what another refresh committed meanwhile is seen
        cursor.execute(TAKE_MARKS, [needing, PEOPLE_PER_PROJECT])
        marks = dict(cursor.fetchall())
        _drop_unwanted(cursor, wanted, set(marks))
        kept = _kept(cursor, wanted, needing)
        for keys in _by_window(wanted):
            # the measures of one window read the register together, as the engine counts them
            group = _Group(keys, wanted)
            rebuilt = [
                project
                for project in needing
                if project in group.bases
                and (
                    marks.get(project, ()) is None
                    or any(kept.get(pair[:2]) != pair[2] for pair in group.pairs([project]))
                )
            ]
            for start in range(0, len(rebuilt), chunk):
                some = rebuilt[start : start + chunk]
                _rebuild(cursor, group.pairs(some))
                _insert_items(cursor, group, some, activities)
            people = [
                (project, participant)
                for project, marked in sorted(marks.items())
                if marked is not None and project in group.bases and project not in rebuilt
                for participant in sorted(marked)
            ]
            if people:
                _refresh_people(cursor, group, people, activities)


def _by_window(wanted: Wanted) -> list[list[str]]:
    """The keys of ``wanted``, grouped by their measures' window."""
    groups: dict[str, list[str]] = {}
    for measure_key, (measure, _bases) in wanted.items():
        window = json.dumps(measure.get("window", "project"), sort_keys=True)
        groups.setdefault(window, []).append(measure_key)
    return list(groups.values())


class _Group:
    """Kept measures of one window: each project's first year is the same for all of them."""

    def __init__(self, keys: list[str], wanted: Wanted) -> None:
        self.keys = keys
        self.measures = [wanted[measure_key][0] for measure_key in keys]
        self.wanted = {measure_key: wanted[measure_key][1] for measure_key in keys}
        self.bases = {
            project: base for bases in self.wanted.values() for project, base in bases.items()
        }

    def pairs(self, projects: list[int]) -> list[tuple[str, int, int]]:
        """(key, project, first year) of each measure wanted in each of ``projects``."""
        return [
            (measure_key, project, bases[project])
            for measure_key, bases in self.wanted.items()
            for project in projects
            if project in bases
        ]


def forget(*, projects: list[Project] | None = None) -> None:
    """Every kept input (of ``projects``) dropped: the next recompute counts the register and
    keeps them anew. An operator's check that they were exact, or a restore of the database
    without its triggers, is followed by this. A recompute counting at the same time finds
    them gone and counts the register (:func:`add_counts`)."""
    if not enabled():
        return
    scope, params = "", []
    if projects is not None:
        scope, params = " WHERE project_id = ANY(%s)", [sorted(project.pk for project in projects)]
    with connection.cursor() as cursor:
        _delete(cursor, f"SELECT id FROM {INPUTS}{scope}", params)  # noqa: S608


def _delete(cursor, chosen: str, params: list) -> None:
    """The kept measures whose ids ``chosen`` selects, with their items (which have no foreign
    key to delete them with)."""
    cursor.execute(f"DELETE FROM {ITEMS} WHERE inputs_id IN ({chosen})", params)  # noqa: S608
    cursor.execute(f"DELETE FROM {INPUTS} WHERE id IN ({chosen})", params)  # noqa: S608


def _kept(cursor, wanted: Wanted, projects: list[int]) -> dict[tuple[str, int], int]:
    """The first year of each (key, project) of ``wanted`` kept in ``projects``."""
    cursor.execute(
        f"SELECT measure, project_id, base_year FROM {INPUTS} "  # noqa: S608
        f"WHERE project_id = ANY(%s) AND measure = ANY(%s)",
        [projects, list(wanted)],
    )
    return {(measure, project): base for measure, project, base in cursor.fetchall()}


def _outdated(cursor, wanted: Wanted, projects: list[int], kept: dict) -> list[int]:
    """The projects with a mark, or with a wanted measure not kept (or from another year)."""
    cursor.execute(
        f"SELECT DISTINCT project_id FROM {STALE} WHERE project_id = ANY(%s)",  # noqa: S608
        [projects],
    )
    outdated = {project for (project,) in cursor.fetchall()}
    for measure_key, (_measure, bases) in wanted.items():
        outdated.update(
            project for project, base in bases.items() if kept.get((measure_key, project)) != base
        )
    return sorted(outdated)


def _drop_unwanted(cursor, wanted: Wanted, marked: set[int] | None) -> None:
    """The measures kept in ``marked`` projects (None: in any) that this refresh does not
    bring up to date: their marks are gone, so they would no longer be exact (or, in any
    project, no KPI counts them any more)."""
    if marked is not None and not marked:
        return
    pairs = [
        (measure_key, project)
        for measure_key, (_measure, bases) in wanted.items()
        for project in bases
        if marked is None or project in marked
    ]
    unwanted = (
        f"SELECT id FROM {INPUTS} i WHERE (%s OR i.project_id = ANY(%s)) AND NOT EXISTS ("  # noqa: S608
        f"SELECT FROM unnest(%s::varchar[], %s::bigint[]) w (measure, project) "
        f"WHERE w.measure = i.measure AND w.project = i.project_id)"
    )
    params = [marked is None, sorted(marked or ()), [m for m, _p in pairs], [p for _m, p in pairs]]
    if marked is None:  # nothing written when nothing is to be dropped (see engine._fetch)
        cursor.execute(f"SELECT EXISTS ({unwanted})", params)
        if not cursor.fetchone()[0]:
            return
    _delete(cursor, unwanted, params)


def _rebuild(cursor, pairs: list[tuple[str, int, int]]) -> None:
    """Measures kept anew in projects (key, project, first year): emptied, with their year."""
    keys, projects, bases = (list(column) for column in zip(*pairs, strict=True))
    chosen = (
        f"SELECT i.id FROM {INPUTS} i JOIN unnest(%s::varchar[], %s::bigint[]) w "  # noqa: S608
        f"(measure, project) ON w.measure = i.measure AND w.project = i.project_id"
    )
    _delete(cursor, chosen, [keys, projects])
    cursor.execute(
        f"INSERT INTO {INPUTS} (measure, project_id, base_year) "  # noqa: S608
        f"SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::integer[])",
        [keys, projects, bases],
    )


#: The items of the measures of a group in the activities ``s`` selects: per project and
#: person who attended, per measure the years (from the project's first year ``b``) as
#: ``engine.YEAR_BITS_BY_ACTIVITY`` hashes them, the bits worked out once per activity
#: (``a``); a row per measure that selects them.
ITEMS_OF_ACTIVITIES = (
    f"WITH a AS MATERIALIZED (SELECT s.activity_id, s.grouped_project, {{masks}} "  # noqa: S608 -- our names
    f"FROM ({{activities}}) s JOIN unnest(%s::bigint[], %s::integer[]) b (project, base) "
    f"ON b.project = s.grouped_project) "
    f"INSERT INTO {ITEMS} (inputs_id, item, years) "
    f"SELECT i.id, d.item, m.years FROM ("
    f"SELECT a.grouped_project, t.participant_id AS item, {{years}} "
    f"FROM a JOIN {ATTENDANCE} t ON t.activity_id = a.activity_id{{people}} "
    f"GROUP BY a.grouped_project, t.participant_id) d "
    f"CROSS JOIN LATERAL (VALUES {{measures}}) m (measure, years) "
    f"JOIN {INPUTS} i ON i.project_id = d.grouped_project AND i.measure = m.measure "
    # in the order of the primary key: a kept measure's items together on a few pages
    f"WHERE m.years <> 0 ORDER BY i.id, d.item"
)


def _insert_items(
    cursor, group: _Group, projects: list[int], activities, people: str = "", params=()
) -> None:
    """The items of ``group``'s measures in ``projects`` (of ``people`` only, if given)."""
    sql, activity_params = activities(group.measures, projects)
    indexes = range(len(group.keys))
    cursor.execute(
        ITEMS_OF_ACTIVITIES.format(
            activities=sql,
            masks=", ".join(
                f"CAST(s.flag_{j} AS BIGINT) << (s.grouped_year - b.base) AS years_{j}"
                for j in indexes
            ),
            people=people,
            years=", ".join(f"BIT_OR(a.years_{j}) AS years_{j}" for j in indexes),
            measures=", ".join(f"(%s, d.years_{j})" for j in indexes),
        ),
        [
            *activity_params,
            projects,
            [group.bases[project] for project in projects],
            *params,
            *group.keys,
        ],
    )


def _refresh_people(cursor, group: _Group, pairs: list[tuple[int, int]], activities) -> None:
    """The group's items of these (project, participant) counted again."""
    projects, participants = [p for p, _i in pairs], [i for _p, i in pairs]
    cursor.execute(
        f"DELETE FROM {ITEMS} k USING {INPUTS} i WHERE k.inputs_id = i.id "  # noqa: S608
        f"AND i.measure = ANY(%s) AND (i.project_id, k.item) IN "
        f"(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
        [group.keys, projects, participants],
    )
    people = (
        " AND t.participant_id = ANY(%s) AND (a.grouped_project, t.participant_id) IN "
        "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))"
    )
    params = [sorted(set(participants)), projects, participants]
    _insert_items(cursor, group, sorted(set(projects)), activities, people, params)


def install_statements() -> list[str]:
    """The triggers that mark what a write makes stale (see the module's description)."""
    attendance = (
        f"INSERT INTO {STALE} (project_id, participant_id) "  # noqa: S608 -- our names
        f"SELECT DISTINCT act.project_id, r.participant_id FROM {{rows}} r "
        f"JOIN {ACTIVITY} act ON act.id = r.activity_id;"
    )
    return [
        *stamps.trigger_statements(
            ATTENDANCE,
            "kept",
            "",
            f"IF TG_OP = 'INSERT' THEN {attendance.format(rows='new_rows')}\n"
            f"  ELSIF TG_OP = 'DELETE' THEN {attendance.format(rows='old_rows')}\n"
            f"  ELSE {attendance.format(rows='new_rows')} {attendance.format(rows='old_rows')}",
        ),
        *stamps.trigger_statements(
            ACTIVITY,
            "kept",
            "",
            f"IF TG_OP = 'DELETE' THEN INSERT INTO {STALE} (project_id, participant_id) "  # noqa: S608
            f"SELECT DISTINCT project_id, NULL::bigint FROM old_rows;\n"
            f"  ELSIF TG_OP = 'UPDATE' THEN "
            f"{_whole('project_id', ['project_id', 'kind', 'date', 'audience'])}",
        ),
        *stamps.trigger_statements(
            PROJECT,
            "kept",
            "",
            f"IF TG_OP = 'UPDATE' THEN {_whole('id', ['start_date', 'end_date'])}",
        ),
    ]


def _whole(project: str, columns: list[str]) -> str:
    """A mark of the whole project, before and after, for each updated row whose ``columns``
    changed; ``project``: the row's column holding the project's id."""
    old, new = (", ".join(f"{side}.{column}" for column in columns) for side in ("o", "n"))
    return (
        f"INSERT INTO {STALE} (project_id, participant_id) "  # noqa: S608 -- our names
        f"SELECT DISTINCT changed.project, NULL::bigint "
        f"FROM old_rows o JOIN new_rows n ON n.id = o.id "
        f"CROSS JOIN LATERAL (VALUES (o.{project}), (n.{project})) changed (project) "
        f"WHERE ({old}) IS DISTINCT FROM ({new});"
    )


def uninstall_statements() -> list[str]:
    return [
        statement
        for table in (ATTENDANCE, ACTIVITY, PROJECT)
        for statement in stamps.drop_statements(table, "kept")
    ]

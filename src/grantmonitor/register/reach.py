"""The people a call reached, kept up to date: each once across its projects, and per project.

The call page shows two figures (:func:`grantmonitor.register.selectors.call_people`): the
people the call's projects reached, each once (recognised by the person key, or as
``#<participant id>`` when registered without INSZ), and what adding up the projects' own
counts gives. Both count the participants who attended an activity inside their project's
period, as the engine's measure ``{"count": "attendees"}`` does. Counted live that is a
DISTINCT over every attendance of the call, seconds at millions; so the figures are kept, in
the transaction of every write that can change them:

- :class:`~grantmonitor.register.models.CallPerson`: per call and person, how many of the
  person's participants attended (a person is registered once per project: in how many of
  the call's projects); only people who did;
- :class:`~grantmonitor.register.models.CallReach`: per call, how many such rows (people) and
  the sum of their counts (participants): one indexed row to read.

:func:`people_refresh` is the one way they change: it recomputes from the register, set-based,
the rows of the people of some participants (or of whole calls) and moves the totals by the
difference. What to refresh after which write:

- attendance recorded or removed (the services, an import): those participants, or the
  participants of the projects an import wrote attendance in;
- a project's period, or an activity's date or project, changed: the participants of the
  project(s);
- a bulk load (the synthetic register, a call archive): whole calls;
- a person key changed, or participants deleted: whole calls (the old key is no longer in the
  register to be found from a participant).

An attendance joins a participant and an activity of the same project (the services check it,
the imports look both up within one project), so a participant's people are refreshed in the
call of the participant's project.

Two transactions reaching the same person in two projects of a call must not both count
them once: the refresh first locks the calls' total rows (in call order, until the commit),
then reads the register, so the second refresh waits for the first and sees what it
committed. A write refreshes last, after its KPI recompute, to hold the lock briefly. SQLite
lets one transaction write at a time anyway.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet

from grantmonitor.calls.models import Call, Project
from grantmonitor.kpis.engine import RECOMPUTE_WORK_MEM
from grantmonitor.register.models import Activity, Attendance, CallPerson, CallReach, Participant

TABLES = {
    "attendance": Attendance._meta.db_table,
    "activity": Activity._meta.db_table,
    "project": Project._meta.db_table,
    "call": Call._meta.db_table,
    "participant": Participant._meta.db_table,
    "person_row": CallPerson._meta.db_table,
    "reach": CallReach._meta.db_table,
}


def person(alias: str) -> str:
    """The person a participant row ``alias`` is, in SQL: its person key, else ``#<id>``."""
    return (
        f"CASE WHEN {alias}.person_key = '' THEN '#' || CAST({alias}.id AS TEXT) "
        f"ELSE {alias}.person_key END"
    )


#: Attendance ``a`` at an activity ``act`` inside the period of its project ``pr``.
IN_PERIOD = (
    "(pr.start_date IS NULL OR act.date >= pr.start_date) "
    "AND (pr.end_date IS NULL OR act.date <= pr.end_date)"
)


class _Scope:
    """Which people of the locked calls a refresh recomputes, as SQL: a condition on the kept
    rows, and the attendances to count (``a``); every person of the calls without a seed."""

    def __init__(self, seed: tuple[str, list] | None = None) -> None:
        self.rows, self.rows_params = "", []
        self.attendances, self.attendances_params = f"{TABLES['attendance']} a", []
        if seed is None:
            return
        sql, params = seed
        self.rows = (
            f" AND person IN (SELECT {person('s')} FROM {TABLES['participant']} s "  # noqa: S608 -- our names
            f"WHERE s.id IN ({sql}))"
        )
        self.rows_params = list(params)
        # the attendances of every participant sharing a person key with the seed, and of the
        # seed without one: from the indexes on the person key, the id and the participant
        self.attendances = (
            f"(SELECT q.id FROM {TABLES['participant']} q "  # noqa: S608
            f"WHERE q.person_key IN (SELECT s.person_key FROM {TABLES['participant']} s "
            f"WHERE s.id IN ({sql}) AND s.person_key <> '') "
            f"UNION ALL SELECT s.id FROM {TABLES['participant']} s "
            f"WHERE s.id IN ({sql}) AND s.person_key = '') q "
            f"JOIN {TABLES['attendance']} a ON a.participant_id = q.id"
        )
        self.attendances_params = [*params, *params]


@transaction.atomic(savepoint=False)
def people_refresh(
    *, participants: QuerySet[Participant] | None = None, calls: Iterable[int] | None = None
) -> None:
    """Recompute the kept people of ``participants`` (in their projects' calls), or every
    person of ``calls`` (ids), from the register; the totals move by the difference."""
    if (participants is None) == (calls is None):
        raise TypeError("people_refresh() takes participants or calls")
    if participants is not None:
        seed = participants.order_by().values("pk").query.sql_with_params()
        chosen = (
            f"SELECT DISTINCT pr.call_id AS id FROM {TABLES['participant']} s "  # noqa: S608
            f"JOIN {TABLES['project']} pr ON pr.id = s.project_id WHERE s.id IN ({seed[0]})",
            list(seed[1]),
        )
        scope = _Scope(seed)
    else:
        ids = sorted(set(calls))
        if not ids:
            return
        if connection.vendor == "postgresql":  # room to hash a call's distinct pairs in memory
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
        chosen = (
            f"SELECT id FROM {TABLES['call']} WHERE id IN ({_marks(ids)})",  # noqa: S608
            ids,
        )
        scope = _Scope()
    with connection.cursor() as cursor:
        locked = _lock(cursor, *chosen)
        if not locked:
            return
        _totals_move(cursor, "-", locked, scope)
        cursor.execute(
            f"DELETE FROM {TABLES['person_row']} WHERE call_id IN ({_marks(locked)}){scope.rows}",  # noqa: S608
            [*locked, *scope.rows_params],
        )
        cursor.execute(
            f"INSERT INTO {TABLES['person_row']} (call_id, person, participants) "  # noqa: S608
            f"SELECT d.call_id, {person('p')}, COUNT(*) FROM ("
            f"SELECT DISTINCT pr.call_id, a.participant_id FROM {scope.attendances} "
            f"JOIN {TABLES['activity']} act ON act.id = a.activity_id "
            f"JOIN {TABLES['project']} pr ON pr.id = act.project_id "
            f"WHERE pr.call_id IN ({_marks(locked)}) AND {IN_PERIOD}"
            f") d JOIN {TABLES['participant']} p ON p.id = d.participant_id "
            f"GROUP BY d.call_id, {person('p')}",
            [*scope.attendances_params, *locked],
        )
        _totals_move(cursor, "+", locked, scope)


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _lock(cursor, chosen: str, params: list) -> list[int]:
    """Lock the total rows of the calls whose ``id`` ``chosen`` selects, in call order, making
    those missing (an upsert's update locks the row it finds); their ids."""
    cursor.execute(
        f"INSERT INTO {TABLES['reach']} (call_id, people, participants) "  # noqa: S608
        f"SELECT c.id, 0, 0 FROM ({chosen}) c WHERE TRUE ORDER BY c.id "
        f"ON CONFLICT (call_id) DO UPDATE SET people = {TABLES['reach']}.people "
        "RETURNING call_id",
        params,
    )
    return sorted(call_id for (call_id,) in cursor.fetchall())


def _totals_move(cursor, sign: str, locked: list[int], scope: _Scope) -> None:
    """Take the scope's kept rows out of their calls' totals (``-``) or add them (``+``)."""
    cursor.execute(
        f"UPDATE {TABLES['reach']} SET people = people {sign} kept.persons, "  # noqa: S608
        f"participants = participants {sign} kept.attended "
        f"FROM (SELECT call_id, COUNT(*) AS persons, SUM(participants) AS attended "
        f"FROM {TABLES['person_row']} WHERE call_id IN ({_marks(locked)}){scope.rows} "
        f"GROUP BY call_id) kept WHERE {TABLES['reach']}.call_id = kept.call_id",
        [*locked, *scope.rows_params],
    )

"""A stamp per project that changes with every write its register's figures are drawn from.

A project page counts the people its KPIs count by target group live from the register (the
largest query of the page at a thousand projects). Those figures change only when one of the
project's rows below changes, so they can be kept under the project's stamp and read again
only when it moved.

The stamp is the number of transactions that wrote to the project, counted from
:class:`~grantmonitor.register.models.ProjectWrite`. PostgreSQL keeps those rows itself: after
every statement that inserts, updates or deletes rows of a table below, a trigger adds a row
per project those rows belong to and writing transaction (once per transaction), in that
transaction. So:

- no write path can forget it: the services, the batch writers, an import's COPY, the admin,
  a bulk ``update()``;
- rows are only ever added, so every commit that wrote to a project raises its count, and
  the same count is never reached by another set of writes;
- a rolled-back write adds nothing, and no transaction waits for another: each adds its own
  rows, and no row is updated.

A reader counts first and reads the figures after: a write committed in between gives newer
figures under the older count, which no later reader asks for. A transaction that wrote to
the project itself sees its own uncommitted row; it reads the figures live
(:func:`grantmonitor.register.selectors.project_stamps`), so that nothing it may roll back is
kept.

Each count reads one row per writing transaction of the project: ten thousand rows of one
project were counted in 1,8 ms (``EXPLAIN ANALYZE`` at scale L), about a tenth of what the
figures cost to read live. The rows are never folded together; a project written in hundreds of
thousands of transactions would need that.

Off PostgreSQL (the embedded SQLite of the demo) there are no stamps and the figures are read
live each time.
"""

from collections.abc import Iterable

#: Every table a project's counted populations are drawn from, as (app, model, the path from
#: one of its rows to the project, in Django's lookups; ``id`` for the project itself).
STAMPED = [
    ("register", "Participant", "project"),
    ("register", "ParticipantIdentity", "participant__project"),
    ("register", "Characteristic", "participant__project"),
    ("register", "Activity", "project"),
    ("register", "Activity_partners", "activity__project"),
    ("register", "Attendance", "activity__project"),
    ("register", "OrganisationPresence", "activity__project"),
    ("register", "Trajectory", "participant__project"),
    ("register", "CreditApplication", "participant__project"),
    ("register", "Referral", "participant__project"),
    ("register", "OrganisationReached", "project"),
    ("register", "FollowUpOutcome", "participant__project"),
    ("calls", "Project", "id"),  # its period bounds what the measures count
    ("kpis", "KpiMeasure", "kpi__project"),
    ("kpis", "MeasureDefinitionVersion", "definition__kpis__kpi__project"),
]

#: The writing transaction's id, with its epoch: never used twice.
TRANSACTION = "pg_current_xact_id()::text::bigint"
_OPERATIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _project_of(model, path: str, rows: str) -> str:
    """SELECT of the project ids of the rows of transition table ``rows`` (of ``model``)."""
    alias, joins = "r", []
    *steps, last = path.split("__")
    for number, name in enumerate(steps):
        field = model._meta.get_field(name)
        other, joined = field.related_model, f"j{number}"
        if field.concrete:  # a foreign key of this row
            on = f"{joined}.{field.target_field.column} = {alias}.{field.column}"
        else:  # rows pointing at this one
            on = f"{joined}.{field.field.column} = {alias}.{field.field.target_field.column}"
        joins.append(f"JOIN {other._meta.db_table} {joined} ON {on}")
        model, alias = other, joined
    column = model._meta.get_field(last).column
    return f"SELECT {alias}.{column} FROM {rows} r {' '.join(joins)}"  # noqa: S608 -- models' names


def _touch(writes: str, selects: Iterable[str]) -> str:
    return (
        f"INSERT INTO {writes} (project_id, transaction) "  # noqa: S608 -- models' names
        f"SELECT DISTINCT project_id, {TRANSACTION} FROM ({' UNION '.join(selects)}) "
        f"changed (project_id) WHERE project_id IS NOT NULL "
        f"ON CONFLICT (project_id, transaction) DO NOTHING;"
    )


def install_statements(apps) -> list[str]:
    """A function and three statement triggers per table of ``STAMPED``, for the models of
    ``apps`` (a migration's)."""
    writes = apps.get_model("register", "ProjectWrite")._meta.db_table
    statements = []
    for app, name, path in STAMPED:
        model = apps.get_model(app, name)
        table = model._meta.db_table
        new, old = (_project_of(model, path, rows) for rows in ("new_rows", "old_rows"))
        statements.append(
            f"CREATE OR REPLACE FUNCTION {table}_stamp() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n"
            f"  IF TG_OP = 'INSERT' THEN {_touch(writes, [new])}\n"
            f"  ELSIF TG_OP = 'DELETE' THEN {_touch(writes, [old])}\n"
            f"  ELSE {_touch(writes, [new, old])}\n"
            f"  END IF;\n"
            f"  RETURN NULL;\n"
            f"END $$"
        )
        statements.extend(_drop_triggers(table))
        statements.extend(
            f"CREATE TRIGGER {table}_stamp_{operation} AFTER {operation.upper()} ON {table} "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {table}_stamp()"
            for operation, referencing in _OPERATIONS.items()
        )
    return statements


def uninstall_statements(apps) -> list[str]:
    statements = []
    for app, name, _path in STAMPED:
        table = apps.get_model(app, name)._meta.db_table
        statements.extend(_drop_triggers(table))
        statements.append(f"DROP FUNCTION IF EXISTS {table}_stamp()")
    return statements


def _drop_triggers(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_stamp_{operation} ON {table}" for operation in _OPERATIONS
    ]

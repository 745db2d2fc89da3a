"""Stamps that change with every write to what a project's figures and pages are drawn from.

A project page counts the people its KPIs count by target group live from the register (the
largest query of the page at a thousand projects), and a call or project page reads a dozen
tables to show what seldom changes between two readers. What they show changes only when one
of the rows below changes, so it can be kept under stamps and read again only when one moved:

- a project's stamp moves with every write to its rows (``STAMPED``: its register, its period
  and partners, its KPIs, their measures and values, its dossier);
- the shared stamp moves with every write to a table that belongs to no project (calls,
  organisations, users and their roles, questions, definitions) and to the projects
  themselves and their partners (``ALSO_SHARED``), so that a project moved to another call or
  deleted moves it too; a sign-in moves it (the user's last login), so it moves a few times
  an hour, not with every registration;
- the call's kept people (``KEPT_WITH_PROJECTS``) are written only in the transaction of a
  write to one of the call's projects, which moves that project's stamp;
- the tables no kept figure or page shows are left out, each with why (``UNSTAMPED``).

A stamp is the number of transactions that wrote, kept in
:class:`~grantmonitor.register.models.ProjectWrite` (without a project for the shared tables).
PostgreSQL keeps those rows itself: after every statement that inserts, updates or deletes
rows of a table above, a trigger adds a row per project those rows belong to (or a shared
row) and writing transaction (once per transaction), in that transaction, and folds the
project's earlier committed rows into it: deletes them and adds their ``weight`` to its own.
The stamp is the sum of the weights. So:

- no write path can forget it: the services, the batch writers, an import's COPY, the admin,
  a bulk ``update()``;
- every commit that wrote raises the sum by one, and folding keeps it, so the same sum is
  never reached by another set of writes;
- a rolled-back write adds nothing and folds nothing, and no transaction waits for another:
  rows another one is folding are skipped (``FOR UPDATE SKIP LOCKED``), left for a later
  write to fold, and a transaction's own row is seen by no other until it commits;
- a project keeps a row or two, so a stamp is read in a fraction of a millisecond however
  long the project has been written to (a count over 100.000 unfolded rows took 18 ms).

A reader sums first and reads the figures after: a write committed in between gives newer
figures under the older sum, which no later reader asks for. A transaction that wrote
itself sees its own uncommitted rows; it reads the figures live
(:func:`grantmonitor.register.selectors.project_stamps`), so that nothing it may roll back is
kept.

Off PostgreSQL (the embedded SQLite of the demo) there are no stamps and everything is read
live each time.
"""

from collections.abc import Iterable

#: Every table of a project's own rows, as (app, model, the path from one of its rows to the
#: project, in Django's lookups; ``id`` for the project itself).
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
    ("calls", "Project_partners", "project"),
    ("kpis", "Track", "project"),
    ("kpis", "Kpi", "project"),
    ("kpis", "KpiValue", "kpi__project"),
    ("kpis", "TargetGroupCount", "kpi__project"),
    ("kpis", "OutcomeCount", "kpi__project"),
    ("dossiers", "Dossier", "project"),
    ("dossiers", "DossierStatusChange", "dossier__project"),
    ("dossiers", "BudgetLine", "dossier__project"),
    ("dossiers", "Advance", "dossier__project"),
    ("dossiers", "CostStatement", "dossier__project"),
    ("dossiers", "CostLine", "statement__dossier__project"),
    ("dossiers", "Inspection", "dossier__project"),
    ("dossiers", "Settlement", "dossier__project"),
    ("dossiers", "DossierAuditEntry", "dossier__project"),
]
#: Tables of ``STAMPED`` that move the shared stamp too: a call's stamp counts the writes to
#: the projects it holds now, so a project that leaves the call (or is deleted) must move it;
#: and the API's lists of projects, with their partners, are kept under the shared stamp.
ALSO_SHARED = {("calls", "Project"), ("calls", "Project_partners")}
#: Tables written only in the transaction of a write to the rows of a project they are kept
#: from (:mod:`grantmonitor.register.reach`): that write moves the stamps of whatever shows them.
KEPT_WITH_PROJECTS = {("register", "CallPerson"), ("register", "CallReach")}
#: The tables no kept figure or page shows, by (app, model): their writes move no stamp.
UNSTAMPED = {
    ("register", "ProjectWrite"): "the stamps themselves",
    ("sessions", "Session"): "the reader's own session, checked before any page is served",
    ("otp_totp", "TOTPDevice"): "second factors, checked before any page is served",
    ("otp_static", "StaticDevice"): "second factors, checked before any page is served",
    ("otp_static", "StaticToken"): "second factors, checked before any page is served",
    ("axes", "AccessAttempt"): "sign-in attempts",
    ("axes", "AccessFailureLog"): "sign-in attempts",
    ("axes", "AccessLog"): "sign-ins",
    ("authtoken", "Token"): "API tokens, checked before any answer",
    ("auditlog", "LogEntry"): "the audit trail, written with every write and never kept",
    ("audit", "Event"): "the audit trail, written with every write and never kept",
    ("admin", "LogEntry"): "the admin site's own history",
    ("contenttypes", "ContentType"): "written by migrations only",
    ("imports", "ImportJob"): "an import's progress, read live by its own page",
    ("kpis", "KeptInputs"): "KPI inputs kept from the register, shown only as the KPI values",
    ("kpis", "KeptItem"): "KPI inputs kept from the register, shown only as the KPI values",
    ("kpis", "KeptStale"): "marks of the kept KPI inputs a write made stale, never shown",
}

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


def _touch(writes: str, selects: Iterable[str], *, fold: bool) -> str:
    """This transaction's row for each project of the changed rows; with ``fold``, the first
    time, the project's other committed rows folded into it."""
    insert = (
        f"INSERT INTO {writes} (project_id, transaction) "  # noqa: S608 -- models' names
        f"SELECT DISTINCT project_id, {TRANSACTION} FROM ({' UNION '.join(selects)}) "
        f"changed (project_id) WHERE project_id IS NOT NULL "
        f"ON CONFLICT (project_id, transaction) DO NOTHING"
    )
    if not fold:
        return insert + ";"
    folded = _fold(writes, "project_id = ANY(projects)", "w.project_id = f.project_id")
    return (
        f"WITH added AS ({insert} RETURNING project_id) "  # noqa: S608 -- models' names
        f"SELECT array_agg(project_id) INTO projects FROM added; "
        f"IF projects IS NOT NULL THEN {folded} END IF;"
    )


def _fold(writes: str, scope: str, same: str) -> str:
    """The committed rows of ``scope`` that no other transaction is folding, deleted and their
    weight added to this transaction's row (``same``: the condition matching the row ``w`` to
    the folded ones ``f``): the sum stays what it was, in fewer rows. Rows another transaction
    holds are skipped (left for later), so no writer waits for another.

    ``same`` is an equality the database can hash: with ``IS NOT DISTINCT FROM`` (one
    condition for both kinds of rows) a transaction writing to a thousand projects compared a
    thousand rows with a thousand (0,5 s of a full KPI recompute)."""
    return (
        f"WITH folded AS (DELETE FROM {writes} WHERE id IN ("  # noqa: S608 -- models' names
        f"SELECT id FROM {writes} WHERE {scope} AND transaction <> {TRANSACTION} "
        f"FOR UPDATE SKIP LOCKED) RETURNING project_id, weight) "
        f"UPDATE {writes} w SET weight = w.weight + f.weight "
        f"FROM (SELECT project_id, SUM(weight) AS weight FROM folded GROUP BY project_id) f "
        f"WHERE {same} AND w.transaction = {TRANSACTION};"
    )


def shared_models(apps) -> list:
    """The models of ``apps`` (a migration's) whose tables move the shared stamp: every table
    that is neither a project's own (``STAMPED``) nor ``UNSTAMPED``, and ``ALSO_SHARED``."""
    own = {(app, name) for app, name, _path in STAMPED} - ALSO_SHARED
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and (model._meta.app_label, model._meta.object_name)
        not in own | KEPT_WITH_PROJECTS | set(UNSTAMPED)
    ]


def _stamped(apps) -> list[tuple]:
    """The models of ``STAMPED`` that ``apps`` (a migration's) has, with their paths: a table
    made after that migration gets its triggers from a later one."""
    found = []
    for app, name, path in STAMPED:
        try:
            found.append((apps.get_model(app, name), path))
        except LookupError:
            continue
    return found


def _shared_touch(writes: str, rows: str) -> str:
    folded = _fold(writes, "project_id IS NULL", "w.project_id IS NULL")
    return (
        f"IF EXISTS (SELECT FROM {rows}) THEN "  # noqa: S608 -- models' names
        f"INSERT INTO {writes} (project_id, transaction) VALUES (NULL, {TRANSACTION}) "
        f"ON CONFLICT (transaction) WHERE project_id IS NULL DO NOTHING; "
        f"GET DIAGNOSTICS added = ROW_COUNT; "
        f"IF added > 0 THEN {folded} END IF; END IF;"
    )


def install_statements(apps, *, shared: bool = True, fold: bool = True) -> list[str]:
    """A function and three statement triggers per table of ``STAMPED`` among the models of
    ``apps`` (a migration's), and with ``shared`` per table of :func:`shared_models`. Without
    ``fold``, as before ``register/0005``: one row per transaction, never folded."""
    writes = apps.get_model("register", "ProjectWrite")._meta.db_table
    statements = []
    for model in shared_models(apps) if shared else []:
        statements += trigger_statements(
            model._meta.db_table,
            "shared",
            "added integer",
            f"IF TG_OP = 'DELETE' THEN {_shared_touch(writes, 'old_rows')}\n"
            f"  ELSE {_shared_touch(writes, 'new_rows')}",
        )
    for model, path in _stamped(apps):
        new, old = (_project_of(model, path, rows) for rows in ("new_rows", "old_rows"))
        statements += trigger_statements(
            model._meta.db_table,
            "stamp",
            "projects bigint[]",
            f"IF TG_OP = 'INSERT' THEN {_touch(writes, [new], fold=fold)}\n"
            f"  ELSIF TG_OP = 'DELETE' THEN {_touch(writes, [old], fold=fold)}\n"
            f"  ELSE {_touch(writes, [new, old], fold=fold)}",
        )
    return statements


def trigger_statements(table: str, kind: str, declare: str, body: str) -> list[str]:
    """The function ``{table}_{kind}()`` running ``body`` (branches on ``TG_OP``, the last
    ``END IF`` left out) after every statement that inserts, updates or deletes rows of
    ``table``, and its three triggers; the rows are ``new_rows`` and ``old_rows``."""
    return [
        f"CREATE OR REPLACE FUNCTION {table}_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        + (f"DECLARE {declare};\n" if declare else "")
        + f"BEGIN\n"
        f"  {body}\n"
        f"  END IF;\n"
        f"  RETURN NULL;\n"
        f"END $$",
        *_drop_triggers(table, kind),
        *_create_triggers(table, kind),
    ]


def uninstall_statements(apps, *, shared: bool = True) -> list[str]:
    """What :func:`install_statements` installed: with ``shared``, the shared triggers alone."""
    if shared:
        tables = [(model._meta.db_table, "shared") for model in shared_models(apps)]
    else:
        tables = [(model._meta.db_table, "stamp") for model, _path in _stamped(apps)]
    return [statement for table, kind in tables for statement in drop_statements(table, kind)]


def drop_statements(table: str, kind: str) -> list[str]:
    """What :func:`trigger_statements` made for ``table`` and ``kind``, dropped."""
    return [*_drop_triggers(table, kind), f"DROP FUNCTION IF EXISTS {table}_{kind}()"]


def _create_triggers(table: str, kind: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_{kind}_{operation} AFTER {operation.upper()} ON {table} "
        f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {table}_{kind}()"
        for operation, referencing in _OPERATIONS.items()
    ]


def _drop_triggers(table: str, kind: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_{kind}_{operation} ON {table}" for operation in _OPERATIONS
    ]

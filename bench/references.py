"""The references the engine is measured against: DuckDB and a naive per-project ORM loop.

DuckDB runs **the very SQL statements the engine ran** (captured while it recomputed, with
their parameters inlined) on the same tables, exported once to CSV: the same KPIs, computed
by a columnar engine with nothing else to do. The naive loop is what a typical Django app
does: for each project, for each KPI, walk its activities and their attendances as objects.
"""

import csv
import datetime
import time
from decimal import Decimal
from pathlib import Path

import duckdb
from django.apps import apps
from django.db import connection, models

from grantmonitor.calls.models import Project
from grantmonitor.kpis import definitions
from grantmonitor.organisations.models import Organisation
from grantmonitor.register.models import Activity

DUCK_TYPES = {
    "BigAutoField": "BIGINT",
    "AutoField": "BIGINT",
    "ForeignKey": "BIGINT",
    "OneToOneField": "BIGINT",
    "BigIntegerField": "BIGINT",
    "IntegerField": "BIGINT",
    "PositiveIntegerField": "BIGINT",
    "PositiveSmallIntegerField": "BIGINT",
    "SmallIntegerField": "BIGINT",
    "BooleanField": "BOOLEAN",
    "DateField": "DATE",
    "DateTimeField": "TIMESTAMPTZ",
    "DecimalField": "DECIMAL(18, 2)",
}


def exported_models() -> list[type[models.Model]]:
    """The register, the projects and the organisations: all the engine's SQL reads."""
    register = list(apps.get_app_config("register").get_models())
    return [*register, Activity.partners.through, Project, Organisation]


def _columns(model) -> list[tuple[str, str]]:
    return [
        (field.column, DUCK_TYPES.get(field.get_internal_type(), "VARCHAR"))
        for field in model._meta.concrete_fields
    ]


NULL = r"\N"


def export(folder: Path) -> int:
    """Write every exported table to ``folder`` as CSV (COPY on PostgreSQL); returns rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = 0
    for model in exported_models():
        table = connection.ops.quote_name(model._meta.db_table)
        columns = _columns(model)
        names = ", ".join(connection.ops.quote_name(c) for c, _t in columns)
        path = folder / f"{model._meta.db_table}.csv"
        with connection.cursor() as cursor, path.open("w", newline="") as out:
            if connection.vendor == "postgresql":
                select = f"SELECT {names} FROM {table}"  # noqa: S608 -- the models' own names
                sql = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, NULL '{NULL}')"
                with cursor.cursor.copy(sql) as copy:
                    for block in copy:
                        out.write(bytes(block).decode())
            else:
                cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608 -- as above
                booleans = [kind == "BOOLEAN" for _c, kind in columns]
                writer = csv.writer(out)
                for row in cursor.fetchall():
                    writer.writerow([_csv_value(v, b) for v, b in zip(row, booleans, strict=True)])
        with path.open("rb") as counted:
            rows += sum(1 for _ in counted)
    return rows


def _csv_value(value, boolean: bool):
    if value is None:
        return NULL
    return ("true" if value else "false") if boolean else value


def load(folder: Path) -> duckdb.DuckDBPyConnection:
    duck = duckdb.connect()
    # SQLite's date functions as Django registers them, for SQL captured on SQLite.
    duck.execute("CREATE MACRO django_date_extract(part, d) AS date_part(part, CAST(d AS DATE))")
    for model in exported_models():
        table = model._meta.db_table
        columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in _columns(model)) + "}"
        duck.execute(
            f'CREATE TABLE "{table}" AS SELECT * FROM read_csv(?, columns = {columns}, '  # noqa: S608
            "header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"nullstr = '{NULL}')",
            [str(folder / f"{table}.csv")],
        )
    return duck


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def inline(sql: str, params) -> str:
    return sql % tuple(literal(p) for p in params or ())


def run_statements(duck, statements: list[str]) -> tuple[float, list[list[tuple]]]:
    clock = time.perf_counter()
    results = [duck.execute(sql).fetchall() for sql in statements]
    return time.perf_counter() - clock, results


# --- the naive loop ------------------------------------------------------------------------


def naive_kpi(project: Project, spec: dict) -> dict | None:
    """The cumulative value and the values per year, counted object by object.

    Only the definitions of the synthetic projects (attendees or activities of some kinds in
    the project period); None for any other shape.
    """
    if definitions.shape(spec) != "measure" or spec["count"] not in ("attendees", "activities"):
        return None
    kinds = spec.get("filters", {}).get("activity_kind")
    total: set = set()
    by_year: dict[int, set] = {}
    for activity in Activity.objects.filter(project=project):
        if kinds and activity.kind not in kinds:
            continue
        if project.start_date and activity.date < project.start_date:
            continue
        if project.end_date and activity.date > project.end_date:
            continue
        year = by_year.setdefault(activity.date.year, set())
        if spec["count"] == "activities":
            total.add(activity.pk)
            year.add(activity.pk)
            continue
        for attendance in activity.attendances.all():
            total.add(attendance.participant_id)
            year.add(attendance.participant_id)
    return {"total": len(total), "by_year": {y: len(s) for y, s in sorted(by_year.items())}}

"""Batch writes on the register: many rows in a few statements, then one KPI recompute.

The services in :mod:`grantmonitor.register.services` validate, save and recompute the
affected KPIs for every row: right for a form, 5–10 ms a row for an import, hours for a million
rows. Here the work is split the other way round:

- ``*_build`` validates one row exactly as the service would (field by field, the project
  period, the INSZ, the characteristic codes) and returns it unsaved, without a query;
- ``*_write`` inserts a chunk of built rows: on PostgreSQL ``COPY`` into a staging table and
  one ``INSERT … SELECT … ON CONFLICT DO NOTHING``, elsewhere ``bulk_create``; a row a unique
  constraint already holds (the same person in the project, the same attendance) is skipped,
  so a re-import creates nothing twice even when two imports race;
- :func:`recompute` recomputes each affected project's KPIs once, at the end, and the people
  its attendance reached over its call.

The caller holds the transaction (an import is all or nothing), so readers never see rows
without the KPI values they change. Activities and participants known by a promoter's
reference have no unique constraint: the caller asks first which are present (the importer
does, per batch).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.kpis import engine
from grantmonitor.organisations.models import Organisation
from grantmonitor.register import reach
from grantmonitor.register.checks import characteristic_check, in_project_period, participant_new
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    Characteristic,
    Participant,
    characteristic_codes,
)


@dataclass
class NewParticipant:
    participant: Participant
    characteristics: list[str]


def participant_build(
    *,
    project: Project,
    registered_on: datetime.date,
    insz: str = "",
    reference: str = "",
    birth_year: int | None = None,
    gender: str = "",
    characteristics: Iterable[str] = (),
) -> NewParticipant:
    """What :func:`~grantmonitor.register.services.participant_register` checks, unsaved."""
    participant = participant_new(
        project=project,
        registered_on=registered_on,
        insz=insz,
        reference=reference,
        birth_year=birth_year,
        gender=gender,
    )
    participant.full_clean(exclude=["project"], validate_unique=False, validate_constraints=False)
    codes = list(dict.fromkeys(characteristics))
    for code in codes:
        characteristic_check(code)
    return NewParticipant(participant, codes)


@transaction.atomic
def participants_write(new: Sequence[NewParticipant]) -> int:
    """Insert built participants and their characteristics; returns how many were new."""
    participants = [item.participant for item in new]
    if connection.vendor == "postgresql":
        for participant, pk in zip(participants, _next_ids(Participant, len(new)), strict=True):
            participant.pk = pk
        columns = ["id", *PARTICIPANT_COLUMNS]
        rows = [tuple(getattr(p, column) for column in columns) for p in participants]
        inserted = {pk for (pk,) in _copy_insert(Participant, columns, rows, returning="id")}
    else:  # no COPY: one statement a row, each saying whether it inserted
        inserted = set()
        for participant in participants:
            row = tuple(getattr(participant, column) for column in PARTICIPANT_COLUMNS)
            participant.pk = _insert_one(Participant, PARTICIPANT_COLUMNS, row)
            inserted.add(participant.pk)
        inserted.discard(None)
    _insert(
        Characteristic,
        ["participant_id", "code", "recorded_on"],
        [
            (item.participant.pk, code, item.participant.registered_on)
            for item in new
            if item.participant.pk in inserted
            for code in item.characteristics
        ],
    )
    return len(inserted)


PARTICIPANT_COLUMNS = [
    "project_id",
    "person_key",
    "reference",
    "birth_year",
    "gender",
    "registered_on",
]


def activity_build(
    *,
    project: Project,
    kind: ActivityKind,
    date: datetime.date,
    organiser: Organisation,
    title: str = "",
    audience: str = "",
) -> Activity:
    """What :func:`~grantmonitor.register.services.activity_record` checks, unsaved."""
    if audience and audience not in characteristic_codes():
        raise ValidationError(
            {"audience": _("unknown characteristic “%(code)s”.") % {"code": audience}}
        )
    activity = Activity(
        project=project, kind=kind, date=date, organiser=organiser, title=title, audience=audience
    )
    activity.full_clean(
        exclude=["project", "organiser"], validate_unique=False, validate_constraints=False
    )
    in_project_period(project, date, "date")
    return activity


ACTIVITY_COLUMNS = ["project_id", "kind", "date", "title", "organiser_id", "audience"]


@transaction.atomic
def activities_write(activities: Sequence[Activity]) -> int:
    """Insert built activities (without partners or attendance); returns how many."""
    rows = [tuple(getattr(a, column) for column in ACTIVITY_COLUMNS) for a in activities]
    return _insert(Activity, ACTIVITY_COLUMNS, rows)


@transaction.atomic
def attendances_write(pairs: Sequence[tuple[int, int]]) -> int:
    """Insert ``(activity id, participant id)`` pairs, each of one project (the caller looks
    both up within the project); one already recorded is skipped. Returns how many were new."""
    return _insert(Attendance, ["activity_id", "participant_id"], pairs)


@transaction.atomic
def attendances_insert_from(select: str) -> int:
    """Insert the ``(activity id, participant id)`` pairs a query selects (PostgreSQL; the
    caller found both within one project); one already recorded, or twice selected, is
    skipped. Returns how many were new."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Attendance._meta.db_table} (activity_id, participant_id) "
            f"{select} ON CONFLICT DO NOTHING"
        )
        return cursor.rowcount


# Which of the engine's countables each write touches (None: any, a characteristic may be
# filtered on by every measure).
TOUCHING: dict[str, frozenset[str] | None] = {
    "participants": None,
    "activities": frozenset({"activities"}),
    "attendance": frozenset({"attendees"}),
}


def recompute(touched: dict[Project, frozenset[str] | None]) -> int:
    """Recompute once per project the KPIs counting what was written, then the call's people
    its attendance reached (:mod:`grantmonitor.register.reach`); returns KPI values stored."""
    stored = sum(
        engine.project_recompute(
            project=project, touching=None if touching is None else set(touching)
        )
        for project, touching in touched.items()
    )
    attended = [
        project.pk
        for project, touching in touched.items()
        if touching is None or "attendees" in touching
    ]
    if attended:
        reach.people_refresh(participants=Participant.objects.filter(project__in=attended))
    return stored


def _insert(model, columns: list[str], rows: Sequence[tuple]) -> int:
    """Insert ``rows`` (values of ``columns``), skipping those a unique constraint holds;
    returns how many were inserted."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _copy_insert(model, columns, rows)
    with connection.cursor() as cursor:
        cursor.executemany(
            _insert_sql(model, columns), [_prepared(model, columns, row) for row in rows]
        )
        return cursor.rowcount


def _insert_one(model, columns: list[str], row: tuple) -> int | None:
    """Insert one row; its id, or None when a unique constraint already holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_sql(model, columns) + " RETURNING id", _prepared(model, columns, row)
        )
        inserted = cursor.fetchone()
    return inserted[0] if inserted else None


def _insert_sql(model, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 -- quoted names
        f"({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING"
    )


def _prepared(model, columns: list[str], row: tuple) -> list:
    fields = [model._meta.get_field(column) for column in columns]
    return [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
    ]


def _copy_insert(model, columns: list[str], rows: Sequence[tuple], returning: str = ""):
    """``COPY`` into a staging table of the same columns, then insert what conflicts with
    nothing. Returns the ``returning`` column of the inserted rows, or else their number."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"staging_{model._meta.db_table}")
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608 -- quoted names
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            "ON CONFLICT DO NOTHING" + (f" RETURNING {quote(returning)}" if returning else "")
        )
        result = cursor.fetchall() if returning else cursor.rowcount
        cursor.execute(f"TRUNCATE {staging}")
    return result


def _next_ids(model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]

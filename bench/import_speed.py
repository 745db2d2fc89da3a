"""Validated import rows/s next to raw PostgreSQL COPY rows/s of the same file (issue 7, item 4).

Builds, inside a transaction that is rolled back at the end (the database is left as found),
1,000 participants and 100 activities in the demo's Hefboom project with a KPI counting the
attendees, writes an attendance CSV of 100 × 1,000 = 100,000 rows, then times:

1. raw ``COPY`` of the file into a table of text columns: what PostgreSQL ingests at most;
2. the validated import (``import_file``: on PostgreSQL the file is staged with COPY, each
   distinct activity and person checked once, the rows joined to them and inserted in SQL,
   one KPI recompute), including the foreign-key checks the commit runs (the import's
   transaction is rolled back here, so they are forced with ``SET CONSTRAINTS ALL IMMEDIATE``);
3. the floor of any import into the register: ``COPY`` of the same rows, already resolved
   to (activity id, participant id), straight into the attendance table, climbing what the
   table holds one step at a time (each step in a transaction of its own, rolled back, so
   that no step finds another's dead index entries; the steps below the last drop what they
   leave out inside that transaction, which its rollback restores):

   - the table's heap alone (no index, no trigger, no foreign key);
   - with the one index the register cannot do without: an attendance once per activity and
     participant;
   - with its other indexes (the primary key, lookups by participant);
   - with its statement triggers (the pages' stamps, the kept KPI inputs' marks);
   - with its two foreign keys checked: the table as it is, what every import pays;
4. the former path, row by row through ``attendance_record`` (each row looked up and the KPI
   recomputed), on the first ``BEFORE_ROWS`` rows only, as it would take hours on all.

``DATABASE_URL`` names the database (default: ``gm_uploads_bench`` on the local server).
Usage: ``.venv/bin/python bench/import_speed.py [ROWS]``.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ACTIVITIES = 100
BEFORE_ROWS = 200


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gm_uploads_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantmonitor.conf.settings")
    import django

    django.setup()


def _project():
    from grantmonitor.calls.models import Project
    from grantmonitor.demo.seed import load_demo
    from grantmonitor.kpis.models import Kpi
    from grantmonitor.kpis.services import kpi_measure_bind, measure_definition_create

    if not Project.objects.filter(name="Hefboom").exists():
        load_demo()
    project = Project.objects.get(name="Hefboom")
    kpi = Kpi.objects.filter(project=project).first()
    definition = measure_definition_create(
        code="bench-import-attendees", name="attendees", spec={"count": "attendees"}
    )
    kpi_measure_bind(kpi=kpi, definition=definition)
    return project


def _register(project, people: int) -> list[tuple]:
    from grantmonitor.register import batch
    from grantmonitor.register.models import ActivityKind

    day = datetime.date(2014, 1, 6)
    batch.participants_write(
        [
            batch.participant_build(
                project=project, registered_on=day, reference=f"BENCH-{number:05d}"
            )
            for number in range(people)
        ]
    )
    sessions = [
        (day + datetime.timedelta(days=number), ActivityKind.TRAINING, f"Opleiding {number}")
        for number in range(ACTIVITIES)
    ]
    batch.activities_write(
        [
            batch.activity_build(
                project=project, kind=kind, date=date, title=title, organiser=project.promoter
            )
            for date, kind, title in sessions
        ]
    )
    return sessions


def _write_file(path: Path, sessions: list[tuple], people: int) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("project;datum;soort;titel;referentie van de promotor\n")
        for date, kind, title in sessions:
            belgian = date.strftime("%d/%m/%Y")
            for number in range(people):
                out.write(f"Hefboom;{belgian};{kind};{title};BENCH-{number:05d}\n")
                rows += 1
    return rows


def _raw_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE raw_attendance "
            "(project text, datum text, soort text, titel text, referentie text)"
        )
        clock = time.perf_counter()
        with (
            path.open("rb") as source,
            cursor.cursor.copy(
                "COPY raw_attendance FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        return time.perf_counter() - clock


def _row_by_row(project, path: Path) -> tuple[int, float]:
    """The former importer's write path: look each row up, record it through the service."""
    from django.db import transaction

    from grantmonitor.imports.sheets import read_rows
    from grantmonitor.register.models import Activity, Participant
    from grantmonitor.register.services import attendance_record

    _header, rows = read_rows(path, file_name=path.name)
    with transaction.atomic():
        clock = time.perf_counter()
        done = 0
        for row in rows:
            if done == BEFORE_ROWS:
                break
            day, month, year = row.cells["datum"].split("/")
            activity = Activity.objects.filter(
                project=project,
                date=datetime.date(int(year), int(month), int(day)),
                kind=row.cells["soort"],
                title=row.cells["titel"],
            ).first()
            participant = Participant.objects.filter(
                project=project, reference=row.cells["referentie van de promotor"]
            ).first()
            attendance_record(activity=activity, participant=participant)
            done += 1
        seconds = time.perf_counter() - clock
        transaction.set_rollback(True)
    return done, seconds


#: What the floor's steps leave out of the attendance table, the least first: each step keeps
#: one more part of the table than the one before, and the last keeps it all.
FLOOR_STEPS = [
    ("heap alone", {"unique index", "other indexes", "triggers", "foreign keys"}),
    ("+ unique (activity, participant) index", {"other indexes", "triggers", "foreign keys"}),
    ("+ primary key, index by participant", {"triggers", "foreign keys"}),
    ("+ statement triggers", {"foreign keys"}),
    ("+ foreign keys checked (the table as it is)", set()),
]

#: The constraint types (``pg_constraint.contype``) behind each part.
_CONSTRAINTS = {"unique index": "u", "other indexes": "p", "foreign keys": "f"}


def _leave_out(cursor, parts: set[str]) -> None:
    """Drop ``parts`` of the attendance table inside the running transaction."""
    table = "register_attendance"
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = ANY(%s)",
        [table, [kind for part, kind in _CONSTRAINTS.items() if part in parts]],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    if "other indexes" in parts:  # the indexes no constraint owns
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = indexrelid)",
            [table],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
    if "triggers" in parts:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def _write_floor(project, leave_out: set[str]) -> float:
    """COPY the file's rows, resolved to ids beforehand, into the attendance table, with
    ``leave_out`` of the table dropped first."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The checks the set-up queued run now, untimed: no table can be altered before.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _leave_out(cursor, leave_out)
        cursor.execute(
            "SELECT a.id, p.id FROM register_activity a JOIN register_participant p "
            "ON p.project_id = a.project_id WHERE a.project_id = %s "
            "AND p.reference LIKE 'BENCH-%%' "
            "ORDER BY a.id, p.id",
            [project.pk],
        )
        pairs = cursor.fetchall()
        clock = time.perf_counter()
        with cursor.cursor.copy(
            "COPY register_attendance (activity_id, participant_id) FROM STDIN"
        ) as copy:
            for pair in pairs:
                copy.write_row(pair)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return time.perf_counter() - clock


def _fk_checks() -> float:
    from django.db import connection

    clock = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return time.perf_counter() - clock


def main(argv: list[str]) -> int:
    _setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from grantmonitor.imports.importer import import_file

    rows_wanted = int(argv[0]) if argv else 100_000
    people = rows_wanted // ACTIVITIES
    call_command("migrate", verbosity=0)
    if connection.vendor != "postgresql":
        print("import_speed compares with PostgreSQL COPY; DATABASE_URL is not PostgreSQL")
        return 2
    floors = []
    for label, leave_out in FLOOR_STEPS:
        with transaction.atomic():
            project = _project()
            _register(project, people)
            floors.append((label, _write_floor(project, leave_out)))
            transaction.set_rollback(True)
    floor_s = floors[-1][1]
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        project = _project()
        sessions = _register(project, people)
        path = Path(folder) / "aanwezigheden.csv"
        rows = _write_file(path, sessions, people)
        size = path.stat().st_size
        copy_s = _raw_copy(path)
        before_rows, before_s = _row_by_row(project, path)
        clock = time.perf_counter()
        report = import_file(source=path, file_name=path.name, kind="attendance")
        import_s = time.perf_counter() - clock
        checks_s = _fk_checks()
        assert report.saved and report.created == rows, report
        transaction.set_rollback(True)
    total_s = import_s + checks_s
    print(f"file: {rows:,} attendance rows ({size:,} bytes), PostgreSQL, same run")
    print(f"raw COPY into text columns:      {rows / copy_s:>10,.0f} rows/s ({copy_s:.2f} s)")
    print(
        f"validated import (staged, SQL):  {rows / total_s:>10,.0f} rows/s ({total_s:.2f} s: "
        f"import {import_s:.2f} s + foreign-key checks at commit {checks_s:.2f} s)"
    )
    print("COPY of resolved ids into the attendance table:")
    for label, seconds in floors:
        print(
            f"  {label + ':':<46} {rows / seconds:>10,.0f} rows/s ({seconds:.2f} s, "
            f"{copy_s / seconds:.2f} of raw COPY)"
        )
    print(
        f"row by row through the service: {before_rows / before_s:>10,.0f} rows/s "
        f"(first {before_rows:,} rows, {before_s:.2f} s)"
    )
    print(f"ratio validated / raw COPY: {copy_s / total_s:.2f} (target at least 0.50)")
    print(f"ratio validated / COPY into the attendance table: {floor_s / total_s:.2f}")
    print(f"speed-up over row by row: {(rows / total_s) / (before_rows / before_s):.0f}x")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    raise SystemExit(main(sys.argv[1:]))

"""The benchmark harness: ``python bench/run.py --scale S|M|L [--db postgres|sqlite]``.

Builds (once) its own database ``gm_bench_<scale>`` with the synthetic register, then
measures, each next to its reference in the same run:

1. the full KPI recompute, next to DuckDB running the same SQL on the same data exported
   once, and next to a naive per-project ORM loop (timed on a sample, extrapolated);
2. registering one attendance until the affected KPIs are fresh, p50/p95 over 200;
3. pages and API endpoints under gunicorn with production settings, 20 concurrent clients
   (wrk), and the queries each one makes;
4. validated import rows/s next to COPY rows/s (``bench/import_speed.py``, when it exists);
5. the answer as DOCX and PDF for the seed's call and for the synthetic call.

Prints the results with the machine's description and appends them to ``bench/RESULTS.md``.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALES = {"S": 10, "M": 100, "L": 1000}  # synthetic projects of ~10.000 attendances each
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def database_url(name: str, db: str) -> str:
    if db == "sqlite":
        folder = HERE.parent / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / name}.sqlite3"
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_SERVER}/{name}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantmonitor.conf.settings")
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    kib = int(Path("/proc/meminfo").read_text().split()[1])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")  # whether the register stays in memory
            database = f"PostgreSQL {version}"
            database_settings = f"shared_buffers {cursor.fetchone()[0]}"
            cursor.execute("SHOW autovacuum")
            database_settings += f", autovacuum {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
            database_settings = ""
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "database": database,
        "database settings": database_settings,
        "python": platform.python_version(),
        "load average (1 min) at start": f"{os.getloadavg()[0]:.1f}",
    }


def build(projects: int) -> dict:
    """Migrate and generate the register unless the database has it already."""
    from django.core.management import call_command
    from django.db import connection

    from grantmonitor.calls.models import Project
    from grantmonitor.register.models import Attendance, Participant
    from grantmonitor.register.synth import SYNTH_CALL_TITLE, synth

    call_command("migrate", verbosity=0)
    report = {"built": False}
    if not Project.objects.filter(call__title=SYNTH_CALL_TITLE).exists():
        clock = time.perf_counter()
        synth(scale=1, projects=projects)
        report = {"built": True, "build_s": time.perf_counter() - clock}
        clock = time.perf_counter()
        with connection.cursor() as cursor:  # fresh statistics, and index-only scans
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        report["analyze_s"] = time.perf_counter() - clock
    report["attendances"] = Attendance.objects.count()
    report["participants"] = Participant.objects.count()
    return report


def prepare() -> int:
    """Before each section, the KPI values fresh and the dead rows cleared; returns how many
    values had to be stored.

    The values: a section run on its own (``--only``) finds the database as anything before it
    left it, and a page or an answer without its computed values draws no figures and no
    charts (the recompute stores nothing when they are fresh). The dead rows (an import's rows
    removed, values recomputed), as autovacuum would in time (some servers have it off): they
    turn the register's index-only scans into heap reads (a project page's people 9 → 23 ms).
    """
    from django.db import connection

    from grantmonitor.kpis.engine import recompute_all

    stored = recompute_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return stored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, required=True)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--projects",
        type=int,
        help="synthetic projects instead of the scale's (database gm_bench_p<projects>)",
    )
    parser.add_argument(
        "--only",
        default="recompute,attendance,pages,imports,documents",
        help="comma-separated sections to run (default: all; empty: only build the data)",
    )
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    projects = args.projects or SCALES[args.scale]
    name = f"gm_bench_p{projects}" if args.projects else f"gm_bench_{args.scale.lower()}"
    url = database_url(name, args.db)
    setup_django(url)

    import measures  # after django.setup(): reads models

    started = datetime.datetime.now().astimezone()
    results: dict = {
        "scale": f"{'' if args.projects else args.scale + ' '}({projects} synthetic projects)",
        "db": args.db,
        "date": started.isoformat(timespec="minutes"),
        "machine": machine(),
        "data": build(projects),
    }
    print(measures.describe(results), flush=True)
    for section in filter(None, args.only.split(",")):
        stale = prepare()
        if stale:
            print(f"({stale} KPI values were not fresh: recomputed before {section})", flush=True)
        clock = time.perf_counter()
        results[section] = getattr(measures, section)(url=url, scale=args.scale)
        results[section]["section_s"] = time.perf_counter() - clock
        print(measures.describe({section: results[section]}), flush=True)
    if not args.no_append:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + measures.describe(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

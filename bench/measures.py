"""The five measurements of ``bench/run.py``; each returns a dict of figures."""

import contextlib
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from unittest import mock

import redis
import references
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Call, Project
from grantmonitor.conf import gunicorn as gunicorn_settings
from grantmonitor.demo.seed import CALL_TITLE
from grantmonitor.documents.render import render_answer
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import KeptInputs, KeptItem, KpiMeasure, KpiValue, ValueSource
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.questions.models import Topic, WrittenQuestion
from grantmonitor.questions.services import question_create, sub_question_add
from grantmonitor.register.models import Activity, Attendance, Participant
from grantmonitor.register.services import attendance_record
from grantmonitor.register.synth import SYNTH_CALL_TITLE

HERE = Path(__file__).resolve().parent
NAIVE_BUDGET_S = 20.0  # the naive loop runs on a sample of projects for about this long
REGISTRATIONS = 200
CLIENTS = 20
WRK_SECONDS = 10
WARM_UP_SECONDS = 2  # before a page is measured, each worker has answered it once
SETTLED_CPU_S = 0.05  # the server is idle when it used less CPU than this in half a second
WRK_TIMEOUT = "30s"  # a slow answer is a latency, not a socket error left out of the figures
USERS_SECONDS = 30
RUNS = 3  # the recompute, its parts and DuckDB are timed this often; the median is printed
THINK_S = (0.5, 1.5)  # a user's pause between two requests, uniform: 1 s on average
WRITE_EVERY_S = 1.0  # while people read, a coach registers an attendance this often
#: Where the server keeps pages: a Redis database of its own (emptied before the pages are
#: measured), shared by the workers, as in production; ``locmemcache://``: each worker its own.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")


def _synthetic() -> list[Project]:
    return list(Project.objects.filter(call__title=SYNTH_CALL_TITLE).order_by("order"))


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max_ms": 1000 * ordered[-1],
    }


# --- 1. recompute ----------------------------------------------------------------------------


def recompute(**_kwargs) -> dict:
    """The engine from scratch: every computed value deleted, then stored anew (committed, as
    an operator's recompute does; the figures are the same), ``RUNS`` times: counting the
    kept inputs (``kpis.kept``, the default on PostgreSQL), and counting the register
    (``KEPT_KPI_INPUTS`` off), whose statements DuckDB runs. Deleting in the recompute's own
    transaction would keep it on one connection (see ``engine._shared_snapshot``)."""
    statements: list[str] = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and '"register_' in sql:
            statements.append(references.inline(sql, params))
        return execute(sql, params, many, context)

    def capture_on(sender, connection, **_kwargs):  # the recompute's other connections
        connection.execute_wrappers.append(capture)

    synthetic = _synthetic()
    figures = {}
    with override_settings(KEPT_KPI_INPUTS=False):
        _computed_deleted()
        connection_created.connect(capture_on, weak=False)
        try:
            with connection.execute_wrapper(capture):
                clock = time.perf_counter()
                figures["values_stored"] = engine.recompute_all()
                runs = [time.perf_counter() - clock]
        finally:
            connection_created.disconnect(capture_on)
        from_register = _stored_figures()
        figures["register_runs"] = runs + [_timed_recompute() for _run in range(RUNS - 1)]
        figures["floor_runs"] = [_statements_alone(first_step_only=True) for _run in range(RUNS)]
    if connection.vendor == "postgresql":
        figures["kept_build_s"] = _timed_recompute(kept_emptied=True)
    figures["engine_runs"] = [_timed_recompute() for _run in range(RUNS)]
    figures["kept_agrees"] = _stored_figures() == from_register
    figures["engine_synthetic_runs"] = [_timed_recompute(synthetic) for _run in range(RUNS)]
    figures["connections"] = (
        settings.RECOMPUTE_CONNECTIONS if connection.vendor == "postgresql" else 1
    )
    figures["kpis"] = KpiMeasure.objects.count()
    figures["statements"] = len(statements)

    folder = Path(tempfile.mkdtemp(prefix="gm-bench-"))
    try:
        clock = time.perf_counter()
        figures["exported_rows"] = references.export(folder)
        figures["export_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        duck = references.load(folder)
        figures["duckdb_load_s"] = time.perf_counter() - clock
    finally:
        shutil.rmtree(folder)
    duckdb_runs = []
    for _run in range(RUNS):
        took, duck_results = references.run_statements(duck, statements)
        duckdb_runs.append(took)
    figures["duckdb_runs"] = duckdb_runs
    figures["duckdb_agrees"] = _agrees(statements, duck_results)
    figures["counting_runs"] = [_statements_alone() for _run in range(RUNS)]
    for name in ("engine", "engine_synthetic", "register", "duckdb", "counting", "floor"):
        figures[f"{name}_s"] = statistics.median(figures[f"{name}_runs"])
    figures["vs_duckdb"] = figures["engine_s"] / figures["duckdb_s"]
    figures["register_vs_duckdb"] = figures["register_s"] / figures["duckdb_s"]
    figures.update(_naive(synthetic))
    figures["naive_vs_engine"] = figures["naive_extrapolated_s"] / figures["engine_synthetic_s"]
    return figures


def _timed_recompute(projects: list[Project] | None = None, *, kept_emptied=False) -> float:
    """Seconds of one recompute of every KPI (of ``projects``), their values deleted first;
    ``kept_emptied``: every kept input too, so that it keeps them all anew."""
    _computed_deleted(projects)
    if kept_emptied:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {KeptItem._meta.db_table}, {KeptInputs._meta.db_table}")
    clock = time.perf_counter()
    engine.recompute_all(projects=projects)
    return time.perf_counter() - clock


def _stored_figures() -> Counter:
    """Every computed value's KPI, period and figures."""
    return Counter(
        (value.kpi_id, value.period_start, value.period_end, value.figures)
        for value in KpiValue.objects.filter(source=ValueSource.COMPUTED).iterator(chunk_size=5000)
    )


def _computed_deleted(projects: list[Project] | None = None) -> None:
    """Every computed value (of ``projects``) deleted and committed, in one statement: the
    bench's reset between two runs, not a product's write (the ORM's delete passes each row
    through the audit log: minutes at L)."""
    values = KpiValue.objects.filter(source=ValueSource.COMPUTED)
    if projects is not None:
        values = values.filter(kpi__project__in=projects)
    sql, params = values.values("pk").query.sql_with_params()
    delete = f"DELETE FROM {KpiValue._meta.db_table} WHERE id IN ({sql})"  # noqa: S608 -- the ORM's
    with connection.cursor() as cursor:
        cursor.execute(delete, params)


#: The engine's statements cut to their first step, the distinct rows read and hashed, then
#: only counted: what counting from the register costs PostgreSQL before any figure is made.
FLOOR = "WITH {before}d AS MATERIALIZED ({distinct}) SELECT COUNT(*) FROM d"


class _Counted(Exception):
    pass


def _statements_alone(*, first_step_only: bool = False) -> float:
    """The time of a recompute's statements alone (no storing), on the same connections;
    cut to their first step (``FLOOR``) if asked."""
    real_fetch, took = engine._fetch, []

    def fetch_and_stop(statements, *, large):
        clock = time.perf_counter()
        real_fetch(statements, large=large)
        took.append(time.perf_counter() - clock)
        raise _Counted

    templates = ("COUNT_DISTINCT_ROWS", "COUNT_YEAR_BITS") if first_step_only else ()
    with contextlib.ExitStack() as stack:
        for name in templates:
            stack.enter_context(mock.patch.object(engine, name, FLOOR))
        stack.enter_context(mock.patch.object(engine, "_fetch", fetch_and_stop))
        stack.enter_context(contextlib.suppress(_Counted))
        stack.enter_context(transaction.atomic())
        engine.recompute_all()
    return took[0]


def _agrees(statements: list[str], duck_results: list) -> bool:
    """The database gives DuckDB's answer to every statement (order aside)."""
    with connection.cursor() as cursor:
        for sql, expected in zip(statements, duck_results, strict=True):
            cursor.execute(sql.replace("%", "%%"))
            if Counter(map(tuple, cursor.fetchall())) != Counter(map(tuple, expected)):
                print(f"DuckDB disagrees on: {sql[:300]}", file=sys.stderr)
                return False
    return True


def _naive(synthetic: list[Project]) -> dict:
    """Per project per KPI, objects in Python loops; checked against the engine's values."""
    bindings = {}
    for binding in KpiMeasure.objects.filter(kpi__project__in=synthetic).select_related("kpi"):
        bindings.setdefault(binding.kpi.project_id, []).append(binding)
    sample, clock = 0, time.perf_counter()
    for project in synthetic:
        values = {row.kpi.pk: row.realised.value for row in project_kpis(project=project).rows}
        for binding in bindings.get(project.pk, []):
            spec = engine.latest_version(binding.definition_id).spec
            counted = references.naive_kpi(project, spec)
            if counted is not None and counted["total"] != values[binding.kpi_id]:
                raise AssertionError(f"naive {counted['total']} ≠ engine {binding.kpi}")
        sample += 1
        if time.perf_counter() - clock > NAIVE_BUDGET_S:
            break
    elapsed = time.perf_counter() - clock
    return {
        "naive_sample_projects": sample,
        "naive_sample_s": elapsed,
        "naive_extrapolated_s": elapsed / sample * len(synthetic),
    }


# --- 2. attendance -> fresh KPIs ----------------------------------------------------------------


def attendance(**_kwargs) -> dict:
    """Register attendances one by one through the service; each returns with its KPIs fresh."""
    project = _synthetic()[0]
    samples, created = [], []
    try:
        for activity, person in _new_pairs(project, REGISTRATIONS, seed=7):
            clock = time.perf_counter()
            created.append(attendance_record(activity=activity, participant=person).pk)
            samples.append(time.perf_counter() - clock)
        fresh = engine.project_recompute(project=project) == 0  # nothing left to store
    finally:
        _registered_removed(project, created)
    return {**_percentiles(samples), "registrations": len(samples), "fresh": fresh}


def _new_pairs(project: Project, count: int, *, seed: int) -> list[tuple]:
    """``count`` (activity, participant) pairs of ``project`` that did not attend yet."""
    rng = random.Random(seed)  # noqa: S311 -- choosing test rows
    activities = list(Activity.objects.filter(project=project))
    people = list(Participant.objects.filter(project=project))
    taken = set(
        Attendance.objects.filter(activity__project=project).values_list(
            "activity_id", "participant_id"
        )
    )
    pairs = []
    while len(pairs) < count:
        pair = (rng.choice(activities), rng.choice(people))
        if (pair[0].pk, pair[1].pk) not in taken:
            taken.add((pair[0].pk, pair[1].pk))
            pairs.append(pair)
    return pairs


def _registered_removed(project: Project, created: list[int]) -> None:
    """The bench's registrations removed, and the project's KPIs as they were."""
    Attendance.objects.filter(pk__in=created).delete()
    engine.project_recompute(project=project)


# --- 3. pages -----------------------------------------------------------------------------------


def _urls() -> dict[str, str]:
    synthetic_call = Call.objects.get(title=SYNTH_CALL_TITLE)
    seed_call = Call.objects.get(title=CALL_TITLE)
    project = _synthetic()[0]
    return {
        "home": "/",
        "seed call page": f"/calls/{seed_call.pk}/",
        "synthetic call page": f"/calls/{synthetic_call.pk}/",
        "project page": f"/projects/{project.pk}/",
        "API projects of the call": f"/api/projects/?call={synthetic_call.pk}",
        "API project KPIs": f"/api/projects/{project.pk}/kpis/",
    }


def _queries(urls: dict[str, str], user: User) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(context.captured_queries)
    return counts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wrk(url: str, headers: list[str], clients: int, seconds: int = WRK_SECONDS) -> dict:
    threads = min(2, clients)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        WRK_TIMEOUT,
        "-s",
        str(HERE / "wrk.lua"),
    ]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(  # noqa: S603 -- our own command line
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, non_2xx, errors, p50, p95 = line.split()[1:]
    return {
        "requests": int(requests),
        "requests_per_s": int(requests) / seconds,
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "failed": int(non_2xx) + int(errors),
    }


def _cpu_s(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far; those gone are left out."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime and stime
    return used


def _server_cpu_s(server: subprocess.Popen) -> dict[str, dict[int, float]]:
    """CPU seconds so far of gunicorn's workers and of the PostgreSQL backends of the
    benchmark's database (when PostgreSQL runs on this machine), the harness's own aside."""
    workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    backends = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [
                pid
                for (pid,) in cursor.fetchall()
                if Path(f"/proc/{pid}/comm").is_file()
                and Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
            ]
    return {"app": _cpu_s([int(pid) for pid in workers]), "database": _cpu_s(backends)}


def _settled(server: subprocess.Popen) -> dict[str, dict[int, float]]:
    """Wait until the server has answered the requests still queued when a load generator
    stopped (they would count in the next measurement); its CPU readings then."""
    reading = _server_cpu_s(server)
    for _ in range(60):
        time.sleep(0.5)
        previous, reading = reading, _server_cpu_s(server)
        used = sum(
            seconds - previous[side].get(pid, 0.0)
            for side in reading
            for pid, seconds in reading[side].items()
        )
        if used < SETTLED_CPU_S:
            break
    return reading


def _cpu_per_request_ms(before: dict, after: dict, requests: int) -> dict[str, float]:
    """The CPU the server used between two readings, per request answered."""
    return {
        side: 1000
        * sum(seconds - before[side].get(pid, 0.0) for pid, seconds in after[side].items())
        / max(requests, 1)
        for side in after
    }


def _users(base: str, path: str, headers: list[list[str]]) -> dict:
    """A person per list of ``headers``, each asking for the page with them, reading it and
    pausing ``THINK_S`` before the next request, for ``USERS_SECONDS``: the latency each
    request gets under that load.

    Each request opens its own connection, as a browser must with gunicorn's sync workers
    (they close every connection after one answer).
    """
    host = base.removeprefix("http://")
    samples: list[float] = []
    failures = []
    end = time.perf_counter() + USERS_SECONDS

    def user(seed: int, header_map: dict[str, str]) -> None:
        rng = random.Random(seed)  # noqa: S311 -- pauses of simulated users
        time.sleep(rng.uniform(0, THINK_S[1]))  # the users arrive spread out, not at once
        while time.perf_counter() < end:
            clock = time.perf_counter()
            try:
                client = http.client.HTTPConnection(host, timeout=60)
                client.request("GET", path, headers=header_map)
                response = client.getresponse()
                response.read()
                client.close()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            (samples if ok else failures).append(time.perf_counter() - clock)  # append: thread-safe
            time.sleep(rng.uniform(*THINK_S))

    threads = [
        threading.Thread(target=user, args=(seed, dict(header.split(": ", 1) for header in own)))
        for seed, own in enumerate(headers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests_per_s": len(samples) / USERS_SECONDS,
        **_percentiles(samples or [0.0]),
        "failed": len(failures),
    }


def pages(*, url: str, **_kwargs) -> dict:
    """gunicorn with the production settings: wrk with one client; 20 users who pause
    between requests; wrk with 20 connections without pause."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    user = User.objects.get(username="dossierbehandelaar")  # staff, no second factor
    urls = _urls()
    figures: dict = {"queries": _queries(urls, user)}
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token, _created = Token.objects.get_or_create(user=user)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # signs the session made here
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "CACHE_URL": CACHE_URL,
        "LOG_LEVEL": "WARNING",
        "GRANTMONITOR_IDENTITY_KEYS": Fernet.generate_key().decode(),
    }
    workers = 2 * (os.cpu_count() or 1) + 1
    if CACHE_URL.startswith("redis"):  # nothing kept from an earlier run
        redis.Redis.from_url(CACHE_URL).flushdb()
    logs = HERE.parent / "var" / "bench"  # made by the SQLite runs only
    logs.mkdir(parents=True, exist_ok=True)
    log = (logs / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 -- our own command line
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "python:grantmonitor.conf.gunicorn",
            "grantmonitor.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    figures["server"] = (
        f"gunicorn, {workers} sync workers, DEBUG=false, CONN_MAX_AGE=60, CACHE_URL={CACHE_URL}"
    )
    base = f"http://127.0.0.1:{port}"

    def headers_for(path: str, csrf_secret: str) -> list[str]:
        return [
            f"Authorization: Token {token.key}"
            if path.startswith("/api/")
            # and a CSRF cookie, as a browser sends after its first page
            else f"Cookie: sessionid={session.session_key}; csrftoken={csrf_secret}",
            "Accept-Language: nl",
        ]

    def new_secret() -> str:
        return get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)

    csrf_secret = new_secret()
    try:
        _wait_for(base)
        for name, path in urls.items():
            headers = headers_for(path, csrf_secret)
            _check_status(base, path, headers)
            _wrk(base + path, headers, CLIENTS, WARM_UP_SECONDS)  # every worker, once at least
            before = _settled(server)
            alone = _wrk(base + path, headers, 1)
            after = _server_cpu_s(server)
            figures[name] = {
                "alone": alone,
                "cpu_ms": _cpu_per_request_ms(before, after, alone["requests"]),
                "users": _users(base, path, [headers] * CLIENTS),
                "saturated": _wrk(base + path, headers, CLIENTS),
            }
            # each person their own reader (a CSRF secret of their own), each their own kept
            # page, while a coach registers in the project the pages show
            readers = [headers_for(path, new_secret()) for _ in range(CLIENTS)]
            with _writing(_synthetic()[0]) as writes:
                figures[name]["written"] = _users(base, path, readers)
            figures[name]["written"]["writes"] = {
                **_percentiles(writes or [0.0]),
                "count": len(writes),
            }
            if not path.startswith("/api/"):  # without a CSRF cookie a page is never kept
                unkept = [f"Cookie: sessionid={session.session_key}", "Accept-Language: nl"]
                before = _settled(server)
                rendered = _wrk(base + path, unkept, 1)
                after = _server_cpu_s(server)
                figures[name]["rendered_cpu_ms"] = _cpu_per_request_ms(
                    before, after, rendered["requests"]
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return figures


@contextlib.contextmanager
def _writing(project: Project):
    """While the block runs, a coach registers an attendance in ``project`` every
    ``WRITE_EVERY_S`` through the service (a thread with its own connection), as a promoter
    does while others read; yields the registrations' durations, and removes them after."""
    pairs = _new_pairs(project, 2 * round(USERS_SECONDS / WRITE_EVERY_S), seed=11)
    took: list[float] = []
    created: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        try:
            for activity, person in pairs:
                if stop.wait(WRITE_EVERY_S):
                    return
                clock = time.perf_counter()
                created.append(attendance_record(activity=activity, participant=person).pk)
                took.append(time.perf_counter() - clock)
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own

    writer = threading.Thread(target=write, name="coach")
    writer.start()
    try:
        yield took
    finally:
        stop.set()
        writer.join()
        _registered_removed(project, created)
    if errors:
        raise errors[0]


def _check_status(base: str, path: str, headers: list[str]) -> None:
    """The page itself answers (200), not a redirect to the login page."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    connection.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"{path} answers {status} under gunicorn")


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/", timeout=2)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {base}: see var/bench/gunicorn.log")


# --- 4. import ----------------------------------------------------------------------------------


def imports(*, url: str, **_kwargs) -> dict:
    """Engineer "uploads"'s ``bench/import_speed.py``, when it is there."""
    script = HERE / "import_speed.py"
    if not script.exists():
        return {"skipped": "bench/import_speed.py is not there yet"}
    done = subprocess.run(  # noqa: S603 -- our own command line
        [sys.executable, str(script)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    return {"output": done.stdout.strip(), "exit": done.returncode}


# --- 5. documents -------------------------------------------------------------------------------


#: The seed's answer is made again this many times after the first: a server makes many, and
#: the first in a process also pays for loading WeasyPrint and the fonts.
DOCUMENT_REPEATS = 3


def documents(**_kwargs) -> dict:
    """The answer as DOCX and PDF: the seed's question (the first in the process, and the median
    of the next few), and one on the synthetic call (once)."""
    seed = WrittenQuestion.objects.get(number=418)
    figures = {}
    with transaction.atomic():
        synthetic = _synthetic_question()
        for label, question, repeats in [
            ("seed", seed, DOCUMENT_REPEATS),
            (f"{len(_synthetic())} projects", synthetic, 0),
        ]:
            for fmt in ("docx", "pdf"):
                times = []
                for _ in range(1 + repeats):
                    clock = time.perf_counter()
                    document = render_answer(question=question, fmt=fmt, language="nl")
                    times.append(time.perf_counter() - clock)
                figures[f"{label} {fmt}"] = {
                    "s": times[0],
                    "again_s": statistics.median(times[1:]) if repeats else None,
                    "kb": len(document.content) / 1024,
                }
        transaction.set_rollback(True)
    return figures


def _synthetic_question() -> WrittenQuestion:
    call = Call.objects.get(title=SYNTH_CALL_TITLE)
    question = question_create(
        number=9999,
        session="2017-2018",
        date=WrittenQuestion.objects.get(number=418).date,
        questioner="Benchmark",
        minister="Benchmark",
        title="Synthetisch register",
        call=call,
    )
    projects = _synthetic()
    for number, topic in enumerate([Topic.INSPECTION_STATUS, Topic.KPI_RESULTS], start=1):
        sub_question_add(
            question=question,
            number=number,
            text="Graag per project.",
            topic=topic,
            projects=projects,
        )
    return question


# --- output -------------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _head(r: dict) -> list[str]:
    m, d = r["machine"], r["data"]
    built = (
        f"built in {_s(d['build_s'])} (+ {_s(d['analyze_s'])} VACUUM ANALYZE)"
        if d["built"]
        else "built in an earlier run"
    )
    return [
        f"## Scale {r['scale']} on {m['database']} — {r['date']}",
        "",
        f"Machine: {m['cpu']}, {m['ram']} RAM, Python {m['python']}"
        f"{', ' + m['database settings'] if m.get('database settings') else ''}; "
        f"load average {m['load average (1 min) at start']} at the start "
        "(other work on the machine inflates every figure).",
        f"Data: {d['participants']:,} participants, {d['attendances']:,} attendances; {built}.",
    ]


def _runs(runs: list[float]) -> str:
    return f"{_s(statistics.median(runs))} ({_s(min(runs))}–{_s(max(runs))})"


def _recompute(f: dict) -> list[str]:
    kept = _s(f["kept_build_s"]) if "kept_build_s" in f else "–"
    counting = (
        "the kept inputs" if "kept_build_s" in f else "the register (nothing kept off PostgreSQL)"
    )
    return [
        "### 1. Full KPI recompute",
        "",
        f"Each time is the median of {RUNS} runs (the fastest and slowest in brackets); the "
        "ratios are of the medians.",
        "",
        "| | time | |",
        "|---|---:|---|",
        f"| engine, every project ({f['kpis']} bound KPIs, {f['values_stored']} values stored), "
        f"counting {counting} | {_runs(f['engine_runs'])} | on {f['connections']} "
        f"connection{'s' if f['connections'] > 1 else ''}; the same figures as counting the "
        f"register: {f['kept_agrees']} |",
        f"| of which the statements alone | {_runs(f['counting_runs'])} | the rest is bookkeeping "
        "and storing the values |",
        f"| the same, every input kept anew first | {kept} | as after a definition changed in "
        "every project |",
        f"| engine, every project, counting the register (`KEPT_KPI_INPUTS` off) "
        f"| {_runs(f['register_runs'])} | {f['statements']} register queries; "
        f"{f['register_vs_duckdb']:.2f}× DuckDB |",
        "| of which the first step of its statements: reading the rows and hashing them into "
        f"distinct rows (the `d` of each statement) | {_runs(f['floor_runs'])} | "
        f"{f['floor_s'] / f['duckdb_s']:.2f}× DuckDB's whole run |",
        f"| DuckDB, the same {f['statements']} register statements on the same data "
        f"| {_runs(f['duckdb_runs'])} | export {_s(f['export_s'])} "
        f"({f['exported_rows']:,} rows) and "
        f"load {_s(f['duckdb_load_s'])} once; same answers: {f['duckdb_agrees']} |",
        f"| engine, the synthetic projects only | {_runs(f['engine_synthetic_runs'])} | |",
        f"| naive ORM loop, the synthetic projects | {_s(f['naive_extrapolated_s'])} "
        f"| extrapolated from {f['naive_sample_projects']} projects "
        f"({_s(f['naive_sample_s'])}) |",
        "",
        f"**engine / DuckDB = {f['vs_duckdb']:.2f}×** (target ≤ 3×); "
        f"**naive loop / engine = {f['naive_vs_engine']:.0f}×** (target ≥ 50×).",
    ]


def _attendance(f: dict) -> list[str]:
    return [
        "### 2. One attendance registered → its KPIs fresh",
        "",
        f"{f['registrations']} registrations through `attendance_record` (validation, insert, "
        "recompute of the affected KPIs, commit): "
        f"**p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms** (max {f['max_ms']:.1f} ms; "
        f"target p95 ≤ 50 ms); values fresh afterwards: {f['fresh']}.",
    ]


def _cpu(cpu_ms: dict | None) -> str:
    return f"{cpu_ms['app']:.1f} + {cpu_ms['database']:.1f} ms" if cpu_ms else "–"


def _pages(f: dict) -> list[str]:
    if "skipped" in f:
        return ["### 3. Pages", "", f["skipped"]]
    low, high = THINK_S
    lines = [
        "### 3. Pages and API under 20 concurrent clients",
        "",
        f"{f['server']}. Four loads per page, each answer checked to be a 200 (the fourth, "
        "*read while written*, after the table):",
        "",
        f"- *alone*: wrk, one connection, {WRK_SECONDS} s: the time a page takes. *CPU*: "
        "the user and system time gunicorn's workers and the PostgreSQL backends serving them "
        "used during that run, per request: what a page costs whatever else runs on the "
        "machine; two cores answer at most 2 s ÷ (app + database) requests per second. The "
        "call and project pages and the API's projects are kept per reader until a write "
        "moves their stamps, and nothing is written during these runs: *rendered* is the CPU "
        "of the same run without the reader's CSRF cookie, which is never kept (a page's "
        "first rendering for a reader, and after each write it shows). The call and project "
        "pages' bodies are kept once for every reader who sees the same of them, so "
        "*rendered* is a reader's frame around a kept body; the write's first reader renders "
        "the body too (*read while written*).",
        f"- *20 users*: {CLIENTS} simulated users for {USERS_SECONDS} s, each asking for the "
        f"page, reading it and pausing {low:g}–{high:g} s (uniform) before the next request: "
        "the latency a person gets while 20 people work at once.",
        f"- *20 without pause*: wrk, {CLIENTS} connections, {WRK_SECONDS} s, each sending its "
        "next request the moment the answer arrives: the throughput the machine can give; "
        "the latency is mostly waiting in line (about 20 ÷ requests per second).",
        "",
        "| page | queries | CPU app + database | rendered | alone p50 | alone p95 "
        "| 20 users req/s | p50 | p95 | 20 without pause req/s | p50 | p95 | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, queries in f["queries"].items():
        alone, users, sat = f[name]["alone"], f[name]["users"], f[name]["saturated"]
        cpu, rendered = f[name]["cpu_ms"], f[name].get("rendered_cpu_ms")
        failed = alone["failed"] + users["failed"] + sat["failed"]
        lines.append(
            f"| {name} | {queries} | {_cpu(cpu)} | {_cpu(rendered)} "
            f"| {alone['p50_ms']:.0f} ms | {alone['p95_ms']:.0f} ms "
            f"| {users['requests_per_s']:.1f} | {users['p50_ms']:.0f} ms "
            f"| {users['p95_ms']:.0f} ms "
            f"| {sat['requests_per_s']:.0f} | {sat['p50_ms']:.0f} ms | {sat['p95_ms']:.0f} ms "
            f"| {failed} |"
        )
    lines += [
        "",
        f"*Read while written*: {CLIENTS} people as in *20 users*, each their own reader (a "
        "CSRF secret of their own: their own kept pages; the API's are one token), for "
        f"{USERS_SECONDS} s, while a coach registers an attendance every {WRITE_EVERY_S:g} s "
        "in the synthetic call's first project (`attendance_record`, the project page's "
        "project): each write moves the stamps of that project's pages and of its call's, "
        "and the next request of each reader, in each worker, renders them afresh. The home "
        "and seed call pages do not show that project.",
        "",
        "| page | req/s | p50 | p95 | failed | registrations | their p50 | their p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in f["queries"]:
        read, writes = f[name]["written"], f[name]["written"]["writes"]
        lines.append(
            f"| {name} | {read['requests_per_s']:.1f} | {read['p50_ms']:.0f} ms "
            f"| {read['p95_ms']:.0f} ms | {read['failed']} | {writes['count']} "
            f"| {writes['p50_ms']:.1f} ms | {writes['p95_ms']:.1f} ms |"
        )
    return lines


def _imports(f: dict) -> list[str]:
    body = f.get("skipped") or f"```\n{f['output']}\n```\n(exit {f['exit']})"
    return ["### 4. Import", "", body]


def _documents(f: dict) -> list[str]:
    lines = [
        "### 5. The answer",
        "",
        "| question | format | first in the process "
        f"| again (median of {DOCUMENT_REPEATS}) | size |",
        "|---|---|---:|---:|---:|",
    ]
    timed = {key: value for key, value in f.items() if key != "section_s"}
    for key, value in timed.items():
        label, fmt = key.rsplit(" ", 1)
        again = _s(value["again_s"]) if value.get("again_s") is not None else "–"
        lines.append(f"| {label} | {fmt} | {_s(value['s'])} | {again} | {value['kb']:.0f} KB |")
    slowest = max(value["s"] for value in timed.values())
    lines += [
        "",
        "A download is made while the reader waits, in the gunicorn worker that answers it, "
        f"which gunicorn stops after {gunicorn_settings.timeout} s (`grantmonitor.conf.gunicorn`): "
        f"the slowest document above ({_s(slowest)}) comes within it: "
        f"{slowest < gunicorn_settings.timeout}.",
    ]
    return lines


FORMATTERS = {
    "recompute": _recompute,
    "attendance": _attendance,
    "pages": _pages,
    "imports": _imports,
    "documents": _documents,
}


def describe(results: dict) -> str:
    """Markdown for the parts of ``results`` present: the head, then each section measured."""
    lines = _head(results) if "machine" in results else []
    for section, formatter in FORMATTERS.items():
        if section in results:
            lines += ["", *formatter(results[section])]
    return "\n".join(lines) + "\n"

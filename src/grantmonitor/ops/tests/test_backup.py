"""A backup restores: dump a filled database, restore it into an empty one, find it identical.

Compares every table's rows (a digest per table), the KPI listing and the generated answers,
each produced by the real command line against the original and the restored database.
"""

import os
import shutil
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from grantmonitor.demo.seed import load_demo
from grantmonitor.register.synth import synth

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed (Debian package postgresql-client)"
    return path


def _url(name: str) -> str:
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _table_digests(url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608 -- names from pg_tables
                f'FROM "{table}" t'
            ).fetchone()
            for table in tables
        }


def _cli(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(  # noqa: S603 -- our own CLI
        [sys.executable, "-m", "grantmonitor", *args, "-o", "-"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _outputs(url: str) -> dict[str, str]:
    return {
        "kpis": _cli(url, "kpis", "--format", "json"),
        "answer nl": _cli(url, "answer", "418", "--format", "md", "--lang", "nl"),
        "answer en": _cli(url, "answer", "418", "--format", "md", "--lang", "en"),
    }


def test_dump_and_restore_give_identical_rows_kpis_and_answers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "pg_dump and pg_restore back up PostgreSQL; this run is on " + connection.vendor
        )
    load_demo()  # the seed: KPIs, settled dossiers, the answered question
    synth(scale=1)  # and the register behind it, with computed KPI values
    source = _url(connection.settings_dict["NAME"])
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored = _url(restored_name)
    dump = tmp_path / "grantmonitor.dump"
    admin = _url("postgres")

    subprocess.run(  # noqa: S603 -- the PostgreSQL client tools
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={source}"],
        check=True,
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(  # noqa: S603 -- the PostgreSQL client tools
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={restored}",
                str(dump),
            ],
            check=True,
        )
        before, after = _table_digests(source), _table_digests(restored)
        assert before == after
        assert before["kpis_kpivalue"][0] > 30  # the seed is really in there
        assert before["register_attendance"][0] > 1000  # and the register
        outputs_before, outputs_after = _outputs(source), _outputs(restored)
        assert outputs_before == outputs_after
        assert "€\xa0299.168,12" in outputs_after["answer nl"]
        assert "1.347" in outputs_after["answer nl"]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')

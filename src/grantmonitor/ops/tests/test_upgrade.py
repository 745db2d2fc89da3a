"""Upgrades from the previous release: its database, migrated by today's code, loses nothing.

Each dump in ``releases/`` is a previous release's schema with its data (the demo and the
synthetic register). The test restores it into an empty database, runs today's migrations with
the real ``manage.py migrate``, and finds every row still there, every KPI holding the values
that release printed, and the answer to question 418 identical to the one today's code composes
from a database built from scratch.
"""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from grantmonitor.demo.seed import load_demo
from grantmonitor.ops.tests.test_backup import _cli, _table_digests, _tool, _url
from grantmonitor.register.synth import synth

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RELEASES = Path(__file__).parent / "releases"
DUMPS = sorted(RELEASES.glob("*.sql.gz"))
# Tables whose rows change by themselves between runs, not data a funder keeps.
VOLATILE = {"django_session", "django_migrations", "django_content_type", "auth_permission"}


# What a KPI holds, language-neutral; the listing may gain columns, these stay.
FIGURES = (
    "objective_value",
    "objective_numerator",
    "objective_denominator",
    "objective_percent",
    "realised_value",
    "realised_numerator",
    "realised_denominator",
    "realised_baseline",
    "verdict",
)


def _kpi_values(listing: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each KPI's objective, realised value and verdict, keyed by call, project, track and name."""
    return {
        (row["call"], row["project"], row["track"], row["kpi"]): tuple(row[f] for f in FIGURES)
        for row in json.loads(listing)
    }


def _migrate(url: str) -> None:
    subprocess.run(  # noqa: S603 -- our own manage.py
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "migrate", "--verbosity", "0"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )


@pytest.mark.parametrize("dump", DUMPS, ids=[dump.name.removesuffix(".sql.gz") for dump in DUMPS])
def test_the_previous_release_upgrades_without_losing_anything(dump):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the release dumps are PostgreSQL databases; this run is on " + connection.vendor
        )
    name = f"{connection.settings_dict['NAME']}_upgrade"
    upgraded, admin = _url(name), _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(  # noqa: S603 -- the PostgreSQL client tools
            [_tool("psql"), "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={upgraded}"],
            input=gzip.decompress(dump.read_bytes()),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        before = _table_digests(upgraded)
        assert before["register_attendance"][0] > 1000  # the release's register is in there

        _migrate(upgraded)

        after = _table_digests(upgraded)
        for table, (rows, _digest) in before.items():
            if table not in VOLATILE:
                assert table in after, f"the upgrade dropped table {table}"
                assert after[table][0] == rows, (
                    f"{table}: {rows} rows before, {after[table][0]} after"
                )

        released = (RELEASES / dump.name.replace(".sql.gz", "-kpis.json")).read_text()
        assert _kpi_values(_cli(upgraded, "kpis", "--format", "json")) == _kpi_values(released)

        load_demo()  # today's schema from scratch, filled the same way
        synth(scale=1)
        fresh = _url(connection.settings_dict["NAME"])
        for language in ("nl", "en"):
            answer = ("answer", "418", "--format", "md", "--lang", language)
            assert _cli(upgraded, *answer) == _cli(fresh, *answer)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

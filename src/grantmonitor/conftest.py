"""Shared test fixtures.

``GRANTMONITOR_REQUIRE_DB=postgresql`` makes the run fail at once when the tests would not
run on that database, so CI cannot pass on SQLite by accident.
"""

import os

import pytest
from django.db import connection


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _required_database(django_db_setup, django_db_blocker):
    required = os.environ.get("GRANTMONITOR_REQUIRE_DB")
    if required and connection.vendor != required:
        pytest.exit(
            f"GRANTMONITOR_REQUIRE_DB={required} but the tests run on {connection.vendor}",
            returncode=3,
        )


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def demo(db):
    """The seed loaded through the services: call 418's projects, KPIs, dossiers, question."""
    from grantmonitor.demo.seed import load_demo

    return load_demo()

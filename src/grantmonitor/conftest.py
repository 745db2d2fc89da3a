"""Shared test fixtures, and the guards CI relies on.

``GRANTMONITOR_REQUIRE_DB=postgresql`` makes the run fail at once when the tests would not
run on that database, so CI cannot pass on SQLite by accident. ``GRANTMONITOR_REQUIRE_MARKERS=
browser,postgres,office,redis`` makes the run fail when no test with one of those markers
passed.
"""

import os
import uuid

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

_passed_markers: dict[str, int] = {}

# Property tests check behaviour; speed is bench/'s. No deadline per example: a first example
# that loads a locale's data overran Hypothesis's default 200 ms on a busy machine.
hypothesis_settings.register_profile("grantmonitor", deadline=None)
hypothesis_settings.load_profile("grantmonitor")


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
def postgres_only(request):
    """Skip a test that needs PostgreSQL (row locks, snapshots) on SQLite; fail it when the
    run must be on PostgreSQL."""
    if connection.vendor != "postgresql":
        if os.environ.get("GRANTMONITOR_REQUIRE_DB") == "postgresql":
            pytest.fail(
                f"GRANTMONITOR_REQUIRE_DB=postgresql but the database is {connection.vendor}"
            )
        pytest.skip(f"{request.node.name} needs PostgreSQL; this run uses {connection.vendor}")


def _required_markers() -> list[str]:
    return [m for m in os.environ.get("GRANTMONITOR_REQUIRE_MARKERS", "").split(",") if m]


@pytest.fixture
def redis_cache(request, settings):
    """The cache in a live Redis, as a production server keeps it (``CACHE_URL=redis://…``):
    at ``GRANTMONITOR_TEST_REDIS_URL`` (default database 0 on this machine), under a key
    prefix of this test's own, whose keys are removed afterwards. Skipped when no Redis
    answers; failed when the run requires the ``redis`` marker. Yields the Redis client and
    the prefix."""
    import redis

    url = os.environ.get("GRANTMONITOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if "redis" in _required_markers():
            pytest.fail(f"GRANTMONITOR_REQUIRE_MARKERS names redis but {url} answers no: {error}")
        pytest.skip(f"{request.node.name} needs a Redis server; none answers at {url}")
    prefix = f"gm-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield client, prefix
    kept = list(client.scan_iter(f"{prefix}:*"))
    if kept:
        client.delete(*kept)
    client.close()


@pytest.fixture
def demo(db):
    """The seed loaded through the services: call 418's projects, KPIs, dossiers, question."""
    from grantmonitor.demo.seed import load_demo

    return load_demo()


@pytest.fixture
def client():
    """Django's test client whose ``force_login`` also passes the second factor.

    ``force_login`` skips the password; with a confirmed authenticator app (the demo's
    administrator and inspector have one) it skips the code too. Tests of the sign-in itself
    post to the login and two-factor pages.
    """
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from grantmonitor.accounts.twofactor import app_device

    class VerifiedClient(Client):
        def force_login(self, user, backend=None):
            super().force_login(user, backend)
            if (device := app_device(user)) is not None:
                session = self.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()

    return VerifiedClient()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for marker in ("browser", "postgres", "office", "redis"):
            if marker in report.keywords:
                _passed_markers[marker] = _passed_markers.get(marker, 0) + 1


def pytest_sessionfinish(session, exitstatus):
    missing = [marker for marker in _required_markers() if not _passed_markers.get(marker)]
    if missing:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"FAILED: no test marked {', '.join(missing)} passed in this run", red=True
        )
        session.exitstatus = 1

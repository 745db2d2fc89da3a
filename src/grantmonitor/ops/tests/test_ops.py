"""Operations: health, request ids in JSON logs, a clear page when the database is gone."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from grantmonitor.conf.reference import reference
from grantmonitor.ops.logging import JsonFormatter, RequestIdFilter


def test_health_says_ok_when_the_database_answers(db, client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_gone_gives_503_pages_and_the_app_recovers_without_restart(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("a database server that goes away is PostgreSQL; SQLite is a local file")
    user = django_user_model.objects.create_user(username="coach", password="x-long-password")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.get("/").status_code == 200

    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # a closed port
    try:
        health = Client().get("/health/")  # a load balancer's probe: no session
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable"
        page = client.get("/")
        assert page.status_code == 503
        text = page.content.decode()
        assert "Traceback" not in text
        assert "databank" in text  # "cannot reach its database", in Dutch
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 200


def test_request_id_is_echoed_and_logged_as_json(db, client, caplog):
    with caplog.at_level(logging.INFO, logger="grantmonitor.request"):
        response = client.get("/health/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "grantmonitor.request")
    RequestIdFilter().filter(record)  # the console handler's filter, applied after the request
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /health/ 200"
    assert line["status"] == 200
    assert line["level"] == "INFO"


def test_a_hostile_request_id_is_replaced(db, client):
    response = client.get("/health/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_settings_reference_is_up_to_date():
    committed = Path(__file__).resolve().parents[4] / "docs" / "settings.md"
    assert committed.read_text(encoding="utf-8") == reference(), (
        "docs/settings.md is stale: run python -m grantmonitor.conf.reference > docs/settings.md"
    )


def test_every_page_carries_a_content_security_policy(db, client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
        "GRANTMONITOR_IDENTITY_KEYS": "cGFydGljaXBhbnQtaWRlbnRpdHkta2V5LTAxMjM0NTY=",
        "ALLOWED_HOSTS": "grantmonitor.example.be",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "BEHIND_HTTPS_PROXY": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "DJANGO_SETTINGS_MODULE": "grantmonitor.conf.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_kept_pages_go_to_the_redis_that_cache_url_names():
    shown = "from django.conf import settings; print(settings.CACHES['default'])"
    result = subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", f"import django; django.setup(); {shown}"],
        env={
            **os.environ,
            "CACHE_URL": "redis://redis.internal:6379/4",
            "DJANGO_SETTINGS_MODULE": "grantmonitor.conf.settings",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'django.core.cache.backends.redis.RedisCache'" in result.stdout
    assert "'LOCATION': 'redis://redis.internal:6379/4'" in result.stdout

"""Operations: health, request ids in JSON logs, a clear page when the database is gone."""

import json
import logging
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
        pytest.skip("the test database on SQLite lives in memory and cannot go away")
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

"""The committed OpenAPI file is the code's, and the live API keeps to it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from grantmonitor.calls.models import Project
from grantmonitor.dossiers.models import Advance, CostLine, Dossier
from grantmonitor.kpis.models import Kpi

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = ".venv/bin/python manage.py spectacular --lang en --file docs/openapi.yaml --validate"


def test_the_committed_openapi_file_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(generated), "--validate")
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"docs/openapi.yaml no longer matches the API; regenerate it with `{REGENERATE}`"
    )


@pytest.mark.django_db
def test_the_schema_is_served_to_clients(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/questions/{id}/answer/{fmt}/" in response.content


@pytest.fixture
def keep_connection():
    """Like Django's test client: a request must not close the test's database connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_generated_requests_get_no_server_error_and_answers_that_keep_to_the_schema(
    demo, keep_connection
):
    """Schemathesis against the app in-process: every operation, a bounded number of examples."""
    import schemathesis  # a dev dependency: missing, the test fails rather than skips
    from hypothesis import HealthCheck, given, strategies
    from hypothesis import settings as hypothesis_settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from grantmonitor.wsgi import application

    known = {  # a real id per resource, so the examples also reach existing objects
        "calls": demo["call"].pk,
        "projects": Project.objects.get(name="Stebo").pk,
        "dossiers": Dossier.objects.get(project__name="GTB").pk,
        "kpis": Kpi.objects.filter(project__name="Stebo").first().pk,
        "questions": demo["question"].pk,
        "cost-lines": CostLine.objects.filter(statement__dossier__project__name="Stebo")[0].pk,
        "advances": Advance.objects.filter(dossier__project__name="Stebo")[0].pk,
    }
    token = Token.objects.create(user=demo["users"]["dossierbehandelaar"]).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: dict[str, list[int]] = {}
    assert len(operations) >= 13
    for operation in operations:
        # rendering a PDF is slow: fewer examples for the downloads
        examples = 5 if "{fmt}" in operation.path else 25

        @hypothesis_settings(
            max_examples=examples,
            database=None,
            derandomize=True,  # the same examples every run, so CI does not flicker
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real=strategies.booleans())
        def check(case, real):
            if real and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = str(known[case.operation.path.split("/")[2]])
            response = case.call(headers={"Authorization": f"Token {token}"})
            statuses.setdefault(case.operation.label, []).append(response.status_code)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
    # every operation was called, and the token opened the API (no 401 anywhere)
    assert len(statuses) == len(operations)
    assert not any(401 in codes for codes in statuses.values())
    assert 200 in statuses["GET /api/questions/"]

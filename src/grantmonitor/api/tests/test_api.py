"""The REST API on the seed: what a client reads and writes, and how bad input is refused."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grantmonitor.accounts.permissions import can_view_project
from grantmonitor.accounts.services import membership_add
from grantmonitor.api.permissions import can_use_api
from grantmonitor.calls.models import Project
from grantmonitor.calls.services import project_create
from grantmonitor.common.money import format_eur
from grantmonitor.dossiers.models import DossierStatusChange
from grantmonitor.dossiers.services import dossier_open
from grantmonitor.kpis.models import Kpi, KpiValue
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.services import organisation_create


@pytest.fixture
def as_user(demo):
    def client_of(username):
        api = APIClient()
        api.force_authenticate(demo["users"][username])
        return api

    return client_of


@pytest.fixture
def client(as_user):
    """The case handler of the demo's dossiers: reads everything, moves the dossiers."""
    return as_user("dossierbehandelaar")


@pytest.fixture
def promoter(demo, as_user):
    """The promoter's staff, here also a member of Stebo."""
    membership_add(
        user=demo["users"]["promotor"], organisation=Project.objects.get(name="Stebo").promoter
    )
    return as_user("promotor")


@pytest.fixture
def unizo(demo):
    """A running dossier of a new project, handled by the demo's case handler."""
    organisation = organisation_create(name="Unizo")
    membership_add(user=demo["users"]["promotor"], organisation=organisation)
    project = project_create(call=demo["call"], name="Unizo", promoter=organisation)
    return dossier_open(
        project=project,
        allocated_amount=Decimal("1000.00"),
        case_handler=demo["users"]["dossierbehandelaar"],
        opened_on=datetime.date(2017, 1, 2),
    )


def _by(rows, key, value):
    return next(row for row in rows if row[key] == value)


def _stebo(client):
    return _by(client.get("/api/projects/").json()["results"], "name", "Stebo")


def _dossier(client, project_name):
    return _by(client.get("/api/dossiers/").json()["results"], "project_name", project_name)


# --- access -------------------------------------------------------------------------------


def test_without_login_or_token_nothing_is_shown(demo):
    response = APIClient().get("/api/calls/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()


def test_a_token_opens_the_api(demo):
    token = Token.objects.create(user=demo["users"]["dossierbehandelaar"])
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/calls/")
    assert response.status_code == 200
    [call] = response.json()["results"]
    assert call["title"] == "Stakeholdersplatform prestartersbegeleiding van doelgroepen"
    assert call["number_of_projects"] == 6


def test_a_disabled_account_is_refused_with_the_reason(demo):
    user = demo["users"]["dossierbehandelaar"]
    user.is_active = False
    user.save()
    token = Token.objects.create(user=user)
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/calls/")
    assert response.status_code in (401, 403)


# --- calls, projects, KPIs ----------------------------------------------------------------


def test_projects_filter_by_call_and_refuse_a_call_that_is_no_id(client, demo):
    call = demo["call"].pk
    names = [p["name"] for p in client.get(f"/api/projects/?call={call}").json()["results"]]
    assert names == ["Hefboom", "Stebo", "GTB"]
    assert client.get(f"/api/projects/?call={call + 1}").json()["count"] == 0
    response = client.get("/api/projects/?call=Stebo")
    assert response.status_code == 400
    assert response.json()["call"] == ["“Stebo” is geen id (een geheel getal)."]  # Dutch first


def test_a_projects_kpis_come_with_current_values_and_verdicts(client):
    rows = client.get(f"/api/projects/{_stebo(client)['id']}/kpis/").json()
    reached = _by(rows, "name", "Aantal bereikte prestarters")
    assert reached["objective"]["value"] == "400.00"
    assert reached["realised"]["value"] == "1347.00"
    assert reached["verdict"] == "achieved"
    assert reached["achievement_percent"] == "337"
    assert reached["checks"] == [
        {
            "ok": True,
            "side": "realised",
            "rule": "sum",
            "parent": "1347.00",
            "children_total": "1347.00",
            "children_max": "767.00",
        }
    ]
    child = _by(rows, "name", "Individuele contacten")
    assert (child["parent"], child["depth"]) == (reached["id"], 1)


def test_a_reported_value_becomes_the_current_one_and_the_rules_judge_it(promoter, demo):
    client = promoter
    stebo = _stebo(client)
    reached = Kpi.objects.get(project_id=stebo["id"], name="Aantal bereikte prestarters")
    response = client.post(
        f"/api/kpis/{reached.pk}/values/",
        {"value": "300", "evidence": "Tussentijds verslag"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "reported"
    value = KpiValue.objects.get(pk=response.json()["id"])
    assert value.value == Decimal("300")
    assert value.recorded_by == demo["users"]["promotor"]

    row = _by(client.get(f"/api/projects/{stebo['id']}/kpis/").json(), "id", reached.pk)
    assert row["realised"]["value"] == "300.00"
    assert row["verdict"] == "not_achieved"
    assert row["achievement_percent"] == "75"
    assert row["checks"][0]["ok"] is False  # the channels still add up to 1.347


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "veel"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": "10", "baseline": "5"}, "baseline"),  # a count has no baseline
        ({"value": "10", "period_start": "2018-01-01"}, "non_field_errors"),
        ({"value": "10", "period_start": "2018-13-01", "period_end": "2018-12-31"}, "period_start"),
    ],
)
def test_a_bad_value_is_refused_by_field_and_nothing_is_saved(promoter, payload, field):
    client = promoter
    kpi = Kpi.objects.get(project__name="Stebo", name="Aantal bereikte prestarters")
    before = KpiValue.objects.count()
    response = client.post(f"/api/kpis/{kpi.pk}/values/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert KpiValue.objects.count() == before


# --- dossiers -----------------------------------------------------------------------------


def test_a_dossier_shows_its_status_money_and_history(client):
    hefboom = _dossier(client, "Hefboom")
    assert hefboom["current_status"] == "closed"
    assert hefboom["allocated_amount"] == "300000.00"
    assert hefboom["net_amount"] == "299168.12"
    assert hefboom["difference"] == "831.88"
    detail = client.get(f"/api/dossiers/{hefboom['id']}/").json()
    assert [step["status"] for step in detail["history"]] == [
        "running",
        "final_report_in",
        "with_inspection",
        "back_with_case_handler",
        "balance_paid",
        "closed",
    ]
    assert detail["settlement"]["balance"] == "59168.12"
    gtb = _dossier(client, "GTB")
    assert (gtb["allocated_amount"], gtb["settlement"]) == (None, None)


def test_dossiers_filter_by_status_and_refuse_an_unknown_one(client):
    found = client.get("/api/dossiers/?status=with_inspection").json()["results"]
    assert [d["project_name"] for d in found] == ["GTB"]
    response = client.get("/api/dossiers/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_dossier_takes_its_steps_through_the_api(client, promoter, unizo):
    dossier = unizo
    response = promoter.post(
        f"/api/dossiers/{dossier.pk}/steps/",
        {"step": "submit_cost_statement", "on": "2018-01-31", "note": "Eindverslag"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["current_status"] == "final_report_in"
    response = client.post(
        f"/api/dossiers/{dossier.pk}/steps/",
        {"step": "start_inspection", "on": "2018-02-01"},
        format="json",
    )
    assert response.json()["current_status"] == "with_inspection"
    assert response.json()["history"][-1]["actor"] == "dossierbehandelaar"


@pytest.mark.parametrize(
    ("project", "username", "payload", "field"),
    [
        ("GTB", "inspecteur", {"step": "complete_inspection", "on": "2018-04-01"}, "lines"),
        ("Hefboom", "dossierbehandelaar", {"step": "settle", "on": "2018-04-01"}, "net_amount"),
        ("GTB", "dossierbehandelaar", {"step": "fly", "on": "2018-04-01"}, "step"),
        ("GTB", "dossierbehandelaar", {"step": "close"}, "on"),
    ],
)
def test_a_step_the_dossier_cannot_take_is_refused_with_the_reason(
    as_user, project, username, payload, field
):
    client = as_user(username)
    dossier = _dossier(client, project)
    before = DossierStatusChange.objects.count()
    response = client.post(f"/api/dossiers/{dossier['id']}/steps/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert DossierStatusChange.objects.count() == before


# --- questions and answers ----------------------------------------------------------------


def test_questions_filter_by_session_number_and_overdue(client):
    def numbers(query):
        return [q["number"] for q in client.get(f"/api/questions/{query}").json()["results"]]

    assert numbers("") == [418, 788]
    assert numbers("?session=2017-2018") == [418]
    assert numbers("?number=788") == [788]
    assert numbers("?overdue=true") == [418, 788]  # neither has an answer date
    assert numbers("?overdue=false") == []
    for query, field in (("?session=2018", "session"), ("?overdue=maybe", "overdue")):
        response = client.get(f"/api/questions/{query}")
        assert response.status_code == 400
        assert field in response.json()


def test_a_question_comes_with_its_sub_questions_deadline_and_links(client, demo):
    question = demo["question"]
    detail = client.get(f"/api/questions/{question.pk}/").json()
    assert detail["answer_deadline"] == "2018-04-20"
    assert detail["overdue"] is True  # no answer date recorded
    assert [(s["number"], s["topic"]) for s in detail["sub_questions"]] == [
        (1, "inspection_status"),
        (2, "kpi_results"),
        (3, "financing"),
    ]
    assert detail["answer"].endswith(f"/api/questions/{question.pk}/answer/")
    assert detail["downloads"]["pdf"].endswith(f"/api/questions/{question.pk}/answer/pdf/")
    assert set(detail["downloads"]) == {"html", "docx", "pdf", "md"}


def test_the_answer_as_json_is_the_composed_answer(client, demo):
    response = client.get(f"/api/questions/{demo['question'].pk}/answer/?lang=en")
    assert response.status_code == 200
    answer = response.json()
    assert answer["header"]["number_line"] == "nr. 418"
    assert [part["number"] for part in answer["parts"]] == [1, 2, 3]
    assert answer["header"]["document_label"] == "WRITTEN QUESTION"
    dutch = client.get(f"/api/questions/{demo['question'].pk}/answer/").json()
    assert dutch["header"]["document_label"] == "SCHRIFTELIJKE VRAAG"
    [money] = [block for block in dutch["parts"][2]["blocks"] if block["kind"] == "table"]
    assert money["rows"][0]["cells"] == [
        "Hefboom",
        format_eur(Decimal("300000.00")),
        format_eur(Decimal("299168.12")),
        format_eur(Decimal("831.88")),
    ]
    assert client.get(f"/api/questions/{demo['question'].pk}/answer/?lang=fr").status_code == 400


def test_the_answer_downloads_as_a_file(client, demo):
    response = client.get(f"/api/questions/{demo['question'].pk}/answer/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"
    assert client.get(f"/api/questions/{demo['question'].pk}/answer/odt/").status_code == 404


def test_costs_are_declared_inspected_and_the_inspection_completed(
    client, promoter, as_user, unizo
):
    dossier, inspector = unizo, as_user("inspecteur")
    lines_url = f"/api/dossiers/{dossier.pk}/cost-lines/"
    response = promoter.post(
        lines_url,
        {
            "category": "operating",
            "description": "Zaalhuur infosessie",
            "amount": "250.00",
            "document_ref": "F-2017-12",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert (line["amount"], line["verdict"], line["accepted_amount"]) == ("250.00", "", None)

    def step(name, on, by=client):
        return by.post(
            f"/api/dossiers/{dossier.pk}/steps/", {"step": name, "on": on}, format="json"
        )

    step("submit_cost_statement", "2018-01-31", by=promoter)
    late = promoter.post(
        lines_url,
        {"category": "operating", "description": "Nog een", "amount": "1", "document_ref": "x"},
        format="json",
    )
    assert late.status_code == 400  # the statement is submitted
    step("start_inspection", "2018-02-01")

    review_url = f"/api/cost-lines/{line['id']}/review/"
    too_much = {
        "verdict": "partly_accepted",
        "accepted_amount": "300.00",
        "reason": "Enkel de zaal",
        "on": "2018-02-10",
    }
    assert client.post(review_url, too_much, format="json").status_code == 403  # not inspector
    response = inspector.post(review_url, too_much, format="json")
    assert response.status_code == 400
    assert "accepted_amount" in response.json()
    response = inspector.post(
        review_url,
        {**too_much, "accepted_amount": "200.00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["verdict"], response.json()["accepted_amount"]) == (
        "partly_accepted",
        "200.00",
    )
    assert step("complete_inspection", "2018-02-15", by=inspector).json()["current_status"] == (
        "back_with_case_handler"
    )
    assert client.get(lines_url).json()[0]["accepted_amount"] == "200.00"


def test_the_api_asks_the_same_predicates_as_the_pages(demo, as_user):
    assert not can_use_api(AnonymousUser()).allowed
    promoter = as_user("promotor")  # works for Hefboom only
    names = [p["name"] for p in promoter.get("/api/projects/").json()["results"]]
    assert names == ["Hefboom"]
    stebo = Project.objects.get(name="Stebo")
    refused = promoter.get(f"/api/projects/{stebo.pk}/kpis/")
    assert refused.status_code == 403
    with translation.override("nl"):  # the page's reason, in Dutch first
        reason = can_view_project(demo["users"]["promotor"], stebo).reason
    assert refused.json()["detail"] == reason
    assert [d["project_name"] for d in promoter.get("/api/dossiers/").json()["results"]] == [
        "Hefboom"
    ]
    assert promoter.get("/api/questions/").status_code == 403
    assert as_user("kabinet").get("/api/questions/").status_code == 200

    kpi = Kpi.objects.filter(project=stebo).first()
    case_handler = as_user("dossierbehandelaar")
    response = case_handler.post(f"/api/kpis/{kpi.pk}/values/", {"value": "1"}, format="json")
    assert response.status_code == 403  # the promoter reports its values
    gtb = _dossier(case_handler, "GTB")
    response = as_user("kabinet").post(
        f"/api/dossiers/{gtb['id']}/steps/", {"step": "close", "on": "2018-04-01"}, format="json"
    )
    assert response.status_code == 403


def test_the_cabinet_reads_a_small_count_of_people_as_published(demo):
    from decimal import Decimal

    from grantmonitor.calls.models import TargetGroup
    from grantmonitor.kpis.models import KpiKind
    from grantmonitor.kpis.services import kpi_create, target_group_count_set

    gtb = demo["call"].projects.get(name="GTB")
    kpi = kpi_create(
        project=gtb, name="Gestarte vijftigplussers", kind=KpiKind.COUNT, objective_value=Decimal(2)
    )
    kpi_value_record(kpi=kpi, value=Decimal(3))
    target_group_count_set(
        kpi=kpi, target_group=TargetGroup.objects.get(code="aged_50_plus"), count=3
    )

    def rows(username):
        api = APIClient()
        api.force_authenticate(demo["users"][username])
        response = api.get(f"/api/projects/{gtb.pk}/kpis/")
        assert response.status_code == 200
        return {line["id"]: line for line in response.json()}

    cabinet, handler = rows("kabinet"), rows("dossierbehandelaar")
    assert (cabinet[kpi.pk]["suppressed"], cabinet[kpi.pk]["realised"]["value"]) == ("< 5", None)
    assert cabinet[kpi.pk]["achievement_percent"] is None
    assert (handler[kpi.pk]["suppressed"], handler[kpi.pk]["realised"]["value"]) == (None, "3.00")
    # the seed's counts stay as they are for the cabinet: 276 people started
    assert {line["realised"]["value"] for line in cabinet.values()} >= {"276.00"}


@pytest.mark.postgres
def test_a_kept_list_of_projects_follows_its_writes_and_its_reader(
    postgres_only, transactional_db, demo
):
    """The API's projects are kept per reader under the shared stamp, a project's KPI table
    under its own (PostgreSQL, committed writes)."""
    hefboom = Project.objects.get(name="Hefboom")
    readers = {}
    for name in ("dossierbehandelaar", "promotor"):
        readers[name] = APIClient()
        readers[name].credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=demo['users'][name]).key}"
        )

    def get(name: str, url: str):
        response = readers[name].get(url)
        assert response.status_code == 200
        return response.json()

    def promoters(name: str) -> list[str]:
        url = f"/api/projects/?call={demo['call'].pk}"
        return [project["promoter"] for project in get(name, url)["results"]]

    assert promoters("dossierbehandelaar") == ["Hefboom", "Stebo", "GTB"]
    with CaptureQueriesContext(connection) as queries:
        assert promoters("dossierbehandelaar") == ["Hefboom", "Stebo", "GTB"]
    read = [query["sql"] for query in queries if query["sql"] not in ("BEGIN", "COMMIT")]
    assert len(read) == 2, read  # the token with its user, the stamps
    assert promoters("promotor") == ["Hefboom"]  # not the funder's kept list
    Organisation.objects.filter(name="Stebo").update(name="Stebo vzw")
    assert promoters("dossierbehandelaar") == ["Hefboom", "Stebo vzw", "GTB"]

    kpis = f"/api/projects/{hefboom.pk}/kpis/"
    kpi = Kpi.objects.filter(project=hefboom, parent=None, objective_value__gt=1).first()
    assert get("dossierbehandelaar", kpis) == get("dossierbehandelaar", kpis)
    kpi_value_record(kpi=kpi, value=Decimal(4321))
    row = next(row for row in get("dossierbehandelaar", kpis) if row["id"] == kpi.pk)
    assert row["realised"]["value"] == "4321.00"

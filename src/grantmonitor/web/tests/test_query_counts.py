"""The home page, the call page and the API's project list make as many queries for 30
projects as for 3; a call's projects are shown a page at a time."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_create
from grantmonitor.kpis.models import ChildrenRule, KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_value_record, track_create
from grantmonitor.register.tests import factories
from grantmonitor.web import views


def _call_with(projects: int) -> Call:
    """A call whose projects each have a tracked KPI with a child, both with a value."""
    call = call_create(title=f"Oproep met {projects} projecten", number_of_projects=projects)
    for _ in range(projects):
        project = factories.project(call=call)
        track = track_create(project=project, name="Spoor 1")
        parent = kpi_create(
            project=project,
            name="Bereikte prestarters",
            kind=KpiKind.COUNT,
            track=track,
            children_rule=ChildrenRule.SUM,
            objective_value=Decimal(100),
        )
        child = kpi_create(
            project=project,
            name="Via infosessies",
            kind=KpiKind.COUNT,
            parent=parent,
            objective_value=Decimal(100),
        )
        kpi_value_record(kpi=parent, value=Decimal(120))
        kpi_value_record(kpi=child, value=Decimal(120))
    return call


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/calls/{call}/", "/api/projects/?call={call}"],
    ids=["call page", "API project list"],
)
def test_the_query_count_does_not_grow_with_the_number_of_projects(
    client, demo, django_assert_max_num_queries, url
):
    client.force_login(demo["users"]["dossierbehandelaar"])
    small, large = _call_with(3), _call_with(30)
    client.get("/")  # the reader's CSRF cookie set, as by any first page
    queries = _queries(client, url.format(call=small.pk))
    with django_assert_max_num_queries(queries):
        response = client.get(url.format(call=large.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Project ") >= 30  # every project is there: 30 fit on one page


def test_the_home_page_counts_projects_without_reading_them(
    client, demo, django_assert_max_num_queries
):
    client.force_login(demo["users"]["dossierbehandelaar"])
    _call_with(3)
    client.get("/")  # the reader's CSRF cookie set, as by any first page
    queries = _queries(client, "/")
    large = _call_with(30)
    with django_assert_max_num_queries(queries):
        response = client.get("/")
    recorded = {call.title: call.projects_recorded for call in response.context["calls"]}
    assert recorded == {demo["call"].title: 3, "Oproep met 3 projecten": 3, large.title: 30}
    assert '<td class="num">30</td>' in response.content.decode()


def test_a_call_of_many_projects_is_read_a_page_at_a_time(client, demo, monkeypatch):
    monkeypatch.setattr(views, "CALL_PROJECTS_PER_PAGE", 2)
    client.force_login(demo["users"]["dossierbehandelaar"])
    call = _call_with(3)
    names = list(call.projects.order_by("order", "name", "pk").values_list("name", flat=True))
    first = client.get(f"/calls/{call.pk}/").content.decode()
    second = client.get(f"/calls/{call.pk}/?page=2").content.decode()
    assert [f">{name}</a>" in first for name in names] == [True, True, False]
    assert [f">{name}</a>" in second for name in names] == [False, False, True]
    for page in (first, second):
        assert "3 van 3 gefinancierde projecten geregistreerd" in page
    assert 'href="?page=2" rel="next"' in first and 'href="?page=1" rel="prev"' in second

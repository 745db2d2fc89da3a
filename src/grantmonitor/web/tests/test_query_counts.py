"""The call page and the API's project list make as many queries for 30 projects as for 3."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_create
from grantmonitor.kpis.models import ChildrenRule, KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_value_record, track_create
from grantmonitor.register.tests import factories


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
    queries = _queries(client, url.format(call=small.pk))
    with django_assert_max_num_queries(queries):
        response = client.get(url.format(call=large.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Project ") >= 30  # every project is there, not a page of them

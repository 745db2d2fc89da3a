"""Parts of pages are rendered once and kept: a change to what they show shows at once, and
a reader never gets a part rendered for another who may see more."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from grantmonitor.calls.models import Project
from grantmonitor.dossiers.models import Dossier
from grantmonitor.kpis.models import Kpi, KpiKind
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.register.models import CharacteristicCode
from grantmonitor.register.services import characteristic_record, participant_register
from grantmonitor.register.tests import factories

NBSP = "\u00a0"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hefboom(demo):
    return Project.objects.get(name="Hefboom")


def _counted_kpi(project: Project) -> Kpi:
    return Kpi.objects.filter(
        project=project,
        kind=KpiKind.COUNT,
        parent=None,
        higher_is_better=True,
        objective_value__gt=1,
    ).first()


def test_the_call_page_shows_a_new_value_a_changed_objective_and_new_money(client, demo, hefboom):
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:call", args=[demo["call"].pk])
    assert "11 van 11 behaald" in _page(client, url)
    assert "11 van 11 behaald" in _page(client, url)  # kept, and the same

    kpi = _counted_kpi(hefboom)
    kpi_value_record(kpi=kpi, value=kpi.objective_value - 1)
    assert "10 van 11 behaald" in _page(client, url)

    Kpi.objects.filter(pk=kpi.pk).update(objective_value=kpi.objective_value - 1)
    assert "11 van 11 behaald" in _page(client, url)

    Dossier.objects.filter(project=hefboom).update(allocated_amount=D("310000.00"))
    page = _page(client, url)
    assert f"€{NBSP}310.000,00" in page and f"€{NBSP}300.000,00" not in page


def test_a_promoter_never_gets_the_funders_table_of_projects(client, demo, hefboom):
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:call", args=[demo["call"].pk])
    funder = _page(client, url)
    others = [reverse("web:project", args=[project.pk]) for project in Project.objects.all()]
    assert all(other in funder for other in others)

    client.force_login(demo["users"]["promotor"])  # Hefboom's staff
    promoter = _page(client, url)
    own = reverse("web:project", args=[hefboom.pk])
    assert [other in promoter for other in others] == [other == own for other in others]


def test_a_chart_is_drawn_again_when_its_figures_change(client, demo, hefboom):
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:project-chart", args=[hefboom.pk])
    before = _page(client, url)
    assert _page(client, url) == before  # kept, and the same
    kpi = _counted_kpi(hefboom)
    kpi_value_record(kpi=kpi, value=kpi.objective_value * 7)
    assert _page(client, url) != before


def test_the_target_groups_chart_is_drawn_again_when_a_characteristic_is_recorded(client, demo):
    project = factories.project()
    kpi = factories.bound_kpi(project, {"count": "participants"})
    people = [
        participant_register(
            project=project, registered_on=datetime.date(2018, 3, 1), birth_year=1980
        )
        for _ in range(3)
    ]
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:kpi-target-groups-chart", args=[project.pk, kpi.pk])
    before = _page(client, url)
    assert _page(client, url) == before
    characteristic_record(
        participant=people[0],
        code=CharacteristicCode.LOW_EDUCATED,
        recorded_on=datetime.date(2018, 3, 1),
    )
    after = _page(client, url)
    assert after != before and "kortgeschoold" in after


def test_the_project_page_shows_a_new_value_and_a_changed_objective(client, demo, hefboom):
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:project", args=[hefboom.pk])
    kpi = _counted_kpi(hefboom)

    def row(page: str) -> str:
        start = page.index(f"{kpi.name}\n")
        return page[start : page.index("</tr>", start)]

    before = row(_page(client, url))
    assert row(_page(client, url)) == before  # kept, and the same
    kpi_value_record(kpi=kpi, value=D(4321))
    assert "<td>4.321</td>" in row(_page(client, url))

    Kpi.objects.filter(pk=kpi.pk).update(objective_value=D(8765))
    assert "8.765" in row(_page(client, url))

"""Pages and parts of pages are rendered once and kept: a change to what they show shows at
once, and a reader never gets a page or part rendered for another who may see more."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import user_create
from grantmonitor.calls.models import Call, Project
from grantmonitor.dossiers.models import Dossier
from grantmonitor.kpis.models import Kpi, KpiKind
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.organisations.models import Organisation
from grantmonitor.questions.services import question_create
from grantmonitor.register.models import ActivityKind, CharacteristicCode, ProjectWrite
from grantmonitor.register.services import (
    activity_record,
    characteristic_record,
    participant_register,
)
from grantmonitor.register.stamps import KEPT_WITH_PROJECTS
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


# --- whole pages kept under their stamps (PostgreSQL, committed writes) ---------------------


def _attend(project: Project) -> None:
    day = datetime.date(2018, 3, 5)
    participant = participant_register(project=project, registered_on=day, birth_year=1990)
    activity_record(
        project=project,
        kind=ActivityKind.INFO_SESSION,
        date=day,
        organiser=project.promoter,
        participants=[participant],
    )


def _url(page: str, project: Project) -> str:
    args = {"home": [], "call": [project.call_id], "project": [project.pk]}[page]
    return reverse(f"web:{page}", args=args)


#: Writes to what a kept page shows, one of each kind of stamp: (page, the write, what the page
#: shows after it).
KEPT_WRITES = {
    "a KPI's value (the project's)": (
        "project",
        lambda project: kpi_value_record(kpi=_counted_kpi(project), value=D(4321)),
        lambda page: "<td>4.321</td>" in page,
    ),
    "the call's title (shared)": (
        "project",
        lambda project: Call.objects.filter(pk=project.call_id).update(title="Oproep 2027"),
        lambda page: "Oproep 2027" in page,
    ),
    "a question asked (shared)": (
        "home",
        lambda project: question_create(
            call=project.call,
            number=777,
            session="2026-2027",
            date=datetime.date(2027, 1, 4),
            questioner="Els Vragensteller",
            minister="Minister van Werk",
        ),
        lambda page: "nr. 777" in page,
    ),
    "the promoter's name (shared)": (
        "call",
        lambda project: Organisation.objects.filter(pk=project.promoter_id).update(
            name="Hefboom Brussel"
        ),
        lambda page: "Hefboom Brussel" in page,
    ),
    "the money allocated (the project's dossier)": (
        "call",
        lambda project: Dossier.objects.filter(project=project).update(
            allocated_amount=D("310000.00")
        ),
        lambda page: f"€{NBSP}310.000,00" in page,
    ),
    "a person reached (the project's register)": (
        "call",
        _attend,
        lambda page: '<dd class="distinct-people">1</dd>' in page,
    ),
}


@pytest.mark.postgres
@pytest.mark.parametrize("write", KEPT_WRITES)
def test_a_kept_page_shows_a_committed_write_at_once(
    postgres_only, client, transactional_db, demo, write
):
    hefboom = Project.objects.get(name="Hefboom")
    client.force_login(demo["users"]["dossierbehandelaar"])
    page, change, shows = KEPT_WRITES[write]
    url = _url(page, hefboom)
    _page(client, url)  # sets the reader's CSRF cookie: pages are kept from here on
    before = _page(client, url)
    assert _page(client, url) == before  # kept: the same bytes, the forms' tokens included
    assert not shows(before)
    change(hefboom)
    assert shows(_page(client, url)), f"{write}: the kept page did not change"


@pytest.mark.postgres
@pytest.mark.parametrize("page", ["home", "call", "project"])
def test_a_kept_page_is_served_in_three_queries(
    postgres_only, client, transactional_db, demo, page
):
    hefboom = Project.objects.get(name="Hefboom")
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = _url(page, hefboom)
    _page(client, url)
    kept = _page(client, url)
    with CaptureQueriesContext(connection) as queries:
        assert _page(client, url) == kept
    read = [query["sql"] for query in queries if query["sql"] not in ("BEGIN", "COMMIT")]
    assert len(read) == 3, read  # the reader's session, the reader, the stamps


@pytest.mark.postgres
def test_each_reader_gets_a_page_of_their_own(postgres_only, client, transactional_db, demo):
    hefboom = Project.objects.get(name="Hefboom")
    url = reverse("web:project", args=[hefboom.pk])
    readers = {"dossierbehandelaar": client, "promotor": type(client)()}
    for name, reader in readers.items():
        reader.force_login(demo["users"][name])
    _page(client, url)
    # even with one CSRF secret (a browser's cookie kept across sign-ins)
    readers["promotor"].cookies["csrftoken"] = client.cookies["csrftoken"].value
    for name in ("dossierbehandelaar", "promotor", "dossierbehandelaar", "promotor"):
        user = demo["users"][name]
        page = _page(readers[name], url)
        assert f'<span class="who">{user.get_full_name() or user.username}</span>' in page


def _tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', sql))


@pytest.mark.postgres
@pytest.mark.parametrize("page", ["home", "call", "project"])
def test_every_table_a_kept_page_reads_moves_a_stamp(
    postgres_only, client, transactional_db, demo, page
):
    """A table read by a kept page without a trigger that moves a stamp would leave the page
    stale after a write to it: add it to ``register.stamps`` (or its model to a kept list)."""
    hefboom = Project.objects.get(name="Hefboom")
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = _url(page, hefboom)
    with CaptureQueriesContext(connection) as queries:
        _page(client, url)
    read = set().union(*(_tables_read(query["sql"]) for query in queries))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE tgname LIKE '%%\\_stamp\\_insert' OR tgname LIKE '%%\\_shared\\_insert'"
        )
        stamped = {table for (table,) in cursor.fetchall()}
    kept = {apps.get_model(*model)._meta.db_table for model in KEPT_WITH_PROJECTS}
    # the reader's own session, checked before the page is served; the stamps themselves
    own = {"django_session", ProjectWrite._meta.db_table}
    assert "calls_call" in read  # the pattern finds the tables
    assert read - stamped - kept - own == set()


# --- a page's body kept once for every reader who sees the same of it (PostgreSQL) ----------


def _body(page: str) -> str:
    return page[page.index('<p class="eyebrow">') : page.index("</main>")]


#: A write to what both case handlers see on each page: (its name in ``KEPT_WRITES``).
SHARED_WRITES = {
    "call": "the money allocated (the project's dossier)",
    "project": "a KPI's value (the project's)",
}


@pytest.mark.postgres
@pytest.mark.parametrize("page", ["call", "project"])
@pytest.mark.parametrize(
    "kept_in",
    # Redis as a production server keeps them (``CACHE_URL``), shared by every worker
    ["each worker's memory", pytest.param("Redis", marks=pytest.mark.redis)],
)
def test_readers_who_see_the_same_share_one_rendering_of_the_body(
    postgres_only, request, client, transactional_db, demo, page, kept_in
):
    redis = request.getfixturevalue("redis_cache") if kept_in == "Redis" else None
    hefboom = Project.objects.get(name="Hefboom")
    url = _url(page, hefboom)
    colleague = user_create(
        username="tweede", password="x" * 20, role=Role.CASE_HANDLER, first_name="Tine"
    )
    other = type(client)()
    # both signed in first: a sign-in writes to the users, which every page may show
    other.force_login(colleague)
    client.force_login(demo["users"]["dossierbehandelaar"])
    _page(client, url)  # sets the reader's CSRF cookie: their whole page is kept from here on
    first = _page(client, url)
    assert _page(client, url) == first
    if redis is not None:
        server, prefix = redis
        assert list(server.scan_iter(f"{prefix}:*")), "nothing was kept in Redis"
    with CaptureQueriesContext(connection) as queries:
        second = _page(other, url)
    assert _body(second) == _body(first)
    assert '<span class="who">Tine</span>' in second  # their own frame
    read = set().union(*(_tables_read(query["sql"]) for query in queries))
    assert not read & {"kpis_kpi", "kpis_kpivalue", "dossiers_dossier"}, read

    _page_name, change, shows = KEPT_WRITES[SHARED_WRITES[page]]
    change(hefboom)
    assert shows(_page(client, url)) and shows(_page(other, url)), "a kept body stayed stale"


#: A reader who sees less (or other) than the one whose rendering is kept: (page, who renders
#: it first, who asks after, what the second must get and the first did not).
SEEN_AS = {
    "the cabinet after the funder: small counts as published": (
        "project",
        "dossierbehandelaar",
        "kabinet",
        lambda page, project: "Aantallen personen van 1 tot 4 staan er als" in page,
    ),
    "the funder after the promoter: no button to register": (
        "project",
        "promotor",
        "dossierbehandelaar",
        lambda page, project: reverse("web:register", args=[project.pk]) not in page,
    ),
    "the promoter after the funder: their own projects only": (
        "call",
        "dossierbehandelaar",
        "promotor",
        lambda page, project: all(
            (reverse("web:project", args=[other.pk]) in page) == (other == project)
            for other in Project.objects.all()
        ),
    ),
    "the cabinet after the funder: the call's small counts as published": (
        "call",
        "dossierbehandelaar",
        "kabinet",
        lambda page, project: "Aantallen personen van 1 tot 4 staan er als" in page,
    ),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", SEEN_AS)
def test_a_reader_never_gets_a_body_rendered_for_one_who_sees_otherwise(
    postgres_only, client, transactional_db, demo, case
):
    hefboom = Project.objects.get(name="Hefboom")
    page, first_reader, second_reader, own = SEEN_AS[case]
    url = _url(page, hefboom)
    other = type(client)()
    other.force_login(demo["users"][second_reader])  # before: a sign-in moves the stamps
    client.force_login(demo["users"][first_reader])
    first = _page(client, url)
    assert not own(_body(first), hefboom)  # the two readers' pages differ
    assert own(_body(_page(other, url)), hefboom), case

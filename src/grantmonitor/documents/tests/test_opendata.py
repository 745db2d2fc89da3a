"""A call's published figures as CSV and XLSX, read back the way their users read them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_create
from grantmonitor.documents.opendata import COLUMNS, call_csv, call_xlsx, people_figures
from grantmonitor.documents.tests.small_project import CALL_TITLE, small_project
from grantmonitor.kpis.models import KpiKind
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.kpis.services import kpi_create, kpi_value_record
from grantmonitor.register.services import participant_register
from grantmonitor.register.tests import factories


def csv_rows(content: bytes, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def find(rows, **wanted) -> dict:
    (row,) = [row for row in rows if all(row[key] == value for key, value in wanted.items())]
    return row


@pytest.fixture
def small(demo):
    small_project()
    return Call.objects.get(title=CALL_TITLE)


def test_the_seeds_figures_are_published_as_they_are(demo):
    rows = csv_rows(call_csv(call=demo["call"]))
    reached = find(rows, project="Stebo", kpi="Aantal bereikte prestarters", figure="kpi")
    assert (reached["objective"], reached["realised"], reached["verdict"]) == (
        "400",
        "1347",
        "achieved",
    )
    assert reached["counts_people"] == "no", "reported, not counted from the register"
    started = find(
        rows,
        project="GTB",
        kpi="Klanten die effectief starten met een traject naar ondernemerschap",
        figure="kpi",
    )
    assert (started["realised"], started["counts_people"]) == ("276", "yes")
    groups = [row for row in rows if row["project"] == "GTB" and row["figure"] == "target_group"]
    assert [(row["item"], row["realised"]) for row in groups] == [
        ("Personen met een arbeidshandicap", "239"),
        ("Vijftigplussers", "39"),
        ("Personen met een migratieachtergrond", "27"),
        ("Langer dan 2 jaar werkloos", "117"),
        ("Kortgeschoolden", "81"),
    ]
    outcome = find(rows, project="GTB", figure="outcome", as_of="2017-09-30", realised="91")
    assert outcome["item"] == "ingeschreven als zelfstandige"
    ratio = find(rows, project="Hefboom", kind="ratio", figure="kpi")
    assert (ratio["objective"], ratio["objective_denominator"]) == ("1", "4")
    assert (ratio["realised"], ratio["realised_denominator"]) == ("1", "2")
    assert all(row["kind"] != "qualitative" for row in rows), "narratives are not figures"
    assert not any("€" in value for row in rows for value in row.values()), "no money"


def test_small_counts_of_people_are_suppressed_in_csv(small):
    rows = csv_rows(call_csv(call=small))
    assert list(rows[0]) == list(COLUMNS)
    started = find(rows, kpi="Gestarte deelnemers", figure="kpi")
    assert (started["objective"], started["realised"], started["verdict"]) == (
        "10",
        "12",
        "achieved",
    )
    groups = {row["item"]: row["realised"] for row in rows if row["figure"] == "target_group"}
    assert groups == {"Personen met een migratieachtergrond": "< 5", "Kortgeschoolden": "≥ 5"}
    assert find(rows, figure="outcome")["realised"] == "< 5"
    sessions = find(rows, kpi="Infosessies")
    assert (sessions["realised"], sessions["counts_people"]) == ("12.5", "no")


def test_the_excel_layout_has_semicolons_decimal_commas_and_a_bom(small):
    content = call_csv(call=small, dialect="excel-nl")
    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").splitlines()[0].startswith("call;project;promoter;")
    rows = csv_rows(content, delimiter=";")
    assert find(rows, kpi="Infosessies")["realised"] == "12,5"
    assert find(rows, figure="outcome")["realised"] == "< 5"


def test_english_labels_on_request(small):
    rows = csv_rows(call_csv(call=small, language="en"))
    assert {row["item"] for row in rows if row["figure"] == "target_group"} == {
        "People with a migration background",
        "Low-educated people",
    }


def test_the_workbook_has_numbers_as_numbers_and_suppressed_counts_as_text(small):
    workbook = load_workbook(io.BytesIO(call_xlsx(call=small)))
    sheet = workbook["figures"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    rows = [
        dict(zip(header, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    started = next(row for row in rows if row["kpi"] == "Gestarte deelnemers")
    assert (started["objective"], started["realised"]) == (10, 12)
    assert isinstance(started["realised"], int)
    assert next(row for row in rows if row["kpi"] == "Infosessies")["realised"] == 12.5
    assert [row["realised"] for row in rows if row["figure"] == "target_group"] == ["< 5", "≥ 5"]
    about = [row[0].value for row in workbook["about"].iter_rows(max_row=2)]
    assert about == [
        "Gepubliceerde cijfers van Kleine oproep",
        "Aantallen personen van 1 tot 4 staan er als “< 5”; waar er een uit een totaal af te "
        "leiden zou zijn, is ook een ander aantal verborgen, als “≥ 5”.",
    ]


def test_a_count_the_engine_computes_from_the_register_is_suppressed(db):
    project = factories.project()
    kpi = factories.bound_kpi(project, {"count": "participants"})
    for number in range(3):
        participant_register(
            project=project, registered_on=datetime.date(2018, 1, 15), reference=f"p{number}"
        )
    figures = people_figures(project_kpis(project=project))
    assert figures[("kpi", kpi.pk)].text() == "< 5"
    rows = csv_rows(call_csv(call=project.call))
    assert (find(rows, kpi=kpi.name)["realised"], find(rows, kpi=kpi.name)["counts_people"]) == (
        "< 5",
        "yes",
    )


def _call_counting_people(projects: int) -> Call:
    """A call whose projects count the people they registered, 3 in the first (suppressed)
    and 6, 7, 8... in the next, and report 2 sessions each (not people: published as is)."""
    call = call_create(title=f"Oproep met {projects} projecten", number_of_projects=projects)
    for number in range(1, projects + 1):
        project = factories.project(call=call, name=f"Project {number}")
        factories.bound_kpi(project, {"count": "participants"})
        sessions = kpi_create(project=project, name="Infosessies", kind=KpiKind.COUNT, order=2)
        kpi_value_record(kpi=sessions, value=Decimal(2))
        for person in range(3 if number == 1 else 4 + number):
            participant_register(
                project=project, registered_on=datetime.date(2018, 1, 15), reference=f"p{person}"
            )
    return call


def test_a_calls_figures_take_as_many_queries_for_six_projects_as_for_two(
    db, django_assert_max_num_queries
):
    small, large = _call_counting_people(2), _call_counting_people(6)
    with CaptureQueriesContext(connection) as context:
        call_csv(call=small)
    with django_assert_max_num_queries(len(context.captured_queries)):
        rows = csv_rows(call_csv(call=large))
    published = [(row["project"], row["realised"], row["counts_people"]) for row in rows]
    assert published == [
        ("Project 1", "< 5", "yes"),
        ("Project 1", "2", "no"),
        ("Project 2", "6", "yes"),
        ("Project 2", "2", "no"),
        ("Project 3", "7", "yes"),
        ("Project 3", "2", "no"),
        ("Project 4", "8", "yes"),
        ("Project 4", "2", "no"),
        ("Project 5", "9", "yes"),
        ("Project 5", "2", "no"),
        ("Project 6", "10", "yes"),
        ("Project 6", "2", "no"),
    ]
    # the figures each project's own page publishes, its provenance read for it alone
    one_at_a_time = [
        figure.text("en")
        for project in large.projects.order_by("order", "name")
        for figure in people_figures(project_kpis(project=project)).values()
    ]
    assert one_at_a_time == [realised for _, realised, people in published if people == "yes"]

import datetime
from decimal import Decimal as D

import pytest
from lxml import etree

from grantmonitor.calls.services import call_create, project_create
from grantmonitor.demo.seed import CALL_TITLE
from grantmonitor.interchange.iati_export import (
    IatiExportError,
    ReportingOrg,
    export_call,
    iati_identifier,
    schema,
)
from grantmonitor.interchange.tests.conftest import DATA
from grantmonitor.organisations.services import organisation_create

FUNDER = ReportingOrg(ref="XX-TEST-FUNDER", name="Agentschap Innoveren & Ondernemen")
NL = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def exported(demo):
    return etree.fromstring(export_call(call=demo["call"], reporting_org=FUNDER))


def _activity(root, project_name):
    for activity in root.iter("iati-activity"):
        if activity.findtext("title/narrative") == project_name:
            return activity
    raise AssertionError(f"no activity titled {project_name}")


def _indicator(activity, title):
    for indicator in activity.iter("indicator"):
        if indicator.findtext("title/narrative") == title:
            return indicator
    raise AssertionError(f"no indicator titled {title}")


def test_the_seed_call_validates_against_the_official_iati_203_schema(exported):
    iati = schema()
    assert iati.validate(exported), iati.error_log
    assert exported.get("version") == "2.03"


def test_the_official_example_validates_against_the_shipped_schema():
    example = etree.parse(str(DATA / "iati-2.03-activity-standard-example-annotated.xml"))
    assert schema().validate(example)


def test_one_activity_per_project_reported_by_the_funder(demo, exported):
    activities = exported.findall("iati-activity")
    assert [a.findtext("title/narrative") for a in activities] == ["Hefboom", "Stebo", "GTB"]
    projects = {p.name: p for p in demo["call"].projects.all()}
    hefboom = activities[0]
    assert hefboom.findtext("iati-identifier") == iati_identifier(
        reporting_org=FUNDER, project=projects["Hefboom"]
    )
    assert hefboom.findtext("iati-identifier") == f"XX-TEST-FUNDER-{projects['Hefboom'].pk}"
    assert hefboom.find("reporting-org").get("ref") == FUNDER.ref
    assert hefboom.findtext("reporting-org/narrative") == FUNDER.name
    assert hefboom.find("title/narrative").get(NL) == "nl"
    implementing = [
        org.findtext("narrative")
        for org in hefboom.findall("participating-org")
        if org.get("role") == "4"
    ]
    assert implementing == ["Hefboom", "Dyzo"]
    assert CALL_TITLE in hefboom.findtext("description/narrative")


def test_status_and_dates_come_from_the_dossier_and_the_call_duration(exported):
    # Hefboom's dossier is closed; GTB's is still with the inspection. The seed has no project
    # dates: the dossier was opened on 1 September 2013 and the call ran 42 months.
    hefboom, gtb = _activity(exported, "Hefboom"), _activity(exported, "GTB")
    assert hefboom.find("activity-status").get("code") == "4"
    assert gtb.find("activity-status").get("code") == "3"
    dates = {d.get("type"): d.get("iso-date") for d in hefboom.findall("activity-date")}
    assert dates == {"2": "2013-09-01", "3": "2017-02-28"}


def test_a_count_kpi_has_its_target_and_actual_over_the_project(exported):
    stebo = _activity(exported, "Stebo")
    reached = _indicator(stebo, "Aantal bereikte prestarters")
    assert reached.get("measure") == "1"
    assert reached.find("period/period-start").get("iso-date") == "2013-09-01"
    assert reached.find("period/period-end").get("iso-date") == "2017-02-28"
    assert reached.find("period/target").get("value") == "400"
    assert reached.find("period/actual").get("value") == "1347"
    child = _indicator(stebo, "Aantal bereikte prestarters – Via infosessies")
    assert child.find("period/target") is None
    assert child.find("period/actual").get("value") == "767"


def test_an_increase_kpi_has_its_baseline_and_the_target_level(exported):
    hefboom = _activity(exported, "Hefboom")
    credits = _indicator(
        hefboom, "Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar)."
    )
    assert credits.get("measure") == "1"
    baseline = credits.find("baseline")
    assert (baseline.get("year"), baseline.get("value")) == ("2013", "5")
    target = credits.find("period/target")
    assert target.get("value") == "5.5"  # at least 10 % more than 5
    assert "10%" in target.findtext("comment/narrative")
    assert credits.find("period/actual").get("value") == "16"


def test_a_ratio_is_a_percentage_and_a_qualitative_kpi_its_narrative(exported):
    hefboom = _activity(exported, "Hefboom")
    ratio = next(
        i for i in hefboom.iter("indicator") if "Conversieratio" in i.findtext("title/narrative")
    )
    assert ratio.get("measure") == "2"
    assert ratio.find("period/target").get("value") == "25"  # 1 in 4
    assert ratio.find("period/actual").get("value") == "50"  # 1 in 2
    cooperation = _indicator(hefboom, "Samenwerking tussen Hefboom en Dyzo")
    assert cooperation.get("measure") == "5"
    assert cooperation.find("period") is None
    assert cooperation.findtext("description/narrative").startswith("Verder is er in dit project")
    english = [n.text for n in cooperation.findall("title/narrative") if n.get(NL) == "en"]
    assert english == ["Cooperation between Hefboom and Dyzo"]


def test_target_groups_are_the_actuals_disaggregation(exported):
    gtb = _activity(exported, "GTB")
    started = _indicator(gtb, "Klanten die effectief starten met een traject naar ondernemerschap")
    actuals = started.findall("period/actual")
    assert actuals[0].get("value") == "276" and actuals[0].find("dimension") is None
    assert {a.find("dimension").get("name") for a in actuals[1:]} == {"doelgroep"}
    by_group = {a.find("dimension").get("value"): a.get("value") for a in actuals[1:]}
    assert by_group == {
        "Personen met een arbeidshandicap": "239",
        "Vijftigplussers": "39",
        "Personen met een migratieachtergrond": "27",
        "Langer dan 2 jaar werkloos": "117",
        "Kortgeschoolden": "81",
    }


def test_project_dates_win_over_the_dossier_and_the_call(db):
    promoter = organisation_create(name="Startlab")
    call = call_create(title="Oproep 2020", number_of_projects=1)
    project_create(
        call=call,
        name="Startlab",
        promoter=promoter,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    root = etree.fromstring(export_call(call=call, reporting_org=FUNDER))
    assert schema().validate(root), schema().error_log
    dates = {d.get("type"): d.get("iso-date") for d in root.iter("activity-date")}
    # Without a dossier the project counts as running: its end is still the planned one.
    assert dates == {"2": "2020-01-01", "3": "2021-12-31"}
    assert root.find("iati-activity/result") is None  # no KPIs, no results


def test_a_project_without_any_date_is_named_instead_of_writing_invalid_iati(db, english):
    call = call_create(title="Oproep zonder data", number_of_projects=2, budget=D("1000.00"))
    project_create(call=call, name="Zonder datum", promoter=organisation_create(name="Vzw X"))
    with pytest.raises(IatiExportError, match="Zonder datum"):
        export_call(call=call, reporting_org=FUNDER)


def test_the_reporting_organisation_needs_an_identifier(demo, english):
    with pytest.raises(IatiExportError, match="identifier"):
        export_call(call=demo["call"], reporting_org=ReportingOrg(ref=" ", name="Funder"))

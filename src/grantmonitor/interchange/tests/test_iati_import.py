import datetime
import io
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.services import call_create
from grantmonitor.interchange.iati_export import ReportingOrg, export_call
from grantmonitor.interchange.iati_import import (
    IatiFileError,
    ImportReport,
    iati_import,
    parse_activities,
)
from grantmonitor.interchange.tests.conftest import DATA
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.services import organisation_create

MESSY = DATA / "messy-2.03.xml"
OLD = DATA / "activities-1.03.xml"
EXAMPLE = DATA / "iati-2.03-activity-standard-example-annotated.xml"
STARTLAB = "BE-BCE_KBO-0999999999-STARTLAB"
BRUGWERK = "BE-BCE_KBO-0999999999-BRUGWERK"


def _kpi(identifier, title):
    return Kpi.objects.get(project__name=identifier, name=title)


def _values(kpi):
    """{(start, end): latest value} for the KPI, None for the whole project."""
    values = {}
    for value in KpiValue.objects.filter(kpi=kpi).order_by("recorded_at", "pk"):
        values[(value.period_start, value.period_end)] = value.value
    return values


def _reasons(report, **where):
    return [
        skip.reason
        for skip in report.skipped
        if all(getattr(skip, key) == value for key, value in where.items())
    ]


@pytest.fixture
def messy(db, english):
    return iati_import(source=MESSY, call_title="Proefoproep IATI", file_name=MESSY.name)


def test_reading_keeps_what_is_sound_without_touching_the_database(english):
    report = ImportReport()
    activities = list(parse_activities(MESSY, report))
    assert [a.identifier for a in activities] == [STARTLAB, BRUGWERK]
    assert report.activities_found == 4
    startlab = activities[0]
    assert startlab.title == "Startlab: begeleiding van prestarters"  # Dutch narrative first
    assert startlab.reporting_org.name == "Agentschap Ondernemen"
    assert startlab.start_date == datetime.date(2019, 1, 1)
    assert startlab.end_date is None  # 9999-12-31 is a placeholder
    titles = [indicator.title for indicator in startlab.indicators]
    assert titles == [
        "Aantal bereikte prestarters",
        "Aantal infosessies",
        "Bereik via sociale media",
        "Begeleidingsuren",
    ]


def test_a_new_call_gets_as_many_projects_as_activities_found(messy):
    assert messy.call_created
    assert messy.call.title == "Proefoproep IATI"
    assert messy.call.number_of_projects == 4
    assert messy.projects_created == [STARTLAB, BRUGWERK]
    assert messy.imported_anything


def test_organisations_promoter_and_partners_come_from_the_participating_orgs(messy):
    assert messy.organisations_created == [
        "Agentschap Ondernemen",
        "Vzw Startlab",
        "Kringloopcentrum Gent",
        "Brugwerk vzw",
    ]
    startlab = Project.objects.get(name=STARTLAB)
    assert startlab.title == "Startlab: begeleiding van prestarters"
    assert startlab.promoter.name == "Vzw Startlab"
    assert [p.name for p in startlab.partners.all()] == ["Kringloopcentrum Gent"]
    assert (startlab.start_date, startlab.end_date) == (datetime.date(2019, 1, 1), None)
    brugwerk = Project.objects.get(name=BRUGWERK)
    assert brugwerk.promoter.name == "Brugwerk vzw"  # accountable, as no one implements
    assert (brugwerk.start_date, brugwerk.end_date) == (
        datetime.date(2020, 9, 1),
        datetime.date(2021, 8, 31),
    )


def test_thousands_separators_and_decimal_commas_are_read(messy):
    reached = _kpi(STARTLAB, "Aantal bereikte prestarters")
    assert reached.kind == KpiKind.COUNT
    assert reached.objective_value == D("1200")  # "1.200"
    social = _kpi(STARTLAB, "Bereik via sociale media")
    assert social.objective_value == D("20000")  # "20,000"
    assert _values(social)[(None, None)] == D("23456")  # "23.456"
    hours = _kpi(STARTLAB, "Begeleidingsuren")
    assert hours.objective_value == D("1000")  # "1.000"; the 9999 period's 50 is not added
    assert _values(hours)[(None, None)] == D("1234.5")  # "1.234,5"


def test_values_per_period_and_the_total_over_the_outermost_periods(messy):
    reached = _kpi(STARTLAB, "Aantal bereikte prestarters")
    assert _values(reached) == {
        (datetime.date(2019, 1, 1), datetime.date(2021, 12, 31)): D("1347"),
        (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)): D("412"),
        # the whole project: the three years, not the three years plus 2019 again
        (None, None): D("1347"),
    }


def test_targets_and_actuals_in_different_periods(messy):
    sessions = _kpi(STARTLAB, "Aantal infosessies")
    assert sessions.objective_value == D("36")  # one target for 2019-2021
    assert _values(sessions) == {
        (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)): D("12"),
        (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)): D("14"),
        (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)): D("11"),
        (None, None): D("37"),  # actuals for each year add up
    }


def test_every_skipped_value_is_reported_with_its_reason(messy):
    assert _reasons(messy, activity=STARTLAB, indicator="Aantal bereikte prestarters") == [
        "actual not kept: not a number",
        "actual not kept: empty",
    ]
    skipped_na = next(s for s in messy.skipped if s.value == "n/a")
    assert skipped_na.period == "2020-01-01 – 2020-12-31"
    assert _reasons(messy, activity=STARTLAB, indicator="Bereik via sociale media") == [
        "baseline not kept: a count KPI has no baseline"
    ]
    assert _reasons(messy, activity=STARTLAB, indicator="Begeleidingsuren") == [
        "target not kept: placeholder date 9999-12-31"
    ]
    assert _reasons(messy, activity=STARTLAB, value="9999-12-31") == [
        "activity date not kept: placeholder date 9999-12-31"
    ]
    assert _reasons(messy, indicator="Samenwerking met het lokale netwerk") == [
        "not a count (measure 5): only indicators in units become KPIs"
    ]
    assert _reasons(messy, indicator="Aandeel gestarte ondernemers") == [
        "not a count (measure 2): only indicators in units become KPIs"
    ]
    assert _reasons(messy, activity="activity nr. 2") == ["no iati-identifier: activity skipped"]
    assert _reasons(messy, activity=BRUGWERK, indicator="Afhakers") == ["actual not kept: negative"]
    assert _reasons(messy, activity=BRUGWERK, period="2021-03-01 – 2020-12-31") == [
        "actual not kept: the period ends before it starts"
    ]
    too_long = [s for s in messy.skipped if s.activity.endswith("0000000000")]
    assert [s.reason for s in too_long] == [
        "iati-identifier longer than 200 characters: activity skipped"
    ]
    assert len(messy.skipped) == 13


def test_disaggregated_actuals_are_reported_and_the_total_kept(messy):
    started = _kpi(BRUGWERK, "Deelnemers die een traject starten")
    assert started.objective_value == D("80")
    assert _values(started)[(None, None)] == D("95")
    assert _reasons(messy, activity=BRUGWERK, value="60") == [
        "disaggregated actual (doelgroep = Vijftigplussers) not kept: only totals are imported"
    ]
    dropouts = _kpi(BRUGWERK, "Afhakers")
    assert dropouts.higher_is_better is False  # ascending="0"
    assert _values(dropouts) == {}


def test_reimporting_the_same_file_creates_nothing_twice(messy, english):
    counts = (Project.objects.count(), Kpi.objects.count(), KpiValue.objects.count())
    again = iati_import(source=MESSY, call_title="Proefoproep IATI")
    assert not again.call_created
    assert again.projects_created == [] and again.organisations_created == []
    assert again.projects_found == [STARTLAB, BRUGWERK]
    assert (again.kpis_created, again.values_recorded) == (0, 0)
    assert again.values_unchanged == messy.values_recorded == 13
    assert (Project.objects.count(), Kpi.objects.count(), KpiValue.objects.count()) == counts
    assert Call.objects.filter(title="Proefoproep IATI").count() == 1
    assert again.imported_anything


def test_a_changed_actual_is_recorded_as_the_new_current_value(messy, english):
    changed = MESSY.read_bytes().replace(b'<actual value="23.456"/>', b'<actual value="24.001"/>')
    again = iati_import(source=io.BytesIO(changed), call_title="Proefoproep IATI")
    assert again.values_recorded == 2  # the period and the whole project
    social = _kpi(STARTLAB, "Bereik via sociale media")
    assert _values(social)[(None, None)] == D("24001")


def test_the_older_103_layout(db, english):
    report = iati_import(source=OLD, call_title="Oude projecten")
    assert report.projects_created == ["BE-10-OUDPROJECT-1"]
    project = Project.objects.get(name="BE-10-OUDPROJECT-1")
    assert project.title == "Ondernemerschap bij nieuwkomers"
    assert project.promoter.name == "Vzw Nieuwe Start"
    assert [p.name for p in project.partners.all()] == ["Stad Mechelen"]
    assert (project.start_date, project.end_date) == (
        datetime.date(2011, 1, 1),
        datetime.date(2013, 12, 31),
    )
    coached = _kpi("BE-10-OUDPROJECT-1", "Begeleide nieuwkomers")
    assert (coached.objective_value, _values(coached)[(None, None)]) == (D("150"), D("162"))
    sessions = _kpi("BE-10-OUDPROJECT-1", "Gemiddeld aantal coachingsessies per deelnemer")
    assert (sessions.objective_value, _values(sessions)[(None, None)]) == (D("4"), D("4.5"))
    assert _reasons(report, indicator="Aandeel vrouwen") == [
        "not a count (measure 2): only indicators in units become KPIs"
    ]


def test_the_official_iati_example(db, english):
    report = iati_import(source=EXAMPLE, call_title="Voorbeeld")
    assert report.projects_created == ["AA-AAA-123456789-ABC123"]
    project = Project.objects.get(name="AA-AAA-123456789-ABC123")
    assert project.title == "Activity title"
    # No one implements: the accountable organisation promotes.
    assert project.promoter.name == "Name of Agency C"
    assert (project.start_date, project.end_date) == (
        datetime.date(2012, 4, 28),
        datetime.date(2015, 12, 31),
    )
    indicator = _kpi("AA-AAA-123456789-ABC123", "Indicator title")
    assert indicator.objective_value == D("10")
    assert _values(indicator) == {
        (datetime.date(2013, 1, 1), datetime.date(2013, 3, 31)): D("11"),
        (None, None): D("11"),
    }
    assert set(Organisation.objects.values_list("name", flat=True)) == {
        "Organisation name",
        "Name of Agency A",
        "Name of Agency B",
        "Name of Agency C",
    }


def test_importing_into_an_existing_call(demo, english):
    report = iati_import(source=OLD, call_title=demo["call"].title.upper())
    assert not report.call_created
    assert report.call == demo["call"]
    assert demo["call"].projects.filter(name="BE-10-OUDPROJECT-1").exists()


def test_a_call_is_not_created_when_nothing_sound_is_in_the_file(db, english):
    empty = (
        b'<iati-activities version="2.03"><iati-activity><title/></iati-activity></iati-activities>'
    )
    report = iati_import(source=io.BytesIO(empty), call_title="Leeg")
    assert not report.imported_anything
    assert report.call is None and not Call.objects.exists()
    assert report.activities_found == 1
    assert _reasons(report) == ["no iati-identifier: activity skipped"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not well-formed"),
        (b"this is no xml", "not well-formed"),
        (b"<activities/>", "root element is <activities>"),
        (b"<iati-activities><iati-activity>", "not well-formed"),
    ],
)
def test_a_file_that_is_no_iati_file_is_refused_whole(db, english, content, message):
    with pytest.raises(IatiFileError, match=message):
        iati_import(source=io.BytesIO(content), call_title="Kapot")
    assert not Call.objects.exists()


def test_entities_are_not_expanded(db, english, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'
        "<iati-activities><iati-activity><iati-identifier>&s;</iati-identifier>"
        "<participating-org role='4'><narrative>Vzw</narrative></participating-org>"
        "</iati-activity></iati-activities>"
    ).encode()
    report = iati_import(source=io.BytesIO(xxe), call_title="XXE")
    assert not Project.objects.filter(name__contains="geheim").exists()
    assert "geheim" not in str(report.skipped)


def test_a_call_exported_as_iati_reads_back_as_count_kpis(demo, english):
    funder = ReportingOrg(ref="XX-TEST-FUNDER", name="Agentschap Ondernemen")
    exported = export_call(call=demo["call"], reporting_org=funder)
    report = iati_import(source=io.BytesIO(exported), call_title="Kopie van de oproep")
    stebo = demo["call"].projects.get(name="Stebo")
    identifier = f"XX-TEST-FUNDER-{stebo.pk}"
    assert len(report.projects_created) == 3
    reached = _kpi(identifier, "Aantal bereikte prestarters")
    assert reached.objective_value == D("400")
    period = (datetime.date(2013, 9, 1), datetime.date(2017, 2, 28))
    assert _values(reached) == {period: D("1347"), (None, None): D("1347")}
    copy = Project.objects.get(name=identifier)
    assert copy.promoter.name == "Stebo" and copy.title == "Stebo"
    # What a count cannot hold is named: the ratio, the narratives, the baselines, the groups.
    reasons = {s.reason for s in report.skipped}
    assert "not a count (measure 2): only indicators in units become KPIs" in reasons
    assert "not a count (measure 5): only indicators in units become KPIs" in reasons
    assert "baseline not kept: a count KPI has no baseline" in reasons
    disaggregated = [s for s in report.skipped if s.reason.startswith("disaggregated actual")]
    assert [s.value for s in disaggregated] == ["239", "39", "27", "117", "81"]
    # and the export of the copy is valid IATI again
    copy_export = export_call(call=report.call, reporting_org=funder)
    assert etree.fromstring(copy_export).findall("iati-activity")


def test_one_activitys_failure_leaves_the_others_and_rolls_back_its_own(db, english):
    call_create(title="Bestaand", number_of_projects=1)
    # An organisation name that differs only in case from an existing one cannot be chosen
    # safely; the activity fails whole, the other one is imported.
    organisation_create(name="Vzw Dubbel")
    organisation_create(name="VZW DUBBEL")
    content = (
        b'<iati-activities version="2.03">'
        b"<iati-activity><iati-identifier>A-1</iati-identifier>"
        b"<participating-org role='4'><narrative>Vzw Nieuw</narrative></participating-org>"
        b"<participating-org role='4'><narrative>vzw dubbel</narrative></participating-org>"
        b"</iati-activity>"
        b"<iati-activity><iati-identifier>A-2</iati-identifier>"
        b"<participating-org role='4'><narrative>Vzw Twee</narrative></participating-org>"
        b"</iati-activity></iati-activities>"
    )
    report = iati_import(source=io.BytesIO(content), call_title="Bestaand")
    assert report.projects_created == ["A-2"]
    assert report.organisations_created == ["Vzw Twee"]
    assert not Organisation.objects.filter(name="Vzw Nieuw").exists()
    assert not Project.objects.filter(name="A-1").exists()
    assert _reasons(report, activity="A-1") == [
        "activity not imported: promoter: several organisations are called “vzw dubbel”"
    ]


def test_no_call_is_left_behind_when_every_activity_fails(db, english):
    organisation_create(name="Vzw Dubbel")
    organisation_create(name="VZW DUBBEL")
    content = (
        b'<iati-activities version="2.03">'
        b"<iati-activity><iati-identifier>A-1</iati-identifier>"
        b"<participating-org role='4'><narrative>vzw dubbel</narrative></participating-org>"
        b"</iati-activity></iati-activities>"
    )
    report = iati_import(source=io.BytesIO(content), call_title="Nieuwe oproep")
    assert not report.imported_anything
    assert report.call is None
    assert not Call.objects.filter(title="Nieuwe oproep").exists()
    assert len(report.skipped) == 1


def _one_indicator(value: str, start: str = "2020-01-01", end: str = "2020-12-31") -> bytes:
    activity = etree.Element("iati-activity")
    etree.SubElement(activity, "iati-identifier").text = "T-1"
    org = etree.SubElement(activity, "participating-org", role="4")
    etree.SubElement(org, "narrative").text = "Vzw Test"
    indicator = etree.SubElement(etree.SubElement(activity, "result", type="1"), "indicator")
    indicator.set("measure", "1")
    etree.SubElement(etree.SubElement(indicator, "title"), "narrative").text = "Bereik"
    period = etree.SubElement(indicator, "period")
    etree.SubElement(period, "period-start").set("iso-date", start)
    etree.SubElement(period, "period-end").set("iso-date", end)
    etree.SubElement(period, "target", value=value)
    etree.SubElement(period, "actual", value=value)
    root = etree.Element("iati-activities", version="2.03")
    root.append(activity)
    return etree.tostring(root)


@given(
    value=st.text(alphabet="0123456789.,- €\u00a0an/e", max_size=12),
    start=st.sampled_from(["2020-01-01", "9999-12-31", "", "2020-13-01", "01/01/2020"]),
)
@settings(max_examples=200)
def test_reading_never_fails_and_each_value_is_kept_or_reported(value, start):
    report = ImportReport()
    activities = list(parse_activities(io.BytesIO(_one_indicator(value, start=start)), report))
    periods = activities[0].indicators[0].periods
    kept = sum(side is not None for period in periods for side in (period.target, period.actual))
    assert kept + len(report.skipped) == 2


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1.000.000.000.000.000", "indicator not imported: objective_value: "),
        ("1e5", "target not kept: not a number"),
        ("12,345", None),  # read as 12345
    ],
)
def test_values_a_kpi_cannot_hold_are_reported_not_raised(db, english, value, reason):
    report = iati_import(source=io.BytesIO(_one_indicator(value)), call_title="Grenzen")
    assert report.projects_created == ["T-1"]
    reasons = [skip.reason for skip in report.skipped]
    if reason is None:
        assert reasons == []
        assert Kpi.objects.get(name="Bereik").objective_value == D("12345")
    else:
        assert any(r.startswith(reason) for r in reasons), reasons

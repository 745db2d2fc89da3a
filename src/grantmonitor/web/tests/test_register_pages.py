"""The pages show what the KPI engine computed from the register, and who may see it."""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from grantmonitor.calls.models import Project
from grantmonitor.common.money import format_number
from grantmonitor.kpis.engine import kpi_population
from grantmonitor.kpis.models import ChildrenRule, Kpi, KpiKind, KpiValue
from grantmonitor.kpis.services import kpi_create, kpi_value_record
from grantmonitor.register.models import Activity, ActivityKind, CharacteristicCode, Participant
from grantmonitor.register.selectors import (
    call_people,
    call_referrals,
    characteristic_label,
    kpi_target_groups,
)
from grantmonitor.register.services import (
    activity_record,
    attendance_record,
    characteristic_record,
    participant_register,
)
from grantmonitor.register.synth import synth
from grantmonitor.register.tests import factories

STEBO_REACHED = "Aantal bereikte prestarters"
GTB_STARTED = "Klanten die effectief starten met een traject naar ondernemerschap"


@pytest.fixture
def register(demo):
    synth(scale=1)
    return demo


def _page(client, demo, username, url):
    client.force_login(demo["users"][username])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _project_url(name):
    return reverse("web:project", args=[Project.objects.get(name=name).pk])


def _kpi(project, name):
    return Kpi.objects.get(project__name=project, name=name)


def _between(page, start, end):
    return page[page.index(start) : page.index(end, page.index(start))]


def test_gtb_population_shows_the_registers_target_groups_and_their_overlap(client, register):
    page = _page(client, register, "dossierbehandelaar", _project_url("GTB"))
    section = _between(page, f"<h3>{GTB_STARTED}: 276</h3>", "</section>")
    registered = _between(section, "Doelgroepen volgens het register", "</table>")
    assert '<tr><td>arbeidshandicap</td><td class="num">239</td></tr>' in registered
    assert '<tr><td>kortgeschoold</td><td class="num">81</td></tr>' in registered

    table = kpi_target_groups(kpi=_kpi("GTB", GTB_STARTED))
    combined = _between(section, "Gecombineerde problematiek", "</table>")
    for number in range(4):
        people = table.by_number.get(number, 0)
        assert f'<tr><td>{number}</td><td class="num">{people}</td></tr>' in combined
    assert f'4 of meer</td><td class="num">{table.with_at_least(4)}</td>' in combined
    assert table.with_at_least(2) > 0
    assert f"twee of meer van deze kenmerken: {table.with_at_least(2)} van 276." in section

    codes, people = table.combinations[0]
    assert len(codes) >= 2
    combinations = _between(section, "Meest voorkomende combinaties", "</table>")
    assert f'<td class="num">{people}</td>' in combinations
    assert "arbeidshandicap + " in combinations

    chart = reverse(
        "web:kpi-target-groups-chart",
        args=[Project.objects.get(name="GTB").pk, _kpi("GTB", GTB_STARTED).pk],
    )
    assert chart in section


def test_target_group_chart_is_svg_for_whoever_may_see_the_project(client, register):
    gtb = Project.objects.get(name="GTB")
    started = _kpi("GTB", GTB_STARTED)
    url = reverse("web:kpi-target-groups-chart", args=[gtb.pk, started.pk])
    client.force_login(register["users"]["inspecteur"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "arbeidshandicap" in svg and "239" in svg

    # A KPI of another project under GTB's address, and a KPI that counts activities.
    stebo_reached = _kpi("Stebo", STEBO_REACHED)
    wrong = reverse("web:kpi-target-groups-chart", args=[gtb.pk, stebo_reached.pk])
    assert client.get(wrong).status_code == 404
    activities = _kpi("Stebo", "Aantal begeleidingsactiviteiten")
    stebo = Project.objects.get(name="Stebo")
    no_people = reverse("web:kpi-target-groups-chart", args=[stebo.pk, activities.pk])
    assert client.get(no_people).status_code == 404

    client.force_login(register["users"]["promotor"])  # Hefboom's staff
    assert client.get(url).status_code == 403
    client.force_login(register["users"]["kabinet"])  # its bars would show small counts
    refused = client.get(url)
    assert refused.status_code == 403
    assert "zoals ze gepubliceerd zouden worden" in refused.content.decode()


def test_the_cabinet_sees_the_registers_tables_as_published(client, register):
    started = _kpi("GTB", GTB_STARTED)
    for person in kpi_population(kpi=started).order_by("pk")[:2]:
        characteristic_record(
            participant=person, code="second_chance", recorded_on=person.registered_on
        )
    assert kpi_target_groups(kpi=started).counts["second_chance"] == 2
    row = f'<tr><td>{characteristic_label("second_chance")}</td><td class="num">{{}}</td></tr>'
    funder = _page(client, register, "dossierbehandelaar", _project_url("GTB"))
    assert row.format(2) in funder
    cabinet = _page(client, register, "kabinet", _project_url("GTB"))
    assert row.format("&lt; 5") in cabinet
    chart = reverse("web:kpi-target-groups-chart", args=[started.project.pk, started.pk])
    assert chart in funder
    assert chart not in cabinet


def test_stebo_shows_computed_values_with_definition_version_and_years(client, register):
    page = _page(client, register, "kabinet", _project_url("Stebo"))
    reached = _between(page, f"{STEBO_REACHED}\n", "</tr>")
    assert "1.347" in reached
    assert "berekend" in reached
    value = KpiValue.objects.filter(
        kpi=_kpi("Stebo", STEBO_REACHED), period_start__isnull=True
    ).latest("recorded_at", "pk")
    assert value.definition_version.definition.code == "prestarters-reached"
    assert f"prestarters-reached</span>, versie {value.definition_version.number}" in reached
    with translation.override("nl"):
        moment = date_filter(timezone.localtime(value.recorded_at), "j F Y H:i")
    assert f"berekend op {moment}" in reached

    activities = _between(page, "Aantal begeleidingsactiviteiten\n", "</tr>")
    years = KpiValue.objects.filter(
        kpi=_kpi("Stebo", "Aantal begeleidingsactiviteiten"), period_start__isnull=False
    ).order_by("period_start")
    assert [v.period_start.year for v in years] == [2013, 2014, 2015, 2016, 2017]
    line = _between(activities, "per jaar: ", "</p>")
    for year in years:
        assert f"{year.period_start.year}: {format_number(year.value, 'nl')}" in line
    assert sum(year.value for year in years) == 224


def test_hefboom_ratio_per_year_and_reported_kpis_keep_their_source(client, register):
    page = _page(client, register, "beheerder", _project_url("Hefboom"))
    conversion = _between(page, "Conversieratio", "</tr>")
    assert "1 op 2" in conversion and "berekend" in conversion
    qualitative = _between(page, "Samenwerking tussen Hefboom en Dyzo", "</tr>")
    assert "gerapporteerd" in qualitative and "berekend" not in qualitative


def test_overlapping_children_of_distinct_people_are_explained(client, register):
    stebo = Project.objects.get(name="Stebo")
    page = _page(client, register, "kabinet", _project_url("Stebo"))
    assert "afzonderlijke personen; de rijen eronder tellen samen" not in page

    # Someone who came to an information session now also comes to a theme session.
    theme_session = Activity.objects.filter(project=stebo, kind=ActivityKind.THEME_SESSION).first()
    person = (
        Participant.objects.filter(project=stebo, attendances__activity__kind="info_session")
        .exclude(attendances__activity=theme_session)
        .first()
    )
    attendance_record(activity=theme_session, participant=person)

    page = _page(client, register, "kabinet", _project_url("Stebo"))
    reached = _between(page, f"{STEBO_REACHED}\n", "</tr>")
    assert "1.347 afzonderlijke personen; de rijen eronder tellen samen 1.348." in reached
    assert "wordt hier één keer geteld" in reached
    themes = _between(page, "Via themasessies\n", "</tr>")
    assert "99" in themes


def test_a_reported_distinct_parent_explains_its_overlap_and_shows_its_evidence(client, demo):
    gtb = Project.objects.get(name="GTB")
    parent = kpi_create(
        project=gtb,
        name="Bereikte werkzoekenden",
        kind=KpiKind.COUNT,
        order=9,
        children_rule=ChildrenRule.DISTINCT,
    )
    kpi_value_record(kpi=parent, value=100, evidence="Jaarverslag 2016, p. 4")
    kpi_value_record(
        kpi=parent,
        value=40,
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 12, 31),
    )
    for order, (name, value) in enumerate([("Via VDAB", 70), ("Via OCMW", 50)], start=1):
        child = kpi_create(project=gtb, name=name, kind=KpiKind.COUNT, parent=parent, order=order)
        kpi_value_record(kpi=child, value=value)

    page = _page(client, demo, "kabinet", _project_url("GTB"))
    row = _between(page, "Bereikte werkzoekenden\n", "</tr>")
    assert "100 afzonderlijke personen; de rijen eronder tellen samen 120." in row
    assert "per jaar: " in row and "2015: 40" in row
    assert "gerapporteerd" in row and "Jaarverslag 2016, p. 4" in row
    assert "versie" not in row  # no definition behind a reported value


def test_the_call_page_says_when_nothing_is_registered_yet(client, demo):
    page = _page(client, demo, "dossierbehandelaar", reverse("web:call", args=[demo["call"].pk]))
    assert "Voor de projecten van deze oproep zijn nog geen deelnemers geregistreerd." in page
    assert "distinct-people" not in page


@pytest.mark.parametrize("username", ["dossierbehandelaar", "kabinet"])
def test_call_page_counts_people_once_across_projects_for_the_funder(client, register, username):
    call = register["call"]
    people = call_people(call=call)
    assert people.distinct < people.per_project_sum
    page = _page(client, register, username, reverse("web:call", args=[call.pk]))
    totals = _between(page, "Over de projecten van de oproep heen", "</main>")
    assert f'<dd class="distinct-people">{format_number(people.distinct, "nl")}</dd>' in totals
    assert (
        f'<dd class="per-project-sum">{format_number(people.per_project_sum, "nl")}</dd>' in totals
    )
    [referral] = call_referrals(call=call)
    assert (referral.from_organisation, referral.to_organisation) == ("GTB", "Stebo")
    assert (referral.referrals, referral.taken_up) == (12, 8)
    # 4 referrals were not taken up: the cabinet must not be able to subtract 8 from 12.
    taken_up = "8" if username == "dossierbehandelaar" else "≥ 5"
    assert (
        f'<tr><td>GTB</td><td>Stebo</td><td class="num">12</td><td class="num">{taken_up}</td></tr>'
    ) in totals


def test_no_pseudonym_key_reaches_any_page(client, register):
    keys = set(
        Participant.objects.exclude(person_key="").values_list("person_key", flat=True)[:2000]
    )
    assert keys
    urls = [reverse("web:call", args=[register["call"].pk])] + [
        _project_url(name) for name in ("Hefboom", "Stebo", "GTB")
    ]
    for url in urls:
        page = _page(client, register, "beheerder", url)
        assert not [key for key in keys if key in page], url


def test_the_promoter_sees_no_call_level_totals(client, register):
    call = register["call"]
    page = _page(client, register, "promotor", reverse("web:call", args=[call.pk]))
    assert "Hefboom" in page
    assert "Over de projecten van de oproep heen" not in page
    assert "distinct-people" not in page and "Doorverwijzingen" not in page
    # Hefboom's own project page still shows its own computed figures.
    hefboom = _page(client, register, "promotor", _project_url("Hefboom"))
    assert "berekend" in hefboom


def test_english_on_request(client, register):
    client.force_login(register["users"]["kabinet"])
    url = _project_url("GTB")
    page = client.post(reverse("set_language"), {"language": "en", "next": url}, follow=True)
    page = page.content.decode()
    assert "Target groups in the register" in page
    assert "occupational disability" in page and "computed" in page


@pytest.mark.parametrize("name", ["Hefboom", "Stebo", "GTB"])
def test_project_page_runs_a_bounded_number_of_queries(
    client, register, django_assert_max_num_queries, name
):
    client.force_login(register["users"]["kabinet"])
    url = _project_url(name)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_each_population_of_a_project_has_its_own_target_groups(client, demo):
    """A project page reads the register's tables of all its populations at once; each
    still counts its own people."""
    project = factories.project()
    registered = factories.bound_kpi(project, {"count": "participants"})
    attending = factories.bound_kpi(project, {"count": "attendees"})
    low, migration = CharacteristicCode.LOW_EDUCATED, CharacteristicCode.MIGRATION_BACKGROUND
    young, _low_only, older = (
        participant_register(
            project=project,
            registered_on=datetime.date(2018, 3, 1),
            birth_year=birth_year,
            characteristics=codes,
        )
        for birth_year, codes in [(1995, [low, migration]), (1980, [low]), (1960, [])]
    )
    activity_record(
        project=project,
        kind=ActivityKind.INFO_SESSION,
        date=datetime.date(2018, 3, 5),
        organiser=project.promoter,
        participants=[young, older],
    )
    page = _page(client, demo, "dossierbehandelaar", reverse("web:project", args=[project.pk]))
    with translation.override("nl"):
        label = {code: characteristic_label(code) for code in (low, migration)}

    def row(code, people):
        return f'<tr><td>{label[code]}</td><td class="num">{people}</td></tr>'

    everyone = _between(page, f"<h3>{registered.name}: 3</h3>", "</section>")
    assert row(low, 2) in everyone and row(migration, 1) in everyone
    assert "twee of meer van deze kenmerken: 1 van 3." in everyone
    present = _between(page, f"<h3>{attending.name}: 2</h3>", "</section>")
    assert row(low, 1) in present and row(migration, 1) in present
    assert "twee of meer van deze kenmerken: 1 van 2." in present
    assert kpi_target_groups(kpi=attending).by_number == {1: 1, 3: 1}

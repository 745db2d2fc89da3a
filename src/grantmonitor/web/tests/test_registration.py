"""The coach's register pages: what a registration does to the KPIs, HTMX rows, who may enter."""

import datetime

import pytest
from django.urls import reverse

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import membership_add, user_create
from grantmonitor.calls.models import Project
from grantmonitor.common.money import format_number
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_measure_bind, measure_definition_create
from grantmonitor.organisations.models import Organisation
from grantmonitor.register.identity import identity_get, identity_set
from grantmonitor.register.models import Activity, ActivityKind, Attendance, Participant
from grantmonitor.register.services import activity_record, participant_register
from grantmonitor.register.synth import HEFBOOM_WINDOW, synth
from grantmonitor.web.registration import PER_PAGE

SESSION_ATTENDEES = "Deelnemers aan info- en opleidingssessies"
SECOND_CHANCE_REACHED = "Aantal bereikte gefailleerde ondernemers"
SECOND_CHANCE = "gefailleerde ondernemer (tweede kans)"
VALID_INSZ = "85.07.30-033.28"


@pytest.fixture
def register(demo):
    synth(scale=1)
    return demo


@pytest.fixture
def hefboom(register):
    return Project.objects.get(name="Hefboom")


@pytest.fixture
def coach(client, register):
    client.force_login(register["users"]["promotor"])
    return client


@pytest.fixture
def second_chance_reached(hefboom):
    """A count KPI of Hefboom computed from the people registered with a second chance."""
    kpi = kpi_create(project=hefboom, name=SECOND_CHANCE_REACHED, kind=KpiKind.COUNT, order=99)
    definition = measure_definition_create(
        code="second-chance-participants",
        name=SECOND_CHANCE_REACHED,
        spec={
            "count": "participants",
            "filters": {"characteristics": ["second_chance"]},
            "window": HEFBOOM_WINDOW,
        },
    )
    kpi_measure_bind(kpi=kpi, definition=definition)
    engine.project_recompute(project=hefboom)
    return kpi


def _nl(number: int) -> str:
    return format_number(number, "nl")


def _realised(kpi) -> int:
    return int(kpi.values.filter(period_start__isnull=True).latest("recorded_at", "pk").value)


def _kpi_row(page: str, name: str) -> str:
    start = page.index(name, page.index('<table class="grid kpis">'))
    return page[start : page.index("</tr>", start)]


def _second_chance_session(project) -> Activity:
    return activity_record(
        project=project,
        kind=ActivityKind.TRAINING,
        date=datetime.date(2016, 5, 12),
        organiser=project.promoter,
        title="Opnieuw starten",
        audience="second_chance",
    )


def _change(before: str, after: str) -> str:
    """How the page words one KPI's change, after the KPI's name."""
    return f'</span> <span class="before">{before}</span> → <strong class="after">{after}</strong>'


def _htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_registering_a_participant_with_characteristics_counts_them_in_the_kpi(
    coach, hefboom, second_chance_reached
):
    before = _realised(second_chance_reached)
    assert before > 0  # the synthetic register holds second-chance entrepreneurs
    url = reverse("web:register", args=[hefboom.pk])
    response = coach.post(
        url,
        {
            "reference": "HB-2016-001",
            "registered_on": "2016-03-01",
            "insz": VALID_INSZ,
            "characteristics": ["second_chance", "low_educated"],
        },
    )
    assert response.status_code == 302 and response["Location"] == url

    participant = Participant.objects.get(project=hefboom, reference="HB-2016-001")
    assert participant.birth_year == 1985  # from the INSZ, which itself is not kept
    assert VALID_INSZ.replace(".", "").replace("-", "") not in participant.person_key
    assert sorted(participant.characteristics.values_list("code", flat=True)) == [
        "low_educated",
        "second_chance",
    ]
    assert _realised(second_chance_reached) == before + 1

    page = coach.get(url).content.decode()
    effect = page[
        page.index('id="kpi-effect"') : page.index("</ul>", page.index('id="kpi-effect"'))
    ]
    assert "Deelnemer HB-2016-001 geregistreerd." in effect
    assert SECOND_CHANCE_REACHED + _change(_nl(before), _nl(before + 1)) in effect
    row = page[page.index(">HB-2016-001</a></th>") :]
    row = row[: row.index("</tr>")]
    assert SECOND_CHANCE in row and "kortgeschoold" in row and "01/03/2016" in row
    # The effect is said once: the next visit shows the list without it.
    assert "Deelnemer HB-2016-001 geregistreerd" not in coach.get(url).content.decode()

    project_page = _project_page(coach, hefboom)
    assert _nl(before + 1) in _kpi_row(project_page, SECOND_CHANCE_REACHED)


def _project_page(client, project) -> str:
    return client.get(reverse("web:project", args=[project.pk])).content.decode()


def test_a_refused_registration_shows_why_next_to_the_field_and_saves_nothing(
    coach, hefboom, second_chance_reached
):
    participant_register(
        project=hefboom, registered_on=datetime.date(2016, 1, 4), insz=VALID_INSZ, reference="A"
    )
    people, before = hefboom.participants.count(), _realised(second_chance_reached)
    url = reverse("web:register", args=[hefboom.pk])

    wrong = coach.post(
        url,
        {
            "reference": "HB-X",
            "registered_on": "2016-03-01",
            "insz": "85.07.30-033.29",
            "characteristics": ["second_chance"],
        },
    )
    assert wrong.status_code == 422
    page = wrong.content.decode()
    insz_field = page[page.index('for="id_insz"') : page.index('for="id_birth_year"')]
    assert "85.07.30-033.29 is geen geldig rijksregister- of BIS-nummer" in insz_field
    assert "de controlecijfers kloppen niet: wellicht is een cijfer verkeerd getypt" in insz_field
    assert 'value="HB-X"' in page  # what was typed stays
    assert 'value="second_chance" id="id_characteristics_5" checked' in page

    twice = coach.post(
        url, {"reference": "HB-Y", "registered_on": "2016-03-01", "insz": VALID_INSZ}
    )
    assert twice.status_code == 422
    page = twice.content.decode()
    insz_field = page[page.index('for="id_insz"') : page.index('for="id_birth_year"')]
    assert "Deze persoon is al ingeschreven in dit project." in insz_field

    no_date = coach.post(url, {"reference": "HB-Z", "registered_on": "31/02/2016"})
    assert no_date.status_code == 422
    assert hefboom.participants.count() == people
    assert not Participant.objects.filter(reference__startswith="HB-").exists()
    assert _realised(second_chance_reached) == before


def test_an_activity_is_recorded_and_opens_its_attendance_list(coach, hefboom):
    response = coach.post(
        reverse("web:register-activities", args=[hefboom.pk]),
        {
            "kind": "training",
            "date": "2016-05-12",
            "title": "Opnieuw starten",
            "audience": "second_chance",
            "partners": [Organisation.objects.get(name="Dyzo").pk],
        },
    )
    activity = Activity.objects.get(project=hefboom, title="Opnieuw starten")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:register-activity", args=[hefboom.pk, activity.pk])
    assert list(activity.partners.values_list("name", flat=True)) == ["Dyzo"]
    assert activity.organiser == hefboom.promoter

    page = coach.get(response["Location"]).content.decode()
    assert "Activiteit 12/05/2016 opleiding Opnieuw starten geregistreerd." in page
    # The computed count of second-chance sessions, of which with Dyzo, in the seed 17 and 15.
    assert (
        "Collectieve begeleidingsactiviteiten (info- en opleidingssessies)"
        + _change("17 (waarvan 15 ism met Dyzo)", "18 (waarvan 16 ism met Dyzo)")
        in page
    )
    assert "ism met Dyzo" + _change("15", "16") in page
    assert '<span id="attendee-count">0 aanwezig' in page


def test_an_activity_outside_the_project_period_is_refused_next_to_the_date(coach, hefboom):
    Project.objects.filter(pk=hefboom.pk).update(
        start_date=datetime.date(2013, 9, 1), end_date=datetime.date(2017, 2, 28)
    )
    activities = Activity.objects.filter(project=hefboom).count()
    response = coach.post(
        reverse("web:register-activities", args=[hefboom.pk]),
        {"kind": "event", "date": "2018-01-10", "title": "Te laat"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    date_field = page[page.index('for="id_date"') : page.index('for="id_title"')]
    assert "2018-01-10 ligt buiten de projectperiode (2013-09-01 – 2017-02-28)." in date_field
    assert Activity.objects.filter(project=hefboom).count() == activities


def test_ticking_attendance_with_htmx_returns_the_row_and_the_kpi_change(coach, hefboom):
    activity = _second_chance_session(hefboom)
    person = participant_register(
        project=hefboom, registered_on=datetime.date(2016, 5, 1), reference="HB-TICK"
    )
    url = reverse("web:register-attendance", args=[hefboom.pk, activity.pk, person.pk])

    ticked = _htmx_post(coach, url, {"attended": "on"})
    assert ticked.status_code == 200
    fragment = ticked.content.decode()
    assert fragment.startswith(f'<tr id="attendance-{person.pk}" class="present">')
    assert "<html" not in fragment and "<main" not in fragment
    assert f'id="attend-{person.pk}" checked' in fragment
    assert '<div id="kpi-effect" hx-swap-oob="innerHTML">' in fragment
    assert f"{SESSION_ATTENDEES}" in fragment
    assert _change("446", "447") in fragment
    assert '<span id="attendee-count" hx-swap-oob="innerHTML">1 aanwezig' in fragment
    assert Attendance.objects.filter(activity=activity, participant=person).exists()

    again = _htmx_post(coach, url, {"attended": "on"})  # a second tick changes nothing
    assert again.status_code == 200 and "kpi-effect" not in again.content.decode()
    assert Attendance.objects.filter(activity=activity, participant=person).count() == 1

    unticked = _htmx_post(coach, url, {})
    fragment = unticked.content.decode()
    assert fragment.startswith(f'<tr id="attendance-{person.pk}">')
    assert "checked" not in fragment.split("</tr>")[0]
    assert _change("447", "446") in fragment
    assert not Attendance.objects.filter(activity=activity, participant=person).exists()

    page = _project_page(coach, hefboom)
    assert "446" in _kpi_row(page, SESSION_ATTENDEES)


def test_without_htmx_a_tick_saves_and_returns_to_the_attendance_page(coach, hefboom):
    activity = _second_chance_session(hefboom)
    person = participant_register(
        project=hefboom, registered_on=datetime.date(2016, 5, 1), reference="HB-PLAIN"
    )
    response = coach.post(
        reverse("web:register-attendance", args=[hefboom.pk, activity.pk, person.pk]),
        {"attended": "on"},
    )
    page_url = reverse("web:register-activity", args=[hefboom.pk, activity.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    page = coach.get(page_url).content.decode()
    assert "HB-PLAIN gemarkeerd als aanwezig." in page
    # Those present come first in the list.
    rows = page[page.index('<tbody id="attendance-rows">') :]
    assert rows.split("<tr ")[1].startswith(f'id="attendance-{person.pk}" class="present"')


def test_quick_add_by_reference_marks_present_or_says_why_not(coach, hefboom):
    activity = _second_chance_session(hefboom)
    participant_register(
        project=hefboom, registered_on=datetime.date(2016, 5, 1), reference="HB-QUICK"
    )
    for reference in ("HB-TWICE", "hb-twice"):
        participant_register(
            project=hefboom, registered_on=datetime.date(2016, 5, 1), reference=reference
        )
    url = reverse("web:register-attendance-add", args=[hefboom.pk, activity.pk])

    added = _htmx_post(coach, url, {"reference": " hb-quick "})
    assert added.status_code == 200
    fragment = added.content.decode()
    assert fragment.startswith('<form id="quick-add"')
    assert 'name="reference" value=' not in fragment.split("</form>")[0]  # cleared
    assert '<section id="attendance-list" class="reg-list"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert _change("446", "447") in fragment
    assert activity.attendances.get().participant.reference == "HB-QUICK"

    for reference, message in [
        ("HB-QUICK", "HB-QUICK staat al als aanwezig genoteerd."),
        ("HB-NOBODY", "Geen deelnemer van dit project heeft de referentie “HB-NOBODY”."),
        ("HB-TWICE", "2 deelnemers hebben de referentie “HB-TWICE”; vink de juiste aan."),
    ]:
        refused = _htmx_post(coach, url, {"reference": reference})
        assert refused.status_code == 422
        fragment = refused.content.decode()
        assert fragment.startswith('<form id="quick-add"') and message in fragment
        assert "attendance-list" not in fragment
    assert activity.attendances.count() == 1


def test_search_narrows_by_reference_characteristic_and_attended_activity(coach, hefboom):
    activity = _second_chance_session(hefboom)
    young = participant_register(
        project=hefboom,
        registered_on=datetime.date(2016, 5, 1),
        reference="ZOEK-JONG",
        birth_year=1995,
    )
    participant_register(
        project=hefboom,
        registered_on=datetime.date(2016, 5, 1),
        reference="ZOEK-OUD",
        birth_year=1960,
        characteristics=["second_chance"],
    )
    _htmx_post(
        coach,
        reverse("web:register-attendance", args=[hefboom.pk, activity.pk, young.pk]),
        {"attended": "on"},
    )
    url = reverse("web:register", args=[hefboom.pk])

    def found(**query):
        page = coach.get(url, query).content.decode()
        return {ref for ref in ("ZOEK-JONG", "ZOEK-OUD") if f">{ref}</a></th>" in page}, page

    assert found(reference="zoek")[0] == {"ZOEK-JONG", "ZOEK-OUD"}
    assert found(reference="zoek", characteristic="young")[0] == {"ZOEK-JONG"}
    assert found(reference="zoek", characteristic="aged_50_plus")[0] == {"ZOEK-OUD"}
    assert found(reference="zoek", characteristic="second_chance")[0] == {"ZOEK-OUD"}
    refs, page = found(activity=activity.pk)
    assert refs == {"ZOEK-JONG"} and "Deelnemers in het register: 1</h2>" in page


def test_a_search_value_not_offered_finds_nobody_and_says_why(coach, hefboom):
    url = reverse("web:register", args=[hefboom.pk])
    page = coach.get(url, {"characteristic": "martian", "activity": "999999"}).content.decode()
    assert "Deelnemers in het register: 0</h2>" in page
    assert 'id="search_characteristic_error"' in page and "martian" in page
    assert 'id="search_activity_error"' in page
    assert "Deelnemers in het register: 0</h2>" not in coach.get(url).content.decode()


def test_the_register_is_for_the_promoters_own_staff_only(client, hefboom, register):
    other = user_create(username="stebo-coach", password="x", role=Role.PROMOTER)
    membership_add(user=other, organisation=Organisation.objects.get(name="Stebo"))
    activity = _second_chance_session(hefboom)
    person = participant_register(
        project=hefboom, registered_on=datetime.date(2016, 5, 1), reference="HB-1"
    )
    pages = [
        ("get", reverse("web:register", args=[hefboom.pk])),
        ("post", reverse("web:register", args=[hefboom.pk])),
        ("get", reverse("web:register-activities", args=[hefboom.pk])),
        ("get", reverse("web:register-activity", args=[hefboom.pk, activity.pk])),
        ("post", reverse("web:register-attendance", args=[hefboom.pk, activity.pk, person.pk])),
        ("post", reverse("web:register-attendance-add", args=[hefboom.pk, activity.pk])),
    ]
    users = [other] + [
        register["users"][name]
        for name in ("beheerder", "dossierbehandelaar", "inspecteur", "kabinet")
    ]
    for user in users:
        client.force_login(user)
        for method, url in pages:
            response = getattr(client, method)(url, {"reference": "HB-1", "attended": "on"})
            assert response.status_code == 403, (user.username, url)
        home = client.get(reverse("web:register-home"))
        if user == other:  # to the register of its own project
            stebo_register = reverse("web:register", args=[Project.objects.get(name="Stebo").pk])
            assert home.status_code == 302 and home["Location"] == stebo_register
        else:  # nobody at the funder or the cabinet registers, nor sees the way there
            assert home.status_code == 403
            assert f'href="{reverse("web:register-home")}"' not in home.content.decode()
    assert not activity.attendances.exists()
    assert hefboom.participants.filter(reference="HB-1").count() == 1

    client.force_login(register["users"]["promotor"])
    home = client.get(reverse("web:register-home"))
    assert home.status_code == 302 and home["Location"] == pages[0][1]
    assert f'href="{reverse("web:register-home")}">Register</a>' in client.get("/").content.decode()
    stebo = Project.objects.get(name="Stebo")
    assert client.get(reverse("web:register", args=[stebo.pk])).status_code == 403
    assert client.get(reverse("web:register", args=[999_999])).status_code == 404
    other_activity = Activity.objects.filter(project=stebo).first()
    url = reverse("web:register-activity", args=[hefboom.pk, other_activity.pk])
    assert client.get(url).status_code == 404

    client.logout()
    assert client.get(pages[0][1])["Location"].startswith("/login/")


def test_name_and_contact_are_kept_with_the_registration_or_neither_is(coach, hefboom):
    url = reverse("web:register", args=[hefboom.pk])
    refused = coach.post(
        url,
        {
            "reference": "HB-NAAM",
            "registered_on": "2016-03-01",
            "name": "An Peeters",
            "email": "an.peeters@",
        },
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    email_field = page[page.index('for="id_email"') : page.index('for="id_phone"')]
    assert "Voer een geldig e-mailadres in." in email_field
    assert not Participant.objects.filter(reference="HB-NAAM").exists()

    coach.post(
        url,
        {
            "reference": "HB-NAAM",
            "registered_on": "2016-03-01",
            "name": "An Peeters",
            "email": "an.peeters@example.be",
            "phone": "+32 470 12 34 56",
        },
    )
    participant = Participant.objects.get(reference="HB-NAAM")
    stored = identity_get(participant, user=hefboom.promoter.memberships.get().user)
    assert (stored.name, stored.email, stored.phone) == (
        "An Peeters",
        "an.peeters@example.be",
        "+32 470 12 34 56",
    )
    page = coach.get(url, {"reference": "HB-NAAM"}).content.decode()
    assert ">HB-NAAM</a></th>\n        <td>An Peeters</td>" in page
    activity = _second_chance_session(hefboom)
    page = coach.get(
        reverse("web:register-activity", args=[hefboom.pk, activity.pk]), {"reference": "HB-NAAM"}
    ).content.decode()
    assert f'<label for="attend-{participant.pk}">HB-NAAM · An Peeters</label>' in page


def test_the_register_pages_take_a_few_queries_however_many_people_they_list(
    coach, hefboom, register, django_assert_max_num_queries
):
    for participant in hefboom.participants.all()[: PER_PAGE + 10]:
        identity_set(participant, actor=register["users"]["promotor"], name="Naam")
    activity = _second_chance_session(hefboom)
    assert hefboom.participants.count() > PER_PAGE  # a full first page, with names
    people, activities = hefboom.participants.count(), hefboom.activities.count()
    for url, rows in (
        (reverse("web:register", args=[hefboom.pk]), people),
        (reverse("web:register-activities", args=[hefboom.pk]), activities),
        (reverse("web:register-activity", args=[hefboom.pk, activity.pk]), people),
    ):
        with django_assert_max_num_queries(20):
            page = coach.get(url).content.decode()
        listed = page.split('id="referrals-heading"')[0]  # the register's own list
        assert listed.count("<tr") == 1 + min(rows, PER_PAGE)  # the header and a page of rows


def test_the_project_page_leads_its_own_staff_to_the_register_and_the_register_to_privacy(
    client, demo
):
    hefboom = Project.objects.get(name="Hefboom")
    participant = participant_register(
        project=hefboom, registered_on=datetime.date(2018, 3, 1), reference="HB-LINK"
    )
    register_url = reverse("web:register", args=[hefboom.pk])
    client.force_login(demo["users"]["promotor"])
    assert f'href="{register_url}"' in _project_page(client, hefboom)
    privacy_url = reverse("web:participant-privacy", args=[participant.pk])
    assert f'href="{privacy_url}"' in client.get(register_url).content.decode()
    client.force_login(demo["users"]["dossierbehandelaar"])
    assert register_url not in _project_page(client, hefboom)


def test_a_referral_shows_on_both_sides_without_the_senders_details(client, demo):
    from grantmonitor.register.services import referral_record

    hefboom, stebo = (Project.objects.get(name=name) for name in ("Hefboom", "Stebo"))
    theirs = participant_register(
        project=stebo, registered_on=datetime.date(2018, 3, 1), reference="STEBO-GEHEIM-7"
    )
    referral_record(
        participant=theirs,
        from_organisation=stebo.promoter,
        to_organisation=hefboom.promoter,
        referred_on=datetime.date(2018, 4, 12),
        reason="Vraagt microkrediet, woont in Genk",
        taken_up=True,
    )
    ours = participant_register(
        project=hefboom, registered_on=datetime.date(2018, 3, 2), reference="HB-DOOR-1"
    )
    referral_record(
        participant=ours,
        from_organisation=hefboom.promoter,
        to_organisation=stebo.promoter,
        referred_on=datetime.date(2018, 5, 3),
    )
    client.force_login(demo["users"]["promotor"])
    page = client.get(reverse("web:register", args=[hefboom.pk])).content.decode()
    section = page[page.index('id="referrals-heading"') :]
    received = section[section.index("Naar ons doorverwezen") :]
    assert '<th scope="row">Stebo</th>' in received and "12/04/2018" in received
    assert "STEBO-GEHEIM-7" not in page and "Genk" not in page
    made = section[: section.index("Naar ons doorverwezen")]
    assert "HB-DOOR-1" in made and "Stebo" in made and "03/05/2018" in made

"""Registering participants and activities in bulk through the API: all rows or none."""

import pytest
from rest_framework.test import APIClient

from grantmonitor.accounts.services import membership_add
from grantmonitor.calls.models import Project
from grantmonitor.register.models import Activity, Participant

VALID_INSZ = "85073003328"  # born 30 July 1985


@pytest.fixture
def client(demo):
    """The promoter's staff, a member of Hefboom and (here) of Stebo."""
    membership_add(
        user=demo["users"]["promotor"], organisation=Project.objects.get(name="Stebo").promoter
    )
    api = APIClient()
    api.force_authenticate(demo["users"]["promotor"])
    return api


@pytest.fixture
def stebo(demo):
    return Project.objects.get(name="Stebo")


def test_participants_are_registered_in_bulk_and_their_insz_never_comes_back(client, stebo):
    response = client.post(
        f"/api/projects/{stebo.pk}/participants/",
        [
            {
                "registered_on": "2015-03-02",
                "insz": VALID_INSZ,
                "reference": "ST-001",
                "characteristics": ["migration_background"],
            },
            {"registered_on": "2015-03-03", "reference": "ST-002", "birth_year": 1962},
        ],
        format="json",
    )
    assert response.status_code == 201, response.json()
    first, second = response.json()
    assert (first["reference"], first["birth_year"]) == ("ST-001", 1985)  # from the INSZ
    assert first["characteristics"] == ["migration_background"]
    assert second["birth_year"] == 1962
    assert VALID_INSZ not in response.content.decode()
    assert "person_key" not in first
    stored = Participant.objects.get(pk=first["id"])
    assert stored.project == stebo
    assert stored.person_key and stored.person_key != VALID_INSZ


@pytest.mark.parametrize(
    ("second_row", "field"),
    [
        ({"registered_on": "2015-03-03", "insz": "85073003329"}, "insz"),  # wrong check digits
        ({"registered_on": "2015-03-03", "insz": VALID_INSZ}, "non_field_errors"),  # twice
        ({"registered_on": "2015-03-03", "characteristics": ["young"]}, "characteristics"),
        ({"registered_on": "gisteren"}, "registered_on"),
    ],
)
def test_one_bad_row_saves_nothing_and_is_named_by_its_place(client, stebo, second_row, field):
    before = Participant.objects.count()
    response = client.post(
        f"/api/projects/{stebo.pk}/participants/",
        [{"registered_on": "2015-03-02", "insz": VALID_INSZ}, second_row],
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["1"]  # the second row, counted from 0
    assert field in errors["1"]
    assert Participant.objects.count() == before


def test_a_body_that_is_not_a_list_of_rows_is_refused(client, stebo):
    for body in ({"registered_on": "2015-03-02"}, []):
        response = client.post(f"/api/projects/{stebo.pk}/participants/", body, format="json")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()


def test_activities_are_recorded_with_their_attendance(client, stebo, demo):
    people = client.post(
        f"/api/projects/{stebo.pk}/participants/",
        [{"registered_on": "2015-03-02"}, {"registered_on": "2015-03-02"}],
        format="json",
    ).json()
    response = client.post(
        f"/api/projects/{stebo.pk}/activities/",
        [
            {
                "kind": "info_session",
                "date": "2015-03-10",
                "title": "Infosessie Gent",
                "organiser": stebo.promoter_id,
                "participants": [person["id"] for person in people],
            }
        ],
        format="json",
    )
    assert response.status_code == 201, response.json()
    [activity] = response.json()
    assert (activity["kind"], activity["attendees"]) == ("info_session", 2)


def test_an_attendee_of_another_project_is_refused(client, stebo):
    hefboom = Project.objects.get(name="Hefboom")
    [outsider] = client.post(
        f"/api/projects/{hefboom.pk}/participants/",
        [{"registered_on": "2015-03-02"}],
        format="json",
    ).json()
    before = Activity.objects.count()
    response = client.post(
        f"/api/projects/{stebo.pk}/activities/",
        [
            {
                "kind": "training",
                "date": "2015-04-01",
                "organiser": stebo.promoter_id,
                "participants": [outsider["id"]],
            }
        ],
        format="json",
    )
    assert response.status_code == 400
    assert "participant" in response.json()["0"]
    assert Activity.objects.count() == before


def test_only_the_promoters_staff_register(demo, stebo):
    case_handler = APIClient()
    case_handler.force_authenticate(demo["users"]["dossierbehandelaar"])
    response = case_handler.post(
        f"/api/projects/{stebo.pk}/participants/", [{"registered_on": "2015-03-02"}], format="json"
    )
    assert response.status_code == 403
    assert not Participant.objects.exists()

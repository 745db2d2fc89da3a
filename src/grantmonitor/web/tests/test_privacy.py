"""The promoter's privacy page: the identity, the right-of-access download and the erasure."""

import datetime
import json

import pytest
from django.urls import reverse

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import membership_add, user_create
from grantmonitor.audit.models import Event
from grantmonitor.calls.models import Project
from grantmonitor.register import services
from grantmonitor.register.identity import identity_set
from grantmonitor.register.models import ParticipantIdentity

HOSTILE = '<script>alert("x")</script> Jan'


@pytest.fixture
def participant(demo):
    person = services.participant_register(
        project=Project.objects.get(name="Hefboom"),
        registered_on=datetime.date(2016, 3, 1),
        reference="HEF-0007",
    )
    identity_set(person, actor=demo["users"]["promotor"], name=HOSTILE, email="jan@example.be")
    return person


def _urls(pk: int) -> dict[str, str]:
    return {
        "page": reverse("web:participant-privacy", args=[pk]),
        "export": reverse("web:participant-export", args=[pk]),
        "erase": reverse("web:participant-erase", args=[pk]),
    }


def test_the_promoter_sees_the_identity_as_text(client, demo, participant):
    client.force_login(demo["users"]["promotor"])
    response = client.get(_urls(participant.pk)["page"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Jan" in page
    assert HOSTILE not in page
    assert "jan@example.be" in page
    assert "Recht op inzage" in page  # Dutch first


def test_the_download_holds_every_record_and_is_recorded(client, demo, participant):
    client.force_login(demo["users"]["promotor"])
    response = client.get(_urls(participant.pk)["export"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert f'filename="participant-{participant.pk}.json"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert b"<script" not in response.content  # escaped as in json_script, same data
    data = json.loads(response.content)
    assert data["identity"]["name"] == HOSTILE
    assert data["participant"]["reference"] == "HEF-0007"
    event = Event.objects.get(action="export")
    assert event.actor == demo["users"]["promotor"]
    assert event.object_pk == str(participant.pk)


@pytest.mark.parametrize(
    "username", ["beheerder", "dossierbehandelaar", "inspecteur", "kabinet", "other promoter"]
)
@pytest.mark.parametrize("page", ["page", "export", "erase"])
def test_nobody_but_the_promoters_staff_reaches_the_identity(
    client, demo, participant, username, page
):
    if username == "other promoter":
        user = user_create(username="stebo-coach", password="x" * 12, role=Role.PROMOTER)
        membership_add(user=user, organisation=Project.objects.get(name="Stebo").promoter)
    else:
        user = demo["users"][username]
    client.force_login(user)
    url = _urls(participant.pk)[page]
    response = (
        client.post(url, {"reason": "x", "confirm": "on"}) if page == "erase" else client.get(url)
    )
    assert response.status_code == 403
    assert ParticipantIdentity.objects.filter(participant=participant).exists()
    assert not Event.objects.filter(action__in=["export", "erase"]).exists()


def test_an_unknown_participant_is_404_and_a_visitor_is_sent_to_log_in(client, demo, participant):
    response = client.get(_urls(participant.pk)["export"])
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(demo["users"]["promotor"])
    assert client.get(_urls(participant.pk + 1000)["page"]).status_code == 404


def test_erasing_asks_for_a_reason_and_a_confirmation(client, demo, participant):
    client.force_login(demo["users"]["promotor"])
    url = _urls(participant.pk)["erase"]
    response = client.post(url, {"reason": "Verzoek per brief"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert ParticipantIdentity.objects.filter(participant=participant).exists()
    assert client.get(url).status_code == 405

    response = client.post(url, {"reason": "Verzoek per brief", "confirm": "on"}, follow=True)
    assert response.redirect_chain == [(_urls(participant.pk)["page"], 302)]
    page = response.content.decode()
    assert "is gewist" in page
    assert "Jan" not in page and "jan@example.be" not in page
    participant.refresh_from_db()
    assert participant.reference == ""
    assert not ParticipantIdentity.objects.exists()
    event = Event.objects.get(action="erase")
    assert event.detail["reason"] == "Verzoek per brief"

"""Open data lists and serves a call's figures only once the funder has published them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_create, call_publish, call_unpublish


@pytest.fixture
def draft(demo):
    """A second call, not published, next to the seed's published one."""
    return call_create(title="Oproep zonder beslissing", number_of_projects=1)


def _downloads(call):
    return [
        reverse("web:opendata-csv", args=[call.pk]),
        reverse("web:opendata-xlsx", args=[call.pk]),
    ]


def test_the_seeds_call_is_published_by_the_administrator(demo):
    call = Call.objects.get(pk=demo["call"].pk)
    assert call.published_on == timezone.localdate()
    assert call.published_by == demo["users"]["beheerder"]


def test_anyone_finds_and_downloads_only_published_calls(client, demo, draft):
    page = client.get(reverse("web:opendata")).content.decode()
    assert demo["call"].title in page
    assert draft.title not in page
    for url in _downloads(demo["call"]):
        assert client.get(url).status_code == 200
    for url in _downloads(draft):
        assert client.get(url).status_code == 404


def test_a_call_published_from_a_later_day_is_not_open_yet(client, demo):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    call_publish(demo["call"], actor=demo["users"]["beheerder"], on=tomorrow)
    assert demo["call"].title not in client.get(reverse("web:opendata")).content.decode()
    assert client.get(_downloads(demo["call"])[0]).status_code == 404


def test_a_withdrawn_call_is_gone(client, demo):
    call_unpublish(demo["call"])
    page = client.get(reverse("web:opendata")).content.decode()
    assert "Van geen enkele oproep zijn de cijfers al gepubliceerd." in page
    assert client.get(_downloads(demo["call"])[1]).status_code == 404


@pytest.mark.parametrize(("username", "previews"), [("beheerder", True), ("kabinet", False)])
def test_the_administrator_checks_a_call_before_publishing(client, demo, draft, username, previews):
    client.force_login(demo["users"][username])
    page = client.get(reverse("web:opendata")).content.decode()
    assert ("Nog niet gepubliceerd" in page) is previews
    assert (_downloads(draft)[0] in page) is previews
    assert client.get(_downloads(draft)[0]).status_code == (200 if previews else 404)


def test_the_administrator_publishes_and_withdraws_in_the_admin(client, demo, draft):
    client.force_login(demo["users"]["beheerder"])
    url = reverse("admin:calls_call_changelist")
    chosen = {"_selected_action": [str(draft.pk)]}
    response = client.post(url, {"action": "publish", **chosen}, follow=True)
    assert "Open data vanaf vandaag: “Oproep zonder beslissing”." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.published_on, draft.published_by) == (
        timezone.localdate(),
        demo["users"]["beheerder"],
    )
    client.post(url, {"action": "unpublish", **chosen})
    draft.refresh_from_db()
    assert draft.published_on is None

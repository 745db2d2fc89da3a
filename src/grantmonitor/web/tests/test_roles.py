"""Each role sees what it may: promoter staff only their own organisation's projects."""

import pytest
from django.urls import reverse

from grantmonitor.accounts.models import Role, User
from grantmonitor.calls.models import Project


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.fixture
def urls(demo):
    projects = {p.name: p.pk for p in Project.objects.all()}
    return {
        "call": reverse("web:call", args=[demo["call"].pk]),
        "hefboom": reverse("web:project", args=[projects["Hefboom"]]),
        "stebo": reverse("web:project", args=[projects["Stebo"]]),
        "stebo chart": reverse("web:project-chart", args=[projects["Stebo"]]),
        "question": reverse("web:question", args=[demo["question"].pk]),
        "answer pdf": reverse("web:question-download", args=[demo["question"].pk, "nl", "pdf"]),
    }


@pytest.mark.parametrize(
    ("username", "page", "status"),
    [
        ("promotor", "call", 200),
        ("promotor", "hefboom", 200),
        ("promotor", "stebo", 403),
        ("promotor", "stebo chart", 403),
        ("promotor", "question", 403),
        ("promotor", "answer pdf", 403),
        ("dossierbehandelaar", "stebo", 200),
        ("inspecteur", "stebo", 200),
        ("kabinet", "question", 200),
        ("kabinet", "answer pdf", 200),
        ("beheerder", "stebo", 200),
    ],
)
def test_role_matrix(client, demo, urls, username, page, status):
    response = _page(client, demo["users"][username], urls[page])
    assert response.status_code == status


def test_promoter_sees_only_own_project_on_the_call_page(client, demo, urls):
    page = _page(client, demo["users"]["promotor"], urls["call"]).content.decode()
    assert "Hefboom" in page
    assert "Stebo" not in page and "GTB" not in page
    assert "€\xa0203.045,14" not in page  # Stebo's money
    assert "Schriftelijke vraag nr. 418" not in page


def test_refusal_says_why(client, demo, urls):
    page = _page(client, demo["users"]["promotor"], urls["stebo"]).content.decode()
    assert "Dit project behoort tot een andere organisatie." in page


def test_promoter_without_organisation_sees_no_call(client, demo, urls):
    stranger = User.objects.create_user(username="los", role=Role.PROMOTER)
    assert _page(client, stranger, urls["call"]).status_code == 403
    home = client.get(reverse("web:home")).content.decode()
    assert "Stakeholdersplatform" not in home

"""Who sees counts of people from 1 to 4 as they are, and who publishes a call's figures."""

import pytest
from django.contrib.auth.models import AnonymousUser

from grantmonitor.accounts import permissions as p
from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Call, Project


@pytest.mark.parametrize(
    ("username", "hefboom", "stebo", "call"),
    [
        ("beheerder", True, True, True),
        ("dossierbehandelaar", True, True, True),
        ("inspecteur", True, True, True),
        ("promotor", True, False, False),  # Hefboom's staff: their own people only
        ("kabinet", False, False, False),
    ],
)
def test_sees_small_counts(demo, username, hefboom, stebo, call):
    user = User.objects.get(username=username)
    assert p.sees_small_counts(user, Project.objects.get(name="Hefboom")).allowed is hefboom
    assert p.sees_small_counts(user, Project.objects.get(name="Stebo")).allowed is stebo
    assert p.sees_small_counts(user, Call.objects.get()).allowed is call


def test_the_cabinet_is_told_why(demo):
    decision = p.sees_small_counts(User.objects.get(username="kabinet"), Call.objects.get())
    assert decision.reason == (
        "Kleine aantallen personen worden getoond zoals ze gepubliceerd zouden worden."
    )


def test_nobody_signed_out_sees_small_counts(demo):
    assert not p.sees_small_counts(AnonymousUser(), Project.objects.get(name="Hefboom"))


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("beheerder", True), ("dossierbehandelaar", False), ("kabinet", False), ("promotor", False)],
)
def test_only_the_funders_administrator_publishes(demo, username, allowed):
    assert p.can_publish_calls(User.objects.get(username=username)).allowed is allowed

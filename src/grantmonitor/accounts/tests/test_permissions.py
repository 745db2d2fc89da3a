"""Each predicate, one role at a time, on the seed's projects."""

import pytest
from django.contrib.auth.models import AnonymousUser

from grantmonitor.accounts import permissions as p
from grantmonitor.accounts.models import Membership, Role, User
from grantmonitor.calls.models import Call, Project
from grantmonitor.dossiers.models import Dossier
from grantmonitor.organisations.models import Organisation


@pytest.fixture
def world(demo):
    hefboom_staff = User.objects.create_user(username="coach", role=Role.PROMOTER)
    Membership.objects.create(
        user=hefboom_staff, organisation=Organisation.objects.get(name="Hefboom")
    )
    return {
        "hefboom": Project.objects.get(name="Hefboom"),
        "stebo": Project.objects.get(name="Stebo"),
        "coach": hefboom_staff,
        "loose_promoter": User.objects.create_user(username="nobody", role=Role.PROMOTER),
        "handler": User.objects.get(username="dossierbehandelaar"),
        "other_handler": User.objects.create_user(username="h2", role=Role.CASE_HANDLER),
        "inspector": User.objects.get(username="inspecteur"),
        "cabinet": User.objects.get(username="kabinet"),
        "admin": User.objects.get(username="beheerder"),
    }


@pytest.mark.parametrize(
    ("who", "project", "allowed"),
    [
        ("coach", "hefboom", True),
        ("coach", "stebo", False),
        ("loose_promoter", "hefboom", False),
        ("handler", "stebo", True),
        ("inspector", "stebo", True),
        ("cabinet", "hefboom", True),
        ("admin", "stebo", True),
    ],
)
def test_can_view_project(world, who, project, allowed):
    decision = p.can_view_project(world[who], world[project])
    assert decision.allowed is allowed
    assert decision.reason


def test_anonymous_is_refused_everything(world):
    anonymous = AnonymousUser()
    assert not p.can_view_project(anonymous, world["stebo"])
    assert not p.can_read_answers(anonymous)
    assert not Project.objects.filter(p.project_scope(anonymous)).exists()


def test_project_scope_matches_the_predicate(world):
    for who in ("coach", "loose_promoter", "handler", "cabinet"):
        user = world[who]
        visible = set(Project.objects.filter(p.project_scope(user)).values_list("name", flat=True))
        expected = {
            project.name for project in Project.objects.all() if p.can_view_project(user, project)
        }
        assert visible == expected, who
    assert set(
        Project.objects.filter(p.project_scope(world["coach"])).values_list("name", flat=True)
    ) == {"Hefboom"}


def test_call_visible_to_a_promoter_with_a_project_in_it(world):
    call = Call.objects.get()
    assert p.can_view_call(world["coach"], call)
    assert not p.can_view_call(world["loose_promoter"], call)


def test_identities_stay_with_the_promoter(world):
    assert p.can_view_identities(world["coach"], world["hefboom"])
    for who in ("handler", "inspector", "cabinet", "admin"):
        decision = p.can_view_identities(world[who], world["hefboom"])
        assert not decision
        assert "pseudoniemen" in decision.reason


def test_register_is_written_by_the_promoter_only(world):
    assert p.can_edit_register(world["coach"], world["hefboom"])
    assert not p.can_edit_register(world["coach"], world["stebo"])
    assert not p.can_edit_register(world["handler"], world["hefboom"])


def test_only_the_assigned_case_handler_moves_a_dossier(world):
    dossier = Dossier.objects.get(project__name="Stebo")
    assert p.can_move_dossier(world["handler"], dossier)
    refused = p.can_move_dossier(world["other_handler"], dossier)
    assert not refused and "Een andere dossierbehandelaar" in refused.reason
    assert p.can_move_dossier(world["admin"], dossier)
    assert not p.can_move_dossier(world["inspector"], dossier)
    assert not p.can_move_dossier(world["coach"], dossier)


def test_only_inspectors_inspect(world):
    dossier = Dossier.objects.get(project__name="GTB")
    assert p.can_inspect(world["inspector"], dossier)
    assert not p.can_inspect(world["handler"], dossier)


def test_answers_are_for_funder_and_cabinet(world):
    assert p.can_read_answers(world["cabinet"])
    assert p.can_read_answers(world["handler"])
    assert not p.can_read_answers(world["coach"])

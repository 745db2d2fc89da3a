"""Every URL × every role × our own and another organisation's object, as designed.

The routes come from the URL configuration itself: a page or API endpoint that is not declared
in ``ACCESS`` below fails ``test_every_route_is_declared``, so a new view cannot escape the
matrix. Each declaration names whose object the URL's ids point at and who may use it; the
matrix test then asks every route as every role, once with the ids of an object of Hefboom
(the organisation the demo's ``promotor`` works for) and once with Stebo's, and expects:

- ``200``-class (or a redirect or form error for a POST) where the audience allows it,
- ``403`` with the predicate's reason where it does not,
- a redirect to the login page (pages) or ``401``/``403`` (API) for an anonymous visitor,
- ``404`` for an id that does not exist, for whoever could use the route.

All combinations are asked in one test on one set of data, and every mismatch is listed. The
data carries hostile strings (a participant's reference, an activity's title, a KPI's name with
a script tag): no page that answers may contain them as markup.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grantmonitor.accounts.models import Membership, Role, User
from grantmonitor.calls.models import Project
from grantmonitor.dossiers.selectors import dossier_advances, dossier_cost_lines, dossier_list
from grantmonitor.imports.jobs import job_start
from grantmonitor.imports.models import ImportJob
from grantmonitor.kpis.models import Kpi, KpiKind
from grantmonitor.kpis.services import kpi_create
from grantmonitor.register.models import ActivityKind
from grantmonitor.register.selectors import kpi_target_groups
from grantmonitor.register.services import activity_record, participant_register
from grantmonitor.register.synth import synth

ROLES = [
    "anonymous",
    "beheerder",  # funder administrator
    "dossierbehandelaar",  # case handler assigned to every demo dossier
    "andere-behandelaar",  # a case handler assigned to none
    "inspecteur",
    "kabinet",
    "promotor",  # works for Hefboom: Hefboom's objects are "own", Stebo's "other"
]
FUNDER = {"beheerder", "dossierbehandelaar", "andere-behandelaar", "inspecteur"}
READERS = FUNDER | {"kabinet"}
# Routes outside the matrix, each for a reason.
UNCHECKED = {
    "login": "the login page is for everyone",
    "logout": "logging out needs no permission",
    "set_language": "choosing a language needs no permission",
    "health": "the health check is for the load balancer, and says nothing but ok",
    "api:schema": "the API's description is public, like its committed openapi.yaml",
}
UNCHECKED_NAMESPACES = {"admin": "the admin site: staff only, tested in test_admin.py"}

ALLOWED, DENIED, LOGIN = "allowed", 403, "login"
HOSTILE = "<script>alert('x')</script>"
Audience = Callable[[str, bool], bool]  # (role, own object?) -> may use it


def public(role: str, own: bool) -> bool:
    """Published open data: anyone, signed in or not."""
    return True


def everyone(role: str, own: bool) -> bool:
    return True


def readers(role: str, own: bool) -> bool:
    return role in READERS


def project_readers(role: str, own: bool) -> bool:
    return role in READERS or (role == "promotor" and own)


def small_count_readers(role: str, own: bool) -> bool:
    """Who sees counts of people from 1 to 4 as they are: not the cabinet."""
    return role in FUNDER or (role == "promotor" and own)


def promoter_staff(role: str, own: bool) -> bool:
    return role == "promotor" and own


def promoters(role: str, own: bool) -> bool:
    return role == "promotor"


def movers(role: str, own: bool) -> bool:
    return role in {"beheerder", "dossierbehandelaar"}


def funder(role: str, own: bool) -> bool:
    return role in FUNDER


def inspectors(role: str, own: bool) -> bool:
    return role == "inspecteur"


def administrators(role: str, own: bool) -> bool:
    return role == "beheerder"


@dataclass(frozen=True)
class Access:
    """Whose object the route's ids name (a key of ``Objects.ids``) and who may use it."""

    audience: Audience
    subject: str = ""  # "" for a route without ids
    method: str = "get"
    extra: dict = field(default_factory=dict)  # fixed URL arguments such as a format
    denied: int = DENIED  # 404 where even the object's existence is not told


ACCESS: dict[str, Access] = {
    # pages
    "web:home": Access(everyone),
    "web:call": Access(everyone, "call"),
    "web:project": Access(project_readers, "project"),
    "web:project-chart": Access(project_readers, "project"),
    "web:kpi-target-groups-chart": Access(small_count_readers, "project-kpi"),
    "web:question": Access(readers, "question"),
    "web:question-download": Access(readers, "question", extra={"language": "nl", "fmt": "md"}),
    "web:opendata": Access(public),
    "web:opendata-csv": Access(public, "call"),
    "web:opendata-xlsx": Access(public, "call"),
    "web:audit": Access(administrators),
    "web:uploads": Access(promoters),
    "web:upload": Access(promoter_staff, "job", denied=404),
    "web:upload-template": Access(everyone, extra={"kind": "attendance", "fmt": "csv"}),
    "web:answer-pack": Access(readers, "question", extra={"language": "nl"}),
    "web:questions": Access(readers),
    "web:two-factor": Access(everyone),
    "web:two-factor-verify": Access(everyone),
    "web:two-factor-enrol": Access(everyone),
    "web:two-factor-backup-codes": Access(everyone, method="post"),
    "web:register-home": Access(promoters),
    "web:register": Access(promoter_staff, "project"),
    "web:register-activities": Access(promoter_staff, "project"),
    "web:register-activity": Access(promoter_staff, "project-activity"),
    "web:register-attendance-add": Access(promoter_staff, "project-activity", method="post"),
    "web:register-attendance": Access(promoter_staff, "project-attendance", method="post"),
    "web:dossiers": Access(funder),
    "web:dossier": Access(project_readers, "dossier"),
    "web:inspection-queue": Access(inspectors),
    "web:inspection": Access(inspectors, "dossier"),
    "web:inspection-review": Access(inspectors, "dossier-line", method="post"),
    "web:inspection-complete": Access(inspectors, "dossier", method="post"),
    "web:participant-privacy": Access(promoter_staff, "participant"),
    "web:participant-export": Access(promoter_staff, "participant"),
    "web:participant-erase": Access(promoter_staff, "participant", method="post"),
    # API
    "api:call-list": Access(everyone),
    "api:call-detail": Access(everyone, "call"),
    "api:project-list": Access(everyone),
    "api:project-detail": Access(project_readers, "project"),
    "api:project-kpis": Access(project_readers, "project"),
    "api:project-participants": Access(promoter_staff, "project", method="post"),
    "api:project-activities": Access(promoter_staff, "project", method="post"),
    "api:kpi-values": Access(promoter_staff, "kpi", method="post"),
    "api:dossier-list": Access(everyone),
    "api:dossier-detail": Access(project_readers, "dossier"),
    "api:dossier-advances": Access(project_readers, "dossier"),
    "api:dossier-cost-lines": Access(project_readers, "dossier"),
    "api:dossier-revenues": Access(promoter_staff, "dossier", method="post"),
    "api:dossier-steps": Access(project_readers, "dossier", method="post"),
    "api:cost-line-review": Access(inspectors, "cost-line", method="post"),
    "api:advance-steps": Access(movers, "advance", method="post"),
    "api:question-list": Access(readers),
    "api:question-detail": Access(readers, "question"),
    "api:question-answer": Access(readers, "question"),
    "api:question-answer-file": Access(readers, "question", extra={"fmt": "md"}),
}


def _routes(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _route_names() -> list[str]:
    names = []
    for name, entry in _routes(get_resolver().url_patterns):
        assert name, f"the route {entry.pattern} has no name, so the matrix cannot ask for it"
        if name not in UNCHECKED and name.split(":")[0] not in UNCHECKED_NAMESPACES:
            names.append(name)
    return names


def test_every_route_is_declared():
    undeclared = [name for name in _route_names() if name not in ACCESS]
    assert not undeclared, f"routes without a line in the access matrix: {undeclared}"
    stale = [name for name in ACCESS if name not in _route_names()]
    assert not stale, f"lines in the access matrix for routes that no longer exist: {stale}"


def _counting_people(project: Project) -> Kpi:
    """A KPI the engine computes from people in the register, for its target-group chart."""
    for kpi in Kpi.objects.filter(project=project, measure__isnull=False):
        table = kpi_target_groups(kpi=kpi)
        if table is not None and table.total:
            return kpi
    raise AssertionError(f"{project} has no KPI counting people in the register")


def _job(project: Project, user: User) -> ImportJob:
    """An upload waiting to run (it starts after a commit, which this test never makes)."""
    return job_start(
        project=project,
        user=user,
        kind="attendance",
        valid_only=False,
        file_name="aanwezigheden.csv",
        content=b"",
    )


class Objects:
    """The URL ids of Hefboom's objects (``own``) and Stebo's (``other``), by subject."""

    def __init__(self, demo):
        synth(scale=1)  # the register behind the seed's figures
        for project in Project.objects.all():
            kpi_create(project=project, name=HOSTILE, kind=KpiKind.COUNT, order=99)
        projects = {p.name: p for p in Project.objects.all()}
        dossiers = {d.project.name: d for d in dossier_list()}
        self.ids = {}
        for own, name in ((True, "Hefboom"), (False, "Stebo")):
            project, dossier = projects[name], dossiers[name]
            participant = participant_register(
                project=project, registered_on=datetime.date(2018, 3, 1), reference=HOSTILE
            )
            activity = activity_record(
                project=project,
                kind=ActivityKind.INFO_SESSION,
                date=datetime.date(2018, 3, 2),
                organiser=project.promoter,
                title=HOSTILE,
                participants=[participant],
            )
            counting = _counting_people(project)
            line = dossier_cost_lines(dossier=dossier).first()
            advance = dossier_advances(dossier=dossier).first()
            self.ids[own] = {
                "call": {"pk": demo["call"].pk},
                "question": {"pk": demo["question"].pk},
                "project": {"pk": project.pk},
                "project-kpi": {"pk": project.pk, "kpi_pk": counting.pk},
                "kpi": {"pk": counting.pk},
                "project-activity": {"pk": project.pk, "activity_pk": activity.pk},
                "project-attendance": {
                    "pk": project.pk,
                    "activity_pk": activity.pk,
                    "participant_pk": participant.pk,
                },
                "participant": {"pk": participant.pk},
                "job": {"pk": _job(project, demo["users"]["promotor"]).pk},
                "dossier": {"pk": dossier.pk},
                "dossier-line": {"pk": dossier.pk, "line_pk": line.pk},
                "cost-line": {"pk": line.pk},
                "advance": {"pk": advance.pk},
            }

    def kwargs(self, subject: str, own: bool) -> dict:
        return dict(self.ids[own][subject]) if subject else {}

    def missing(self, subject: str) -> dict:
        return {key: 987654 for key in self.ids[True][subject]} if subject else {}


def _expected(name: str, access: Access, role: str, own: bool):
    if role == "anonymous" and access.audience is not public:
        return "unauthenticated" if name.startswith("api:") else LOGIN
    return ALLOWED if access.audience(role, own) else access.denied


def _matches(expected, response) -> bool:
    status = response.status_code
    if expected == LOGIN:
        return status == 302 and "/login/" in response["Location"]
    if expected == "unauthenticated":
        return status in (401, 403)
    if expected == ALLOWED:  # a POST without data may be refused field by field (400, 422)
        return status < 500 and status not in (401, 403, 404, 405)
    return status == expected


@pytest.fixture
def people(demo):
    users = dict(demo["users"])
    users["andere-behandelaar"] = User.objects.create_user(
        username="andere-behandelaar", role=Role.CASE_HANDLER
    )
    assert Membership.objects.filter(user=users["promotor"]).count() == 1
    return users


def test_access_matrix(client, demo, people):
    objects = Objects(demo)
    mismatches = []
    for name in (name for name in _route_names() if name in ACCESS):
        access = ACCESS[name]
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            for own in (True, False) if access.subject else (True,):
                kwargs = {**objects.kwargs(access.subject, own), **access.extra}
                response = getattr(client, access.method)(reverse(name, kwargs=kwargs))
                expected = _expected(name, access, role, own)
                if response["Content-Type"].startswith("text/html") and HOSTILE in response.text:
                    mismatches.append(f"{name} as {role} shows a script tag as markup")
                if not _matches(expected, response):
                    whose = "own" if own else "other"
                    mismatches.append(
                        f"{name} as {role} ({whose}): {response.status_code}, want {expected}"
                    )
            if access.subject and role != "anonymous" and access.audience(role, True):
                missing = {**objects.missing(access.subject), **access.extra}
                response = getattr(client, access.method)(reverse(name, kwargs=missing))
                if response.status_code != 404:
                    mismatches.append(
                        f"{name} as {role} (missing id): {response.status_code}, want 404"
                    )
    assert not mismatches, "\n".join(mismatches)

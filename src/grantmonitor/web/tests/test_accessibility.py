"""axe-core scans the main pages as each role sees them; a serious or critical violation fails.

axe-core is vendored (``vendor/axe.min.js``, npm ``axe-core`` 4.14.1, MPL-2.0, its licence
header kept) so CI needs no network. It is injected into each page with the content security
policy bypassed for this test only: the application's own pages never load it.

Adding a page is one line in ``PAGES``: the role that opens it, a name, and its URL.
"""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from grantmonitor.calls.models import Call, Project
from grantmonitor.dossiers.models import Dossier
from grantmonitor.imports.models import ImportJob
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.register.models import Activity, Participant
from grantmonitor.web.tests.test_casework import at_inspection
from grantmonitor.web.tests.test_casework_browser import log_in, new_page

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _project(name: str) -> int:
    return Project.objects.get(name=name).pk


def _dossier(name: str) -> int:
    return Dossier.objects.get(project__name=name).pk


def _question(number: int) -> int:
    return WrittenQuestion.objects.get(number=number).pk


def _hefboom() -> int:
    return _project("Hefboom")


def _with_a_register(users) -> None:
    """Hefboom's participant HB-A11Y (with a name) at a training, and an import of two
    attendance rows of which one is refused."""
    import datetime

    from grantmonitor.imports.jobs import job_start
    from grantmonitor.register.identity import identity_set
    from grantmonitor.register.services import activity_record, participant_register

    hefboom = Project.objects.get(name="Hefboom")
    participant = participant_register(
        project=hefboom, registered_on=datetime.date(2016, 3, 1), reference="HB-A11Y"
    )
    identity_set(participant, actor=users["promotor"], name="Sofie Janssens")
    activity_record(
        project=hefboom,
        kind="training",
        date=datetime.date(2016, 5, 12),
        title="Opnieuw starten",
        organiser=hefboom.promoter,
        participants=[participant],
    )
    rows = "project;datum;soort;titel;referentie van de promotor\n" + "".join(
        f"Hefboom;12/05/2016;training;Opnieuw starten;{reference}\n"
        for reference in ("HB-A11Y", "HB-404")
    )
    job = job_start(
        project=hefboom,
        user=users["promotor"],
        kind="attendance",
        valid_only=False,
        file_name="aanwezigheden.csv",
        content=rows.encode(),
    )
    job.refresh_from_db()
    assert (job.status, job.failed) == ("done", 1)  # its page lists the refused row


# (role, page name, URL) over the demo data plus a dossier "Testproject" at the inspection
# service and a small register with an import (``_with_a_register``); the role None is a
# visitor who has not logged in.
PAGES: list[tuple[str | None, str, Callable[[], str]]] = [
    (None, "login", lambda: _url("login")),
    (None, "open data", lambda: _url("web:opendata")),
    ("kabinet", "home", lambda: _url("web:home")),
    ("kabinet", "call", lambda: _url("web:call", Call.objects.get().pk)),
    ("kabinet", "questions", lambda: _url("web:questions")),
    ("kabinet", "question", lambda: _url("web:question", _question(418))),
    ("promotor", "home", lambda: _url("web:home")),
    ("promotor", "project", lambda: _url("web:project", _hefboom())),
    ("promotor", "register", lambda: _url("web:register", _hefboom())),
    ("promotor", "activities", lambda: _url("web:register-activities", _hefboom())),
    (
        "promotor",
        "activity",
        lambda: _url("web:register-activity", _hefboom(), Activity.objects.get().pk),
    ),
    ("promotor", "imports", lambda: _url("web:uploads")),
    ("promotor", "import", lambda: _url("web:upload", ImportJob.objects.get().pk)),
    (
        "promotor",
        "participant privacy",
        lambda: _url("web:participant-privacy", Participant.objects.get(reference="HB-A11Y").pk),
    ),
    ("dossierbehandelaar", "dossiers", lambda: _url("web:dossiers")),
    ("dossierbehandelaar", "dossier", lambda: _url("web:dossier", _dossier("Testproject"))),
    ("dossierbehandelaar", "closed dossier", lambda: _url("web:dossier", _dossier("Stebo"))),
    ("dossierbehandelaar", "project", lambda: _url("web:project", _project("GTB"))),
    ("inspecteur", "inspection queue", lambda: _url("web:inspection-queue")),
    ("inspecteur", "inspection", lambda: _url("web:inspection", _dossier("Testproject"))),
    ("beheerder", "dossiers", lambda: _url("web:dossiers")),
    ("beheerder", "audit trail", lambda: _url("web:audit")),
]

ROLES = list(dict.fromkeys(role for role, _name, _url in PAGES))

RUN_AXE = """async () => {
  const result = await axe.run(document);
  return {
    passed: result.passes.length,
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    })),
  };
}"""


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "visitor")
def test_main_pages_have_no_serious_accessibility_violation(live_server, browser, settings, role):
    from grantmonitor.demo.seed import load_demo

    settings.IMPORT_JOBS_IN_BACKGROUND = False
    demo = load_demo()
    at_inspection(demo)  # a dossier with cost lines at the inspection service
    _with_a_register(demo["users"])
    page = new_page(browser, bypass_csp=True)
    if role is not None:
        log_in(page, live_server, role)
    problems = []
    for page_role, name, url in PAGES:
        if page_role != role:
            continue
        response = page.goto(live_server.url + url())
        assert response.ok, f"{name} answered {response.status}"
        page.wait_for_load_state("load")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(RUN_AXE)
        assert result["passed"] > 20, f"{name}: axe checked almost nothing; was it injected?"
        for violation in result["violations"]:
            if violation["impact"] in FAILING_IMPACTS:
                problems.append(
                    f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}"
                    f" at {', '.join(violation['nodes'])}"
                )
    assert not problems, "\n".join(problems)

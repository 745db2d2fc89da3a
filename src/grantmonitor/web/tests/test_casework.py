"""The case handler's dashboard and dossier page, the inspection queue, the questions list."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import user_create
from grantmonitor.calls.services import project_create
from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import CostLine, Dossier, DossierStatus
from grantmonitor.dossiers.selectors import dossier_current_status
from grantmonitor.organisations.services import organisation_create

NBSP = "\u00a0"
D = Decimal
DAY = datetime.date(2018, 1, 31)


def eur(text: str) -> str:
    return f"€{NBSP}{text}"


ALLOCATED = D("1000.00")


def make_dossier(demo, name, *, lines=(), paid=None, submit=True, handler=None):
    """A dossier opened, with costs declared, through the services; optionally submitted."""
    handler = handler or demo["users"]["dossierbehandelaar"]
    project = project_create(
        call=demo["call"], name=name, promoter=organisation_create(name=f"{name} vzw")
    )
    dossier = services.dossier_open(
        project=project,
        allocated_amount=ALLOCATED,
        subsidy_rate=D("100"),
        case_handler=handler,
        actor=handler,
        opened_on=datetime.date(2017, 1, 2),
    )
    if paid:
        advance = services.advance_schedule(
            dossier=dossier, number=1, percentage=paid, actor=handler
        )
        services.advance_approve(advance=advance, on=datetime.date(2017, 1, 3), actor=handler)
        services.advance_pay(advance=advance, on=datetime.date(2017, 1, 4), actor=handler)
    for description, amount in lines:
        services.cost_line_add(
            dossier=dossier,
            category="operating",
            description=description,
            amount=amount,
            document_ref=f"DOC-{description}",
        )
    if submit:
        services.cost_statement_submit(dossier=dossier, on=DAY)
    return dossier


def at_inspection(demo, name="Testproject"):
    dossier = make_dossier(
        demo, name, lines=[("Zaalhuur", D("2000.00")), ("Catering", D("500.00"))]
    )
    services.inspection_start(dossier=dossier, on=DAY)
    return dossier


def dossier_links(text: str) -> list[str]:
    return re.findall(r'href="/dossiers/(\d+)/"', text)


def page(response, status=200) -> str:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def login(client, demo, username):
    client.force_login(demo["users"][username])
    return client


# --- the dashboard ----------------------------------------------------------------------


def test_dashboard_shows_every_dossier_with_state_kpis_and_money(client, demo):
    text = page(login(client, demo, "dossierbehandelaar").get(reverse("web:dossiers")))
    assert len(dossier_links(text)) == 3
    assert "afgesloten" in text and "bij de dienst Inspectie" in text
    assert "11 van 11 behaald" in text
    # Hefboom: allocated, two advances of 40 % paid, net, difference.
    for amount in ("300.000,00", "240.000,00", "299.168,12", "831,88"):
        assert eur(amount) in text
    # The totals: 300.000 + 224.989 allocated; 240.000 + 179.991,20 advances paid.
    assert eur("524.989,00") in text and eur("419.991,20") in text
    assert '<svg viewBox="0 0 700 136" role="img"' in text
    assert "<title>Stebo: " + eur("203.045,14") + "</title>" in text


def test_dashboard_filters_by_state_call_and_case_handler(client, demo):
    client = login(client, demo, "dossierbehandelaar")
    closed = page(client.get(reverse("web:dossiers"), {"status": "closed"}))
    assert ">Hefboom</a>" in closed and ">Stebo</a>" in closed and ">GTB</a>" not in closed

    other = user_create(username="ander", password="x", role=Role.CASE_HANDLER, last_name="Ander")
    make_dossier(demo, "Elders", submit=False, handler=other)
    mine = page(client.get(reverse("web:dossiers"), {"case_handler": other.pk}))
    assert ">Elders</a>" in mine and ">Hefboom</a>" not in mine

    in_call = page(client.get(reverse("web:dossiers"), {"call": demo["call"].pk}))
    assert len(dossier_links(in_call)) == 4

    unknown = page(client.get(reverse("web:dossiers"), {"status": "lost"}))
    assert 'class="field-error"' in unknown and "lost" in unknown
    assert dossier_links(unknown) == []


def test_dashboard_queries_do_not_grow_with_the_dossiers(client, demo):
    client = login(client, demo, "dossierbehandelaar")
    with CaptureQueriesContext(connection) as three:
        page(client.get(reverse("web:dossiers")))
    for number in range(27):
        make_dossier(demo, f"Project {number:02d}", paid=D("40"), submit=number % 2 == 0)
    assert Dossier.objects.count() == 30
    with CaptureQueriesContext(connection) as thirty:
        text = page(client.get(reverse("web:dossiers")))
    assert len(dossier_links(text)) == 30
    assert eur("400,00") in text  # each new dossier's paid advance
    assert len(thirty.captured_queries) <= len(three.captured_queries)


@pytest.mark.parametrize("username", ["promotor", "kabinet"])
def test_dashboard_is_for_the_funders_staff(client, demo, username):
    response = login(client, demo, username).get(reverse("web:dossiers"))
    assert response.status_code == 403


# --- one dossier ------------------------------------------------------------------------


def test_case_handler_sends_a_dossier_to_inspection(client, demo):
    dossier = make_dossier(demo, "Testproject", lines=[("Zaalhuur", D("2000.00"))])
    client = login(client, demo, "dossierbehandelaar")
    text = page(client.get(reverse("web:dossier", args=[dossier.pk])))
    assert "Naar de dienst Inspectie sturen</button>" in text
    assert eur("2.000,00") in text

    response = client.post(
        reverse("web:dossier", args=[dossier.pk]),
        {"move": "inspect", "inspect-on": "2018-02-15", "inspect-note": "Volledig"},
    )
    assert response.status_code == 302
    assert dossier_current_status(dossier=dossier) == DossierStatus.WITH_INSPECTION
    assert dossier.inspections.get().sent_on == datetime.date(2018, 2, 15)
    text = page(client.get(response["Location"]))
    assert 'class="alert success"' in text and "Volledig" in text


def test_a_refused_move_shows_the_services_reason_and_changes_nothing(client, demo):
    dossier = make_dossier(demo, "Testproject")
    response = login(client, demo, "dossierbehandelaar").post(
        reverse("web:dossier", args=[dossier.pk]),
        {"move": "inspect", "inspect-on": "2018-01-01"},
    )
    text = page(response, 400)
    assert "De datum 2018-01-01 ligt voor de vorige stap (2018-01-31)." in text
    assert 'role="alert"' in text
    assert dossier_current_status(dossier=dossier) == DossierStatus.FINAL_REPORT_IN


def test_a_move_not_open_in_this_state_is_refused(client, demo):
    dossier = make_dossier(demo, "Testproject")
    client = login(client, demo, "dossierbehandelaar")
    response = client.post(
        reverse("web:dossier", args=[dossier.pk]), {"move": "close", "close-on": "2018-03-01"}
    )
    assert response.status_code == 302
    assert "close" in page(client.get(response["Location"]))
    assert dossier_current_status(dossier=dossier) == DossierStatus.FINAL_REPORT_IN


@pytest.mark.parametrize("username", ["inspecteur", "kabinet"])
def test_only_the_case_handler_moves_a_dossier(client, demo, username):
    dossier = make_dossier(demo, "Testproject")
    client = login(client, demo, username)
    text = page(client.get(reverse("web:dossier", args=[dossier.pk])))
    assert 'name="move"' not in text
    response = client.post(
        reverse("web:dossier", args=[dossier.pk]), {"move": "inspect", "inspect-on": "2018-02-15"}
    )
    assert response.status_code == 403
    assert dossier_current_status(dossier=dossier) == DossierStatus.FINAL_REPORT_IN


def test_the_promoter_sees_only_its_own_dossier(client, demo):
    client = login(client, demo, "promotor")
    hefboom = Dossier.objects.get(project__name="Hefboom")
    stebo = Dossier.objects.get(project__name="Stebo")
    text = page(client.get(reverse("web:dossier", args=[hefboom.pk])))
    assert eur("299.168,12") in text and 'name="move"' not in text
    assert client.get(reverse("web:dossier", args=[stebo.pk])).status_code == 403


def test_a_settled_dossier_offers_payment_then_closure(client, demo):
    dossier = at_inspection(demo)
    inspector = demo["users"]["inspecteur"]
    for line in CostLine.objects.filter(statement__dossier=dossier):
        services.cost_line_review(line=line, verdict="accepted", on=DAY, actor=inspector)
    services.inspection_complete(dossier=dossier, on=DAY, actor=inspector)
    client = login(client, demo, "dossierbehandelaar")
    url = reverse("web:dossier", args=[dossier.pk])
    text = page(client.get(url))
    assert 'value="settle"' in text and 'value="pay"' not in text

    assert client.post(url, {"move": "settle", "settle-on": "2018-02-01"}).status_code == 302
    text = page(client.get(url))
    assert eur("1.000,00") in text  # net: the allocation caps the 2.500,00 accepted
    assert 'value="pay"' in text and 'value="inspect"' not in text

    # No IBAN on this dossier: the payment is refused with the service's reason.
    text = page(client.post(url, {"move": "pay", "pay-on": "2018-02-02"}), 400)
    assert "Dossier Testproject heeft geen IBAN en BIC van de promotor om aan te betalen." in text


# --- inspection -------------------------------------------------------------------------


def test_the_queue_lists_dossiers_at_inspection_with_their_progress(client, demo):
    dossier = at_inspection(demo)
    text = page(login(client, demo, "inspecteur").get(reverse("web:inspection-queue")))
    assert f'href="/inspection/{dossier.pk}/"' in text
    assert ">GTB</a>" in text
    assert "0 van 2" in text and "31 januari 2018" in text


def test_inspector_reviews_lines_in_belgian_notation_and_completes(client, demo):
    dossier = at_inspection(demo)
    rent, catering = CostLine.objects.filter(statement__dossier=dossier).order_by("pk")
    client = login(client, demo, "inspecteur")
    review = reverse("web:inspection-review", args=[dossier.pk, rent.pk])
    response = client.post(
        review,
        {
            f"line-{rent.pk}-verdict": "partly_accepted",
            f"line-{rent.pk}-accepted_amount": "1.234,56",
            f"line-{rent.pk}-reason": "Eén factuur ontbreekt",
        },
    )
    assert response.status_code == 302
    rent.refresh_from_db()
    assert (rent.verdict, rent.accepted_amount) == ("partly_accepted", D("1234.56"))

    # Rejected without a reason: refused, with the line's name.
    prefix = f"line-{catering.pk}"
    text = page(
        client.post(
            reverse("web:inspection-review", args=[dossier.pk, catering.pk]),
            {f"{prefix}-verdict": "rejected"},
        ),
        400,
    )
    assert "Catering" in text and 'role="alert"' in text

    # Completing with a line unreviewed names that line.
    complete = reverse("web:inspection-complete", args=[dossier.pk])
    text = page(client.post(complete, {"complete-on": "2018-03-01"}), 400)
    assert "Deze kostenlijnen hebben nog geen oordeel: Catering." in text

    client.post(
        reverse("web:inspection-review", args=[dossier.pk, catering.pk]),
        {f"{prefix}-verdict": "rejected", f"{prefix}-reason": "Niet subsidiabel"},
    )
    response = client.post(complete, {"complete-on": "2018-03-01"})
    assert response["Location"] == reverse("web:inspection-queue")
    assert dossier_current_status(dossier=dossier) == DossierStatus.BACK_WITH_CASE_HANDLER
    assert dossier.inspections.get().accepted_total == D("1234.56")
    assert eur("1.234,56") in page(client.get(response["Location"]))


@pytest.mark.parametrize(
    "typed, error",
    [
        ("12,345", "fracties van een cent"),
        ("twaalf", "is geen bedrag"),
        ("2.500,00", "tussen"),
    ],
)
def test_a_wrong_partly_accepted_amount_is_refused(client, demo, typed, error):
    dossier = at_inspection(demo)
    line = CostLine.objects.filter(statement__dossier=dossier).order_by("pk").first()
    prefix = f"line-{line.pk}"
    text = page(
        login(client, demo, "inspecteur").post(
            reverse("web:inspection-review", args=[dossier.pk, line.pk]),
            {
                f"{prefix}-verdict": "partly_accepted",
                f"{prefix}-accepted_amount": typed,
                f"{prefix}-reason": "Te hoog",
            },
        ),
        400,
    )
    assert error in text
    line.refresh_from_db()
    assert line.verdict == ""


@pytest.mark.parametrize("username", ["dossierbehandelaar", "beheerder", "kabinet"])
def test_only_the_inspection_service_reviews(client, demo, username):
    dossier = at_inspection(demo)
    line = CostLine.objects.filter(statement__dossier=dossier).first()
    client = login(client, demo, username)
    assert client.get(reverse("web:inspection-queue")).status_code == 403
    response = client.post(
        reverse("web:inspection-review", args=[dossier.pk, line.pk]),
        {f"line-{line.pk}-verdict": "accepted"},
    )
    assert response.status_code == 403


# --- questions and the top bar ----------------------------------------------------------


def test_questions_list_deadlines_and_overdue(client, demo, settings):
    settings.QUESTION_ANSWER_DAYS = 20
    text = page(login(client, demo, "kabinet").get(reverse("web:questions")))
    # Nr. 418 of Friday 23 March 2018: 20 working days later is Friday 20 April 2018.
    assert "23 maart 2018" in text and "20 april 2018" in text
    assert text.count('class="overdue"') == 2
    assert f'href="/questions/{demo["question"].pk}/"' in text


def test_questions_are_not_for_promoters(client, demo):
    assert login(client, demo, "promotor").get(reverse("web:questions")).status_code == 403


@pytest.mark.parametrize(
    "username, links",
    [
        ("dossierbehandelaar", ["/dossiers/", "/questions/"]),
        ("inspecteur", ["/dossiers/", "/inspection/", "/questions/"]),
        ("kabinet", ["/questions/"]),
        ("promotor", []),
    ],
)
def test_the_top_bar_links_what_the_role_may_open(client, demo, username, links):
    text = page(login(client, demo, username).get(reverse("web:home")))
    nav = text.split('<nav class="topnav">', 1)[1].split("</nav>", 1)[0]
    for url in ("/dossiers/", "/inspection/", "/questions/"):
        assert (f'href="{url}"' in nav) == (url in links), url

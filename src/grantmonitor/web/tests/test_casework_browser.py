"""In a real browser: the case handler moves a dossier, the inspector works through its cost
lines and completes, the cabinet opens a question and downloads the answer as PDF.

Screenshots: ``casehandler-*.png``, ``inspector-*.png``, ``cabinet-*.png``.
"""

from decimal import Decimal

import pytest

from grantmonitor.dossiers.models import CostLine, DossierStatus
from grantmonitor.dossiers.selectors import dossier_current_status
from grantmonitor.web.tests.test_casework import at_inspection, make_dossier

pytestmark = pytest.mark.browser

NBSP = "\u00a0"


def new_page(browser, *, bypass_csp=False):
    """A Dutch page; ``bypass_csp`` only for tests that inject a script of their own."""
    context = browser.new_context(
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="nl-BE",
        bypass_csp=bypass_csp,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def log_in(page, live_server, username):
    """Log in as ``username`` through the login form and, where the role confirms sign-in
    with a second factor, with the demo app's code."""
    from grantmonitor.demo.seed import DEMO_PASSWORD, demo_totp_code

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    if "/two-factor/" in page.url:
        page.fill("#id_code", demo_totp_code())
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
    assert "/login/" not in page.url and "/two-factor/" not in page.url, page.url
    return page


def test_case_handler_moves_a_dossier(live_server, browser, shot):
    from grantmonitor.demo.seed import load_demo

    demo = load_demo()
    dossier = make_dossier(demo, "Testproject", lines=[("Zaalhuur", Decimal("2000.00"))])
    page = log_in(new_page(browser), live_server, "dossierbehandelaar")

    page.click("nav.topnav a[href='/dossiers/']")
    page.wait_for_selector("table.dossiers")
    assert "11 van 11 behaald" in page.inner_text("table.dossiers")
    assert f"€{NBSP}299.168,12" in page.inner_text("table.dossiers")
    assert page.locator("figure.money-chart svg rect").count() >= 7
    shot(page, "casehandler-01-dashboard")

    page.select_option("#id_status", "final_report_in")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=final_report_in**")
    rows = page.locator("table.dossiers tbody tr")
    assert rows.count() == 1 and "Testproject" in rows.inner_text()
    shot(page, "casehandler-02-filtered")

    page.click("table.dossiers >> text=Testproject")
    page.wait_for_selector("section.moves")
    page.fill("#id_inspect-note", "Eindverslag volledig")
    page.click("form.move >> text=Naar de dienst Inspectie sturen")
    page.wait_for_selector(".alert.success")
    assert "bij de dienst Inspectie" in page.inner_text("dl.facts")
    assert "Eindverslag volledig" in page.inner_text("table.history")
    shot(page, "casehandler-03-sent-to-inspection")
    assert dossier_current_status(dossier=dossier) == DossierStatus.WITH_INSPECTION


def test_inspector_reviews_cost_lines_and_completes(live_server, browser, shot):
    from grantmonitor.demo.seed import load_demo

    dossier = at_inspection(load_demo())
    rent, catering = CostLine.objects.filter(statement__dossier=dossier).order_by("pk")
    page = log_in(new_page(browser), live_server, "inspecteur")

    page.click("nav.topnav a[href='/inspection/']")
    page.wait_for_selector("table.inspection-queue")
    assert "0 van 2" in page.inner_text("table.inspection-queue")
    shot(page, "inspector-01-queue")

    page.click("table.inspection-queue >> text=Testproject")
    page.wait_for_selector("form.cost-line-review")
    page.check(f"#id_line-{rent.pk}-verdict_1")  # partly accepted
    page.fill(f"#id_line-{rent.pk}-accepted_amount", "1.234,56")
    page.fill(f"#id_line-{rent.pk}-reason", "Eén factuur ontbreekt")
    page.click(f"#line-{rent.pk} button[type=submit]")
    page.wait_for_selector(".alert.success")
    assert "gedeeltelijk aanvaard" in page.inner_text(f"#line-{rent.pk}")

    # Rejecting without a reason is refused, and says which line.
    page.check(f"#id_line-{catering.pk}-verdict_2")
    page.click(f"#line-{catering.pk} button[type=submit]")
    page.wait_for_selector(f"#line-{catering.pk} .alert.error")
    assert "Catering" in page.inner_text(f"#line-{catering.pk} .alert.error")
    shot(page, "inspector-02-refused")

    page.check(f"#id_line-{catering.pk}-verdict_0")
    page.click(f"#line-{catering.pk} button[type=submit]")
    page.wait_for_selector(".alert.success")
    assert f"€{NBSP}1.734,56" in page.inner_text("dl.facts")
    shot(page, "inspector-03-reviewed")

    page.click("form[action$='/complete/'] button[type=submit]")
    page.wait_for_url("**/inspection/")
    assert f"€{NBSP}1.734,56" in page.inner_text(".alert.success")
    shot(page, "inspector-04-completed")
    assert dossier_current_status(dossier=dossier) == DossierStatus.BACK_WITH_CASE_HANDLER


def test_cabinet_downloads_the_answer_as_pdf(live_server, browser, shot):
    from grantmonitor.demo.seed import load_demo

    load_demo()
    page = log_in(new_page(browser), live_server, "kabinet")
    page.click("nav.topnav a[href='/questions/']")
    page.wait_for_selector("table.questions")
    assert "termijn verstreken" in page.inner_text("table.questions")
    shot(page, "cabinet-01-questions")

    page.locator("table.questions tr", has_text="nr. 418").locator(
        "text=Antwoord opstellen"
    ).click()
    page.wait_for_selector(".answer-body")
    shot(page, "cabinet-02-question")
    with page.expect_download() as info:
        page.click(".download-row[lang=nl] >> text=PDF")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

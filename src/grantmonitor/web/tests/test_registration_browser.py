"""A coach in a real browser: register a person, record a session, mark attendance by keyboard.

Screenshots ``coach-*.png`` go to ``test-artifacts/screenshots/``.
"""

import datetime

import pytest

from grantmonitor.register.services import participant_register

pytestmark = pytest.mark.browser

SESSION_ATTENDEES = "Deelnemers aan info- en opleidingssessies"


def test_a_coach_registers_and_marks_attendance_with_the_keyboard(live_server, browser, shot):
    from grantmonitor.calls.models import Project
    from grantmonitor.demo.seed import DEMO_PASSWORD, load_demo
    from grantmonitor.register.synth import synth

    load_demo()
    synth(scale=1)
    hefboom = Project.objects.get(name="Hefboom")
    regular = participant_register(
        project=hefboom, registered_on=datetime.date(2015, 10, 5), reference="VASTE-KLANT-7"
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    refused_by_policy = []
    page.on(
        "console",
        lambda message: (
            refused_by_policy.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "promotor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    page.click(".topnav >> text=Register")
    page.wait_for_selector("h1:has-text('Deelnemers')")
    assert page.url.endswith(f"/projects/{hefboom.pk}/register/")
    # The reference field has the focus: the coach starts typing at once.
    assert page.evaluate("document.activeElement.id") == "id_reference"
    shot(page, "coach-01-register")

    page.keyboard.type("HB-2016-042")
    page.fill("#id_registered_on", "2016-03-01")
    page.fill("#id_name", "Sofie Janssens")
    page.check("label:has-text('gefailleerde ondernemer (tweede kans)') >> input")
    page.check("label:has-text('kortgeschoold') >> input")
    page.press("#id_name", "Enter")
    page.wait_for_selector("#kpi-effect >> text=Deelnemer HB-2016-042 geregistreerd.")
    row = page.inner_text("table.participants tbody tr:first-child")
    assert "HB-2016-042" in row and "Sofie Janssens" in row and "kortgeschoold" in row
    shot(page, "coach-02-registered")

    page.click(".reg-tabs >> text=Activiteiten en aanwezigheid")
    page.select_option("#id_kind", "training")
    page.fill("#id_date", "2016-05-12")
    page.fill("#id_title", "Opnieuw starten na een faillissement")
    page.select_option("#id_audience", "second_chance")
    page.check("label:has-text('Dyzo') >> input")
    page.click("button:has-text('Registreren en aanwezigheid opnemen')")
    page.wait_for_selector("#kpi-effect >> text=geregistreerd")
    effect = page.inner_text("#kpi-effect")
    assert "ism met Dyzo 15 → 16" in effect
    assert "0 aanwezig" in page.inner_text("#attendee-count")
    shot(page, "coach-03-activity")

    # Type the reference and press Enter: no page load, the list and the KPIs follow.
    assert page.evaluate("document.activeElement.id") == "quick_reference"
    page.keyboard.type("HB-2016-042")
    page.keyboard.press("Enter")
    page.wait_for_selector("#kpi-effect >> text=HB-2016-042 gemarkeerd als aanwezig.")
    assert f"{SESSION_ATTENDEES}" in page.inner_text("#kpi-effect")
    assert "446 → 447" in page.inner_text("#kpi-effect")
    assert "1 aanwezig" in page.inner_text("#attendee-count")
    assert (
        page.inner_text("#attendance-rows tr.present").strip()
        == "HB-2016-042 · Sofie Janssens aanwezig"
    )
    assert page.input_value("#quick_reference") == ""
    assert page.evaluate("document.activeElement.id") == "quick_reference"
    shot(page, "coach-04-present-by-reference")

    # Find a regular in the list, Tab onto their box, Space; the focus stays on the box.
    page.fill("#search_reference", "vaste-klant")
    page.press("#search_reference", "Enter")
    page.wait_for_selector("text=Alles tonen")
    assert page.locator("#attendance-rows tr").count() == 1
    page.focus("#search_reference")
    box = f"attend-{regular.pk}"
    for _press in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == box:
            break
    assert page.evaluate("document.activeElement.id") == box
    page.keyboard.press("Space")
    page.wait_for_selector(f"#attendance-{regular.pk}.present")
    page.wait_for_selector("#kpi-effect >> text=447 → 448")
    assert page.is_checked(f"#{box}")
    assert page.evaluate("document.activeElement.id") == box
    assert "2 aanwezig" in page.inner_text("#attendee-count")
    shot(page, "coach-05-ticked")

    page.click(".reg-tabs >> text=KPI’s van het project")
    page.wait_for_selector("table.kpis")
    kpi_row = page.locator("table.kpis tr", has_text=SESSION_ATTENDEES).first.inner_text()
    assert "448" in kpi_row
    shot(page, "coach-06-project-kpis")
    assert refused_by_policy == []
    context.close()

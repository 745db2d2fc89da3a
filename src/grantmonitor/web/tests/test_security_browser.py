"""In a real browser the inspector signs in with the password and the demo app's code."""

import pytest

pytestmark = pytest.mark.browser


def test_the_inspector_signs_in_with_a_code_from_the_demo_app(live_server, browser, shot):
    from grantmonitor.demo.seed import DEMO_PASSWORD, demo_totp_code, load_demo

    call_page = f"{live_server.url}/calls/{load_demo()['call'].pk}/"
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="nl-BE")
    page.set_default_timeout(20_000)

    page.goto(call_page)
    page.fill("#id_username", "inspecteur")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/two-factor/verify/**")
    assert "Bevestig uw aanmelding" in page.inner_text("h1")

    page.fill("#id_code", f"{(int(demo_totp_code()) + 1) % 1_000_000:06d}")
    page.click("button[type=submit].primary")
    assert "Die code klopt niet" in page.inner_text("[role=alert]")

    page.wait_for_timeout(1_100)  # a wrong code makes the next one wait a second
    page.fill("#id_code", demo_totp_code())
    shot(page, "security-2fa")
    page.click("button[type=submit].primary")
    page.wait_for_url(call_page)
    assert "Stakeholdersplatform" in page.inner_text("h1")
    assert page.locator("a", has_text="Tweestapsaanmelding").count() == 1

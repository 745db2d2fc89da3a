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


def test_a_new_administrator_sets_up_the_app_from_the_qr_code_page(live_server, browser, shot):
    from grantmonitor.accounts.models import Role
    from grantmonitor.accounts.services import user_create
    from grantmonitor.accounts.twofactor import totp_code

    user_create(username="nieuw", password="x-long-password", role=Role.FUNDER_ADMIN)
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="nl-BE")
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "nieuw")
    page.fill("#id_password", "x-long-password")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/two-factor/enrol/**")
    qr = page.locator("figure.qr-code svg").bounding_box()
    assert qr["width"] > 150 and qr["height"] > 150  # drawn, under the page's CSP
    shot(page, "security-2fa-enrol")

    page.fill("#id_code", totp_code(page.inner_text("code.secret")))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/two-factor/?next=*")
    assert page.locator("ul.backup-codes li").count() == 10
    shot(page, "security-2fa-backup-codes")
    page.click("text=Verder")
    page.wait_for_url(f"{live_server.url}/")

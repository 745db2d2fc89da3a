"""Two-factor sign-in through the pages: who is sent where, enrolment, codes, admin and API."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import user_create
from grantmonitor.accounts.twofactor import BACKUP_CODE_COUNT, backup_codes_renew, totp_code
from grantmonitor.demo.seed import DEMO_PASSWORD, demo_totp_code

VERIFY = reverse("web:two-factor-verify")
ENROL = reverse("web:two-factor-enrol")


def _signed_in(username, password=DEMO_PASSWORD) -> Client:
    """A browser that has given the password, and nothing more."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def new_admin(db):
    user_create(
        username="nieuw",
        password="x-long-password",
        role=Role.FUNDER_ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    return _signed_in("nieuw", "x-long-password")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _secret(page: str) -> str:
    return re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)


@pytest.mark.parametrize(
    "url", ["/", "/admin/", "/admin/authtoken/tokenproxy/add/", "/two-factor/", "/nowhere/"]
)
def test_an_administrator_without_an_app_is_sent_to_set_one_up(new_admin, url):
    response = new_admin.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next={url.replace('/', '%2F')}"


def test_setting_up_the_app_shows_the_qr_code_and_key_refuses_a_wrong_code_and_opens_the_site(
    new_admin,
):
    page = new_admin.get(ENROL, {"next": "/admin/"})
    html = page.content.decode()
    assert '<svg width="' in html and 'class="qr"' in html  # drawn inline: no request elsewhere
    secret = _secret(html)
    assert len(secret.replace(" ", "")) == 32  # 20 random bytes
    assert new_admin.get(ENROL).content.decode().count(secret) == 1  # the same key until confirmed

    right = totp_code(secret)
    refused = new_admin.post(ENROL, {"code": _wrong(right), "next": "/admin/"})
    assert refused.status_code == 200
    assert "Die code klopt niet" in refused.content.decode()
    assert new_admin.get("/").status_code == 302

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = new_admin.post(ENROL, {"code": right, "next": "/admin/"})
    assert done["Location"] == f"{reverse('web:two-factor')}?next=%2Fadmin%2F"
    shown = new_admin.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(set(codes)) == BACKUP_CODE_COUNT
    assert "alleen deze ene keer getoond" in shown
    assert 'href="/admin/"' in shown  # continue where the user was going

    again = new_admin.get(reverse("web:two-factor")).content.decode()
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", again))  # shown once only
    assert "U hebt 10 ongebruikte reservecodes." in again
    assert new_admin.get("/").status_code == 200
    assert new_admin.get("/admin/").status_code == 200


def test_the_administrator_with_an_app_enters_its_code_and_goes_where_they_were_going(demo):
    client = _signed_in("beheerder")
    response = client.get("/admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert "Bevestig uw aanmelding" in page.content.decode()
    assert 'autocomplete="one-time-code"' in page.content.decode()

    done = client.post(VERIFY, {"code": demo_totp_code(), "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    nav = client.get("/").content.decode()
    assert f'href="{reverse("web:two-factor")}"' in nav


def test_a_wrong_code_is_refused_and_then_codes_wait(demo, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    client = _signed_in("inspecteur")
    right = demo_totp_code()
    wrong = client.post(VERIFY, {"code": _wrong(right)})
    assert "Die code klopt niet" in wrong.content.decode()
    waits = client.post(VERIFY, {"code": right})
    assert waits.status_code == 200
    assert "Te veel foute codes: wacht" in waits.content.decode()
    assert client.get("/").status_code == 302


def test_a_backup_code_signs_in_once(demo):
    code = backup_codes_renew(demo["users"]["beheerder"])[0]
    first = _signed_in("beheerder")
    assert first.post(VERIFY, {"code": code})["Location"] == reverse("web:home")
    assert first.get("/").status_code == 200

    second = _signed_in("beheerder")
    assert "Die code klopt niet" in second.post(VERIFY, {"code": code}).content.decode()
    page = first.get(reverse("web:two-factor")).content.decode()
    assert "U hebt 9 ongebruikte reservecodes." in page


def test_new_backup_codes_are_shown_once_and_replace_the_old_ones(demo):
    old = backup_codes_renew(demo["users"]["beheerder"])
    client = _signed_in("beheerder")
    client.post(VERIFY, {"code": old[0]})
    response = client.post(reverse("web:two-factor-backup-codes"))
    assert response["Location"] == reverse("web:two-factor")
    fresh = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>", client.get(response.url).content.decode()
    )
    assert len(fresh) == BACKUP_CODE_COUNT and not set(fresh) & set(old)

    other = _signed_in("beheerder")
    assert "Die code klopt niet" in other.post(VERIFY, {"code": old[1]}).content.decode()


def test_the_next_address_stays_on_this_site(demo):
    client = _signed_in("beheerder")
    response = client.post(VERIFY, {"code": demo_totp_code(), "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:home")


def test_signing_out_changing_language_and_the_health_probe_need_no_code(demo):
    client = _signed_in("beheerder")
    assert client.get("/health/").status_code == 200
    language = client.post(reverse("set_language"), {"language": "en", "next": VERIFY})
    assert language["Location"] == VERIFY
    assert "Confirm your sign-in" in client.get(VERIFY).content.decode()
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get("/")["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["dossierbehandelaar", "promotor", "kabinet"])
def test_other_roles_are_not_asked_for_a_code(demo, username):
    client = _signed_in(username)
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("web:home")
    assert client.get(ENROL)["Location"] == reverse("web:home")


def test_the_api_refuses_an_unverified_session_and_accepts_a_verified_one(demo):
    client = _signed_in("inspecteur")
    refused = client.get("/api/calls/")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Bevestig eerst uw aanmelding met een code uit uw authenticator-app."
    }
    client.post(VERIFY, {"code": demo_totp_code()})
    assert client.get("/api/calls/").status_code == 200


def test_a_token_issued_by_a_verified_administrator_opens_the_api_without_a_session(demo):
    admin = _signed_in("beheerder")
    admin.post(VERIFY, {"code": demo_totp_code()})
    inspector = demo["users"]["inspecteur"]
    added = admin.post("/admin/authtoken/tokenproxy/add/", {"user": inspector.pk})
    assert added.status_code == 302
    token = Token.objects.get(user=inspector)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/calls/").status_code == 200


def test_force_login_in_tests_passes_the_second_factor_of_a_user_with_an_app(client, demo):
    client.force_login(demo["users"]["beheerder"])
    assert client.get("/admin/").status_code == 200


def test_every_code_entered_goes_into_the_audit_trail_without_the_code(demo, settings):
    from grantmonitor.audit.models import Event, EventAction

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = _signed_in("inspecteur")
    right = demo_totp_code()
    client.post(VERIFY, {"code": _wrong(right)})
    client.post(VERIFY, {"code": right})
    inspector = demo["users"]["inspecteur"]
    events = Event.objects.filter(actor=inspector).order_by("pk")
    assert [event.action for event in events] == [
        EventAction.LOGIN,
        EventAction.SECOND_FACTOR_FAILED,
        EventAction.SECOND_FACTOR,
    ]
    assert right not in str([(event.detail, event.object_repr) for event in events])

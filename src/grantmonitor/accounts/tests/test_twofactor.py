"""The second factor: who needs it, RFC 6238 codes, enrolment, replay, throttling, backup codes."""

import pytest
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import user_create
from grantmonitor.accounts.twofactor import (
    BACKUP_CODE_COUNT,
    app_device,
    backup_codes_left,
    backup_codes_renew,
    code_check,
    enrolment_confirm,
    enrolment_device,
    secret_base32,
    totp_code,
    two_factor_required,
)
from grantmonitor.demo.seed import DEMO_TOTP_SECRET, demo_totp_code

# RFC 6238, appendix B: the SHA-1 key "12345678901234567890", in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _user(role="", **kwargs):
    return user_create(
        username=f"u-{role or 'none'}", password="x-long-password", role=role, **kwargs
    )


@pytest.mark.parametrize(
    ("role", "superuser", "required"),
    [
        (Role.FUNDER_ADMIN, False, True),
        (Role.INSPECTOR, False, True),
        (Role.CASE_HANDLER, False, False),
        (Role.PROMOTER, False, False),
        (Role.CABINET, False, False),
        ("", True, True),
    ],
)
def test_the_funder_admin_inspector_and_superusers_need_a_second_factor(
    db, role, superuser, required
):
    assert two_factor_required(_user(role, is_superuser=superuser)) is required


def test_the_roles_come_from_the_setting(db, settings):
    settings.TWO_FACTOR_ROLES = ["cabinet"]
    assert two_factor_required(_user(Role.CABINET))
    assert not two_factor_required(_user(Role.INSPECTOR))


@pytest.mark.parametrize(("at", "code"), [(59, "287082"), (1111111109, "081804")])
def test_app_codes_are_those_of_rfc_6238(at, code):
    assert totp_code(RFC_SECRET, at=at) == code
    assert totp_code(RFC_SECRET.lower()[:8] + " " + RFC_SECRET[8:], at=at) == code


def test_the_demo_users_hold_the_demo_key(demo):
    for username in ("beheerder", "inspecteur"):
        device = app_device(demo["users"][username])
        assert secret_base32(device) == DEMO_TOTP_SECRET
    assert app_device(demo["users"]["dossierbehandelaar"]) is None


def test_enrolment_keeps_its_key_until_confirmed_and_then_hands_out_backup_codes(db):
    user = _user(Role.INSPECTOR)
    device = enrolment_device(user)
    assert enrolment_device(user).key == device.key
    assert app_device(user) is None

    refused = enrolment_confirm(user, _wrong(totp_code(secret_base32(device))))
    assert not refused
    assert "klopt niet" in refused.reason
    assert app_device(user) is None

    device.refresh_from_db()
    device.throttle_reset()  # the wrong code above throttles the next try for a second
    confirmed = enrolment_confirm(user, totp_code(secret_base32(device)))
    assert confirmed.device == device
    assert app_device(user) == device
    assert len(set(confirmed.backup_codes)) == BACKUP_CODE_COUNT
    assert backup_codes_left(user) == BACKUP_CODE_COUNT
    again = enrolment_confirm(user, totp_code(secret_base32(device)))
    assert again.reason == "Er is al een authenticator-app voor u ingesteld."


def test_an_app_code_is_accepted_once(demo):
    user = demo["users"]["inspecteur"]
    code = demo_totp_code()
    assert code_check(user, code[:3] + " " + code[3:]).device == app_device(user)
    replay = code_check(user, code)
    assert not replay
    assert "al gebruikt" in replay.reason


def test_after_a_wrong_code_even_the_right_one_waits(demo, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # one failure: a minute's wait, longer than the test
    user = demo["users"]["beheerder"]
    right = demo_totp_code()
    assert "klopt niet" in code_check(user, _wrong(right)).reason
    throttled = code_check(user, right)
    assert not throttled
    assert "Te veel foute codes" in throttled.reason
    assert "60 seconden" in throttled.reason or "59 seconden" in throttled.reason


def test_a_backup_code_works_once_and_renewing_voids_the_old_ones(demo):
    user = demo["users"]["beheerder"]
    first, second, *_rest = backup_codes_renew(user)
    assert code_check(user, first.upper()).device.name == "Backup codes"
    assert backup_codes_left(user) == BACKUP_CODE_COUNT - 1
    assert not code_check(user, first)

    device = StaticDevice.objects.get(user=user)
    device.throttle_reset()  # the refused code above makes the next one wait a second
    fresh = backup_codes_renew(user)
    assert backup_codes_left(user) == BACKUP_CODE_COUNT
    assert code_check(user, fresh[0])
    assert not code_check(user, second)


def test_a_user_without_any_device_is_refused(db):
    assert not code_check(_user(Role.FUNDER_ADMIN), "123456")
    assert not code_check(_user(Role.INSPECTOR), "abcdefgh")

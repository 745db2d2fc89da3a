"""Two-factor sign-in: a code from an authenticator app (TOTP), or a single-use backup code.

Who must: the roles in ``TWO_FACTOR_ROLES`` (the funder's administrator and the inspectors by
default) and every superuser. The devices, their replay protection and their throttling are
django-otp's: a code is accepted once, and after a wrong code the device refuses every code for
1, 2, 4, 8 … seconds, so guessing among the million possible codes is hopeless.
"""

import math
from base64 import b32decode, b32encode
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grantmonitor.accounts.models import User

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
APP_CODE_DIGITS = 6


@dataclass(frozen=True)
class CodeCheck:
    """The device that accepted a code, or why it was refused; new backup codes at enrolment."""

    device: Device | None
    reason: str = ""
    backup_codes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.device is not None


def two_factor_required(user: User) -> bool:
    """Whether this user confirms every sign-in with a second factor (asks no query)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.role in settings.TWO_FACTOR_ROLES


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when it is typed instead of scanned."""
    return b32encode(device.bin_key).decode("ascii")


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an app holding this base32 secret shows at ``at`` (a Unix time; now by default)."""
    generator = TOTP(b32decode(secret.replace(" ", "").upper()), digits=APP_CODE_DIGITS)
    if at is not None:
        generator.time = at
    return f"{generator.token():0{APP_CODE_DIGITS}d}"


@transaction.atomic
def app_device_set(user: User, *, secret: str) -> TOTPDevice:
    """Give the user a confirmed app with this base32 secret (the demo's fixed one)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user,
        name=APP_DEVICE_NAME,
        key=b32decode(secret.upper()).hex(),
        confirmed=True,
    )


@transaction.atomic
def enrolment_device(user: User) -> TOTPDevice:
    """The app the user is setting up: unconfirmed, with a random secret made the first time."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def enrolment_confirm(user: User, code: str) -> CodeCheck:
    """Confirm the app being set up with its current code; hand out the first backup codes."""
    if app_device(user) is not None:
        return CodeCheck(None, _("An authenticator app is already set up for you."))
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        return CodeCheck(
            None, _("Start the set-up again: there is no app waiting to be confirmed.")
        )
    check = _verify(device, code)
    if not check:
        return check
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return CodeCheck(device, backup_codes=backup_codes_renew(user))


@transaction.atomic
def backup_codes_renew(user: User) -> tuple[str, ...]:
    """Replace all of the user's backup codes by new ones; each works once."""
    # The same device keeps a session that a backup code verified signed in.
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = tuple(StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT))
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def code_check(user: User, code: str) -> CodeCheck:
    """Check a sign-in code: six digits from the app, or else one of the backup codes."""
    code = "".join(code.split()).lower()
    if code.isdigit() and len(code) == APP_CODE_DIGITS:
        device = app_device(user)
    else:
        device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        return CodeCheck(None, _wrong_code())
    return _verify(device, code)


@transaction.atomic
def _verify(device: Device, code: str) -> CodeCheck:
    # Locked: two simultaneous guesses cannot both slip past the throttle or reuse one code.
    device = type(device).objects.select_for_update().get(pk=device.pk)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(None, _throttled(details))
    if device.verify_token(code):
        return CodeCheck(device)
    return CodeCheck(None, _wrong_code())


def _wrong_code() -> str:
    return _(
        "That code is not right, or it was used already. Enter the code your app shows now "
        "(check that your phone's clock is right), or one of your backup codes."
    )


def _throttled(details: dict | None) -> str:
    locked_until = (details or {}).get("locked_until")
    if locked_until is None:
        return _("Codes are refused for now: too many wrong codes. Try again in a moment.")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes: wait %(seconds)d second before you try again.",
        "Too many wrong codes: wait %(seconds)d seconds before you try again.",
        seconds,
    ) % {"seconds": seconds}

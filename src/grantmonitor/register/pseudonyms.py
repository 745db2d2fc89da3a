"""The INSZ (national register or BIS number) in, a keyed hash out; the number is never kept.

The key comes from ``settings.PSEUDONYM_KEY`` (read from the environment). The same key must
be used for the whole life of the register, or the same person is no longer recognised.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import ssn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumValidationError

# Why python-stdnum refused a number, in our words (its own messages are English only).
REASONS = (
    (InvalidLength, _("it does not have 11 digits")),
    (InvalidFormat, _("it holds other characters than digits, dots and dashes")),
    (InvalidChecksum, _("its check digits do not match: a digit is probably mistyped")),
    (InvalidComponent, _("its birth date is not a real date")),
)


def _key() -> bytes:
    return settings.PSEUDONYM_KEY.encode()


def key_fingerprint() -> str:
    """A short fingerprint of the key, to tell two instances' keys apart without revealing it."""
    return hmac.new(_key(), b"grantmonitor pseudonym key", hashlib.sha256).hexdigest()[:16]


def _reason(exc: StdnumValidationError) -> str:
    return next((str(text) for kind, text in REASONS if isinstance(exc, kind)), exc.message)


def validate_insz(value: str) -> str:
    """The INSZ in its compact 11 digits, or a ``ValidationError`` naming what is wrong."""
    try:
        return ssn.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            {
                "insz": _("%(value)s is not a valid national register or BIS number (%(reason)s).")
                % {"value": value, "reason": _reason(exc)}
            },
            code="invalid_insz",
        ) from exc


def person_key(insz: str) -> str:
    """HMAC-SHA256 of the validated INSZ: equal for the same person in every project."""
    compact = validate_insz(insz)
    return hmac.new(_key(), compact.encode(), hashlib.sha256).hexdigest()


def birth_year(insz: str) -> int | None:
    """The birth year the INSZ encodes, when it encodes one (BIS numbers may not)."""
    try:
        return ssn.get_birth_year(validate_insz(insz))
    except (StdnumValidationError, ValueError):
        return None

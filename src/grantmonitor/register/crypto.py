"""Encryption at rest for participants' names and contact details (Fernet, from ``cryptography``).

The keys come from ``GRANTMONITOR_IDENTITY_KEYS`` (``settings.IDENTITY_KEYS``): the first key
encrypts, every key decrypts, so a key is rotated by putting a new one first, re-encrypting
(``identity.identity_rotate_keys``) and then dropping the old one. Without keys a development
key derived from ``SECRET_KEY`` is used, but only when ``DEBUG`` is on or pytest runs; anywhere
else encrypting or decrypting refuses, ``check --deploy`` reports ``register.E001`` and the WSGI
server refuses to start.
"""

import base64
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

ENVIRONMENT_VARIABLE = "GRANTMONITOR_IDENTITY_KEYS"


def _development() -> bool:
    """DEBUG, or a test that pytest runs (it sets PYTEST_CURRENT_TEST, also for subprocesses)."""
    return bool(settings.DEBUG) or "PYTEST_CURRENT_TEST" in os.environ


def development_key() -> bytes:
    """A Fernet key derived from SECRET_KEY: stable on one development machine, never secret."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"grantmonitor identity development key", hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest)


def _configured() -> list[Fernet]:
    fernets = []
    for number, key in enumerate(settings.IDENTITY_KEYS, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:  # the key itself is never repeated in the message
            raise ImproperlyConfigured(
                f"{ENVIRONMENT_VARIABLE}: key {number} of {len(settings.IDENTITY_KEYS)} is not "
                "a Fernet key (32 url-safe base64-encoded bytes)."
            ) from exc
    return fernets


def require_keys() -> None:
    """Refuse to run without valid keys outside development: the WSGI server calls this."""
    if not _configured() and not _development():
        raise ImproperlyConfigured(
            f"{ENVIRONMENT_VARIABLE} is not set: participants' identities cannot be encrypted. "
            'Generate a key with `python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`.'
        )


def fernet() -> MultiFernet:
    require_keys()
    return MultiFernet(_configured() or [Fernet(development_key())])


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            f"A participant identity cannot be decrypted with the keys in {ENVIRONMENT_VARIABLE}: "
            "was a key dropped before every identity was re-encrypted?"
        ) from exc


class EncryptedTextField(models.TextField):
    """Text that is a Fernet token in the database and plain text in Python.

    Every value is encrypted, the empty one too, so the column shows no plaintext and not even
    which details are missing. A token differs at each save: the field cannot be searched.
    """

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)


@checks.register(checks.Tags.security, deploy=True)
def check_identity_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        configured = _configured()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="register.E002")]
    if configured or settings.DEBUG:
        return []
    return [
        checks.Error(
            f"{ENVIRONMENT_VARIABLE} is not set: participants' names and contact details would "
            "be encrypted with a development key.",
            hint="Set it to one or more Fernet keys, comma-separated; see docs/settings.md.",
            id="register.E001",
        )
    ]

"""Names and contact details: encrypted at rest, read by the promoter's staff only."""

import datetime
import os
import subprocess
import sys

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from grantmonitor.calls.models import Project
from grantmonitor.register import crypto, services
from grantmonitor.register.identity import identity_get, identity_rotate_keys, identity_set
from grantmonitor.register.models import ParticipantIdentity

NAME = "Fatima El Moussaoui"
EMAIL = "fatima.elmoussaoui@example.be"
PHONE = "+32 470 12 34 56"
ADDRESS = "Kerkstraat 12, 9000 Gent"


@pytest.fixture
def hefboom_participant(demo):
    return services.participant_register(
        project=Project.objects.get(name="Hefboom"),
        registered_on=datetime.date(2016, 3, 1),
        reference="HEF-0001",
    )


@pytest.fixture
def identified(demo, hefboom_participant):
    identity_set(
        hefboom_participant,
        actor=demo["users"]["promotor"],
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        address=ADDRESS,
    )
    return hefboom_participant


def _raw_identity_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email, phone, address FROM register_participantidentity")
        return cursor.fetchall()


def test_the_database_holds_ciphertext_only_and_the_promoter_reads_it_back(demo, identified):
    rows = _raw_identity_rows()
    assert len(rows) == 1
    for column, plaintext in zip(rows[0], (NAME, EMAIL, PHONE, ADDRESS), strict=True):
        assert plaintext not in column
        assert "Fatima" not in column and "Gent" not in column
        assert crypto.decrypt(column) == plaintext
    identity = identity_get(identified, user=demo["users"]["promotor"])
    assert (identity.name, identity.email, identity.phone, identity.address) == (
        NAME,
        EMAIL,
        PHONE,
        ADDRESS,
    )


@pytest.mark.parametrize("username", ["beheerder", "dossierbehandelaar", "inspecteur", "kabinet"])
def test_the_funder_the_inspector_and_the_cabinet_never_get_an_identity(demo, identified, username):
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        identity_get(identified, user=demo["users"][username])
    assert "stay with the promoter" in str(refused.value)


def test_staff_of_another_organisation_get_no_identity_and_cannot_set_one(demo, identified):
    from grantmonitor.accounts.models import Role
    from grantmonitor.accounts.services import membership_add, user_create

    stebo = Project.objects.get(name="Stebo").promoter
    other = user_create(username="stebo-coach", password="x" * 12, role=Role.PROMOTER)
    membership_add(user=other, organisation=stebo)
    with pytest.raises(PermissionDenied):
        identity_get(identified, user=other)
    with pytest.raises(PermissionDenied):
        identity_set(identified, actor=other, name="Someone Else")
    assert identity_get(identified, user=demo["users"]["promotor"]).name == NAME


def test_a_participant_without_identity_reads_as_none_and_empty_details_remove_it(
    demo, hefboom_participant
):
    promotor = demo["users"]["promotor"]
    assert identity_get(hefboom_participant, user=promotor) is None
    identity_set(hefboom_participant, actor=promotor, name=NAME)
    assert identity_get(hefboom_participant, user=promotor).email == ""
    assert identity_set(hefboom_participant, actor=promotor, name="  ") is None
    assert not ParticipantIdentity.objects.exists()


def test_a_malformed_email_is_refused_by_field_and_nothing_is_kept(demo, hefboom_participant):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        identity_set(
            hefboom_participant, actor=demo["users"]["promotor"], name=NAME, email="fatima@"
        )
    assert list(refused.value.message_dict) == ["email"]
    assert not ParticipantIdentity.objects.exists()


def test_the_audit_trail_records_the_change_without_the_plaintext(demo, identified):
    identity_set(identified, actor=demo["users"]["promotor"], name="Fatima E.", email=EMAIL)
    entries = LogEntry.objects.filter(content_type__model="participantidentity")
    assert entries.count() == 2
    logged = " ".join(str(entry.changes) + entry.object_repr for entry in entries)
    for plaintext in (NAME, "Fatima E.", EMAIL, PHONE, ADDRESS, "Fatima"):
        assert plaintext not in logged


def test_rotating_keys_re_encrypts_with_the_new_key_and_old_keys_can_then_go(
    demo, identified, settings
):
    old = crypto.development_key().decode()
    new = Fernet.generate_key().decode()
    settings.IDENTITY_KEYS = [new, old]
    assert identity_rotate_keys() == 1
    settings.IDENTITY_KEYS = [new]
    (row,) = _raw_identity_rows()
    assert Fernet(new).decrypt(row[0].encode()).decode() == NAME
    assert identity_get(identified, user=demo["users"]["promotor"]).name == NAME
    settings.IDENTITY_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        identity_get(identified, user=demo["users"]["promotor"])


def test_a_malformed_key_is_named_by_position_without_repeating_it(settings):
    settings.IDENTITY_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 2 of 2") as refused:
        crypto.encrypt(NAME)
    assert "not-a-key" not in str(refused.value)


def test_outside_debug_and_tests_there_is_no_development_key(settings, monkeypatch):
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    settings.DEBUG = False
    settings.IDENTITY_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="GRANTMONITOR_IDENTITY_KEYS is not set"):
        crypto.encrypt(NAME)
    settings.DEBUG = True
    assert crypto.decrypt(crypto.encrypt(NAME)) == NAME


def _production(extra: dict) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_CURRENT_TEST", "GRANTMONITOR_IDENTITY_KEYS", "DEBUG"}
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "grantmonitor.conf.settings", **extra}


def test_production_refuses_to_start_without_keys(tmp_path):
    env = _production({"DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3"})
    check = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--tag", "security"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1
    assert "register.E001" in check.stderr
    server = subprocess.run(
        [sys.executable, "-c", "import grantmonitor.wsgi"], env=env, capture_output=True, text=True
    )
    assert server.returncode == 1
    assert "GRANTMONITOR_IDENTITY_KEYS is not set" in server.stderr
    keyed = {**env, "GRANTMONITOR_IDENTITY_KEYS": Fernet.generate_key().decode()}
    server = subprocess.run(
        [sys.executable, "-c", "import grantmonitor.wsgi"], env=keyed, capture_output=True
    )
    assert server.returncode == 0, server.stderr


def test_the_development_key_comes_from_the_secret_key(settings):
    first = crypto.development_key()
    settings.SECRET_KEY = settings.SECRET_KEY + "-other"
    assert crypto.development_key() != first
    assert len(first) == 44  # 32 bytes, url-safe base64


def test_the_admin_shows_no_identity(client, demo, identified):
    from django.contrib import admin

    assert ParticipantIdentity not in admin.site._registry
    client.force_login(demo["users"]["beheerder"])
    page = client.get(f"/admin/register/participant/{identified.pk}/change/")
    assert page.status_code == 200
    assert "HEF-0001" in page.content.decode()
    assert NAME not in page.content.decode() and EMAIL not in page.content.decode()

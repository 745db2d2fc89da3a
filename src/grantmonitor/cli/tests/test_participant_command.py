"""``participant export|erase|rotate-keys`` on the command line."""

import datetime
import json

import pytest
from cryptography.fernet import Fernet

from grantmonitor.audit.models import Event
from grantmonitor.calls.models import Project
from grantmonitor.cli.main import main
from grantmonitor.register import crypto, services
from grantmonitor.register.identity import identity_set
from grantmonitor.register.models import ParticipantIdentity


@pytest.fixture
def participant(demo):
    person = services.participant_register(
        project=Project.objects.get(name="Hefboom"),
        registered_on=datetime.date(2016, 3, 1),
        reference="HEF-0042",
        birth_year=1990,
    )
    identity_set(person, actor=demo["users"]["promotor"], name="Fatima El Moussaoui")
    return person


def test_export_writes_the_file_with_the_identity_and_records_it(participant, tmp_path, capsys):
    target = tmp_path / "fatima.json"
    args = ["participant", "export", "HEF-0042", "--project", "hefboom", "-o", str(target)]
    assert main(args) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["identity"]["name"] == "Fatima El Moussaoui"
    assert data["participant"]["birth_year"] == 1990
    assert str(target) in capsys.readouterr().err
    event = Event.objects.get(action="export")
    assert (event.actor, event.detail["via"]) == (None, "cli")


def test_an_unknown_reference_or_project_is_a_clear_error(participant, capsys):
    assert main(["participant", "export", "HEF-9999", "--project", "Hefboom"]) == 2
    assert "HEF-9999" in capsys.readouterr().err
    assert main(["participant", "export", "HEF-0042", "--project", "Onbekend"]) == 2
    assert "Onbekend" in capsys.readouterr().err
    assert main(["participant", "export", f"#{participant.pk}", "--project", "Stebo"]) == 2
    assert not Event.objects.exists()


def test_erase_then_export_by_number(participant, capsys):
    args = ["participant", "erase", "HEF-0042", "--project", "Hefboom", "--reason", "Brief 3/5"]
    assert main(args) == 0
    assert f"#{participant.pk}" in capsys.readouterr().err
    assert not ParticipantIdentity.objects.exists()
    assert Event.objects.get(action="erase").detail["via"] == "cli"
    assert main(["participant", "export", f"#{participant.pk}", "--project", "Hefboom"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identity"] is None and data["participant"]["reference"] == ""


def test_an_empty_reason_is_refused(participant, capsys):
    assert main(["participant", "erase", "HEF-0042", "--project", "Hefboom", "--reason", " "]) == 2
    assert "Zeg waarom de identiteit gewist wordt" in capsys.readouterr().err
    assert ParticipantIdentity.objects.exists()


def test_rotate_keys_re_encrypts_with_the_new_first_key(participant, settings, capsys):
    new = Fernet.generate_key().decode()
    settings.IDENTITY_KEYS = [new, crypto.development_key().decode()]
    assert main(["participant", "rotate-keys"]) == 0
    settings.IDENTITY_KEYS = [new]
    assert ParticipantIdentity.objects.get().name == "Fatima El Moussaoui"


def test_a_broken_key_is_a_clear_error(participant, settings, capsys):
    settings.IDENTITY_KEYS = ["broken"]
    assert main(["participant", "export", "HEF-0042", "--project", "Hefboom"]) == 2
    assert "GRANTMONITOR_IDENTITY_KEYS: key 1 of 1" in capsys.readouterr().err

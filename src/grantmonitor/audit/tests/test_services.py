"""Writes land in django-auditlog's log with their actor; logins and exports are events."""

import datetime
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from grantmonitor.audit.models import Event, EventAction
from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Project
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.register.identity import identity_set
from grantmonitor.register.services import participant_register


def _entries(instance):
    return LogEntry.objects.get_for_object(instance).order_by("timestamp", "pk")


def test_a_kpi_value_recorded_through_the_service_is_logged_with_its_actor(demo):
    handler = demo["users"]["dossierbehandelaar"]
    kpi = Kpi.objects.filter(kind=KpiKind.COUNT).first()
    with set_actor(handler):
        value = kpi_value_record(
            kpi=kpi, value=Decimal("37"), narrative="Na telling", actor=handler
        )
        value.refresh_from_db()
        value.narrative = "Na hertelling"
        value.value = Decimal("41.00")
        value.save()

    created, updated = _entries(value)
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == handler
    assert created.changes_dict["value"] == ["None", "37"]
    assert updated.action == LogEntry.Action.UPDATE
    assert updated.actor == handler
    assert updated.changes_dict == {
        "value": ["37.00", "41.00"],
        "narrative": ["Na telling", "Na hertelling"],
    }


def test_a_write_outside_a_request_is_logged_without_actor(demo):
    value = KpiValue.objects.filter(kpi__kind=KpiKind.COUNT).first()
    value.narrative = "Door een commando"
    value.save()
    assert _entries(value).last().actor is None


def test_a_password_change_is_logged_without_the_hash(demo):
    user = demo["users"]["kabinet"]
    user.set_password("een-nieuw-wachtwoord")
    user.save()
    assert _entries(user).last().changes_dict["password"] == ["***", "***"]


def test_record_event_keeps_actor_target_and_detail(demo):
    question = demo["question"]
    event = record_event(
        actor=demo["users"]["kabinet"],
        action="export",
        target=question,
        detail={"format": "pdf", "amount": Decimal("12.50")},
    )
    event.refresh_from_db()
    assert event.actor == demo["users"]["kabinet"]
    assert event.content_type == ContentType.objects.get_for_model(question)
    assert event.object_pk == str(question.pk)
    assert event.object_repr == str(question)
    assert event.detail == {"format": "pdf", "amount": "12.50"}


def test_record_event_refuses_an_unknown_action(db):
    with pytest.raises(ValueError, match="'download' is not one of login, login_failed"):
        record_event(actor=None, action="download")


def test_a_login_a_failed_login_and_a_logout_are_recorded_with_the_address(client, demo):
    kabinet = demo["users"]["kabinet"]
    login = reverse("login")
    client.post(login, {"username": "kabinet", "password": "fout"}, REMOTE_ADDR="192.0.2.7")
    client.post(login, {"username": "niemand", "password": "fout"}, REMOTE_ADDR="192.0.2.7")
    client.post(login, {"username": "kabinet", "password": "grantmonitor-demo"})
    client.post(reverse("logout"))

    failed_known, failed_unknown, login_event, logout = Event.objects.order_by("pk")
    assert (failed_known.action, failed_known.actor, failed_known.object_pk) == (
        EventAction.LOGIN_FAILED,
        None,
        str(kabinet.pk),
    )
    assert failed_known.detail == {"username": "kabinet"}
    assert failed_known.remote_addr == "192.0.2.7"
    assert (failed_unknown.content_type, failed_unknown.detail) == (None, {"username": "niemand"})
    assert (login_event.action, login_event.actor) == (EventAction.LOGIN, kabinet)
    assert (logout.action, logout.actor) == (EventAction.LOGOUT, kabinet)
    assert "fout" not in str([event.detail for event in Event.objects.all()])


def test_a_participants_identity_and_reference_never_reach_the_log(demo):
    project = Project.objects.get(name="Hefboom")
    participant = participant_register(
        project=project, registered_on=datetime.date(2024, 3, 1), reference="Jan P."
    )
    identity_set(
        participant, actor=demo["users"]["promotor"], name="Jan Peeters", email="jan@example.be"
    )

    registered = _entries(participant).get()
    assert registered.changes_dict["reference"] == ["***", "***"]
    identity = LogEntry.objects.get(object_repr__endswith="(identity)")
    assert identity.changes_dict["name"] == ["***", "***"]
    assert identity.changes_dict["email"] == ["***", "***"]
    logged = str(list(LogEntry.objects.values_list("changes", "changes_text")))
    assert "Peeters" not in logged
    assert "jan@example" not in logged


def test_an_uploaded_spreadsheet_is_logged_without_its_bytes(demo):
    from grantmonitor.imports.jobs import job_start

    hefboom = Project.objects.get(name="Hefboom")
    upload = b"PK\x03\x04\x00\xff binary xlsx with INSZ 85073003328"
    job = job_start(
        project=hefboom,
        user=demo["users"]["promotor"],
        kind="attendance",
        valid_only=False,
        file_name="aanwezigheden.xlsx",
        content=upload,
    )
    (entry,) = LogEntry.objects.get_for_object(job)
    assert "content" not in entry.changes_dict
    assert entry.changes_dict["file_name"] == ["None", "aanwezigheden.xlsx"]
    assert "85073003328" not in str(entry.changes_dict)

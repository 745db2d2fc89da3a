"""Right of access and erasure: all about one person out; the name gone, figures unchanged."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from grantmonitor.audit.models import Event
from grantmonitor.calls.models import Project
from grantmonitor.documents.answer import compose_answer
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import KpiValue, OutcomeSource, OutcomeStatus
from grantmonitor.organisations.models import Organisation
from grantmonitor.register import services
from grantmonitor.register.gdpr import participant_erase_identity, participant_export
from grantmonitor.register.identity import identity_set
from grantmonitor.register.models import (
    ActivityKind,
    CharacteristicCode,
    CreditDecision,
    Participant,
    ParticipantIdentity,
    Referral,
    TrajectoryKind,
)
from grantmonitor.register.selectors import call_people
from grantmonitor.register.synth import synth
from grantmonitor.register.tests.factories import valid_insz

D = datetime.date


@pytest.fixture
def fatima(demo):
    """A Hefboom participant with a record of every kind and an identity."""
    hefboom = Project.objects.get(name="Hefboom")
    lender = hefboom.promoter
    other = Organisation.objects.exclude(pk=lender.pk).first()
    person = services.participant_register(
        project=hefboom,
        registered_on=D(2016, 3, 1),
        insz=valid_insz(D(1990, 5, 17), 42),
        reference="HEF-0042",
        gender="f",
        characteristics=[CharacteristicCode.MIGRATION_BACKGROUND],
    )
    services.activity_record(
        project=hefboom,
        kind=ActivityKind.INFO_SESSION,
        date=D(2016, 3, 8),
        organiser=lender,
        title="Infosessie Gent",
        participants=[person],
    )
    services.trajectory_start(
        participant=person, kind=TrajectoryKind.TOWARDS_ENTREPRENEURSHIP, start_date=D(2016, 4, 1)
    )
    services.credit_application_record(
        participant=person,
        applied_on=D(2016, 6, 1),
        amount=Decimal("12500.00"),
        lender=lender,
        decision=CreditDecision.APPROVED,
        decided_on=D(2016, 6, 20),
    )
    services.referral_record(
        participant=person,
        from_organisation=lender,
        to_organisation=other,
        referred_on=D(2016, 7, 1),
        reason="Fatima zoekt kinderopvang in Gent",
    )
    services.outcome_record(
        participant=person,
        observed_on=D(2017, 1, 15),
        status=OutcomeStatus.SELF_EMPLOYED,
        source=OutcomeSource.SURVEY,
    )
    identity_set(
        person,
        actor=demo["users"]["promotor"],
        name="Fatima El Moussaoui",
        email="fatima@example.be",
        phone="0470 12 34 56",
    )
    return person


def test_the_promoter_exports_every_record_and_the_identity_and_it_is_logged(demo, fatima):
    promotor = demo["users"]["promotor"]
    with translation.override("nl"):
        data = json.loads(participant_export(fatima, actor=promotor))
    assert data["participant"]["reference"] == "HEF-0042"
    assert data["participant"]["birth_year"] == 1990
    assert data["participant"]["project"] == "Hefboom"
    assert data["participant"]["person_key"] == fatima.person_key
    assert [c["code"] for c in data["characteristics"]] == ["migration_background"]
    assert data["characteristics"][0]["label"] == "migratieachtergrond"
    assert [(a["date"], a["title"]) for a in data["attendance"]] == [
        ("2016-03-08", "Infosessie Gent")
    ]
    assert data["trajectories"][0]["start_date"] == "2016-04-01"
    assert data["credit_applications"][0]["amount"] == "12500.00"
    assert data["credit_applications"][0]["decided_on"] == "2016-06-20"
    assert data["referrals"][0]["reason"] == "Fatima zoekt kinderopvang in Gent"
    assert data["outcomes"][0]["status"] == "self_employed"
    assert data["identity"] == {
        "name": "Fatima El Moussaoui",
        "email": "fatima@example.be",
        "phone": "0470 12 34 56",
        "address": "",
    }
    event = Event.objects.get(action="export")
    assert (event.actor, event.object_pk) == (promotor, str(fatima.pk))
    assert event.detail == {"what": "participant data", "format": "json", "identity_included": True}


@pytest.mark.parametrize("username", ["beheerder", "inspecteur", "kabinet"])
def test_the_funder_and_the_cabinet_get_the_records_without_the_identity(demo, fatima, username):
    with translation.override("en"):
        data = json.loads(participant_export(fatima, actor=demo["users"][username]))
    assert data["identity"] is None
    assert "stay with the promoter" in data["identity_withheld"]
    assert "Fatima El" not in json.dumps(data)
    assert len(data["credit_applications"]) == 1
    assert Event.objects.get(action="export").detail["identity_included"] is False


def test_staff_of_another_promoter_cannot_export_or_erase(demo, fatima):
    from grantmonitor.accounts.models import Role
    from grantmonitor.accounts.services import membership_add, user_create

    other = user_create(username="stebo-coach", password="x" * 12, role=Role.PROMOTER)
    membership_add(user=other, organisation=Project.objects.get(name="Stebo").promoter)
    with pytest.raises(PermissionDenied):
        participant_export(fatima, actor=other)
    with pytest.raises(PermissionDenied):
        participant_erase_identity(fatima, actor=other, reason="request")
    assert not Event.objects.exists()
    assert ParticipantIdentity.objects.filter(participant=fatima).exists()


@pytest.mark.parametrize("username", ["beheerder", "dossierbehandelaar", "kabinet"])
def test_only_the_promoter_erases(demo, fatima, username):
    with pytest.raises(PermissionDenied):
        participant_erase_identity(fatima, actor=demo["users"][username], reason="request")
    assert ParticipantIdentity.objects.filter(participant=fatima).exists()


def test_erasing_removes_the_name_and_free_text_keeps_the_records_and_is_logged(demo, fatima):
    promotor = demo["users"]["promotor"]
    key = fatima.person_key
    erasure = participant_erase_identity(
        fatima, actor=promotor, reason="Verzoek van de deelnemer, 3 mei"
    )
    assert (erasure.identity_deleted, erasure.reference_cleared) == (True, True)
    assert erasure.referral_reasons_cleared == 1
    fatima.refresh_from_db()
    assert (fatima.reference, fatima.person_key, fatima.birth_year) == ("", key, 1990)
    assert not ParticipantIdentity.objects.exists()
    assert Referral.objects.get(participant=fatima).reason == ""
    assert fatima.attendances.count() == 1 and fatima.credit_applications.count() == 1
    event = Event.objects.get(action="erase")
    assert event.actor == promotor and event.object_pk == str(fatima.pk)
    assert "HEF-0042" not in event.object_repr
    assert event.detail == {
        "reason": "Verzoek van de deelnemer, 3 mei",
        "identity_deleted": True,
        "reference_cleared": True,
        "referral_reasons_cleared": 1,
        "person_key_kept": True,
    }
    data = json.loads(participant_export(fatima, actor=promotor))
    assert data["identity"] is None
    assert "Fatima" not in json.dumps(data)


def test_erasing_needs_a_reason(demo, fatima):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        participant_erase_identity(fatima, actor=demo["users"]["promotor"], reason="  ")
    assert "Say why" in refused.value.message_dict["reason"][0]
    assert ParticipantIdentity.objects.exists()


def test_the_command_line_exports_with_the_identity_and_logs_it_as_cli(demo, fatima):
    data = json.loads(participant_export(fatima, actor=None))
    assert data["identity"]["name"] == "Fatima El Moussaoui"
    event = Event.objects.get(action="export")
    assert event.actor is None and event.detail["via"] == "cli"


def _current_values() -> dict:
    values = {}
    for value in KpiValue.objects.order_by("recorded_at", "pk"):
        values[(value.kpi_id, value.period_start, value.period_end, value.source)] = (
            value.value,
            value.numerator,
            value.denominator,
            value.baseline,
        )
    return values


def test_after_erasing_the_kpis_and_answer_418_come_out_the_same(demo):
    synth(scale=1)
    promotor = demo["users"]["promotor"]
    hefboom = Project.objects.get(name="Hefboom")
    people = list(Participant.objects.filter(project=hefboom).order_by("pk")[:40])
    with_referral = list(Participant.objects.filter(project=hefboom, referrals__isnull=False))
    assert with_referral, "the synthetic register refers Hefboom people"
    people += with_referral
    for number, person in enumerate(people):
        Participant.objects.filter(pk=person.pk).update(reference=f"HEF-{number:04d}")
        identity_set(person, actor=promotor, name=f"Deelnemer {number}", phone="0470 00 00 00")
    assert engine.recompute_all() == 0  # nothing of the above is counted
    values = _current_values()
    answers = {
        lang: compose_answer(question=demo["question"], language=lang) for lang in ["nl", "en"]
    }
    people_reached = call_people(call=demo["call"])

    for person in people:
        participant_erase_identity(person, actor=promotor, reason="Verzoek van de deelnemer")

    assert not ParticipantIdentity.objects.exists()
    assert not Referral.objects.filter(participant__project=hefboom).exclude(reason="").exists()
    assert engine.recompute_all() == 0  # no value differs: none is stored
    assert _current_values() == values
    for language, answer in answers.items():
        assert compose_answer(question=demo["question"], language=language) == answer
    assert call_people(call=demo["call"]) == people_reached
    assert people_reached.distinct < people_reached.per_project_sum  # the person key still joins

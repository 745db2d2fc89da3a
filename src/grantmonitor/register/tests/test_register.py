"""The register refuses bad input with a clear message, keeps no INSZ, and keeps KPIs current."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from grantmonitor.kpis.models import KpiValue, OutcomeSource, OutcomeStatus
from grantmonitor.register import services
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    CreditApplication,
    CreditDecision,
    Participant,
    Referral,
)
from grantmonitor.register.tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English; the Dutch default is checked once below."""
    with translation.override("en"):
        yield


def test_the_refusal_speaks_dutch_by_default():
    project = factories.project()
    with translation.override("nl"), pytest.raises(ValidationError) as exc:
        services.participant_register(project=project, registered_on=D(2015, 1, 1), insz="123")
    assert "is geen geldig rijksregister- of BIS-nummer" in _messages(exc)


def _messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def test_invalid_insz_is_refused_and_nothing_is_saved():
    project = factories.project()
    with pytest.raises(ValidationError) as exc:
        services.participant_register(
            project=project, registered_on=D(2015, 1, 1), insz="85.07.30-033.29"
        )
    assert "insz" in exc.value.message_dict
    assert "85.07.30-033.29" in _messages(exc)
    assert not Participant.objects.exists()


def test_the_insz_is_never_stored_and_the_same_person_is_recognised_across_projects():
    insz = factories.valid_insz(D(1985, 7, 30), 33)
    first, second = factories.project(), factories.project()
    a = services.participant_register(project=first, registered_on=D(2015, 1, 1), insz=insz)
    b = services.participant_register(
        project=second, registered_on=D(2016, 1, 1), insz=insz.replace("", " ").strip()
    )
    assert a.person_key == b.person_key
    assert len(a.person_key) == 64
    assert a.birth_year == 1985  # read from the number when not given
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM register_participant")
        rows = cursor.fetchall()
    assert not any(insz in str(row) for row in rows)


def test_a_bis_number_and_a_birth_after_2000_are_accepted():
    project = factories.project()
    bis = services.participant_register(
        project=project, registered_on=D(2015, 1, 1), insz="98.47.28-997.65"
    )
    young = services.participant_register(
        project=project, registered_on=D(2019, 1, 1), insz=factories.valid_insz(D(2001, 9, 7), 1)
    )
    assert bis.person_key and young.birth_year == 2001


def test_the_same_person_twice_in_one_project_is_refused():
    project = factories.project()
    insz = factories.valid_insz(D(1990, 1, 2), 5)
    services.participant_register(project=project, registered_on=D(2015, 1, 1), insz=insz)
    with pytest.raises(ValidationError) as exc:
        services.participant_register(project=project, registered_on=D(2015, 2, 1), insz=insz)
    assert "already registered in this project" in _messages(exc)
    assert Participant.objects.count() == 1


def test_a_derived_or_unknown_characteristic_is_refused_at_intake():
    project = factories.project()
    with pytest.raises(ValidationError) as exc:
        services.participant_register(
            project=project, registered_on=D(2015, 1, 1), characteristics=["young"]
        )
    assert "birth year" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.participant_register(
            project=project, registered_on=D(2015, 1, 1), characteristics=["left_handed"]
        )
    assert "left_handed" in _messages(exc)
    assert not Participant.objects.exists()


def test_attending_the_same_activity_twice_is_refused():
    project = factories.project()
    person = services.participant_register(project=project, registered_on=D(2015, 1, 1))
    activity = services.activity_record(
        project=project,
        kind=ActivityKind.INFO_SESSION,
        date=D(2015, 3, 1),
        organiser=project.promoter,
        participants=[person],
    )
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(activity=activity, participant=person)
    assert "already attended" in _messages(exc)
    assert Attendance.objects.count() == 1


def test_a_participant_of_another_project_cannot_attend():
    project, other = factories.project(), factories.project()
    stranger = services.participant_register(project=other, registered_on=D(2015, 1, 1))
    activity = services.activity_record(
        project=project, kind=ActivityKind.EVENT, date=D(2015, 3, 1), organiser=project.promoter
    )
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(activity=activity, participant=stranger)
    assert "participant" in exc.value.message_dict


def test_an_activity_outside_the_project_period_is_refused_and_none_is_saved():
    project = factories.project(start=D(2014, 1, 1), end=D(2016, 12, 31))
    person = services.participant_register(project=project, registered_on=D(2015, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            project=project,
            kind=ActivityKind.INFO_SESSION,
            date=D(2017, 1, 1),
            organiser=project.promoter,
            participants=[person],
        )
    assert "date" in exc.value.message_dict
    assert "2017-01-01" in _messages(exc) and "2016-12-31" in _messages(exc)
    assert not Activity.objects.exists() and not Attendance.objects.exists()
    # the last day of the period is inside it
    services.activity_record(
        project=project, kind=ActivityKind.EVENT, date=D(2016, 12, 31), organiser=project.promoter
    )


def test_a_credit_decision_before_its_application_is_refused():
    project = factories.project()
    person = services.participant_register(project=project, registered_on=D(2015, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.credit_application_record(
            participant=person,
            applied_on=D(2015, 5, 10),
            amount=Decimal("5000.00"),
            lender=project.promoter,
            decision=CreditDecision.APPROVED,
            decided_on=D(2015, 5, 9),
        )
    assert "decided_on" in exc.value.message_dict
    assert "2015-05-09" in _messages(exc)
    application = services.credit_application_record(
        participant=person,
        applied_on=D(2015, 5, 10),
        amount=Decimal("5000"),
        lender=project.promoter,
    )
    with pytest.raises(ValidationError):
        services.credit_decide(
            application=application, decision=CreditDecision.REFUSED, decided_on=D(2015, 1, 1)
        )
    application.refresh_from_db()
    assert application.decision == CreditDecision.PENDING
    assert CreditApplication.objects.count() == 1


def test_a_referral_from_an_organisation_to_itself_is_refused():
    project = factories.project()
    person = services.participant_register(project=project, registered_on=D(2015, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.referral_record(
            participant=person,
            from_organisation=project.promoter,
            to_organisation=project.promoter,
            referred_on=D(2015, 2, 1),
        )
    assert "to_organisation" in exc.value.message_dict
    assert not Referral.objects.exists()


def test_a_registration_recomputes_the_kpis_that_count_it_in_the_same_transaction():
    project = factories.project()
    attendees = factories.bound_kpi(project, {"count": "attendees"})
    outcomes = factories.bound_kpi(
        project, {"count": "participants_with_outcome", "filters": {"outcome_status": ["employee"]}}
    )
    people = [
        services.participant_register(project=project, registered_on=D(2015, 1, 1))
        for _ in range(3)
    ]
    activity = services.activity_record(
        project=project,
        kind=ActivityKind.INFO_SESSION,
        date=D(2015, 3, 1),
        organiser=project.promoter,
        participants=people[:2],
    )
    services.attendance_record(activity=activity, participant=people[2])
    services.outcome_record(
        participant=people[0],
        observed_on=D(2016, 1, 1),
        status=OutcomeStatus.EMPLOYEE,
        source=OutcomeSource.SURVEY,
    )

    def current(kpi):
        return (
            KpiValue.objects.filter(kpi=kpi, period_start__isnull=True)
            .order_by("-recorded_at", "-pk")
            .first()
        )

    assert current(attendees).value == 3
    assert current(attendees).definition_version is not None
    assert current(outcomes).value == 1
    # attendances do not touch the outcome KPI: it was computed once, after the outcome
    assert KpiValue.objects.filter(kpi=outcomes, period_start__isnull=True).count() == 1

"""Batch writes: what the services would refuse is refused, what is already there is skipped,
and the KPIs are recomputed once per project."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grantmonitor.imports.tests.conftest import attendees_kpi  # noqa: F401 -- a fixture
from grantmonitor.kpis.models import KpiValue
from grantmonitor.register import batch
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    Characteristic,
    Participant,
)

INSZ = "90.01.01-001.23"


def _current(kpi) -> Decimal | None:
    value = KpiValue.objects.filter(kpi=kpi, period_start__isnull=True).order_by(
        "recorded_at", "pk"
    )
    return value.last().value


def test_a_person_written_twice_is_kept_once_with_the_characteristics_once(demo):
    from grantmonitor.calls.models import Project

    gtb = Project.objects.get(name="GTB")

    def build():
        return batch.participant_build(
            project=gtb,
            registered_on=datetime.date(2018, 1, 2),
            insz=INSZ,
            characteristics=["low_educated", "low_educated", "migration_background"],
        )

    assert batch.participants_write([build()]) == 1
    assert batch.participants_write([build()]) == 0
    person = Participant.objects.get(project=gtb)
    assert person.birth_year == 1990
    assert sorted(person.characteristics.values_list("code", flat=True)) == [
        "low_educated",
        "migration_background",
    ]
    assert Characteristic.objects.filter(participant__project=gtb).count() == 2


def test_build_refuses_what_the_service_refuses(demo, settings):
    from grantmonitor.calls.models import Project

    gtb = Project.objects.get(name="GTB")
    with pytest.raises(ValidationError) as refused:
        batch.participant_build(
            project=gtb, registered_on=datetime.date(2018, 1, 2), characteristics=["young"]
        )
    assert "derived from the birth year" in str(refused.value) or "geboortejaar" in str(
        refused.value
    )
    with pytest.raises(ValidationError) as refused:
        batch.participant_build(project=gtb, registered_on=datetime.date(2018, 1, 2), gender="q")
    assert "gender" in refused.value.message_dict
    gtb.start_date, gtb.end_date = datetime.date(2016, 1, 1), datetime.date(2017, 12, 31)
    with pytest.raises(ValidationError) as refused:
        batch.activity_build(
            project=gtb,
            kind=ActivityKind.TRAINING,
            date=datetime.date(2018, 1, 5),
            organiser=gtb.promoter,
        )
    assert list(refused.value.message_dict) == ["date"]


def test_attendance_already_recorded_is_skipped_and_the_kpi_recomputed_once(
    attendees_kpi,  # noqa: F811 -- the fixture imported above
    django_assert_max_num_queries,
):
    session = Activity.objects.get(project=attendees_kpi.project)
    people = list(
        Participant.objects.filter(project=attendees_kpi.project).values_list("pk", flat=True)
    )
    assert _current(attendees_kpi) == Decimal(0)
    assert batch.attendances_write([(session.pk, people[0])]) == 1
    # one pair already there, one twice in the same chunk
    pairs = [(session.pk, pk) for pk in (people[0], people[1], people[1], people[2])]
    with django_assert_max_num_queries(5):
        assert batch.attendances_write(pairs) == 2
    assert Attendance.objects.filter(activity=session).count() == 3
    with django_assert_max_num_queries(40):
        batch.recompute({attendees_kpi.project: batch.TOUCHING["attendance"]})
    assert _current(attendees_kpi) == Decimal(3)


def test_activities_are_written_in_one_go(demo, django_assert_max_num_queries):
    from grantmonitor.calls.models import Project

    stebo = Project.objects.get(name="Stebo")
    built = [
        batch.activity_build(
            project=stebo,
            kind=ActivityKind.TRAINING,
            date=datetime.date(2018, 1, 1) + datetime.timedelta(days=day),
            organiser=stebo.promoter,
            title=f"Opleiding {day}",
        )
        for day in range(300)
    ]
    with django_assert_max_num_queries(5):
        assert batch.activities_write(built) == 300
    assert Activity.objects.filter(project=stebo, kind="training").count() == 300

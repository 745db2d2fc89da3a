"""Invariants of the engine on generated registers (hypothesis)."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantmonitor.kpis import engine
from grantmonitor.kpis.definitions import Window
from grantmonitor.kpis.models import KpiValue
from grantmonitor.kpis.rules import ChildrenRule, check_children
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    Participant,
)
from grantmonitor.register.tests import factories

D = datetime.date
KINDS = [ActivityKind.INFO_SESSION, ActivityKind.THEME_SESSION, ActivityKind.TRAINING]
PROPERTY = settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# who attended what: (person index, activity kind index, day offset in 2014)
attendance = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, 2), st.integers(0, 364)), max_size=40
)


class _Rollback(Exception):
    pass


def _register(project, rows) -> None:
    """Write the generated register in bulk (the rows are consistent by construction)."""
    people = Participant.objects.bulk_create(
        [Participant(project=project, registered_on=D(2014, 1, 1)) for _ in range(15)]
    )
    seen = set()
    for person, kind, day in rows:
        activity = Activity.objects.create(
            project=project,
            kind=KINDS[kind],
            date=D(2014, 1, 1) + datetime.timedelta(days=day),
            organiser=project.promoter,
        )
        if (activity.pk, person) not in seen:
            seen.add((activity.pk, person))
            Attendance.objects.create(activity=activity, participant=people[person])


def _measure(kinds, window=None):
    spec = {"count": "attendees", "filters": {"activity_kind": kinds}}
    return spec if window is None else {**spec, "window": window}


def _count(spec, project) -> int:
    return engine.compute(spec, project=project)[0].figures.value


@pytest.mark.django_db
@PROPERTY
@given(rows=attendance)
def test_a_distinct_parent_lies_between_its_largest_child_and_the_sum(rows):
    try:
        with transaction.atomic():
            project = factories.project()
            _register(project, rows)
            parent = _count(_measure(list(KINDS)), project)
            children = [_count(_measure([kind]), project) for kind in KINDS]
            assert max(children) <= parent <= sum(children)
            check = check_children(ChildrenRule.DISTINCT, parent, children, side="realised")
            assert check is not None and check.ok
            distinct_people = len({person for person, _kind, _day in rows})
            assert parent == distinct_people
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
@PROPERTY
@given(rows=attendance, start=st.integers(0, 364), length=st.integers(0, 364))
def test_window_ends_are_inclusive(rows, start, length):
    first = D(2014, 1, 1) + datetime.timedelta(days=start)
    last = min(first + datetime.timedelta(days=length), D(2014, 12, 31))
    try:
        with transaction.atomic():
            project = factories.project()
            _register(project, rows)
            window = {"start": first.isoformat(), "end": last.isoformat()}
            counted = _count(_measure(list(KINDS), window), project)
            expected = {
                person
                for person, _kind, day in rows
                if first <= D(2014, 1, 1) + datetime.timedelta(days=day) <= last
            }
            assert counted == len(expected)
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
@PROPERTY
@given(rows=attendance)
def test_a_recompute_is_idempotent(rows):
    try:
        with transaction.atomic():
            project = factories.project()
            kpi = factories.bound_kpi(project, _measure(list(KINDS)))
            _register(project, rows)
            first = engine.kpi_recompute(kpi=kpi)
            assert first  # at least the cumulative value
            stored = KpiValue.objects.filter(kpi=kpi).count()
            assert engine.kpi_recompute(kpi=kpi) == []
            assert KpiValue.objects.filter(kpi=kpi).count() == stored
            raise _Rollback
    except _Rollback:
        pass


edges = st.one_of(st.none(), st.dates(D(2014, 1, 1), D(2014, 1, 20)))


@given(first=st.tuples(edges, edges), second=st.tuples(edges, edges))
def test_the_intersection_of_two_windows_holds_the_days_both_hold(first, second):
    def holds(window: Window, day: datetime.date) -> bool:
        return (window.start is None or window.start <= day) and (
            window.end is None or day <= window.end
        )

    a, b = Window(*first), Window(*second)
    both = a.intersect(b)
    for day in (D(2013, 12, 31) + datetime.timedelta(days=n) for n in range(22)):
        assert holds(both, day) == (holds(a, day) and holds(b, day))
    assert (both.start is None) == (a.start is None and b.start is None)
    assert (both.end is None) == (a.end is None and b.end is None)

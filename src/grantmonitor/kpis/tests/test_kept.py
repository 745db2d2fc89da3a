"""KPI inputs kept from the register (PostgreSQL): the figures counted from them are those
counted from the register, after any write, by any path, from any transaction."""

import datetime
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantmonitor.cli.main import main
from grantmonitor.kpis import engine, kept
from grantmonitor.kpis.models import KeptInputs, KeptItem, KeptStale, KpiValue
from grantmonitor.kpis.services import measure_definition_revise
from grantmonitor.register import services
from grantmonitor.register.models import Activity, ActivityKind, Attendance, Participant
from grantmonitor.register.tests import factories

D = datetime.date
K = ActivityKind
pytestmark = pytest.mark.postgres

KINDS = [K.INFO_SESSION, K.THEME_SESSION, K.TRAINING]
#: Three measures in the project's period: two kept with each other, one per year.
SPECS = [
    {"count": "attendees", "filters": {"activity_kind": [K.INFO_SESSION, K.THEME_SESSION]}},
    {"count": "attendees", "filters": {"activity_kind": [K.TRAINING], "audience": "young"}},
    {
        "combine": "average_per_year",
        "measure": {"count": "attendees", "window": {"start": "2014-01-01", "end": "2016-12-31"}},
    },
]
START, END = D(2014, 3, 1), D(2016, 6, 30)


def _figures(project, *, from_kept: bool) -> list:
    before = django_settings.KEPT_KPI_INPUTS
    django_settings.KEPT_KPI_INPUTS = from_kept
    try:
        return [
            [(c.period, c.figures) for c in engine.compute(spec, project=project)] for spec in SPECS
        ]
    finally:
        django_settings.KEPT_KPI_INPUTS = before


def _stored_from_register(project) -> int:
    """How many values a recompute of the project counting the register stores."""
    before = django_settings.KEPT_KPI_INPUTS
    django_settings.KEPT_KPI_INPUTS = False
    try:
        return engine.project_recompute(project=project)
    finally:
        django_settings.KEPT_KPI_INPUTS = before


def _register(project, people: int, activities: list[tuple[int, int]]) -> tuple[list, list]:
    participants = [
        services.participant_register(project=project, registered_on=START) for _ in range(people)
    ]
    made = [
        Activity.objects.create(
            project=project,
            kind=KINDS[kind],
            date=START + datetime.timedelta(days=day),
            organiser=project.promoter,
        )
        for kind, day in activities
    ]
    return participants, made


#: Writes, each by another path than the services where one exists: the triggers see them all.
edit = st.one_of(
    st.tuples(st.just("attend"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("bulk attend"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("forget"), st.integers(0, 30)),
    st.tuples(st.just("kind"), st.integers(0, 5), st.integers(0, 2)),
    st.tuples(st.just("date"), st.integers(0, 5), st.integers(-90, 900)),
    st.tuples(st.just("audience"), st.integers(0, 5), st.sampled_from(["", "young"])),
    st.tuples(st.just("period"), st.integers(-400, 400), st.integers(-400, 400)),
    st.tuples(st.just("delete activity"), st.integers(0, 5)),
    st.tuples(st.just("delete participant"), st.integers(0, 5)),
)


def _apply(project, people: list, activities: list, change: tuple) -> None:
    name, *args = change
    live = list(Activity.objects.filter(project=project).order_by("pk"))
    persons = list(Participant.objects.filter(project=project).order_by("pk"))
    if not live or not persons:
        return
    if name in ("attend", "bulk attend"):
        activity, person = live[args[0] % len(live)], persons[args[1] % len(persons)]
        if Attendance.objects.filter(activity=activity, participant=person).exists():
            return
        if name == "attend":
            Attendance.objects.create(activity=activity, participant=person)
        else:
            Attendance.objects.bulk_create([Attendance(activity=activity, participant=person)])
    elif name == "forget":
        rows = list(Attendance.objects.filter(activity__project=project).order_by("pk"))
        if rows:
            Attendance.objects.filter(pk=rows[args[0] % len(rows)].pk).delete()
    elif name == "kind":
        Activity.objects.filter(pk=live[args[0] % len(live)].pk).update(kind=KINDS[args[1]])
    elif name == "date":
        day = START + datetime.timedelta(days=args[1])
        Activity.objects.filter(pk=live[args[0] % len(live)].pk).update(date=day)
    elif name == "audience":
        Activity.objects.filter(pk=live[args[0] % len(live)].pk).update(audience=args[1])
    elif name == "period":
        start = START + datetime.timedelta(days=args[0])
        end = max(start, END + datetime.timedelta(days=args[1]))
        type(project).objects.filter(pk=project.pk).update(start_date=start, end_date=end)
        project.refresh_from_db()
    elif name == "delete activity":
        live[args[0] % len(live)].delete()
    else:
        persons[args[0] % len(persons)].delete()


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    attended=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=20),
    changes=st.lists(edit, max_size=8),
)
def test_figures_from_kept_inputs_are_those_of_the_register_after_every_write(
    postgres_only, attended, changes
):
    try:
        with transaction.atomic():
            project = factories.project(start=START, end=END)
            people, activities = _register(
                project,
                6,
                [(i % 3, 200 * i) for i in range(6)],  # 2014 to 2017
            )
            for activity, person in set(attended):
                Attendance.objects.create(activity=activities[activity], participant=people[person])
            for spec in SPECS:  # a KPI each: a project's recompute refreshes all at once
                factories.bound_kpi(project, spec)
            engine.project_recompute(project=project)
            assert KeptInputs.objects.filter(project=project).count() == 3
            assert _stored_from_register(project) == 0  # the same figures
            for change in changes:
                _apply(project, people, activities, change)
                engine.project_recompute(project=project)
                assert not KeptStale.objects.filter(project_id=project.pk).exists()
                assert _stored_from_register(project) == 0, change
                # one measure at a time: a refresh drops the others, kept anew by the next
                figures = _figures(project, from_kept=True)
                assert figures == _figures(project, from_kept=False), change
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def counted(postgres_only, db):
    """A project with a KPI counting its info sessions' attendees, three people of whom two
    attended in 2015; recomputed, so its inputs are kept."""
    project = factories.project(start=D(2015, 1, 1), end=D(2016, 12, 31))
    kpi = factories.bound_kpi(
        project, {"count": "attendees", "filters": {"activity_kind": [K.INFO_SESSION]}}
    )
    people = [
        services.participant_register(project=project, registered_on=D(2015, 1, 5))
        for _ in range(3)
    ]
    services.activity_record(
        project=project,
        kind=K.INFO_SESSION,
        date=D(2015, 3, 1),
        organiser=project.promoter,
        participants=people[:2],
    )
    return project, kpi, people


def _value(kpi, year: int | None = None) -> int:
    values = KpiValue.objects.filter(kpi=kpi).order_by("-recorded_at", "-pk")
    if year is None:
        values = values.filter(period_start=None)
    else:
        values = values.filter(period_start__year=year)
    return int(values.first().figures.value)


def test_a_registration_counts_its_participant_again_not_the_project(counted):
    project, kpi, people = counted
    inputs = KeptInputs.objects.get(project=project)
    assert _value(kpi) == 2
    later = services.activity_record(
        project=project, kind=K.INFO_SESSION, date=D(2016, 5, 2), organiser=project.promoter
    )
    services.attendance_record(activity=later, participant=people[0])
    services.attendance_record(activity=later, participant=people[2])
    assert (_value(kpi), _value(kpi, 2015), _value(kpi, 2016)) == (3, 2, 2)
    assert KeptInputs.objects.get(project=project).pk == inputs.pk  # kept on, not rebuilt
    years = dict(KeptItem.objects.filter(inputs=inputs).values_list("item", "years"))
    assert years == {people[0].pk: 0b11, people[1].pk: 0b01, people[2].pk: 0b10}
    assert not KeptStale.objects.exists()


def test_the_kept_inputs_of_a_revised_definition_are_kept_anew(counted):
    project, kpi, people = counted
    services.activity_record(
        project=project,
        kind=K.THEME_SESSION,
        date=D(2016, 2, 1),
        organiser=project.promoter,
        participants=people,
    )
    revised = {"count": "attendees", "filters": {"activity_kind": [K.THEME_SESSION]}}
    measure_definition_revise(definition=kpi.measure.definition, spec=revised)
    engine.project_recompute(project=project)
    assert _value(kpi) == 3
    assert KeptInputs.objects.filter(project=project, measure=kept.key(revised)).exists()
    engine.recompute_all()  # knows every measure counted: the one revised away is dropped
    assert list(KeptInputs.objects.values_list("measure", flat=True)) == [kept.key(revised)]
    assert set(KeptItem.objects.values_list("inputs__measure", flat=True)) == {kept.key(revised)}


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_person_at_once_are_both_kept(postgres_only):
    """The second waits for the first's lock on the project and counts what it committed:
    kept from its own snapshot, the person's row would lose the first's year."""
    project = factories.project(start=D(2015, 1, 1), end=D(2016, 12, 31))
    kpi = factories.bound_kpi(project, {"count": "attendees"})
    person = services.participant_register(project=project, registered_on=D(2015, 1, 5))
    sessions = [
        services.activity_record(
            project=project, kind=K.INFO_SESSION, date=day, organiser=project.promoter
        )
        for day in (D(2015, 3, 1), D(2016, 3, 1))
    ]
    first_counted, errors = threading.Event(), []

    def register(activity, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                services.attendance_record(activity=activity, participant=person)
                if hold:
                    first_counted.set()
                    _until_another_waits_for_a_lock()
        except BaseException as error:
            errors.append(error)
            first_counted.set()
        finally:
            connections.close_all()

    first = threading.Thread(target=register, args=(sessions[0],), kwargs={"hold": True})
    first.start()
    first_counted.wait(10)
    second = threading.Thread(target=register, args=(sessions[1],), kwargs={"hold": False})
    second.start()
    first.join(20)
    second.join(20)
    assert not errors
    assert (_value(kpi), _value(kpi, 2015), _value(kpi, 2016)) == (1, 1, 1)
    assert list(KeptItem.objects.values_list("years", flat=True)) == [0b11]


def _until_another_waits_for_a_lock(seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_locks, not pg_stat_activity: a transaction sees the latter as it first read it
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second registration never waited for the first")


def test_a_project_with_many_people_marked_is_kept_anew(counted, monkeypatch):
    """An import marks thousands: the project's whole register is one statement, not one per
    person."""
    project, kpi, people = counted
    monkeypatch.setattr(kept, "PEOPLE_PER_PROJECT", 1)
    before = KeptInputs.objects.get(project=project).pk
    later = services.activity_record(
        project=project, kind=K.INFO_SESSION, date=D(2016, 5, 2), organiser=project.promoter
    )
    Attendance.objects.bulk_create([Attendance(activity=later, participant=p) for p in people])
    engine.project_recompute(project=project)
    assert (_value(kpi), _value(kpi, 2015), _value(kpi, 2016)) == (3, 2, 3)
    assert KeptInputs.objects.get(project=project).pk != before
    assert not KeptStale.objects.exists()


def test_a_measure_dropped_after_the_refresh_is_counted_from_the_register(counted, monkeypatch):
    project, kpi, people = counted
    refresh = kept.refresh

    def refreshed_then_dropped(*args, **kwargs):
        refresh(*args, **kwargs)
        kept.forget()  # as another transaction may, committed before this one counts

    monkeypatch.setattr(kept, "refresh", refreshed_then_dropped)
    services.activity_record(
        project=project,
        kind=K.INFO_SESSION,
        date=D(2016, 5, 2),
        organiser=project.promoter,
        participants=[people[2]],
    )
    assert (_value(kpi), _value(kpi, 2015), _value(kpi, 2016)) == (3, 2, 1)


def test_the_operator_recomputes_from_the_register_and_keeps_the_inputs_anew(counted, capsys):
    _project, kpi, _people = counted
    KeptItem.objects.update(years=0b10)  # wrong: as after a restore without the triggers
    assert main(["recompute"]) == 0
    assert (_value(kpi, 2015), _value(kpi, 2016)) == (0, 2)
    assert main(["recompute", "--from-register"]) == 0
    # the two years' values stored again: "2 KPI-waarden gewijzigd en opgeslagen."
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 KPI")
    assert (_value(kpi), _value(kpi, 2015), _value(kpi, 2016)) == (2, 2, 0)
    assert set(KeptItem.objects.values_list("years", flat=True)) == {0b01}


def test_projects_of_other_periods_are_kept_and_counted_together(postgres_only, db):
    """One statement keeps and counts both: each project's years from its own first year."""
    spec = {"count": "attendees", "filters": {"activity_kind": [K.INFO_SESSION]}}
    kpis = []
    for start, days in ((D(2014, 6, 1), (D(2014, 7, 1), D(2016, 2, 1))), (D(2016, 1, 1), ())):
        project = factories.project(start=start, end=D(2017, 12, 31))
        kpi = factories.bound_kpi(project, spec)
        person = services.participant_register(project=project, registered_on=start)
        for day in (*days, D(2017, 3, 1)):
            services.activity_record(
                project=project,
                kind=K.INFO_SESSION,
                date=day,
                organiser=project.promoter,
                participants=[person],
            )
        kpis.append(kpi)
    kept.forget()
    engine.recompute_all()
    assert [_value(kpis[0], year) for year in (2014, 2015, 2016, 2017)] == [1, 0, 1, 1]
    assert [_value(kpis[1], year) for year in (2016, 2017)] == [0, 1]
    assert dict(KeptInputs.objects.values_list("project_id", "base_year")) == {
        kpis[0].project_id: 2014,
        kpis[1].project_id: 2016,
    }
    assert _stored_from_register(kpis[0].project) == _stored_from_register(kpis[1].project) == 0

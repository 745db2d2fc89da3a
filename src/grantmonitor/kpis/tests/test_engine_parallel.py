"""A large recompute counted on several connections at once (PostgreSQL): the figures one
connection gives, and one connection whenever others would miss the transaction's own writes."""

import datetime
import threading

import pytest
from django.db import transaction
from django.db.backends.signals import connection_created

from grantmonitor.kpis import engine
from grantmonitor.kpis.models import KpiKind, KpiValue, ValueSource
from grantmonitor.kpis.services import kpi_create, kpi_measure_bind, measure_definition_create
from grantmonitor.register import services
from grantmonitor.register.models import ActivityKind
from grantmonitor.register.tests import factories

D = datetime.date
pytestmark = pytest.mark.postgres


@pytest.fixture
def call_kpis(postgres_only, transactional_db, monkeypatch, settings):
    """Three projects of a call with 1, 2 and 3 people at an info session, each a KPI bound to
    one definition; a statement per project, two connections."""
    first = factories.project()
    projects = [first, factories.project(call=first.call), factories.project(call=first.call)]
    definition = measure_definition_create(
        code="bereikte-prestarters", name="Bereikte prestarters", spec={"count": "attendees"}
    )
    kpis = []
    for size, project in enumerate(projects, start=1):
        kpi = kpi_create(project=project, name="Bereikte prestarters", kind=KpiKind.COUNT)
        kpi_measure_bind(kpi=kpi, definition=definition)
        people = [
            services.participant_register(project=project, registered_on=D(2015, 1, 5))
            for _ in range(size)
        ]
        services.activity_record(
            project=project,
            kind=ActivityKind.INFO_SESSION,
            date=D(2015, 3, 1),
            organiser=project.promoter,
            participants=people,
        )
        kpis.append(kpi)
    monkeypatch.setattr(engine, "PROJECTS_PER_STATEMENT", 1)
    settings.RECOMPUTE_CONNECTIONS = 2
    return kpis


@pytest.fixture
def counting_connections():
    """The names of the threads that opened a database connection."""
    opened = []

    def opening(sender, connection, **kwargs):
        opened.append(threading.current_thread().name)

    connection_created.connect(opening, weak=False)
    yield opened
    connection_created.disconnect(opening)


def _current(kpi) -> KpiValue:
    return KpiValue.objects.filter(kpi=kpi, period_start__isnull=True).latest("recorded_at", "pk")


def test_a_call_recomputed_from_scratch_on_two_connections_gives_every_projects_figure(
    call_kpis, counting_connections
):
    KpiValue.objects.filter(source=ValueSource.COMPUTED).delete()
    stored = engine.recompute_all()
    assert sorted(counting_connections) == ["recompute-0", "recompute-1"]
    assert stored == 6  # three projects: the whole window and 2015
    assert [_current(kpi).value for kpi in call_kpis] == [1, 2, 3]


def test_register_writes_in_the_same_transaction_are_counted_on_its_own_connection(
    call_kpis, counting_connections
):
    project = call_kpis[0].project
    session = project.activities.get()
    with transaction.atomic():
        KpiValue.objects.filter(source=ValueSource.COMPUTED).delete()
        newcomer = services.participant_register(project=project, registered_on=D(2015, 1, 5))
        services.attendance_record(activity=session, participant=newcomer)
        engine.recompute_all()
        # other connections would not see the newcomer, not yet committed: counted here
        assert counting_connections == []
        assert [_current(kpi).value for kpi in call_kpis] == [2, 2, 3]


def test_a_recompute_inside_a_savepoint_counts_on_its_own_connection(
    call_kpis, counting_connections
):
    KpiValue.objects.filter(source=ValueSource.COMPUTED).delete()
    with transaction.atomic(), transaction.atomic():  # PostgreSQL exports no savepoint
        assert engine.recompute_all() == 6
    assert counting_connections == []
    assert [_current(kpi).value for kpi in call_kpis] == [1, 2, 3]

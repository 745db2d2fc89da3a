"""A KPI's current value of a period is its latest row: the tables read that row, not the
history every registration lengthens."""

import datetime
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grantmonitor.kpis.models import KpiKind, KpiValue
from grantmonitor.kpis.selectors import current_values, project_kpi_provenance, project_kpis
from grantmonitor.kpis.services import kpi_create, kpi_value_record
from grantmonitor.register.tests import factories

YEAR = {"period_start": datetime.date(2018, 1, 1), "period_end": datetime.date(2018, 12, 31)}


def _kpi_with_history():
    project = factories.project()
    kpi = kpi_create(
        project=project, name="Bereikte prestarters", kind=KpiKind.COUNT, objective_value=D(25)
    )
    for value in (10, 20, 30):
        kpi_value_record(kpi=kpi, value=D(value))
    for value in (4, 7):
        kpi_value_record(kpi=kpi, value=D(value), **YEAR)
    return project, kpi


def test_one_row_per_period_is_read_the_latest(db):
    _project, kpi = _kpi_with_history()
    latest = KpiValue.objects.filter(kpi=kpi).latest("pk")
    # Recorded in the same instant: the later row (higher id) is still the current one.
    KpiValue.objects.filter(kpi=kpi).update(recorded_at=latest.recorded_at)
    values = current_values().filter(kpi=kpi)
    assert sorted((value.period_start is None, value.value) for value in values) == [
        (False, D(7)),
        (True, D(30)),
    ]


def test_the_project_tables_show_the_current_values(db):
    project, kpi = _kpi_with_history()
    with CaptureQueriesContext(connection) as context:
        row = project_kpis(project=project).rows[0]
    assert row.realised.value == D(30)
    assert row.assessment.verdict == "achieved"
    provenance = project_kpi_provenance(project=project)[kpi.pk]
    assert provenance.current.value == D(30)
    assert [value.value for value in provenance.periods] == [D(7)]
    # the KPIs with their tracks, and their current values; target groups and outcomes on demand
    assert len(context.captured_queries) == 2

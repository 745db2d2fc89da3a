"""A small project next to the seed, whose counts of people need suppressing.

"Gestarte deelnemers" counts 12 people: 3 with a migration background and 9 low-educated (the
groups add up to 12, so 9 is hidden to protect 3), and 4 of them self-employed by a date.
"Infosessies" (12,5 per year) counts no people and is published as it is.
"""

import datetime
from decimal import Decimal as D

from grantmonitor.calls.models import TargetGroup
from grantmonitor.calls.services import call_create, project_create
from grantmonitor.kpis.models import KpiKind, OutcomeSource, OutcomeStatus
from grantmonitor.kpis.services import (
    kpi_create,
    kpi_value_record,
    outcome_count_add,
    target_group_count_set,
)
from grantmonitor.organisations.services import organisation_create

CALL_TITLE = "Kleine oproep"


def small_project():
    """Needs the seed's target groups (the ``demo`` fixture)."""
    call = call_create(title=CALL_TITLE, number_of_projects=1)
    project = project_create(call=call, name="Klein", promoter=organisation_create(name="Klein"))
    started = kpi_create(
        project=project, name="Gestarte deelnemers", kind=KpiKind.COUNT, objective_value=D(10)
    )
    kpi_value_record(kpi=started, value=D(12))
    for code, count in (("migration_background", 3), ("low_educated", 9)):
        group = TargetGroup.objects.get(code=code)
        target_group_count_set(kpi=started, target_group=group, count=count)
    outcome_count_add(
        kpi=started,
        status=OutcomeStatus.SELF_EMPLOYED,
        count=4,
        as_of=datetime.date(2017, 9, 30),
        source=OutcomeSource.SURVEY,
    )
    sessions = kpi_create(
        project=project,
        name="Infosessies",
        kind=KpiKind.COUNT,
        objective_value=D(10),
        unit="per jaar",
        order=2,
    )
    kpi_value_record(kpi=sessions, value=D("12.5"))
    return project

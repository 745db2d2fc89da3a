"""Small hand-made registers for tests, built through the services."""

import datetime
import itertools

from grantmonitor.calls.models import Project
from grantmonitor.calls.services import call_create, project_create
from grantmonitor.kpis.models import Kpi, KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_measure_bind, measure_definition_create
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.services import organisation_create

_numbers = itertools.count(1)


def valid_insz(birth: datetime.date, serial: int) -> str:
    """A national register number with correct check digits (mod 97, +2000000000 from 2000)."""
    body = int(f"{birth:%y%m%d}{serial:03d}")
    check = 97 - ((body + (2_000_000_000 if birth.year >= 2000 else 0)) % 97)
    return f"{body:09d}{check:02d}"


def organisation(name: str | None = None) -> Organisation:
    return organisation_create(name=name or f"Organisatie {next(_numbers)}")


def project(
    *,
    name: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    call=None,
) -> Project:
    number = next(_numbers)
    call = call or call_create(title=f"Oproep {number}", number_of_projects=2)
    return project_create(
        call=call,
        name=name or f"Project {number}",
        promoter=organisation(f"Promotor {number}"),
        start_date=start,
        end_date=end,
    )


def bound_kpi(
    project: Project, spec: dict, *, kind: KpiKind = KpiKind.COUNT, parent: Kpi | None = None
) -> Kpi:
    number = next(_numbers)
    kpi = kpi_create(project=project, name=f"KPI {number}", kind=kind, parent=parent)
    definition = measure_definition_create(code=f"definition-{number}", name=kpi.name, spec=spec)
    kpi_measure_bind(kpi=kpi, definition=definition)
    return kpi

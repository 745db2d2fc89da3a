"""An attendance import keeps the people its call reached, on either path (a CSV on PostgreSQL
is staged and joined in SQL, anything else goes row by row)."""

import io

import pytest
from django.db import connection
from openpyxl import Workbook

from grantmonitor.imports import staged
from grantmonitor.imports.importer import import_file
from grantmonitor.imports.kinds import ATTENDANCE
from grantmonitor.imports.tests.conftest import SESSION, attendees_kpi  # noqa: F401 -- a fixture
from grantmonitor.register.selectors import CallPeople, call_people
from grantmonitor.register.tests.test_reach import assert_kept

HEADER = ["project", "datum", "soort", "titel", "referentie van de promotor"]


def _file(name: str, references: list[str]) -> io.BytesIO:
    rows = [HEADER, *(["Hefboom", *SESSION, reference] for reference in references)]
    if name.endswith(".csv"):
        return io.BytesIO(("\n".join(";".join(row) for row in rows) + "\n").encode())
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("name", ["aanwezig.csv", "aanwezig.xlsx"])
def test_imported_attendance_counts_its_people_once(attendees_kpi, name):  # noqa: F811
    call = attendees_kpi.project.call
    assert call_people(call=call) == CallPeople(0, 0)

    report = import_file(
        source=_file(name, ["HB-001", "HB-002"]), file_name=name, kind="attendance"
    )
    assert (report.created, report.failed) == (2, 0)
    assert staged.applies(ATTENDANCE, name) == (
        name.endswith(".csv") and connection.vendor == "postgresql"
    )
    assert assert_kept(call) == CallPeople(2, 2)

    again = ["HB-001", "HB-002", "HB-003"]
    report = import_file(source=_file(name, again), file_name=name, kind="attendance")
    assert (report.created, report.unchanged) == (1, 2)
    assert assert_kept(call) == CallPeople(3, 3)


def test_a_refused_import_keeps_the_figures_as_they_were(attendees_kpi):  # noqa: F811
    call = attendees_kpi.project.call
    report = import_file(
        source=_file("a.csv", ["HB-001", "HB-404"]), file_name="a.csv", kind="attendance"
    )
    assert (report.created, report.failed) == (1, 1)
    assert not report.saved
    assert assert_kept(call) == CallPeople(0, 0)

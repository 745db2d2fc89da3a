"""Attendance rows refused for every reason in one file: the same errors, in row order, and
the same counts on PostgreSQL (staged and joined in SQL) as on SQLite (row by row)."""

import codecs
import io

import pytest
from django.db import connection

from grantmonitor.imports import staged
from grantmonitor.imports.importer import import_file
from grantmonitor.imports.kinds import ATTENDANCE
from grantmonitor.imports.tests.conftest import attendees_kpi  # noqa: F401 -- a fixture
from grantmonitor.register.models import Attendance

HEADER = "project;datum;soort;titel;referentie van de promotor;INSZ"
SESSION = "23/03/2018;info_session;Infosessie Impulskrediet"
LINES = [
    f"Hefboom;{SESSION};HB-001;",  # 2 new
    f"Hefboom;{SESSION};HB-001;",  # 3 the same again: unchanged
    "Hefboom;2018-03-23;infosessie; Infosessie Impulskrediet ;HB-002;",  # 4 new, other spelling
    f"Hefboom;{SESSION};HB-003;;te veel",  # 5 a value under no header
    "Hefboom;31/02/2018;info_session;Infosessie Impulskrediet;HB-003;",  # 6
    "Hefboom;23/03/2018;feest;Infosessie Impulskrediet;HB-003;",  # 7
    f"Nergens;{SESSION};HB-003;",  # 8
    f"Hefboom;{SESSION};;",  # 9 neither reference nor INSZ
    f"Hefboom;{SESSION};;90010100124",  # 10 an INSZ that cannot be
    "Hefboom;24/03/2018;info_session;Infosessie Impulskrediet;HB-003;",  # 11 no such session
    f"Hefboom;{SESSION};HB-404;",  # 12 no such participant
    ";;;;;",  # a blank row is skipped, not counted
    f"Hefboom;{SESSION};HB-003;",  # 14 new
]


def _file() -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *LINES]) + "\n").encode())


def test_every_refusal_names_row_column_and_value(attendees_kpi, english):  # noqa: F811
    assert staged.applies(ATTENDANCE, "a.csv") == (connection.vendor == "postgresql")
    report = import_file(source=_file(), file_name="a.csv", kind="attendance")
    assert (report.rows, report.created, report.unchanged, report.failed) == (12, 3, 1, 8)
    assert not report.saved and not Attendance.objects.exists()
    assert [str(error) for error in report.errors] == [
        "row 5 “te veel”: a value in a column without header",
        "row 6, datum “31/02/2018”: not a date; write 23/03/2018 or 2018-03-23",
        "row 7, soort “feest”: unknown value; use one of: "
        "info_session, theme_session, event, training, individual_contact, individual_guidance, "
        "collective_guidance",
        "row 8, project “Nergens”: there is no project with this name",
        "row 9, referentie van de promotor: give the promoter's reference or the INSZ",
        "row 10, INSZ “90010100124”: 90010100124 is not a valid national register or BIS "
        "number (its check digits do not match: a digit is probably mistyped).",
        "row 11, datum “24/03/2018”: there is no information session on 2018-03-24 titled "
        "“Infosessie Impulskrediet” in this project",
        "row 12, referentie van de promotor “HB-404”: there is no such participant in this project",
    ]


def test_valid_only_saves_the_three_people_once(attendees_kpi, english):  # noqa: F811
    report = import_file(source=_file(), file_name="a.csv", kind="attendance", valid_only=True)
    assert (report.created, report.unchanged, report.failed) == (3, 1, 8)
    assert sorted(Attendance.objects.values_list("participant__reference", flat=True)) == [
        "HB-001",
        "HB-002",
        "HB-003",
    ]
    again = import_file(source=_file(), file_name="a.csv", kind="attendance", valid_only=True)
    assert (again.created, again.unchanged, again.failed) == (0, 4, 8)


@pytest.mark.parametrize("quote", ["", '"'], ids=["plain, copied as it is", "quoted, read by csv"])
def test_a_windows_file_with_comments_and_an_empty_last_column(attendees_kpi, english, quote):  # noqa: F811
    """Row numbers count the comment, the header and the blank row, whichever way the file
    is staged; a value under the header's empty last column refuses its row."""
    lines = [
        "# aanwezigheden",
        f"datum;soort;titel;referentie van de promotor;{quote}{quote}",
        f"{SESSION};HB-001;",
        ";;;;",
        f"{SESSION};HB-002;x",
        f"{SESSION};{quote}HB-404{quote};",
    ]
    content = codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode()
    report = import_file(
        source=io.BytesIO(content),
        file_name="a.csv",
        kind="attendance",
        project="Hefboom",
        valid_only=True,
    )
    assert (report.rows, report.created, report.failed) == (3, 1, 2)
    assert [str(error) for error in report.errors] == [
        "row 5 “x”: a value in a column without header",
        "row 6, referentie van de promotor “HB-404”: there is no such participant in this project",
    ]

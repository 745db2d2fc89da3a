"""A large file streams: neither the sheet nor the import holds all its rows in memory."""

import tracemalloc

from openpyxl import Workbook

from grantmonitor.imports.importer import ERRORS_KEPT, import_file
from grantmonitor.imports.sheets import read_rows
from grantmonitor.imports.tests.conftest import SESSION, attendees_kpi  # noqa: F401 -- a fixture
from grantmonitor.register.models import Attendance, Participant

ROWS = 50_000
# Holding 50,000 parsed rows (a dict of cells each) takes well over 25 MB, and openpyxl loading
# the whole 50,000-row workbook 43 MB; streaming in batches of 500 measured 4 to 9 MB (an XLSX's
# table of distinct strings is always read whole, and tracemalloc also counts what other
# threads allocate meanwhile).
PEAK_BOUND = 16 * 1024 * 1024


def _peak(work):
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_50000_row_csv_imports_in_bounded_memory(demo, tmp_path):
    """Five people, each on 5,000 rows, and 25,000 rows with an impossible date: every row
    is read, parsed, looked up by its natural key and counted, and the errors kept are
    capped."""
    path = tmp_path / "groot.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("referentie van de promotor;intakedatum;geboortejaar\n")
        for number in range(ROWS):
            date = "31/02/2018" if number % 2 else f"{1 + number % 28:02d}/03/2018"
            out.write(f"GR-{number % 10:02d};{date};1.990\n")
    assert path.stat().st_size > 1_000_000

    report, peak = _peak(
        lambda: import_file(
            source=path, file_name=path.name, kind="participants", project="Stebo", valid_only=True
        )
    )
    assert (report.rows, report.created, report.unchanged, report.failed) == (
        ROWS,
        5,
        ROWS // 2 - 5,
        ROWS // 2,
    )
    assert len(report.errors) == ERRORS_KEPT and report.errors_not_shown == ROWS // 2 - ERRORS_KEPT
    assert report.errors[-1].row == 2 * ERRORS_KEPT + 1
    assert (
        sorted(
            Participant.objects.filter(reference__startswith="GR-").values_list(
                "birth_year", flat=True
            )
        )
        == [1990] * 5
    )
    assert peak < PEAK_BOUND, peak


def test_a_50000_row_xlsx_is_read_as_a_stream(tmp_path):
    path = tmp_path / "groot.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["referentie van de promotor", "intakedatum"])
    for number in range(ROWS):
        sheet.append([f"GR-{number:05d}", "23/03/2018"])
    workbook.save(path)

    def read_all():
        header, rows = read_rows(path, file_name=path.name)
        count, last = 0, None
        for row in rows:
            count, last = count + 1, row
        return header, count, last

    (header, count, last), peak = _peak(read_all)
    assert header == ["referentie van de promotor", "intakedatum"]
    assert count == ROWS
    assert (last.number, last.cells["referentie van de promotor"]) == (ROWS + 1, "GR-49999")
    assert peak < PEAK_BOUND, peak


def test_a_50000_row_attendance_csv_imports_in_bounded_memory(attendees_kpi, tmp_path):  # noqa: F811
    """On PostgreSQL staged with COPY and joined in SQL, elsewhere row by row: either way the
    rows stream, and three people on 50,000 rows are created once."""
    path = tmp_path / "aanwezigheden.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("datum;soort;titel;referentie van de promotor\n")
        for number in range(ROWS):
            out.write(f"{';'.join(SESSION)};HB-00{1 + number % 3}\n")
    report, peak = _peak(
        lambda: import_file(source=path, file_name=path.name, kind="attendance", project="Hefboom")
    )
    assert (report.rows, report.created, report.unchanged, report.failed) == (ROWS, 3, ROWS - 3, 0)
    assert Attendance.objects.filter(activity__project=attendees_kpi.project).count() == 3
    assert peak < PEAK_BOUND, peak

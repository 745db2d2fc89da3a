"""A promoter imports attendance in a real browser: the template, the job page that refreshes
itself until the background import is done, the KPI that follows, and a refused row.

Screenshots ``coach-import.png`` and ``coach-import-errors.png``.
"""

import datetime
import re

import pytest
from openpyxl import load_workbook

from grantmonitor.web.tests.test_casework_browser import log_in, new_page

pytestmark = pytest.mark.browser

SESSION_ATTENDEES = "Deelnemers aan info- en opleidingssessies"
SESSION = (datetime.date(2016, 5, 12), "opleiding", "Opnieuw starten na een faillissement")


def _attendees_realised(page, live_server, project) -> int:
    """The realised figure of the session attendees' KPI on the project page."""
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    row = page.locator("table.kpis tbody tr", has_text=SESSION_ATTENDEES).first
    realised = row.locator("td").nth(2).inner_text()
    return int(re.sub(r"\D", "", realised))


def _filled(page, tmp_path, name, references) -> str:
    """Download the attendance template as XLSX and fill in one row per reference."""
    with page.expect_download() as download:
        page.locator("table.templates tr", has_text="aanwezigheid").get_by_text("XLSX").click()
    assert download.value.suggested_filename == "grantmonitor-attendance.xlsx"
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == ["project", "datum", "soort", "titel", "referentie van de promotor", "INSZ"]
    for reference in references:
        sheet.append(["Hefboom", *SESSION, reference, None])
    path = tmp_path / name
    workbook.save(path)
    return str(path)


def _upload(page, path):
    page.select_option("#id_kind", "attendance")
    page.set_input_files("#id_file", path)
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    # The page refreshes itself every second until the import ends.
    page.wait_for_selector(".job-status[data-status=done]")


def test_a_promoter_imports_attendance_and_sees_a_refused_row(
    live_server, browser, shot, settings, tmp_path
):
    from grantmonitor.calls.models import Project
    from grantmonitor.demo.seed import load_demo
    from grantmonitor.register.models import Attendance
    from grantmonitor.register.services import activity_record, participant_register
    from grantmonitor.register.synth import synth

    settings.IMPORT_JOBS_IN_BACKGROUND = True  # the job page refreshes itself until done
    load_demo()
    synth(scale=1)
    hefboom = Project.objects.get(name="Hefboom")
    for number in range(1, 6):
        participant_register(
            project=hefboom, registered_on=datetime.date(2016, 3, 1), reference=f"IMP-{number}"
        )
    session = activity_record(
        project=hefboom,
        kind="training",
        date=SESSION[0],
        title=SESSION[2],
        organiser=hefboom.promoter,
        audience="second_chance",  # what the KPI counts: sessions on a second chance
    )

    page = log_in(new_page(browser), live_server, "promotor")
    before = _attendees_realised(page, live_server, hefboom)
    page.click(".topnav >> text=Importeren")
    page.wait_for_selector("h1:has-text('Een rekenblad importeren')")
    assert page.input_value("#id_project") == str(hefboom.pk)  # the promoter's only project

    _upload(page, _filled(page, tmp_path, "aanwezig.xlsx", ["IMP-1", "IMP-2", "IMP-3"]))
    assert page.inner_text("h1") == "aanwezig.xlsx"
    summary = dict(
        zip(
            page.locator("dl.summary dt").all_text_contents(),
            page.locator("dl.summary dd").all_text_contents(),
            strict=True,
        )
    )
    assert summary == {
        "Gelezen rijen": "3",
        "Aangemaakt": "3",
        "Ongewijzigd (al aanwezig)": "0",
        "Geweigerd": "0",
    }
    assert "Alles is opgeslagen." in page.inner_text("p.outcome")
    shot(page, "coach-import")

    page.click("text=Bekijk de KPI's van het project")
    page.wait_for_selector("table.kpis")
    assert _attendees_realised(page, live_server, hefboom) == before + 3

    page.goto(f"{live_server.url}/imports/")
    _upload(page, _filled(page, tmp_path, "fout.xlsx", ["IMP-4", "IMP-404", "IMP-5"]))
    assert "Er werd niets opgeslagen" in page.inner_text("p.outcome")
    refused = page.locator("table.errors tbody tr")
    assert refused.count() == 1
    assert [cell.strip() for cell in refused.locator("td").all_inner_texts()] == [
        "3",
        "referentie van de promotor",
        "IMP-404",
        "deze deelnemer bestaat niet in dit project",
    ]
    shot(page, "coach-import-errors")
    assert Attendance.objects.filter(activity=session).count() == 3
    assert _attendees_realised(page, live_server, hefboom) == before + 3
    page.context.close()

"""Importing a spreadsheet from the browser: the job, its summary, its errors, who sees it."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from grantmonitor.accounts.models import Membership, Role, User
from grantmonitor.calls.models import Project
from grantmonitor.imports.models import ImportJob, JobStatus
from grantmonitor.imports.tests.conftest import attendance_csv, attendees_kpi  # noqa: F401
from grantmonitor.kpis.models import KpiValue
from grantmonitor.register.models import Attendance


@pytest.fixture(autouse=True)
def _in_the_request(settings):
    settings.IMPORT_JOBS_IN_BACKGROUND = False


def _current(kpi) -> Decimal:
    values = KpiValue.objects.filter(kpi=kpi, period_start__isnull=True)
    return values.order_by("recorded_at", "pk").last().value


def _upload(client, project, content, *, name="aanwezigheden.csv", kind="attendance", **extra):
    data = {
        "project": project.pk,
        "kind": kind,
        "file": SimpleUploadedFile(name, content),
        **extra,
    }
    return client.post(reverse("web:uploads"), data)


def _run(client, django_capture_on_commit_callbacks, *args, **kwargs) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, *args, **kwargs)
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


def test_upload_runs_shows_the_summary_and_a_reupload_creates_nothing(
    client,
    attendees_kpi,  # noqa: F811 -- the fixture imported above
    django_capture_on_commit_callbacks,
):
    client.force_login(User.objects.get(username="promotor"))
    hefboom = attendees_kpi.project
    assert _current(attendees_kpi) == Decimal(0)
    content = attendance_csv("HB-001", "HB-002", "HB-003")

    job = _run(client, django_capture_on_commit_callbacks, hefboom, content)
    assert (job.status, job.rows_done, job.created, job.unchanged, job.failed) == (
        JobStatus.DONE,
        3,
        3,
        0,
        0,
    )
    assert job.saved and job.content == b""
    assert _current(attendees_kpi) == Decimal(3)
    page = client.get(reverse("web:upload", args=[job.pk])).content.decode()
    assert "Alles is opgeslagen." in page
    assert 'http-equiv="refresh"' not in page  # done: the page stops polling

    again = _run(client, django_capture_on_commit_callbacks, hefboom, content)
    assert (again.created, again.unchanged) == (0, 3)
    assert Attendance.objects.filter(activity__project=hefboom).count() == 3
    assert _current(attendees_kpi) == Decimal(3)


def test_one_bad_row_saves_nothing_and_is_listed(
    client,
    attendees_kpi,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(User.objects.get(username="promotor"))
    content = attendance_csv("HB-001", "HB-404", "HB-003")
    job = _run(client, django_capture_on_commit_callbacks, attendees_kpi.project, content)
    assert (job.created, job.failed, job.saved) == (2, 1, False)
    assert job.errors == [
        {
            "row": 3,
            "column": "referentie van de promotor",
            "value": "HB-404",
            "message": "deze deelnemer bestaat niet in dit project",
        }
    ]
    assert not Attendance.objects.filter(activity__project=attendees_kpi.project).exists()
    page = client.get(reverse("web:upload", args=[job.pk])).content.decode()
    assert "Er werd niets opgeslagen" in page
    assert "<dt>Geldig, niet opgeslagen</dt><dd>2</dd>" in page  # not "created"
    assert '<td class="num">3</td>' in page

    valid = _run(
        client, django_capture_on_commit_callbacks, attendees_kpi.project, content, valid_only="on"
    )
    assert (valid.created, valid.failed, valid.saved) == (2, 1, True)
    assert _current(attendees_kpi) == Decimal(2)


def test_a_row_of_another_project_is_refused(
    client,
    attendees_kpi,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(User.objects.get(username="promotor"))
    content = attendance_csv("HB-001").replace(b"\nHefboom;", b"\nStebo;")
    job = _run(client, django_capture_on_commit_callbacks, attendees_kpi.project, content)
    assert job.failed == 1 and job.created == 0
    assert job.errors[0]["column"] == "project"
    assert "Hefboom" in job.errors[0]["message"]


def test_a_job_is_only_for_its_promoters_staff(
    client,
    attendees_kpi,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(User.objects.get(username="promotor"))
    job = _run(client, django_capture_on_commit_callbacks, attendees_kpi.project, b"x;y\n")
    assert job.status == JobStatus.FAILED and "Kolom “x” is onbekend" in job.message
    url = reverse("web:upload", args=[job.pk])
    assert client.get(url).status_code == 200

    stebo = Project.objects.get(name="Stebo")
    other = User.objects.create_user(username="stebo-coach", role=Role.PROMOTER)
    Membership.objects.create(user=other, organisation=stebo.promoter)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert _upload(client, attendees_kpi.project, attendance_csv("HB-001")).status_code == 400
    assert ImportJob.objects.count() == 1

    client.force_login(User.objects.get(username="dossierbehandelaar"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("web:uploads")).status_code == 403


def test_the_templates_download_per_kind(client, demo):
    client.force_login(User.objects.get(username="promotor"))
    page = client.get(reverse("web:uploads")).content.decode()
    assert reverse("web:upload-template", args=["attendance", "xlsx"]) in page
    response = client.get(reverse("web:upload-template", args=["attendance", "xlsx"]))
    header = [cell.value for cell in load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header == ["project", "datum", "soort", "titel", "referentie van de promotor", "INSZ"]
    csv = client.get(reverse("web:upload-template", args=["participants", "csv"]))
    assert csv["Content-Disposition"] == 'attachment; filename="grantmonitor-participants.csv"'
    assert client.get("/imports/template-nope.csv").status_code == 404

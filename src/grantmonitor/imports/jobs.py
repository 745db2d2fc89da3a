"""Imports started from the browser, run in a background thread once the upload is saved.

:func:`job_start` stores the file with an :class:`~grantmonitor.imports.models.ImportJob`
and, after the commit, runs :func:`job_run` in a thread (or at once when
``settings.IMPORT_JOBS_IN_BACKGROUND`` is off, as in the tests). The import itself holds one
transaction (all or nothing), so its progress is written through a second connection to the
database, which a reader sees at once; SQLite allows only one writer, so there the page shows
the progress when the import ends.
"""

import io
import logging
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
from django.utils import timezone

from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Project
from grantmonitor.imports.importer import ImportReport, import_file
from grantmonitor.imports.models import ImportJob, JobStatus
from grantmonitor.imports.sheets import SheetError

logger = logging.getLogger(__name__)


@transaction.atomic
def job_start(
    *, project: Project, user: User, kind: str, valid_only: bool, file_name: str, content: bytes
) -> ImportJob:
    """Save the upload as a job and have it run after the commit."""
    job = ImportJob.objects.create(
        project=project,
        started_by=user,
        kind=kind,
        valid_only=valid_only,
        file_name=file_name,
        content=content,
    )
    transaction.on_commit(lambda: _launch(job.pk))
    return job


def _launch(pk: int) -> None:
    if settings.IMPORT_JOBS_IN_BACKGROUND:
        threading.Thread(target=_in_thread, args=(pk,), name=f"import-{pk}", daemon=True).start()
    else:
        job_run(pk)


def _in_thread(pk: int) -> None:
    close_old_connections()
    try:
        job_run(pk)
    except Exception:
        logger.exception("import job %s failed", pk)
        ImportJob.objects.filter(pk=pk).update(status=JobStatus.FAILED, finished_at=timezone.now())
    finally:
        connections.close_all()  # this thread's connections


def job_run(pk: int) -> ImportJob:
    """Import the job's file into its project and store the report."""
    job = ImportJob.objects.get(pk=pk)
    ImportJob.objects.filter(pk=pk).update(status=JobStatus.RUNNING)
    progress = _Progress(pk)
    try:
        report = import_file(
            source=io.BytesIO(bytes(job.content)),
            file_name=job.file_name,
            kind=job.kind,
            project=job.project.name,
            valid_only=job.valid_only,
            progress=progress,
            only_project=job.project,
        )
    except SheetError as exc:
        job.status, job.message = JobStatus.FAILED, str(exc)
    else:
        job.status = JobStatus.DONE
        _copy_report(job, report)
    finally:
        progress.close()
    job.finished_at = timezone.now()
    job.content = b""  # the file is not kept once imported
    job.save()
    return job


def _copy_report(job: ImportJob, report: ImportReport) -> None:
    job.rows_done, job.created, job.unchanged = report.rows, report.created, report.unchanged
    job.failed, job.saved = report.failed, report.saved
    job.errors = [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in report.errors
    ]


class _Progress:
    """Writes the rows read so far on a connection of its own, outside the import's
    transaction (PostgreSQL); elsewhere it does nothing."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.connection = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )

    def __call__(self, report: ImportReport) -> None:
        if self.connection is None:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s WHERE id = %s",  # noqa: S608
                [report.rows, self.pk],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

"""An import started from the browser: what was uploaded, how far it is, what it found."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Project


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("file refused")


class ImportJob(models.Model):
    """One uploaded file imported in the background; the page polls it for progress.

    ``rows_done`` counts the rows read so far; the counts and errors (row, column, value,
    message; at most the importer's ``ERRORS_KEPT``) are those of the import's report, and
    ``message`` says why a file was refused as a whole.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), related_name="import_jobs", on_delete=models.CASCADE
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        related_name="import_jobs",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=20)
    valid_only = models.BooleanField(_("only the valid rows"), default=False)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failed = models.PositiveIntegerField(_("refused"), default=0)
    saved = models.BooleanField(_("saved"), default=False)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="import_job_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def errors_not_shown(self) -> int:
        return self.failed - len(self.errors)

"""Spreadsheet imports from the browser, run in the background with progress.

The promoter's staff (``permissions.can_edit_register``) upload an XLSX or CSV for one of
their projects; :mod:`grantmonitor.imports.jobs` runs it after the upload is saved and the
job's page refreshes itself every second (a ``<meta http-equiv=refresh>``: no script) until
the import is done, then lists what was created and every refused row. A job is shown only
to the staff of its project's promoter; to anyone else it does not exist (404).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from grantmonitor.accounts import permissions
from grantmonitor.calls.models import Project
from grantmonitor.calls.selectors import project_list
from grantmonitor.imports.jobs import job_start
from grantmonitor.imports.kinds import KINDS
from grantmonitor.imports.models import ImportJob
from grantmonitor.imports.templates import template_csv, template_xlsx

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
JOBS_SHOWN = 20
TEMPLATES = {
    "csv": (template_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        template_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


class UploadForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    valid_only = forms.BooleanField(
        label=_("Save the valid rows even when other rows are refused"), required=False
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["kind"].choices = [(name, spec.label) for name, spec in KINDS.items()]
        if len(projects) == 1:
            self.fields["project"].initial = projects[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload


def _editable_projects(user):
    """The projects whose register this user keeps."""
    visible = project_list().filter(permissions.project_scope(user)).order_by("name")
    return [project for project in visible if permissions.can_edit_register(user, project)]


@login_required
@require_http_methods(["GET", "POST"])
def uploads(request):
    projects = _editable_projects(request.user)
    if not projects:
        raise PermissionDenied(_("Only the promoter's staff import into a project's register."))
    by_pk = Project.objects.filter(pk__in=[project.pk for project in projects])
    form = UploadForm(request.POST or None, request.FILES or None, projects=by_pk)
    if request.method == "POST" and form.is_valid():
        project = form.cleaned_data["project"]
        if not permissions.can_edit_register(request.user, project):
            raise PermissionDenied(permissions.can_edit_register(request.user, project).reason)
        upload = form.cleaned_data["file"]
        job = job_start(
            project=project,
            user=request.user,
            kind=form.cleaned_data["kind"],
            valid_only=form.cleaned_data["valid_only"],
            file_name=upload.name,
            content=upload.read(),
        )
        return redirect("web:upload", pk=job.pk)
    jobs = ImportJob.objects.filter(project__in=by_pk).select_related("project").defer("content")
    return render(
        request,
        "web/uploads/uploads.html",
        {"form": form, "kinds": KINDS, "jobs": jobs[:JOBS_SHOWN]},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def upload(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("project").defer("content"), pk=pk)
    if not permissions.can_edit_register(request.user, job.project):
        raise Http404(_("There is no such import."))
    return render(request, "web/uploads/job.html", {"job": job, "kind": KINDS[job.kind]})


@login_required
@require_GET
def upload_template(request, kind: str, fmt: str):
    if kind not in KINDS or fmt not in TEMPLATES:
        raise Http404(_("There is no such template."))
    write, content_type = TEMPLATES[fmt]
    response = HttpResponse(write(kind), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="grantmonitor-{kind}.{fmt}"'
    return response


urlpatterns = [
    path("imports/", uploads, name="uploads"),
    path("imports/<int:pk>/", upload, name="upload"),
    path("imports/template-<str:kind>.<str:fmt>", upload_template, name="upload-template"),
]

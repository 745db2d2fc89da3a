"""The promoter's coach registers participants, activities and attendance.

Only the promoter's own staff (``permissions.can_edit_register``) reach these pages. Every
write goes through :mod:`grantmonitor.register.services`, which validates and saves in one
transaction; a refused write shows the service's message next to its field and saves nothing.
After each write the page says which of the project's KPIs it changed, before → after.
Attendance is ticked per row with HTMX: the server answers with the row alone.
"""

from dataclasses import asdict, dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grantmonitor.accounts import permissions
from grantmonitor.calls.models import Project
from grantmonitor.calls.selectors import project_get
from grantmonitor.documents import kpi_text
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.register import services
from grantmonitor.register.identity import identity_set
from grantmonitor.register.models import Participant, characteristic_codes
from grantmonitor.register.selectors import (
    activity_list,
    attendance_list,
    characteristic_label,
    participant_list,
    project_referrals,
)
from grantmonitor.web.forms_registration import (
    ActivityForm,
    ParticipantFilter,
    ParticipantForm,
    QuickAttendanceForm,
    ReferenceFilter,
    activity_label,
    add_service_errors,
)
from grantmonitor.web.views import _allow, _get

PER_PAGE = 50
# A form the services refused: shown again with the reasons, and HTMX swaps it in too.
REFUSED = 422
EFFECT_SESSION_KEY = "registration-effect"


@dataclass(frozen=True)
class KpiChange:
    """A KPI's realised figures as worded on the project page, before and after a write."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Effect:
    """What the coach just did and which KPIs it changed."""

    done: str
    changes: list[KpiChange]

    @classmethod
    def from_session(cls, data: dict) -> "Effect":
        return cls(data["done"], [KpiChange(**change) for change in data["changes"]])


def _realised(project: Project) -> dict[int, tuple[str, str]]:
    language = get_language()
    return {
        row.kpi.pk: (row.kpi.label(language), kpi_text.realised_text(row, language))
        for row in project_kpis(project=project).rows
    }


def _with_effect(project: Project, write, done) -> tuple[object, Effect]:
    """Run ``write()`` and compare the project's KPIs before and after it.

    ``done`` words what happened from what ``write`` returned. A ``ValidationError`` from the
    write passes through; the service's transaction has then saved nothing.
    """
    before = _realised(project)
    result = write()
    changes = [
        KpiChange(label, before.get(pk, ("", ""))[1], text)
        for pk, (label, text) in _realised(project).items()
        if before.get(pk, ("", ""))[1] != text
    ]
    return result, Effect(done(result), changes)


def _remember(request, effect: Effect) -> None:
    """Keep the effect for the page the coach is sent to next."""
    request.session[EFFECT_SESSION_KEY] = asdict(effect)


def _recall(request) -> Effect | None:
    data = request.session.pop(EFFECT_SESSION_KEY, None)
    return Effect.from_session(data) if data else None


def _register_project(request, pk: int) -> Project:
    project = _get(project_get, pk=pk)
    _allow(permissions.can_edit_register(request.user, project))
    return project


def _page_of(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class ParticipantLine:
    participant: Participant  # from participant_list, with its annotations
    characteristics: list[str]


def _lines(participants) -> list[ParticipantLine]:
    codes = characteristic_codes()
    return [
        ParticipantLine(
            participant,
            [characteristic_label(code) for code in codes if getattr(participant, f"has_{code}")],
        )
        for participant in participants
    ]


@login_required
@require_GET
def register_home(request):
    """The register of the user's own project; a choice when they work on several."""
    projects = [
        project
        for project in Project.objects.filter(permissions.project_scope(request.user))
        .select_related("call")
        .order_by("call__title", "order", "name")
        if permissions.can_edit_register(request.user, project)
    ]
    if not projects:
        raise PermissionDenied(_("Only the promoter's staff register participants and activities."))
    if len(projects) == 1:
        return redirect("web:register", pk=projects[0].pk)
    return render(request, "web/registration/home.html", {"projects": projects})


@transaction.atomic
def _participant_register(project: Project, data: dict, user) -> Participant:
    """The pseudonymous registration and, if given, name and contact details: both or neither."""
    participant = services.participant_register(
        project=project,
        registered_on=data["registered_on"],
        insz=data["insz"].strip(),
        reference=data["reference"].strip(),
        birth_year=data["birth_year"],
        gender=data["gender"],
        characteristics=data["characteristics"],
    )
    identity_set(
        participant, actor=user, name=data["name"], email=data["email"], phone=data["phone"]
    )
    return participant


def _shows_names(request, project: Project) -> bool:
    """Names are shown only to whoever may see them: the promoter's own staff."""
    return permissions.can_view_identities(request.user, project).allowed


def _base(request, project: Project) -> dict:
    return {"project": project, "shows_names": _shows_names(request, project)}


def _with_names(request, project: Project, participants):
    return (
        participants.select_related("identity") if _shows_names(request, project) else participants
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_page(request, pk: int):
    """The project's participants, searchable, with the form to register a new one."""
    project = _register_project(request, pk)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _participant, effect = _with_effect(
                project,
                lambda: _participant_register(project, data, request.user),
                lambda participant: (
                    _("Participant %(participant)s registered.")
                    % {"participant": participant.label}
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _remember(request, effect)
            return redirect("web:register", pk=project.pk)
    search = ParticipantFilter(
        request.GET,
        queryset=participant_list(project=project),
        activities=activity_list(project=project),
    )
    page = _page_of(request, _with_names(request, project, search.matches))
    return render(
        request,
        "web/registration/register.html",
        {
            **_base(request, project),
            "form": form,
            "search": search.form,
            "page": page,
            "lines": _lines(page),
            "effect": _recall(request),
            "referrals": project_referrals(project=project),
            "tab": "participants",
        },
        status=REFUSED if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activities_page(request, pk: int):
    """The project's activities with the form to record a new one."""
    project = _register_project(request, pk)
    form = ActivityForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity, effect = _with_effect(
                project,
                lambda: services.activity_record(
                    project=project,
                    kind=data["kind"],
                    date=data["date"],
                    organiser=project.promoter,
                    title=data["title"].strip(),
                    audience=data["audience"],
                    partners=data.get("partners", ()),
                ),
                lambda activity: (
                    _("Activity %(activity)s recorded.") % {"activity": activity_label(activity)}
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _remember(request, effect)
            return redirect("web:register-activity", pk=project.pk, activity_pk=activity.pk)
    page = _page_of(request, activity_list(project=project))
    return render(
        request,
        "web/registration/activities.html",
        {
            **_base(request, project),
            "form": form,
            "page": page,
            "rows": [
                (activity, characteristic_label(activity.audience) if activity.audience else "")
                for activity in page
            ],
            "effect": _recall(request),
            "tab": "activities",
        },
        status=REFUSED if form.errors else 200,
    )


def _activity(project: Project, activity_pk: int):
    return get_object_or_404(activity_list(project=project), pk=activity_pk)


def _attendance_context(request, project, activity, reference: str = "") -> dict:
    search = ReferenceFilter({"reference": reference}, queryset=attendance_list(activity=activity))
    page = _page_of(request, _with_names(request, project, search.matches))
    return {**_base(request, project), "activity": activity, "search": search.form, "page": page}


@login_required
@require_GET
def activity_page(request, pk: int, activity_pk: int):
    """An activity's attendance list: tick who was there, or type a reference."""
    project = _register_project(request, pk)
    activity = _activity(project, activity_pk)
    reference = request.GET.get("reference", "").strip()
    return render(
        request,
        "web/registration/activity.html",
        {
            **_attendance_context(request, project, activity, reference),
            "label": activity_label(activity),
            "quick": QuickAttendanceForm(auto_id="quick_%s"),
            "effect": _recall(request),
            "tab": "activities",
        },
    )


def _attendance_write(project, activity, participant, present: bool) -> Effect:
    if present:
        write, done = services.attendance_record, _("%(participant)s marked present.")
    else:
        write, done = services.attendance_remove, _("%(participant)s no longer marked present.")
    _result, effect = _with_effect(
        project,
        lambda: write(activity=activity, participant=participant),
        lambda _result: done % {"participant": participant.label},
    )
    return effect


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def attendance(request, pk: int, activity_pk: int, participant_pk: int):
    """Tick or untick one participant; HTMX gets the row back, a plain form the page."""
    project = _register_project(request, pk)
    activity = _activity(project, activity_pk)
    participant = get_object_or_404(attendance_list(activity=activity), pk=participant_pk)
    present = request.POST.get("attended") == "on"
    effect = None
    if present != participant.attended:
        effect = _attendance_write(project, activity, participant, present)
        participant.attended = present
        activity = _activity(project, activity_pk)  # its number of attendees changed
    if not _is_htmx(request):
        if effect:
            _remember(request, effect)
        return redirect("web:register-activity", pk=project.pk, activity_pk=activity.pk)
    return render(
        request,
        "web/registration/_attendance_row_response.html",
        {
            **_base(request, project),
            "activity": activity,
            "participant": participant,
            "effect": effect,
        },
    )


@login_required
@require_POST
def attendance_add(request, pk: int, activity_pk: int):
    """Mark the participant with this reference present: the coach types, presses Enter."""
    project = _register_project(request, pk)
    activity = _activity(project, activity_pk)
    form = QuickAttendanceForm(request.POST, auto_id="quick_%s")
    effect = None
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        matches = list(attendance_list(activity=activity).filter(reference__iexact=reference))
        if not matches:
            form.add_error(
                "reference",
                _("No participant of this project has the reference “%(reference)s”.")
                % {"reference": reference},
            )
        elif len(matches) > 1:
            form.add_error(
                "reference",
                _("%(number)d participants have the reference “%(reference)s”; tick the right one.")
                % {"number": len(matches), "reference": reference},
            )
        elif matches[0].attended:
            form.add_error(
                "reference",
                _("%(participant)s is already marked present.") % {"participant": matches[0].label},
            )
        else:
            effect = _attendance_write(project, activity, matches[0], present=True)
    if not _is_htmx(request):
        if effect:
            _remember(request, effect)
            return redirect("web:register-activity", pk=project.pk, activity_pk=activity.pk)
        return render(
            request,
            "web/registration/activity.html",
            {
                **_attendance_context(request, project, activity),
                "label": activity_label(activity),
                "quick": form,
                "tab": "activities",
            },
            status=REFUSED,
        )
    context = {**_base(request, project), "activity": activity, "effect": effect}
    if effect:
        # A fresh field for the next reference, and the list with the new attendee on top.
        activity = _activity(project, activity_pk)  # its number of attendees changed
        context |= _attendance_context(request, project, activity)
        context["quick"] = QuickAttendanceForm(auto_id="quick_%s")
    else:
        context["quick"] = form
    return render(
        request,
        "web/registration/_quick_add_response.html",
        context,
        status=200 if effect else REFUSED,
    )


urlpatterns = [
    path("register/", register_home, name="register-home"),
    path("projects/<int:pk>/register/", register_page, name="register"),
    path("projects/<int:pk>/register/activities/", activities_page, name="register-activities"),
    path(
        "projects/<int:pk>/register/activities/<int:activity_pk>/",
        activity_page,
        name="register-activity",
    ),
    path(
        "projects/<int:pk>/register/activities/<int:activity_pk>/attendance/",
        attendance_add,
        name="register-attendance-add",
    ),
    path(
        "projects/<int:pk>/register/activities/<int:activity_pk>/attendance/<int:participant_pk>/",
        attendance,
        name="register-attendance",
    ),
]

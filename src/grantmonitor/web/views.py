"""The web face: thin views that read through selectors and hand rendering to documents."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from grantmonitor.accounts import permissions
from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import call_get, call_list, project_get
from grantmonitor.documents.answer import compose_answer
from grantmonitor.documents.charts import chart_for_project, project_chart_svg
from grantmonitor.documents.render import FORMATS, render_answer, render_answer_fragment
from grantmonitor.dossiers.models import Dossier
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import OutcomeCount, TargetGroupCount
from grantmonitor.kpis.selectors import KpiRow, ProjectKpis, call_kpis, project_kpis
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import question_get, question_list

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The download buttons, in the order shown; each is one of the renderers' FORMATS.
DOWNLOADS = [("docx", "DOCX"), ("pdf", "PDF"), ("md", "Markdown"), ("html", "HTML")]


@dataclass(frozen=True)
class Achievement:
    """How many of a project's measurable KPIs (those with an objective and a result) were met."""

    achieved: int
    measurable: int

    @classmethod
    def of(cls, kpis: ProjectKpis) -> "Achievement":
        counts = kpis.summary()
        achieved = counts.get(rules.Verdict.ACHIEVED, 0)
        return cls(achieved, achieved + counts.get(rules.Verdict.NOT_ACHIEVED, 0))

    @property
    def complete(self) -> bool:
        return self.achieved == self.measurable


@dataclass(frozen=True)
class Population:
    """A KPI that counts people, with the target groups and outcomes recorded for them."""

    row: KpiRow
    target_groups: list[TargetGroupCount]
    outcomes: list[OutcomeCount]


@dataclass(frozen=True)
class ProjectLine:
    project: Project
    dossier: Dossier | None
    achievement: Achievement


def _get(getter, **kwargs):
    try:
        return getter(**kwargs)
    except (Call.DoesNotExist, Project.DoesNotExist, WrittenQuestion.DoesNotExist) as exc:
        raise Http404(str(exc)) from exc


def _allow(decision: permissions.Decision) -> None:
    """Refuse with the predicate's reason (403) when the user may not do this."""
    if not decision:
        raise PermissionDenied(decision.reason)


def _project_dossier(project: Project) -> Dossier | None:
    return next(
        (d for d in dossier_list(call_id=project.call_id) if d.project_id == project.pk), None
    )


@login_required
@require_GET
def home(request):
    calls = call_list().filter(permissions.call_scope(request.user))
    return render(
        request,
        "web/home.html",
        {
            "calls": calls.prefetch_related("projects", "questions"),
            "reads_answers": permissions.can_read_answers(request.user).allowed,
        },
    )


@login_required
@require_GET
def call_detail(request, pk: int):
    call = _get(call_get, pk=pk)
    _allow(permissions.can_view_call(request.user, call))
    visible = set(
        call.projects.filter(permissions.project_scope(request.user)).values_list("pk", flat=True)
    )
    dossiers = {dossier.project_id: dossier for dossier in dossier_list(call_id=call.pk)}
    lines = [
        ProjectLine(kpis.project, dossiers.get(kpis.project.pk), Achievement.of(kpis))
        for kpis in call_kpis(call=call)
        if kpis.project.pk in visible
    ]
    reads_answers = permissions.can_read_answers(request.user).allowed
    return render(
        request,
        "web/call_detail.html",
        {
            "call": call,
            "lines": lines,
            "questions": question_list().filter(call=call) if reads_answers else [],
            "reads_answers": reads_answers,
        },
    )


@login_required
@require_GET
def project_detail(request, pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    kpis = project_kpis(project=project)
    dossier = _project_dossier(project)
    populations = [
        Population(
            row,
            kpis.target_group_counts.get(row.kpi.pk, []),
            kpis.outcomes.get(row.kpi.pk, []),
        )
        for row in kpis.rows
        if row.kpi.pk in kpis.target_group_counts or row.kpi.pk in kpis.outcomes
    ]
    return render(
        request,
        "web/project_detail.html",
        {
            "project": project,
            "kpis": kpis,
            "achievement": Achievement.of(kpis),
            "populations": populations,
            "has_chart": chart_for_project(kpis) is not None,
            "dossier": dossier,
            "history": dossier_history(dossier=dossier) if dossier else [],
        },
    )


@login_required
@require_GET
def project_chart(request, pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    svg = project_chart_svg(project=project, language=get_language())
    if not svg:
        raise Http404("this project has no numeric KPI to chart")
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_GET
def question_detail(request, pk: int):
    _allow(permissions.can_read_answers(request.user))
    question = _get(question_get, pk=pk)
    answer = compose_answer(question=question, language=get_language())
    return render(
        request,
        "web/question_detail.html",
        {
            "question": question,
            "answer_html": render_answer_fragment(answer=answer),
            "downloads": DOWNLOADS,
            "languages": settings.LANGUAGES,
        },
    )


@login_required
@require_GET
def question_download(request, pk: int, language: str, fmt: str):
    if language not in LANGUAGES or fmt not in FORMATS:
        raise Http404("unknown language or format")
    _allow(permissions.can_read_answers(request.user))
    question = _get(question_get, pk=pk)
    document = render_answer(question=question, fmt=fmt, language=language)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response

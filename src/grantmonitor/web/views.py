"""The web face: thin views that read through selectors and hand rendering to documents."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from grantmonitor.accounts import permissions
from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import call_get, call_list, project_get
from grantmonitor.documents.answer import compose_answer
from grantmonitor.documents.charts import chart_for_project, project_chart_svg
from grantmonitor.documents.charts_engine import target_groups_svg
from grantmonitor.documents.render import FORMATS, render_answer, render_answer_fragment
from grantmonitor.dossiers.models import Dossier
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import Kpi, OutcomeCount, TargetGroupCount, Track
from grantmonitor.kpis.selectors import (
    KpiProvenance,
    KpiRow,
    ProjectKpis,
    call_kpis,
    kpi_get,
    project_kpi_provenance,
    project_kpis,
)
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import question_get, question_list
from grantmonitor.register.selectors import (
    TargetGroups,
    call_people,
    call_referrals,
    characteristic_label,
    kpi_target_groups,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The download buttons, in the order shown; each is one of the renderers' FORMATS.
DOWNLOADS = [("docx", "DOCX"), ("pdf", "PDF"), ("md", "Markdown"), ("html", "HTML")]
# Combinations of characteristics listed under a population, most common first.
MOST_COMMON_COMBINATIONS = 5
# Numbers of characteristics per person shown one by one; above, grouped as "or more".
CHARACTERISTICS_SHOWN = 3


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
class KpiLine:
    """A KPI row with where its figures come from and its figures per reporting year."""

    row: KpiRow
    provenance: KpiProvenance

    @property
    def children_sum(self) -> Decimal | None:
        values = [child.realised.value for child in self.row.children]
        return sum(values, Decimal(0)) if values and None not in values else None

    @property
    def overlapping(self) -> bool:
        """A count of distinct people whose sub-groups together count more people than it."""
        distinct = (
            self.row.kpi.children_rule == rules.ChildrenRule.DISTINCT
            or self.provenance.counts_people
        )
        value, children = self.row.realised.value, self.children_sum
        return distinct and value is not None and children is not None and children > value


@dataclass(frozen=True)
class TrackLines:
    track: Track | None
    lines: list[KpiLine]


@dataclass(frozen=True)
class RegisterGroups:
    """The target groups of a computed population as the register holds them."""

    table: TargetGroups

    @property
    def characteristics(self) -> list[tuple[str, int]]:
        return [
            (characteristic_label(code), people)
            for code, people in self.table.counts.items()
            if people
        ]

    @property
    def by_number(self) -> list[tuple[int, int]]:
        return [
            (number, self.table.by_number.get(number, 0))
            for number in range(CHARACTERISTICS_SHOWN + 1)
        ]

    @property
    def more(self) -> int:
        return self.table.with_at_least(CHARACTERISTICS_SHOWN + 1)

    @property
    def combined(self) -> int:
        return self.table.with_at_least(2)

    @property
    def combinations(self) -> list[tuple[list[str], int]]:
        return [
            ([characteristic_label(code) for code in codes], people)
            for codes, people in self.table.combinations[:MOST_COMMON_COMBINATIONS]
        ]


@dataclass(frozen=True)
class Population:
    """A KPI that counts people, with the target groups and outcomes recorded for them."""

    row: KpiRow
    target_groups: list[TargetGroupCount]
    outcomes: list[OutcomeCount]
    register: RegisterGroups | None = None


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


def _sees_call_totals(user) -> bool:
    """Call-level figures span every promoter: the funder's staff and the cabinet only."""
    return user.is_superuser or user.role in permissions.READERS


def _register_groups(row: KpiRow, provenance: KpiProvenance) -> RegisterGroups | None:
    """The register's target groups of a computed top-level count of people."""
    if row.depth or not provenance.counts_people:
        return None
    table = kpi_target_groups(kpi=row.kpi)
    return RegisterGroups(table) if table is not None and table.total else None


def _project_dossier(project: Project) -> Dossier | None:
    return dossier_list(call_id=project.call_id).filter(project=project).first()


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
    sees_totals = _sees_call_totals(request.user)
    return render(
        request,
        "web/call_detail.html",
        {
            "call": call,
            "lines": lines,
            "people": call_people(call=call) if sees_totals else None,
            "referrals": call_referrals(call=call) if sees_totals else [],
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
    provenance = project_kpi_provenance(project=project)
    tables = [
        TrackLines(
            block.track,
            [KpiLine(row, provenance.get(row.kpi.pk, KpiProvenance())) for row in block.rows],
        )
        for block in kpis.blocks
    ]
    dossier = _project_dossier(project)
    populations = []
    for line in (line for table in tables for line in table.lines):
        population = Population(
            line.row,
            kpis.target_group_counts.get(line.row.kpi.pk, []),
            kpis.outcomes.get(line.row.kpi.pk, []),
            _register_groups(line.row, line.provenance),
        )
        if population.target_groups or population.outcomes or population.register:
            populations.append(population)
    return render(
        request,
        "web/project_detail.html",
        {
            "project": project,
            "kpis": kpis,
            "tables": tables,
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
def kpi_target_groups_chart(request, pk: int, kpi_pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    try:
        kpi = kpi_get(project=project, pk=kpi_pk)
    except Kpi.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    table = kpi_target_groups(kpi=kpi)
    language = get_language()
    svg = target_groups_svg(table, title=kpi.label(language), language=language) if table else ""
    if not svg:
        raise Http404("this KPI counts no people in the register")
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
    record_event(
        actor=request.user,
        action="export",
        target=question,
        detail={"format": fmt, "language": language},
    )
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response

"""The web face: thin views that read through selectors and hand rendering to documents."""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from grantmonitor.accounts import permissions
from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import call_get, call_list, project_get, project_list
from grantmonitor.common.keys import cache_key
from grantmonitor.common.suppression import Figure, Line, publish
from grantmonitor.documents import kpi_text
from grantmonitor.documents.answer import compose_answer
from grantmonitor.documents.charts import Chart, chart_for_project, render_svg
from grantmonitor.documents.charts_engine import target_groups_svg
from grantmonitor.documents.opendata import (
    count_text,
    hidden_kpis,
    people_figures,
    suppression_note,
)
from grantmonitor.documents.render import FORMATS, render_answer, render_answer_fragment
from grantmonitor.dossiers.models import Dossier
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import Kpi, OutcomeCount, TargetGroupCount, Track
from grantmonitor.kpis.selectors import (
    KpiProvenance,
    KpiRow,
    ProjectKpis,
    kpi_get,
    project_kpi_provenance,
    project_kpis,
    projects_verdicts,
)
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import question_get, question_list
from grantmonitor.register.selectors import (
    TargetGroups,
    call_people,
    call_referrals,
    call_stamp,
    characteristic_label,
    kpi_target_groups,
    kpis_target_groups,
    project_stamps,
)
from grantmonitor.web.kept import kept_page, kept_part

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The download buttons, in the order shown; each is one of the renderers' FORMATS.
DOWNLOADS = [("docx", "DOCX"), ("pdf", "PDF"), ("md", "Markdown"), ("html", "HTML")]
# Combinations of characteristics listed under a population, most common first.
MOST_COMMON_COMBINATIONS = 5
# Numbers of characteristics per person shown one by one; above, grouped as "or more".
CHARACTERISTICS_SHOWN = 3
# Projects per page of a call's table: a call of a thousand projects is read a page at a time.
CALL_PROJECTS_PER_PAGE = 50
# How long a drawn chart is kept (it is kept under its figures: other figures draw anew).
CHART_SECONDS = 3600


@dataclass(frozen=True)
class Achievement:
    """How many of a project's measurable KPIs (those with an objective and a result) were met."""

    achieved: int
    measurable: int

    @classmethod
    def of(cls, kpis: ProjectKpis) -> "Achievement":
        return cls.of_verdicts(kpis.summary())

    @classmethod
    def of_verdicts(cls, counts: Mapping[rules.Verdict, int]) -> "Achievement":
        """From the number of KPIs with each verdict (``ProjectKpis.summary()``)."""
        achieved = counts.get(rules.Verdict.ACHIEVED, 0)
        return cls(achieved, achieved + counts.get(rules.Verdict.NOT_ACHIEVED, 0))

    @property
    def complete(self) -> bool:
        return self.achieved == self.measurable


# A threshold of 1 hides no count: how a reader who may see small counts gets the figures.
ALL_COUNTS = 1
Figures = Mapping[Hashable, Figure]


def _threshold(sees_small_counts: bool) -> int | None:
    """Suppress counts of people at the configured threshold, or show them all."""
    return ALL_COUNTS if sees_small_counts else None


@dataclass(frozen=True)
class KpiLine:
    """A KPI row with where its figures come from and its figures per reporting year.

    ``figures``: the project's counts of people as this reader sees them (``people_figures``),
    ``suppressed`` when the reader sees them as published.
    """

    row: KpiRow
    provenance: KpiProvenance
    figures: Figures = field(default_factory=dict)
    suppressed: bool = False

    @property
    def figure(self) -> Figure | None:
        """The realised value as a count of people, or None when it counts no people."""
        return self.figures.get(("kpi", self.row.kpi.pk))

    @property
    def hidden(self) -> bool:
        return self.figure is not None and self.figure.hidden

    @property
    def realised(self) -> str:
        language = get_language()
        return kpi_text.realised_text(self.row, language, count=count_text(self.figures, language))

    @property
    def tells_hidden(self) -> bool:
        """Its breakdown checks would tell a hidden count: of it or of a row below it."""
        rows = (self.row, *self.row.children)
        return any(
            figure is not None and figure.hidden
            for figure in (self.figures.get(("kpi", row.kpi.pk)) for row in rows)
        )

    @property
    def periods(self) -> list:
        """Its figures per year; none of a count of people that is suppressed at all.

        Counts per year are not published, and a year's count follows from the others.
        """
        return [] if self.suppressed and self.figure is not None else self.provenance.periods

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
    """The target groups of a computed population as the register holds them.

    Every count is a :class:`Figure` of ``figures``, keyed by :meth:`key`; :meth:`counts`
    says what adds up to what, so they are suppressed with the project's other counts.
    """

    kpi_id: int
    table: TargetGroups
    total_key: Hashable  # the KPI's own count when it is this population's total
    figures: Figures = field(default_factory=dict)

    def key(self, *parts) -> tuple:
        return ("register", self.kpi_id, *parts)

    def counts(self) -> tuple[dict[Hashable, int], list[Line]]:
        """The counts shown, and those that follow from them, with the lines they add up on."""
        table = self.table
        values: dict[Hashable, int] = {self.key("has", code): n for code, n in table.counts.items()}
        numbers = [self.key("number", n) for n in range(CHARACTERISTICS_SHOWN + 1)]
        for number, key in enumerate(numbers):
            values[key] = table.by_number.get(number, 0)
        values[self.key("more")] = table.with_at_least(CHARACTERISTICS_SHOWN + 1)
        values[self.key("combined")] = table.with_at_least(2)
        shown = table.combinations[:MOST_COMMON_COMBINATIONS]
        for codes, people in shown:
            values[self.key("combination", codes)] = people
        # Not on the page, but what the combined people minus the combinations shown gives.
        values[self.key("other combinations")] = table.with_at_least(2) - sum(
            people for _codes, people in shown
        )
        if self.total_key[0] == "register":
            values[self.total_key] = table.total
        lines = [
            Line(tuple(self.key("has", code) for code in table.counts), self.total_key),
            Line((*numbers, self.key("more")), self.total_key),
            Line((*numbers[:2], self.key("combined")), self.total_key),
            Line((*numbers[2:], self.key("more")), self.key("combined")),
            Line(
                (
                    *(self.key("combination", codes) for codes, _people in shown),
                    self.key("other combinations"),
                ),
                self.key("combined"),
            ),
        ]
        return values, lines

    @property
    def total(self) -> Figure:
        return self.figures[self.total_key]

    @property
    def characteristics(self) -> list[tuple[str, Figure]]:
        return [
            (characteristic_label(code), self.figures[self.key("has", code)])
            for code, people in self.table.counts.items()
            if people
        ]

    @property
    def by_number(self) -> list[tuple[int, Figure]]:
        return [
            (number, self.figures[self.key("number", number)])
            for number in range(CHARACTERISTICS_SHOWN + 1)
        ]

    @property
    def more(self) -> Figure:
        return self.figures[self.key("more")]

    @property
    def combined(self) -> Figure:
        return self.figures[self.key("combined")]

    @property
    def combinations(self) -> list[tuple[list[str], Figure]]:
        return [
            (
                [characteristic_label(code) for code in codes],
                self.figures[self.key("combination", codes)],
            )
            for codes, _people in self.table.combinations[:MOST_COMMON_COMBINATIONS]
        ]


@dataclass(frozen=True)
class Population:
    """A KPI that counts people, with the target groups and outcomes recorded for them."""

    line: KpiLine
    target_groups: list[TargetGroupCount]
    outcomes: list[OutcomeCount]
    register: RegisterGroups | None = None

    @property
    def row(self) -> KpiRow:
        return self.line.row

    @property
    def groups(self) -> list[tuple[TargetGroupCount, Figure]]:
        return [(group, self.line.figures[("group", group.pk)]) for group in self.target_groups]

    @property
    def outcome_figures(self) -> list[tuple[OutcomeCount, Figure]]:
        return [(outcome, self.line.figures[("outcome", outcome.pk)]) for outcome in self.outcomes]


@dataclass(frozen=True)
class ProjectLine:
    project: Project
    dossier: Dossier | None
    achievement: Achievement

    @property
    def status(self) -> str | None:
        # Read here: a template's lookup through a missing dossier is slow (an exception each).
        return self.dossier.current_status if self.dossier else None


def _projects_table_key(lines: list[ProjectLine]) -> str:
    """Everything a call's table of projects shows, in the reader's language: its rendering is
    cached under this, so a change to any of it renders the table anew, and readers who are
    shown the same rows share it (what they may see is in the key)."""
    shown = [
        (
            line.project.pk,
            line.project.name,
            line.project.title,
            line.project.promoter.name,
            [partner.name for partner in line.project.partners.all()],
            line.status,
            line.achievement,
            line.dossier is not None,
            *((line.dossier.allocated_amount, line.dossier.net_amount) if line.dossier else ()),
        )
        for line in lines
    ]
    return repr((get_language(), shown))


def _fields(instance) -> tuple | None:
    """Every stored field of a row, as read: what a cached rendering of it is keyed on."""
    if instance is None:
        return None
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _kpi_table_key(tables: list["TrackLines"], figures: Figures) -> str:
    """Everything a project's KPI table is drawn from, in the reader's language and time zone:
    each KPI, its current value, its values per year and the definition that computed it,
    every field as stored, and the counts of people as this reader sees them. Its rendering
    is cached under this: any change to one of them renders the table anew."""
    shown = []
    for table in tables:
        for line in table.lines:
            current = line.provenance.current
            version = current.definition_version if current else None
            shown.append(
                (
                    _fields(table.track),
                    line.row.depth,
                    _fields(line.row.kpi),
                    _fields(line.row.value),
                    _fields(current),
                    _fields(version),
                    _fields(version.definition) if version else None,
                    [_fields(value) for value in line.provenance.periods],
                    line.suppressed,
                )
            )
    return repr(
        (
            get_language(),
            timezone.get_current_timezone_name(),
            shown,
            sorted(figures.items(), key=repr),
        )
    )


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


def _register_groups(kpis: ProjectKpis, provenance: dict[int, KpiProvenance]) -> list:
    """The register's target groups of the computed top-level counts of people, by KPI id."""
    rows = [
        row
        for row in kpis.rows
        if not row.depth and provenance.get(row.kpi.pk, KpiProvenance()).counts_people
    ]
    tables = kpis_target_groups(kpis=[row.kpi for row in rows]) if rows else {}
    registers = []
    for row in rows:
        table = tables.get(row.kpi.pk)
        if table is None or not table.total:
            continue
        realised = row.realised.value
        own = row.kind == rules.Kind.COUNT and realised is not None and realised == table.total
        total_key = ("kpi", row.kpi.pk) if own else ("register", row.kpi.pk, "total")
        registers.append(RegisterGroups(row.kpi.pk, table, total_key))
    return registers


def _project_dossier(project: Project) -> Dossier | None:
    # shown with the project already read: its project, promoter and case handler are not
    return (
        dossier_list(call_id=project.call_id).filter(project=project).select_related(None).first()
    )


@login_required
@require_GET
@kept_page(lambda: project_stamps(project_ids=[]))  # calls, their projects and questions: shared
def home(request):
    calls = call_list().filter(permissions.call_scope(request.user))
    return render(
        request,
        "web/home.html",
        {
            # counted in the database: a call's projects are not read to be counted
            "calls": calls.annotate(projects_recorded=Count("projects")).prefetch_related(
                "questions"
            ),
            "reads_answers": permissions.can_read_answers(request.user).allowed,
        },
    )


def _call_people(call: Call, threshold: int | None) -> dict[str, Figure]:
    """People reached over the call: each once, and the projects' own counts added up."""
    people = call_people(call=call)
    return publish(
        {"distinct": people.distinct, "per_project_sum": people.per_project_sum},
        threshold=threshold,
    )


@dataclass(frozen=True)
class ReferralLine:
    from_organisation: str
    to_organisation: str
    referrals: Figure
    taken_up: Figure


def _referrals(call: Call, threshold: int | None) -> list[ReferralLine]:
    """Referrals between the call's promoters; those not taken up follow, so they count too."""
    rows = call_referrals(call=call)
    values: dict[Hashable, int] = {}
    lines = []
    for index, row in enumerate(rows):
        values[("referrals", index)] = row.referrals
        values[("taken up", index)] = row.taken_up
        values[("not taken up", index)] = row.referrals - row.taken_up
        lines.append(Line((("taken up", index), ("not taken up", index)), ("referrals", index)))
    figures = publish(values, lines, threshold=threshold)
    return [
        ReferralLine(
            row.from_organisation,
            row.to_organisation,
            figures[("referrals", index)],
            figures[("taken up", index)],
        )
        for index, row in enumerate(rows)
    ]


@login_required
@require_GET
@kept_page(lambda pk: call_stamp(call_id=pk))
def call_detail(request, pk: int):
    call = _get(call_get, pk=pk)
    _allow(permissions.can_view_call(request.user, call))
    seen_as = _CallReader(
        sees_totals=_sees_call_totals(request.user),
        reads_answers=permissions.can_read_answers(request.user).allowed,
        sees_small_counts=permissions.sees_small_counts(request.user, call).allowed,
    )
    # who sees every project of the call sees the same list of them; anyone else their own
    scope = None if seen_as.sees_totals else request.user.pk
    body = kept_part(
        request,
        # the path: its page of projects, and the query its links to other pages keep
        ("call", call.pk, request.get_full_path(), scope, seen_as),
        lambda: render_to_string(
            "web/_call_body.html", _call_body(request, call, seen_as), request
        ),
    )
    return render(request, "web/call_detail.html", {"call": call, "body": body})


@dataclass(frozen=True)
class _CallReader:
    """What a reader may see of a call's page beyond its projects in their scope."""

    sees_totals: bool  # the call's people and referrals
    reads_answers: bool  # its questions
    sees_small_counts: bool


def _call_body(request, call: Call, reader: _CallReader) -> dict:
    """What a call's page shows of it to the request's reader, on the page of its projects the
    request asks for."""
    visible = project_list(call=call).filter(permissions.project_scope(request.user))
    page = Paginator(visible.order_by("order", "name", "pk"), CALL_PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    projects = list(page.object_list)
    dossiers = {
        dossier.project_id: dossier
        # its project, promoter and case handler are not shown: the lines have the projects
        for dossier in dossier_list(call_id=call.pk)
        .filter(project__in=projects)
        .select_related(None)
    }
    verdicts = projects_verdicts(projects=projects)
    lines = [
        ProjectLine(
            project, dossiers.get(project.pk), Achievement.of_verdicts(verdicts[project.pk])
        )
        for project in projects
    ]
    threshold = _threshold(reader.sees_small_counts)
    return {
        "call": call,
        "lines": lines,
        "lines_key": _projects_table_key(lines),
        "page": page,
        "people": _call_people(call, threshold) if reader.sees_totals else None,
        "referrals": _referrals(call, threshold) if reader.sees_totals else [],
        "suppression_note": "" if reader.sees_small_counts else suppression_note(get_language()),
        "questions": question_list().filter(call=call) if reader.reads_answers else [],
        "reads_answers": reader.reads_answers,
    }


@dataclass(frozen=True)
class ProjectCounts:
    """A project's counts of people, with its register's tables, as this reader sees them."""

    figures: Figures
    registers: dict[int, RegisterGroups]  # by KPI id, their figures filled in


def _project_counts(
    kpis: ProjectKpis, provenance: dict[int, KpiProvenance], sees: permissions.Decision
) -> ProjectCounts:
    """The KPIs' counts and the register's, suppressed together (or not at all), so that no
    hidden figure follows from the other table."""
    registers = {register.kpi_id: register for register in _register_groups(kpis, provenance)}
    more: dict[Hashable, int] = {}
    more_lines: list[Line] = []
    for register in registers.values():
        values, lines = register.counts()
        more.update(values)
        more_lines.extend(lines)
    figures = people_figures(
        kpis,
        threshold=_threshold(sees.allowed),
        more=more,
        more_lines=more_lines,
        provenance=provenance,
    )
    return ProjectCounts(
        figures, {pk: replace(register, figures=figures) for pk, register in registers.items()}
    )


@login_required
@require_GET
@kept_page(lambda pk: project_stamps(project_ids=[pk]))
def project_detail(request, pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    sees = permissions.sees_small_counts(request.user, project)
    edits = permissions.can_edit_register(request.user, project).allowed
    body = kept_part(
        request,
        ("project", project.pk, sees.allowed, edits),
        lambda: render_to_string("web/_project_body.html", _project_body(project, sees, edits)),
    )
    return render(request, "web/project_detail.html", {"project": project, "body": body})


def _project_body(project: Project, sees: permissions.Decision, edits: bool) -> dict:
    """What a project's page shows of it to a reader who ``sees`` small counts or not, and
    who ``edits`` its register or not."""
    provenance = project_kpi_provenance(project=project)
    kpis = project_kpis(project=project, provenance=provenance)
    counts = _project_counts(kpis, provenance, sees)
    figures = counts.figures
    tables = [
        TrackLines(
            block.track,
            [
                KpiLine(row, provenance.get(row.kpi.pk, KpiProvenance()), figures, not sees)
                for row in block.rows
            ],
        )
        for block in kpis.blocks
    ]
    dossier = _project_dossier(project)
    populations = []
    for line in (line for table in tables for line in table.lines):
        population = Population(
            line,
            kpis.target_group_counts.get(line.row.kpi.pk, []),
            kpis.outcomes.get(line.row.kpi.pk, []),
            counts.registers.get(line.row.kpi.pk),
        )
        if population.target_groups or population.outcomes or population.register:
            populations.append(population)
    return {
        "project": project,
        "kpis": kpis,
        "tables": tables,
        "tables_key": _kpi_table_key(tables, figures),
        "achievement": Achievement.of(kpis),
        "populations": populations,
        "has_chart": _project_chart(kpis, figures) is not None,
        "sees_small_counts": sees.allowed,
        "edits_register": edits,
        "suppression_note": "" if sees else suppression_note(get_language()),
        "dossier": dossier,
        "history": dossier_history(dossier=dossier) if dossier else [],
    }


def _project_chart(kpis: ProjectKpis, figures: Figures) -> Chart | None:
    """Objective and realised of the numeric KPIs, leaving out the hidden counts of people."""
    return chart_for_project(kpis, language=get_language(), leave_out=hidden_kpis(figures))


def _drawn_once(drawn_from: Hashable, draw: Callable[[], str]) -> str:
    """A chart drawn from ``drawn_from`` alone (its figures and words), in the reader's
    language: drawn once and kept under all of that, so the same figures are not drawn again
    (the target groups' chart costs a tenth of a second) and other figures draw a new one."""
    key = cache_key("chart", (get_language(), drawn_from))
    return cache.get_or_set(key, draw, CHART_SECONDS)


@login_required
@require_GET
def project_chart(request, pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    kpis = project_kpis(project=project)
    sees = permissions.sees_small_counts(request.user, project)
    # The page's figures: a bar left out there is left out here. A reader who sees every count
    # has none hidden, and the register need not be read to know which.
    figures = (
        {} if sees else _project_counts(kpis, project_kpi_provenance(project=project), sees).figures
    )
    chart = _project_chart(kpis, figures)
    if chart is None:
        raise Http404("this project has no numeric KPI to chart")
    svg = _drawn_once(("project chart", chart), lambda: render_svg(chart))
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_GET
def kpi_target_groups_chart(request, pk: int, kpi_pk: int):
    project = _get(project_get, pk=pk)
    _allow(permissions.can_view_project(request.user, project))
    # Its bars would show small counts; the page shows the reader's tables as published.
    _allow(permissions.sees_small_counts(request.user, project))
    try:
        kpi = kpi_get(project=project, pk=kpi_pk)
    except Kpi.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    table = kpi_target_groups(kpi=kpi)
    language = get_language()
    title = kpi.label(language)
    svg = (
        _drawn_once(
            ("target groups", title, table),
            lambda: target_groups_svg(table, title=title, language=language),
        )
        if table
        else ""
    )
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

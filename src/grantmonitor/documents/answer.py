"""The answer to a written question, composed from the data into a neutral structure.

``compose_answer`` reads the domain through its selectors only and returns an
:class:`Answer`: the parliamentary header, then one :class:`Part` per sub-question, each an
ordered list of blocks (headings, paragraphs, tables, notes, charts). What a part says
follows the sub-question's topic and the projects it asks about. The renderers in
``documents.render`` lay it out as HTML, DOCX, PDF or Markdown; nothing here knows a format.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grantmonitor.calls.models import Project
from grantmonitor.common.money import babel_locale, format_eur
from grantmonitor.common.suppression import Figure
from grantmonitor.documents import kpi_text
from grantmonitor.documents.charts import Chart, chart_for_project
from grantmonitor.documents.opendata import count_text, hidden_kpis, people_figures
from grantmonitor.dossiers.models import Dossier, DossierStatus
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import OutcomeCount, OutcomeStatus
from grantmonitor.kpis.selectors import (
    KpiRow,
    ProjectKpis,
    TrackBlock,
    projects_kpi_provenance,
    projects_kpis,
)
from grantmonitor.questions.models import SubQuestion, Topic, WrittenQuestion
from grantmonitor.questions.selectors import question_get

# ---------------------------------------------------------------------------------------
# The structure
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    kind = "heading"
    text: str


@dataclass(frozen=True)
class Paragraph:
    kind = "paragraph"
    text: str


@dataclass(frozen=True)
class Note:
    """A remark the reader must not miss, e.g. a breakdown that does not add up."""

    kind = "note"
    text: str


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    depth: int = 0  # 1, 2, ...: an indented breakdown row under the row above
    heading: bool = False  # a row that names a group (a track), spanning the table
    # The numbers behind the cells, where a cell is one (a Decimal, or a count of people as
    # published), else None; for spreadsheets. Empty for a heading row.
    values: tuple[Decimal | Figure | None, ...] = ()


@dataclass(frozen=True)
class Table:
    kind = "table"
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


Block = Heading | Paragraph | Note | Table | Chart


@dataclass
class Part:
    number: int
    question: str
    blocks: list[Block] = field(default_factory=list)

    def _of(self, kind: str) -> list:
        return [block for block in self.blocks if block.kind == kind]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return self._of("paragraph")

    @property
    def tables(self) -> list[Table]:
        return self._of("table")

    @property
    def notes(self) -> list[Note]:
        return self._of("note")

    @property
    def charts(self) -> list[Chart]:
        return self._of("chart")


@dataclass(frozen=True)
class Header:
    """The parliament's heading lines, worded in the answer's language."""

    document_label: str  # SCHRIFTELIJKE VRAAG
    number_line: str  # nr. 418
    questioner_line: str  # van GÜLER TURAN
    date_line: str  # datum: 23 maart 2018
    addressee_lines: tuple[str, ...]  # aan PHILIPPE MUYTERS / VLAAMS MINISTER VAN ...
    title: str
    text: tuple[str, ...]  # the question's introduction, by paragraph
    sub_questions: tuple[tuple[int, str], ...]
    signature_lines: tuple[str, ...]  # PHILIPPE MUYTERS / VLAAMS MINISTER VAN ...
    answer_label: str  # ANTWOORD
    answer_lines: tuple[str, ...]  # op vraag nr. 418 van 23 maart 2018 / van GÜLER TURAN


@dataclass
class Answer:
    language: str
    number: int
    session: str
    title: str  # a short title for a window or file, e.g. "Antwoord op vraag nr. 418"
    header: Header
    parts: list[Part]

    def part(self, number: int) -> Part:
        return next(part for part in self.parts if part.number == number)


# ---------------------------------------------------------------------------------------
# Composing
# ---------------------------------------------------------------------------------------


def compose_answer(*, question: WrittenQuestion, language: str = "nl") -> Answer:
    """The answer to ``question`` from the current data, in ``language`` ("nl" or "en")."""
    question = question_get(pk=question.pk)
    with translation.override(language):
        parts = [_compose_part(sub, language) for sub in question.sub_questions.all()]
        return Answer(
            language=language,
            number=question.number,
            session=question.session,
            title=_("Answer to question nr. %(number)s") % {"number": question.number},
            header=_header(question, language),
            parts=parts,
        )


def _long_date(date: datetime.date, language: str) -> str:
    return format_date(date, format="long", locale=babel_locale(language))


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(chunk.split()) for chunk in text.split("\n\n") if chunk.strip())


def _header(question: WrittenQuestion, language: str) -> Header:
    minister = question.minister.upper()
    portfolio = (question.portfolio.upper(),) if question.portfolio else ()
    questioner = _("from %(questioner)s") % {"questioner": question.questioner.upper()}
    date = _long_date(question.date, language)
    return Header(
        document_label=_("WRITTEN QUESTION"),
        number_line=_("nr. %(number)s") % {"number": question.number},
        questioner_line=questioner,
        date_line=_("date: %(date)s") % {"date": date},
        addressee_lines=(_("to %(minister)s") % {"minister": minister}, *portfolio),
        title=question.title,
        text=_paragraphs(question.text),
        sub_questions=tuple(
            (sub.number, " ".join(sub.text.split())) for sub in question.sub_questions.all()
        ),
        signature_lines=(minister, *portfolio),
        answer_label=_("ANSWER"),
        answer_lines=(
            _("to question nr. %(number)s of %(date)s") % {"number": question.number, "date": date},
            questioner,
        ),
    )


def _compose_part(sub: SubQuestion, language: str) -> Part:
    projects = list(sub.projects.all())
    blocks: list[Block]
    if sub.topic == Topic.INSPECTION_STATUS:
        blocks = _inspection_status(projects)
    elif sub.topic == Topic.KPI_RESULTS:
        blocks = _kpi_results(projects, language)
    elif sub.topic == Topic.FINANCING:
        blocks = _financing(projects, language)
    else:
        blocks = [Paragraph(text) for text in _paragraphs(sub.answer_text)]
    return Part(number=sub.number, question=" ".join(sub.text.split()), blocks=blocks)


def _names(projects: Iterable[Project]) -> str:
    return kpi_text.join_words([project.name for project in projects])


def _dossiers_by_project(projects: list[Project]) -> dict[int, Dossier]:
    dossiers = dossier_list().filter(project__in=projects)
    return {dossier.project_id: dossier for dossier in dossiers}


# --- part: where the dossiers stand -----------------------------------------------------


def _inspection_status(projects: list[Project]) -> list[Block]:
    """Sentences from each dossier's history; dossiers in the same situation share one."""
    dossiers = _dossiers_by_project(projects)
    groups: dict[tuple, list[Project]] = {}
    for project in projects:
        dossier = dossiers.get(project.pk)
        key: tuple = (None, 0, False, None)
        if dossier is not None:
            steps = [change.status for change in dossier_history(dossier=dossier)]
            settlement = next((step for step in steps if step in SETTLEMENT_STEPS), None)
            key = (
                dossier.current_status,
                steps.count(DossierStatus.WITH_INSPECTION),
                dossier.net_amount is not None,
                settlement,
            )
        groups.setdefault(key, []).append(project)
    sentences = [
        _status_sentence(key, members, everyone=len(members) == len(projects))
        for key, members in groups.items()
    ]
    return [Paragraph(" ".join(sentences))] if sentences else []


SETTLEMENT_STEPS = (DossierStatus.BALANCE_PAID, DossierStatus.BALANCE_RECOVERED)


def _subject(members: list[Project], *, everyone: bool) -> str:
    count = len(members)
    if count == 1:
        return _("The dossier of %(project)s") % {"project": members[0].name}
    if everyone and count == 2:
        return _("Both dossiers")
    if everyone:
        return _("All %(count)s dossiers") % {"count": count}
    return _("The dossiers of %(projects)s") % {"projects": _names(members)}


def _status_sentence(key: tuple, members: list[Project], *, everyone: bool) -> str:
    status, rounds, net_known, settlement = key
    count = len(members)
    if status is None:
        return ngettext(
            "No dossier is recorded for %(projects)s.",
            "No dossiers are recorded for %(projects)s.",
            count,
        ) % {"projects": _names(members)}
    values = {
        "subject": _subject(members, everyone=everyone),
        "projects": _names(members),
        "rounds": rounds,
    }
    sentences = []
    if status == DossierStatus.RUNNING:
        sentences.append(
            ngettext(
                "%(subject)s is still running; no final report has been submitted yet.",
                "%(subject)s are still running; no final report has been submitted yet.",
                count,
            )
        )
    elif status == DossierStatus.FINAL_REPORT_IN:
        sentences.append(
            ngettext(
                "The final report of %(projects)s has been received; the dossier will "
                "next go to the inspection service for control.",
                "The final reports of %(projects)s have been received; the dossiers will "
                "next go to the inspection service for control.",
                count,
            )
        )
    elif status == DossierStatus.WITH_INSPECTION:
        sentences.append(
            ngettext(
                "%(subject)s is currently with the inspection service for (financial) control.",
                "%(subject)s are currently with the inspection service for (financial) control.",
                count,
            )
        )
    else:
        sentences.append(
            ngettext(
                "%(subject)s has meanwhile been checked by the inspection service and is back "
                "with the case handler.",
                "%(subject)s have meanwhile been checked by the inspection service and are "
                "back with the case handler.",
                count,
            )
        )
        sentences.append(_after_inspection(status, settlement, count, net_known=net_known))
    if rounds > 1:
        sentences.append(
            ngettext(
                "The inspection service controlled it in %(rounds)s rounds.",
                "The inspection service controlled them in %(rounds)s rounds each.",
                count,
            )
        )
    return " ".join(sentence % values for sentence in sentences)


def _in_each_case(count: int) -> str:
    if count == 1:
        return _("Then")
    return _("In both cases") if count == 2 else _("In all cases")


def _after_inspection(status: str, settlement: str | None, count: int, *, net_known: bool) -> str:
    """What followed the inspection, from the steps the dossier took after it."""
    values = {"cases": _in_each_case(count)}
    if status == DossierStatus.CLOSED:
        if settlement == DossierStatus.BALANCE_PAID:
            wording = _(
                "%(cases)s the remaining balance could be paid and with that the dossier "
                "could be closed."
            )
        elif settlement == DossierStatus.BALANCE_RECOVERED:
            wording = _(
                "%(cases)s the advances paid in excess were recovered and with that the "
                "dossier could be closed."
            )
        else:
            wording = _(
                "%(cases)s no balance remained to be paid or recovered and the dossier "
                "could be closed."
            )
        return wording % values
    if status == DossierStatus.BALANCE_PAID:
        return ngettext(
            "The remaining balance has been paid; the dossier still has to be closed.",
            "The remaining balances have been paid; the dossiers still have to be closed.",
            count,
        )
    if status == DossierStatus.BALANCE_RECOVERED:
        return ngettext(
            "The advances paid in excess have been recovered; the dossier still has to be closed.",
            "The advances paid in excess have been recovered; the dossiers still have to be "
            "closed.",
            count,
        )
    if net_known:
        return ngettext(
            "The net amount to finance has been set; the balance will be settled next.",
            "The net amounts to finance have been set; the balances will be settled next.",
            count,
        )
    return ngettext(
        "The case handler is now setting the net amount to finance.",
        "The case handler is now setting the net amounts to finance.",
        count,
    )


# --- part: KPIs and results -------------------------------------------------------------


Figures = dict[tuple, Figure]  # a project's counts of people as published, see people_figures


def _kpi_results(projects: list[Project], language: str) -> list[Block]:
    blocks: list[Block] = []
    provenance = projects_kpi_provenance(projects=projects)  # one query, not one per project
    for kpis in projects_kpis(projects=projects):
        figures = people_figures(kpis, provenance=provenance)
        blocks.append(Heading(_("Results %(project)s") % {"project": kpis.project.name}))
        for track_block in kpis.blocks:
            blocks.extend(_track_blocks(kpis, track_block, language, figures))
        if not kpis.blocks:
            blocks.append(Paragraph(_("No KPIs are recorded for this project.")))
        chart = chart_for_project(kpis, language=language, leave_out=hidden_kpis(figures))
        if chart is not None:
            blocks.append(chart)
    return blocks


def _kpi_headers() -> tuple[str, ...]:
    return ("", _("Objective"), _("Realised"), _("Achievement rate"), _("Verdict"))


def _track_blocks(
    kpis: ProjectKpis, track_block: TrackBlock, language: str, figures: Figures
) -> list[Block]:
    roots = [row for row in track_block.rows if row.depth == 0]
    rows: list[Row] = []
    if track_block.track is not None:
        rows.append(Row((track_block.track.label(language),), heading=True))
    notes: list[Block] = []
    for root in roots:
        if root.kind != rules.Kind.QUALITATIVE:
            _table_rows(root, language, rows, notes, figures)
    blocks: list[Block] = []
    if any(not row.heading for row in rows):
        blocks.append(Table(headers=_kpi_headers(), rows=tuple(rows)))
    blocks.extend(notes)
    for row in track_block.rows:
        blocks.extend(_population_paragraphs(kpis, row, language, figures))
    for row in track_block.rows:
        if row.kind == rules.Kind.QUALITATIVE and row.narrative:
            blocks.extend(Paragraph(text) for text in _paragraphs(row.narrative))
    for row in track_block.rows:
        blocks.extend(_target_group_paragraphs(kpis, row, language, figures))
    return blocks


def _table_rows(
    row: KpiRow, language: str, rows: list[Row], notes: list[Block], figures: Figures
) -> None:
    figure = figures.get(("kpi", row.kpi.pk))
    hidden = figure is not None and figure.hidden
    count = row.kind == rules.Kind.COUNT
    rows.append(
        Row(
            (
                row.kpi.label(language),
                kpi_text.objective_text(row, language),
                kpi_text.realised_text(row, language, count=count_text(figures, language)),
                "" if hidden else kpi_text.achievement_text(row, language),  # it would tell
                kpi_text.verdict_label(row.assessment.verdict),
            ),
            depth=row.depth,
            values=(
                None,
                row.kpi.objective_value if count else None,
                figure or (row.realised.value if count else None),
                None,
                None,
            ),
        )
    )
    involved = [figures.get(("kpi", r.kpi.pk)) for r in (row, *row.children)]
    if not any(figure is not None and figure.hidden for figure in involved):  # they would tell
        notes.extend(
            Note(kpi_text.breakdown_warning(row, check, language)) for check in row.mismatches
        )
    if row.kpi.children_rule == rules.ChildrenRule.OF_WHICH:
        return  # the parts are named inline in the realised cell
    for child in row.children:
        if child.kind != rules.Kind.QUALITATIVE:
            _table_rows(child, language, rows, notes, figures)


def _population_paragraphs(
    kpis: ProjectKpis, row: KpiRow, language: str, figures: Figures
) -> list[Paragraph]:
    """What became of a KPI's people: its note, then sentences from its outcome counts."""
    outcomes = kpis.outcomes.get(row.kpi.pk, [])
    if not outcomes:
        return []
    sentences = [" ".join(row.kpi.note.split())] if row.kpi.note.strip() else []
    total = row.realised.value
    total_text = count_text(figures, language)(row)
    undated = [outcome for outcome in outcomes if outcome.as_of is None]
    counted = 0
    for outcome in undated:
        count = figures[("outcome", outcome.pk)].text(language)
        sentences.append(_outcome_sentence(outcome, count, total, total_text, counted))
        counted += outcome.count
    dates = sorted({outcome.as_of for outcome in outcomes if outcome.as_of is not None})
    for date in dates:
        clauses = [
            _outcome_clause(outcome, figures[("outcome", outcome.pk)].text(language))
            for outcome in outcomes
            if outcome.as_of == date
        ]
        sentences.append(
            _("On %(date)s there were %(outcomes)s.")
            % {"date": _long_date(date, language), "outcomes": kpi_text.join_words(clauses)}
        )
    return [Paragraph(" ".join(sentences))]


def _lower_first(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].lower() + text[1:]


def _outcome_sentence(
    outcome: OutcomeCount, count: str, total, total_text: str, counted: int
) -> str:
    """One undated outcome; ``count`` and ``total_text`` are written as published."""
    if outcome.status == OutcomeStatus.STARTED_PROGRAMME and total is not None and counted == 0:
        return _("Of the %(total)s participants, %(count)s started in ‘%(programme)s’.") % {
            "total": total_text,
            "count": count,
            "programme": outcome.programme or _("a follow-up programme"),
        }
    if (
        outcome.status == OutcomeStatus.OTHER_PATH
        and total is not None
        and counted
        and counted + outcome.count == total
        and outcome.note
    ):
        return _("The other %(count)s %(note)s.") % {
            "count": count,
            "note": _lower_first(outcome.note),
        }
    sentence = f"{_outcome_clause(outcome, count)}."
    if outcome.note:
        sentence = f"{sentence} {' '.join(outcome.note.split())}"
    return sentence


def _outcome_clause(outcome: OutcomeCount, count: str) -> str:
    values = {"count": count, "programme": outcome.programme}
    if outcome.status == OutcomeStatus.STARTED_PROGRAMME:
        if outcome.programme:
            return _("%(count)s who started in ‘%(programme)s’") % values
        return _("%(count)s who started a follow-up programme") % values
    return {
        OutcomeStatus.OTHER_PATH: _("%(count)s who continued another way"),
        OutcomeStatus.SELF_EMPLOYED: _("%(count)s registered as self-employed"),
        OutcomeStatus.EMPLOYEE: _("%(count)s working as an employee"),
        OutcomeStatus.STILL_IN_TRAJECTORY: _("%(count)s still in their trajectory"),
    }.get(outcome.status, _("%(count)s in another situation")) % values


def _target_group_paragraphs(
    kpis: ProjectKpis, row: KpiRow, language: str, figures: Figures
) -> list[Paragraph]:
    counts = kpis.target_group_counts.get(row.kpi.pk, [])
    if not counts:
        return []
    groups = [
        f"{figures[('group', item.pk)].text(language)} "
        f"{_lower_first(item.target_group.label(language))}"
        for item in counts
    ]
    values = {
        "total": count_text(figures, language)(row),
        "population": _lower_first(row.kpi.label(language)),
        "groups": kpi_text.join_words(groups),
    }
    if row.realised.value is None:
        sentence = _("Of the people in “%(population)s” there were %(groups)s.") % values
    else:
        sentence = _("Of the %(total)s people in “%(population)s” there were %(groups)s.") % values
    overlap = _(
        "The groups overlap: one person can belong to several of them, so the numbers do not "
        "add up to the total."
    )
    return [Paragraph(f"{sentence} {overlap}")]


# --- part: the money --------------------------------------------------------------------


def _financing(projects: list[Project], language: str) -> list[Block]:
    dossiers = _dossiers_by_project(projects)
    settled = [p for p in projects if p.pk in dossiers and dossiers[p.pk].net_amount is not None]
    pending: dict[str | None, list[Project]] = {}
    for project in projects:
        if project not in settled:
            dossier = dossiers.get(project.pk)
            pending.setdefault(dossier.current_status if dossier else None, []).append(project)
    blocks: list[Block] = []
    if pending:
        reasons = kpi_text.join_words(
            [_pending_reason(status, members) for status, members in pending.items()]
        )
        if settled:
            sentence = _("As %(reasons)s, only %(projects)s can be answered here.") % {
                "reasons": reasons,
                "projects": _names(settled),
            }
        else:
            sentence = _("As %(reasons)s, no figures can be given yet.") % {"reasons": reasons}
        blocks.append(Paragraph(sentence))
    if settled:
        blocks.append(
            Table(
                headers=(
                    "",
                    _("Allocated (on the basis of estimated costs)"),
                    _("Net to finance (on the basis of realised / accepted costs)"),
                    _("Difference"),
                ),
                rows=tuple(
                    _money_row(project, dossiers[project.pk], language) for project in settled
                ),
            )
        )
    return blocks


def _money_row(project: Project, dossier: Dossier, language: str) -> Row:
    def eur(amount) -> str:
        return "—" if amount is None else format_eur(amount, language)

    amounts = (dossier.allocated_amount, dossier.net_amount, dossier.difference)
    return Row((project.name, *(eur(amount) for amount in amounts)), values=(None, *amounts))


def _pending_reason(status: str | None, members: list[Project]) -> str:
    values = {"projects": _names(members)}
    count = len(members)
    if status is None:
        return _("no dossier is recorded for %(projects)s") % values
    if status == DossierStatus.WITH_INSPECTION:
        return (
            ngettext(
                "%(projects)s was recently sent to the inspection service for (financial) control",
                "%(projects)s were recently sent to the inspection service for (financial) control",
                count,
            )
            % values
        )
    if status == DossierStatus.RUNNING:
        return (
            ngettext("%(projects)s is still running", "%(projects)s are still running", count)
            % values
        )
    if status == DossierStatus.FINAL_REPORT_IN:
        return (
            ngettext(
                "the final report of %(projects)s still has to go to the inspection service",
                "the final reports of %(projects)s still have to go to the inspection service",
                count,
            )
            % values
        )
    return _("the net amount to finance of %(projects)s is not set yet") % values

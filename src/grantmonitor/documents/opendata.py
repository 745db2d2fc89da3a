"""A call's published figures for everyone, with small counts of people suppressed.

One row per figure: each numeric KPI of each project (objective, realised, verdict, unit), then
the target-group counts and follow-up outcomes of its population. Counts of people are
published through :mod:`grantmonitor.common.suppression`; which figures count people, and
which totals they add up to, is decided once in :func:`people_figures`, which the answer to a
written question uses as well.

Two layouts of CSV (see :data:`CSV_DIALECTS`) and an XLSX workbook with numbers as numbers.
"""

import csv
import datetime
import io
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from grantmonitor.calls.models import Call
from grantmonitor.common.money import format_number
from grantmonitor.common.suppression import Figure, Line, default_threshold, publish
from grantmonitor.documents import kpi_text
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import OutcomeStatus
from grantmonitor.kpis.selectors import (
    KpiProvenance,
    KpiRow,
    ProjectKpis,
    call_kpis,
    project_kpi_provenance,
    projects_kpi_provenance,
)

# ---------------------------------------------------------------------------------------
# Which figures count people
# ---------------------------------------------------------------------------------------


def people_figures(
    kpis: ProjectKpis,
    *,
    threshold: int | None = None,
    more: Mapping[Hashable, int] | None = None,
    more_lines: Iterable[Line] = (),
    provenance: Mapping[int, KpiProvenance] | None = None,
) -> dict[Hashable, Figure]:
    """The counts of people of one project, suppressed, by key.

    Keys: ``("kpi", kpi_id)`` for a realised value that counts people, ``("group", id)`` for a
    :class:`~grantmonitor.kpis.models.TargetGroupCount`, ``("outcome", id)`` for an
    :class:`~grantmonitor.kpis.models.OutcomeCount`. A realised value counts people when the
    engine computed it with a definition that counts distinct people, or when target groups or
    outcomes are recorded for it (it is their population). A figure that is not a key here is
    not a count of people (a ratio, an increase, a number of sessions, money) and is published.

    ``more`` and ``more_lines``: other counts of the same people shown with these (the
    register's tables on the project page), suppressed together so that no hidden figure
    follows from the two; a line of ``more_lines`` may add up to a key above.

    ``provenance``: the KPIs' provenance by KPI id when already read for many projects at once
    (:func:`~grantmonitor.kpis.selectors.projects_kpi_provenance`); else read for this project.
    """
    if provenance is None:
        provenance = project_kpi_provenance(project=kpis.project)
    values: dict[tuple, int] = {}
    for row in kpis.rows:
        population = kpis.target_group_counts.get(row.kpi.pk) or kpis.outcomes.get(row.kpi.pk)
        computed = row.kpi.pk in provenance and provenance[row.kpi.pk].counts_people
        counted = row.kind == rules.Kind.COUNT and row.realised.value is not None
        if counted and (computed or population):
            values[("kpi", row.kpi.pk)] = int(row.realised.value)
        for group in kpis.target_group_counts.get(row.kpi.pk, []):
            values[("group", group.pk)] = group.count
        for outcome in kpis.outcomes.get(row.kpi.pk, []):
            values[("outcome", outcome.pk)] = outcome.count
    lines = [*_lines(kpis, values), *more_lines]
    return publish({**values, **(more or {})}, lines, threshold=threshold)


def _lines(kpis: ProjectKpis, values: dict[tuple, int]) -> list[Line]:
    """What adds up to what: a KPI's parts to it, its groups and its outcomes (per date) to it."""
    lines = []
    for row in kpis.rows:
        own = ("kpi", row.kpi.pk)
        total = own if own in values else None
        children = tuple(("kpi", child.kpi.pk) for child in row.children)
        if children and total and all(child in values for child in children):
            lines.append(Line(children, total))
        groups = kpis.target_group_counts.get(row.kpi.pk, [])
        if groups:
            lines.append(Line(tuple(("group", group.pk) for group in groups), total))
        by_date: dict[datetime.date | None, list] = {}
        for outcome in kpis.outcomes.get(row.kpi.pk, []):
            by_date.setdefault(outcome.as_of, []).append(("outcome", outcome.pk))
        lines.extend(Line(tuple(keys), total) for keys in by_date.values())
    return lines


def count_text(figures: Mapping[Hashable, Figure], language: str) -> Callable[[KpiRow], str]:
    """Writes a KPI's realised count, as published when it counts people ("< 5")."""

    def count(row: KpiRow) -> str:
        figure = figures.get(("kpi", row.kpi.pk))
        return (
            kpi_text.number(row.realised.value, language)
            if figure is None
            else figure.text(language)
        )

    return count


def hidden_kpis(figures: Mapping[Hashable, Figure]) -> set[int]:
    """The ids of the KPIs whose realised count of people is hidden (not to be charted)."""
    return {key[1] for key, figure in figures.items() if key[0] == "kpi" and figure.hidden}


# ---------------------------------------------------------------------------------------
# The published rows
# ---------------------------------------------------------------------------------------

COLUMNS = (
    "call",
    "project",
    "promoter",
    "track",
    "kpi_id",
    "parent_kpi_id",
    "kpi",
    "kind",
    "unit",
    "figure",
    "item",
    "as_of",
    "objective",
    "objective_denominator",
    "realised",
    "realised_denominator",
    "baseline",
    "verdict",
    "counts_people",
)

# What each column holds, for the workbook's explanation sheet and the page.
COLUMN_HELP = {
    "figure": "kpi, target_group or outcome",
    "objective": "count: the minimum; increase: the minimal increase in %; ratio: the numerator",
    "realised": "count or increase: the value; ratio: the numerator; target group or outcome: "
    "the number of people",
    "verdict": "achieved, not_achieved, no_objective or no_result",
    "counts_people": "yes when the figure is a number of people, suppressed below the threshold",
}

Value = Decimal | int | str | datetime.date | Figure | None


@dataclass(frozen=True)
class PublishedRow:
    values: dict[str, Value]

    def cells(self) -> list[Value]:
        return [self.values.get(column) for column in COLUMNS]


def published_rows(*, call: Call, language: str = "nl") -> list[PublishedRow]:
    """Every published figure of ``call``, project by project, in the answer's order."""
    rows: list[PublishedRow] = []
    tables = call_kpis(call=call)
    # one query for every project's provenance, not one per project
    provenance = projects_kpi_provenance(projects=[kpis.project for kpis in tables])
    with translation.override(language):
        for kpis in tables:
            figures = people_figures(kpis, provenance=provenance)
            for row in kpis.rows:
                if row.kind != rules.Kind.QUALITATIVE:
                    rows.extend(_kpi_rows(call, kpis, row, figures, language))
    return rows


def _kpi_rows(
    call: Call, kpis: ProjectKpis, row: KpiRow, figures: dict[tuple, Figure], language: str
) -> list[PublishedRow]:
    kpi = row.kpi
    common = {
        "call": call.title,
        "project": kpis.project.name,
        "promoter": kpis.project.promoter.name,
        "track": kpi.track.label(language) if kpi.track else "",
        "kpi_id": kpi.pk,
        "parent_kpi_id": kpi.parent_id,
        "kpi": kpi.label(language),
        "kind": row.kind.value,
        "unit": kpi.unit,
    }
    objective, realised = kpi.objective, row.realised
    ratio = row.kind == rules.Kind.RATIO
    people = figures.get(("kpi", kpi.pk))
    own = {
        "figure": "kpi",
        "objective": objective.numerator if ratio else objective.percent or objective.value,
        "objective_denominator": objective.denominator if ratio else None,
        "realised": realised.numerator if ratio else people or realised.value,
        "realised_denominator": realised.denominator if ratio else None,
        "baseline": realised.baseline,
        "verdict": row.assessment.verdict.value,
        "counts_people": people is not None,
    }
    result = [PublishedRow(common | own)]
    for group in kpis.target_group_counts.get(kpi.pk, []):
        item = {"item": group.target_group.label(language), "figure": "target_group"}
        result.append(_people_row(common, item, figures[("group", group.pk)]))
    for outcome in kpis.outcomes.get(kpi.pk, []):
        label = str(OutcomeStatus(outcome.status).label)
        item = {
            "item": f"{label}: {outcome.programme}" if outcome.programme else label,
            "figure": "outcome",
            "as_of": outcome.as_of,
        }
        result.append(_people_row(common, item, figures[("outcome", outcome.pk)]))
    return result


def _people_row(common: dict, item: dict, figure: Figure) -> PublishedRow:
    return PublishedRow(common | item | {"realised": figure, "counts_people": True})


# ---------------------------------------------------------------------------------------
# CSV and XLSX
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    language: str  # how numbers are written: "en" 1347.5, "nl" 1347,5
    bom: bool


# "open": the open-data norm (RFC 4180, W3C tabular data): commas, decimal points, UTF-8 with
# no byte-order mark, what every program and script reads. "excel-nl": what Excel set to
# Dutch (Belgium) opens by double-click: semicolons, decimal commas, and a BOM so it reads
# the file as UTF-8 and keeps the accents.
CSV_DIALECTS = {
    "open": CsvDialect(",", "en", bom=False),
    "excel-nl": CsvDialect(";", "nl", bom=True),
}


def _csv_cell(value: Value, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, Figure):
        return value.label if value.hidden else str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.replace(".", ",") if dialect.language == "nl" else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def call_csv(*, call: Call, dialect: str = "open", language: str = "nl") -> bytes:
    """The published figures of ``call`` as CSV in one of :data:`CSV_DIALECTS`."""
    layout = CSV_DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in published_rows(call=call, language=language):
        writer.writerow([_csv_cell(value, layout) for value in row.cells()])
    return ("\ufeff" if layout.bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


def _xlsx_cell(value: Value):
    if isinstance(value, Figure):
        return value.label if value.hidden else value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value


def call_xlsx(*, call: Call, language: str = "nl") -> bytes:
    """The published figures as a workbook: numbers as numbers, ``< 5`` as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "figures"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in published_rows(call=call, language=language):
        sheet.append([_xlsx_cell(value) for value in row.cells()])
    for cell in sheet["L"][1:]:  # as_of
        cell.number_format = "yyyy-mm-dd"
    about = workbook.create_sheet("about")
    with translation.override(language):
        about.append([_("Published figures of %(call)s") % {"call": call.title}])
        about.append([suppression_note(language)])
    about.append([])
    for column, text in COLUMN_HELP.items():
        about.append([column, text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def suppression_note(language: str = "nl") -> str:
    """The sentence that explains ``< 5`` to a reader, in ``language``."""
    threshold = default_threshold()
    with translation.override(language):
        return _(
            "Numbers of people from 1 to %(below)s are shown as “< %(threshold)s”; where one "
            "could be worked out from a total, another number is hidden too and shown as "
            "“≥ %(threshold)s”."
        ) % {"below": format_number(threshold - 1, language), "threshold": threshold}

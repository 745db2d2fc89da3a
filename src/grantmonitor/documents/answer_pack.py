"""The answer pack: the answer to a written question with everything needed to check it.

One ZIP with the answer as DOCX and PDF, an XLSX with one sheet per table of the answer
(numbers as numbers), and ``manifest.json``: every figure the answer gives, with where it comes
from (project, KPI, measure definition and version when computed, when it was computed or
recorded, the dossier for money). Counts of people are suppressed as in the answer itself.
"""

import datetime
import io
import json
import zipfile
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from grantmonitor.common.suppression import Figure, default_threshold
from grantmonitor.documents.answer import Answer, Table, compose_answer
from grantmonitor.documents.opendata import people_figures
from grantmonitor.documents.render import FORMATS, RenderedDocument, filename
from grantmonitor.dossiers.models import DossierStatus
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import KpiValue, OutcomeStatus
from grantmonitor.kpis.selectors import projects_kpi_provenance, projects_kpis
from grantmonitor.questions.models import Topic, WrittenQuestion
from grantmonitor.questions.selectors import question_get

MANIFEST_VERSION = 1
# The steps of a dossier's path that settle its money, listed with each amount.
SETTLEMENT = (DossierStatus.BALANCE_PAID, DossierStatus.BALANCE_RECOVERED, DossierStatus.CLOSED)


def answer_pack(*, question: WrittenQuestion, language: str = "nl") -> RenderedDocument:
    """The ZIP of the answer to ``question`` in ``language``."""
    answer = compose_answer(question=question, language=language)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for fmt in ("docx", "pdf"):
            archive.writestr(filename(answer, fmt), FORMATS[fmt].render(answer))
        archive.writestr(filename(answer, "xlsx"), tables_xlsx(answer))
        manifest = json.dumps(answer_manifest(question=question, answer=answer), indent=2)
        archive.writestr("manifest.json", manifest.encode("utf-8"))
    return RenderedDocument(
        content=buffer.getvalue(),
        content_type="application/zip",
        filename=filename(answer, "zip").replace(".zip", "-pack.zip"),
    )


# --- the tables -------------------------------------------------------------------------


def _sheet_value(text: str, value: Decimal | Figure | None):
    if isinstance(value, Figure):
        return value.label if value.hidden else value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return text


def tables_xlsx(answer: Answer) -> bytes:
    """One sheet per table of the answer, named after its part and place: ``2.1``, ``2.2``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for part in answer.parts:
        for index, table in enumerate(part.tables, start=1):
            _table_sheet(workbook.create_sheet(f"{part.number}.{index}"), table)
    if not workbook.worksheets:
        workbook.create_sheet("-")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table_sheet(sheet, table: Table) -> None:
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        if row.heading:
            sheet.append([row.cells[0]])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            continue
        values = row.values or (None,) * len(row.cells)
        sheet.append(
            [_sheet_value(text, value) for text, value in zip(row.cells, values, strict=True)]
        )
        sheet.cell(sheet.max_row, 1).alignment = Alignment(indent=row.depth * 2)
        for cell in sheet[sheet.max_row][1:]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 60


# --- the manifest -----------------------------------------------------------------------


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def answer_manifest(*, question: WrittenQuestion, answer: Answer) -> dict:
    """Every figure of the answer with its source, as JSON-ready data (Decimals as strings)."""
    question = question_get(pk=question.pk)
    figures = []
    for sub in question.sub_questions.all():
        projects = list(sub.projects.all())
        if sub.topic == Topic.KPI_RESULTS:
            figures.extend(_kpi_figures(sub.number, projects, answer.language))
        elif sub.topic == Topic.FINANCING:
            figures.extend(_money_figures(sub.number, projects))
    return {
        "manifest_version": MANIFEST_VERSION,
        "question": {
            "number": question.number,
            "session": question.session,
            "date": question.date.isoformat(),
            "title": question.title,
        },
        "language": answer.language,
        "generated_at": timezone.now().isoformat(),
        "suppression_threshold": default_threshold(),
        "figures": [{key: _json(value) for key, value in figure.items()} for figure in figures],
    }


def _value_source(value: KpiValue | None) -> dict:
    if value is None:
        return {"source": None}
    version = value.definition_version
    computed = version is not None
    return {
        "source": value.source,
        "measure_definition": version.definition.code if computed else None,
        "measure_definition_version": version.number if computed else None,
        "computed_at": value.recorded_at if computed else None,
        "recorded_at": None if computed else value.recorded_at,
    }


def _published(figure: Figure | None, value) -> dict:
    if figure is None:
        return {"value": value}
    return {"value": figure.value, "shown_as": figure.label} if figure.hidden else {"value": value}


def _kpi_figures(part: int, projects, language: str) -> list[dict]:
    result = []
    provenance = projects_kpi_provenance(projects=projects)  # one query, not one per project
    for kpis in projects_kpis(projects=projects):
        published = people_figures(kpis, provenance=provenance)
        provenance = _provenance(kpis.rows)
        project = {"part": part, "project": kpis.project.name, "project_id": kpis.project.pk}
        for row in kpis.rows:
            if row.kind == rules.Kind.QUALITATIVE:
                continue
            kpi = {
                **project,
                "kpi_id": row.kpi.pk,
                "kpi": row.kpi.label(language),
                "kind": row.kind.value,
                "unit": row.kpi.unit,
            }
            figure = published.get(("kpi", row.kpi.pk))
            realised = row.realised
            result.append(
                {
                    **kpi,
                    "figure": "realised",
                    "objective": row.kpi.objective_value,
                    "objective_percent": row.kpi.objective_percent,
                    "objective_ratio": _ratio(row.kpi.objective),
                    **_published(figure, realised.value),
                    "baseline": realised.baseline,
                    "ratio": _ratio(realised),
                    "verdict": row.assessment.verdict.value,
                    "counts_people": figure is not None,
                    **_value_source(provenance.get(row.kpi.pk)),
                }
            )
            for group in kpis.target_group_counts.get(row.kpi.pk, []):
                result.append(
                    {
                        **kpi,
                        "figure": "target_group",
                        "target_group": group.target_group.code,
                        **_published(published[("group", group.pk)], group.count),
                        "source": group.source,
                    }
                )
            for outcome in kpis.outcomes.get(row.kpi.pk, []):
                result.append(
                    {
                        **kpi,
                        "figure": "outcome",
                        "status": OutcomeStatus(outcome.status).value,
                        "programme": outcome.programme,
                        "as_of": outcome.as_of,
                        **_published(published[("outcome", outcome.pk)], outcome.count),
                        "source": outcome.source,
                    }
                )
    return result


def _ratio(figures: rules.Figures) -> str | None:
    if figures.numerator is None or figures.denominator is None:
        return None
    return f"{figures.numerator}/{figures.denominator}"


def _provenance(rows) -> dict[int, KpiValue]:
    """The current value of each KPI with its definition version, in one query."""
    ids = [row.value.pk for row in rows if row.value is not None]
    values = KpiValue.objects.filter(pk__in=ids).select_related("definition_version__definition")
    return {value.kpi_id: value for value in values}


def _money_figures(part: int, projects) -> list[dict]:
    dossiers = {d.project_id: d for d in dossier_list().filter(project__in=projects)}
    result = []
    for project in projects:
        dossier = dossiers.get(project.pk)
        if dossier is None or dossier.net_amount is None:
            continue  # the answer gives no figures for it
        settled = [
            change for change in dossier_history(dossier=dossier) if change.status in SETTLEMENT
        ]
        result.append(
            {
                "part": part,
                "project": project.name,
                "project_id": project.pk,
                "figure": "money",
                "dossier_id": dossier.pk,
                "dossier_reference": dossier.reference,
                "dossier_status": dossier.current_status,
                "allocated": dossier.allocated_amount,
                "net": dossier.net_amount,
                "difference": dossier.difference,
                "settlement": [
                    {"status": change.status, "on": change.changed_on.isoformat()}
                    for change in settled
                ],
            }
        )
    return result

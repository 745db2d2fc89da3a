"""``python -m grantmonitor kpis --project Stebo --format csv``: every KPI as data.

One row per KPI with its project, track, parent, kind, objective and realised value (the
numbers, plus the text a document shows), source, verdict and achievement.
"""

import argparse
import csv
import io
import json
from decimal import Decimal

from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import call_get_by_title, project_list
from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.documents import kpi_text
from grantmonitor.kpis.selectors import ProjectKpis, projects_kpis

NAME = "kpis"
HELP = _(  # a str, not lazy: argparse formats it (commands load after django.setup())
    "List every KPI with its objective, realised value and verdict as CSV or JSON."
)

COLUMNS = (
    "call",
    "project",
    "track",
    "parent",
    "kpi",
    "depth",
    "kind",
    "objective_value",
    "objective_percent",
    "objective_numerator",
    "objective_denominator",
    "objective_display",
    "realised_value",
    "realised_baseline",
    "realised_numerator",
    "realised_denominator",
    "realised_display",
    "source",
    "verdict",
    "verdict_display",
    "achievement_percent",
    "achievement_display",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", help=_("only this project (its name)"))
    parser.add_argument("--call", help=_("only the projects of this call (its title)"))
    parser.add_argument(
        "--format", dest="fmt", choices=("csv", "json"), default="csv", help=_("format")
    )
    parser.add_argument(
        "--lang", choices=("nl", "en"), default="nl", help=_("language of the texts")
    )
    parser.add_argument(
        "-o", "--output", default="-", help=_("file to write; default: standard output")
    )


def run(args: argparse.Namespace) -> int:
    try:
        projects = _projects(project=args.project, call=args.call)
        with translation.override(args.lang):
            rows = kpi_rows(projects_kpis(projects=projects), language=args.lang)
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    content = to_json(rows) if args.fmt == "json" else to_csv(rows)
    return write_output(content.encode("utf-8"), args.output)


def _projects(*, project: str | None, call: str | None) -> list[Project]:
    projects = project_list()
    if call:
        try:
            projects = project_list(call=call_get_by_title(title=call))
        except Call.DoesNotExist as exc:
            raise CommandFailed(_("There is no call titled “%(call)s”.") % {"call": call}) from exc
    if project:
        projects = projects.filter(name__iexact=project)
    found = list(projects.order_by("call__title", "order", "name"))
    if project and not found:
        raise CommandFailed(_("There is no project named “%(project)s”.") % {"project": project})
    if project and len(found) > 1:
        raise CommandFailed(
            _("Several calls have a project named “%(project)s”; give --call.")
            % {"project": project}
        )
    return found


def kpi_rows(tables: list[ProjectKpis], *, language: str) -> list[dict]:
    """One dict per KPI, numbers as ``Decimal`` (or None), texts as a document shows them."""
    result = []
    for table in tables:
        labels = {row.kpi.pk: row.kpi.label(language) for row in table.rows}
        for block in table.blocks:
            for row in block.rows:
                kpi, realised = row.kpi, row.realised
                result.append(
                    {
                        "call": table.project.call.title,
                        "project": table.project.name,
                        "track": block.track.label(language) if block.track else "",
                        "parent": labels.get(kpi.parent_id, ""),
                        "kpi": labels[kpi.pk],
                        "depth": row.depth,
                        "kind": kpi.kind,
                        "objective_value": kpi.objective_value,
                        "objective_percent": kpi.objective_percent,
                        "objective_numerator": kpi.objective_numerator,
                        "objective_denominator": kpi.objective_denominator,
                        "objective_display": kpi_text.objective_text(row, language),
                        "realised_value": realised.value,
                        "realised_baseline": realised.baseline,
                        "realised_numerator": realised.numerator,
                        "realised_denominator": realised.denominator,
                        "realised_display": kpi_text.realised_text(row, language),
                        "source": row.source,
                        "verdict": row.assessment.verdict.value,
                        "verdict_display": kpi_text.verdict_label(row.assessment.verdict),
                        "achievement_percent": row.assessment.score_percent,
                        "achievement_display": kpi_text.achievement_text(row, language),
                    }
                )
    return result


def _plain(value):
    """``Decimal("1347.00")`` -> ``1347``; ``Decimal("0.25")`` -> ``0.25``."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else _plain(value) for key, value in row.items()})
    return buffer.getvalue()


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_json(rows: list[dict]) -> str:
    data = [{key: _json_number(value) for key, value in row.items()} for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

"""``python -m grantmonitor iati import FILE [--call NAME]``, ``iati export --call NAME -o FILE``.

Import reads an IATI activity file (2.0x or 1.0x) with results into a call and prints what
was created and what was skipped and why; it exits with 1 when nothing sound could be
imported. Export writes a call's projects as an IATI 2.03 activity file.
"""

import argparse
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Call
from grantmonitor.calls.selectors import call_get_by_title
from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.interchange.iati_export import IatiExportError, ReportingOrg, export_call
from grantmonitor.interchange.iati_import import IatiFileError, ImportReport, iati_import

NAME = "iati"
HELP = _("Import IATI activity files with results into a call, or export a call as IATI.")
NOTHING_IMPORTED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="iati_command", required=True, metavar="ACTION")
    importing = sub.add_parser(
        "import",
        help=_("import an IATI activity file (2.0x or 1.0x) with results"),
        description=_(
            "Import every sound activity of an IATI file as a project with count KPIs; "
            "report every value skipped and why."
        ),
    )
    importing.add_argument("file", help=_("the IATI XML file; '-' for standard input"))
    importing.add_argument(
        "--call",
        help=_("title of the call to import into; created if new (default: 'IATI FILE')"),
    )
    exporting = sub.add_parser(
        "export",
        help=_("write a call's projects as an IATI 2.03 activity file"),
        description=_("Write a call's projects and KPIs as an IATI 2.03 activity file."),
    )
    exporting.add_argument("--call", required=True, help=_("the call's title"))
    exporting.add_argument(
        "-o", "--output", required=True, help=_("file to write; '-' for standard output")
    )
    exporting.add_argument(
        "--reporting-org-ref",
        default=settings.IATI_REPORTING_ORG_REF,
        help=_(
            "the funder's IATI organisation identifier (default: setting IATI_REPORTING_ORG_REF)"
        ),
    )
    exporting.add_argument(
        "--reporting-org-name",
        default=settings.IATI_REPORTING_ORG_NAME,
        help=_(
            "the funder's name (default: setting IATI_REPORTING_ORG_NAME, "
            "else the call's portfolio)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    try:
        if args.iati_command == "import":
            return _import(args)
        return _export(args)
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc


def _import(args: argparse.Namespace) -> int:
    source = sys.stdin.buffer if args.file == "-" else Path(args.file)
    name = "stdin" if args.file == "-" else source.name
    if isinstance(source, Path) and not source.is_file():
        raise CommandFailed(_("There is no file %(path)s.") % {"path": source})
    try:
        report = iati_import(source=source, call_title=args.call or f"IATI {name}", file_name=name)
    except IatiFileError as exc:
        raise CommandFailed(f"{name}: {exc}") from exc
    except ValidationError as exc:
        raise CommandFailed(f"--call: {' '.join(exc.messages)}") from exc
    except Call.MultipleObjectsReturned as exc:
        raise CommandFailed(
            _("Several calls are titled “%(call)s”; give the exact title.") % {"call": args.call}
        ) from exc
    print(summary(report))
    return 0 if report.imported_anything else NOTHING_IMPORTED


def _export(args: argparse.Namespace) -> int:
    try:
        call = call_get_by_title(title=args.call)
    except Call.DoesNotExist as exc:
        raise CommandFailed(_("There is no call titled “%(call)s”.") % {"call": args.call}) from exc
    if not args.reporting_org_ref:
        raise CommandFailed(
            _(
                "Give --reporting-org-ref (the funder's IATI identifier) "
                "or set IATI_REPORTING_ORG_REF."
            )
        )
    name = args.reporting_org_name or call.portfolio or call.minister
    if not name:
        raise CommandFailed(
            _("Give --reporting-org-name: the call names no portfolio or minister.")
        )
    try:
        content = export_call(
            call=call, reporting_org=ReportingOrg(ref=args.reporting_org_ref, name=name)
        )
    except IatiExportError as exc:
        raise CommandFailed(str(exc)) from exc
    return write_output(content, args.output)


def summary(report: ImportReport) -> str:
    """What the import created and what it skipped and why, one fact a line."""
    lines = [_("Activities in the file: %(count)s") % {"count": report.activities_found}]
    if report.call is not None:
        count = report.call.number_of_projects
        wording = (
            _("Call created: “%(call)s” (number of projects: %(count)s)")
            if report.call_created
            else _("Imported into the existing call “%(call)s”")
        )
        lines.append(wording % {"call": report.call.title, "count": count})
    for label, names in (
        (_("Organisations created"), report.organisations_created),
        (_("Projects created"), report.projects_created),
        (_("Projects already imported"), report.projects_found),
    ):
        lines.append(f"{label}: {len(names)}" + (f" ({', '.join(names)})" if names else ""))
    lines.append(_("KPIs created: %(count)s") % {"count": report.kpis_created})
    lines.append(
        _("Values recorded: %(recorded)s; already current: %(unchanged)s")
        % {"recorded": report.values_recorded, "unchanged": report.values_unchanged}
    )
    lines.append(_("Skipped: %(count)s") % {"count": len(report.skipped)})
    lines.extend(f"  - {skipped}" for skipped in report.skipped)
    if not report.imported_anything:
        lines.append(_("Nothing sound could be imported."))
    return "\n".join(lines)

"""``python -m grantmonitor import FILE --kind KIND [--project NAME] [--valid-only]``.

Imports a spreadsheet (XLSX or CSV) of register data or reported KPI values, prints what was
created, what was already there and every refused row with its reason, and exits with 1 when
nothing sound could be imported (with any refused row and no ``--valid-only``, nothing is
saved). ``--template`` writes the empty template of the kind to FILE instead.
"""

import argparse
import sys
from pathlib import Path

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.common.money import format_number
from grantmonitor.imports.importer import BATCH_SIZE, ImportReport, import_file
from grantmonitor.imports.kinds import KINDS
from grantmonitor.imports.sheets import SheetError
from grantmonitor.imports.templates import template_csv, template_xlsx

NAME = "import"
HELP = _(
    "Import a spreadsheet (XLSX or CSV) of participants, activities, attendance or KPI values."
)
NOTHING_IMPORTED = 1
PROGRESS_EVERY = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help=_("the .xlsx or .csv file"))
    parser.add_argument(
        "--kind", required=True, choices=sorted(KINDS), help=_("what the file holds")
    )
    parser.add_argument(
        "--project", default="", help=_("the project's name, when the file has no project column")
    )
    parser.add_argument(
        "--valid-only",
        action="store_true",
        help=_("save the valid rows even when others are refused (default: all or nothing)"),
    )
    parser.add_argument(
        "--template",
        action="store_true",
        help=_("write the kind's empty template to FILE (.xlsx or .csv) instead of importing"),
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.template:
        maker = template_xlsx if path.suffix.lower() == ".xlsx" else template_csv
        return write_output(maker(args.kind), args.file)
    if not path.is_file():
        raise CommandFailed(_("There is no file %(path)s.") % {"path": path})
    try:
        report = import_file(
            source=path,
            file_name=path.name,
            kind=args.kind,
            project=args.project,
            valid_only=args.valid_only,
            progress=_progress,
        )
    except SheetError as exc:
        raise CommandFailed(f"{path.name}: {exc}") from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    print(summary(report))
    return 0 if report.imported_anything else NOTHING_IMPORTED


def _progress(report: ImportReport) -> None:
    """A line on standard error every ``PROGRESS_EVERY`` rows, so a long import shows life."""
    if report.rows % PROGRESS_EVERY < BATCH_SIZE and report.rows >= PROGRESS_EVERY:
        print(_("… %(rows)s rows read") % {"rows": format_number(report.rows)}, file=sys.stderr)


def summary(report: ImportReport) -> str:
    """What the import created, what was already there, and every refused row and why."""
    lines = [
        _("Rows read: %(count)s") % {"count": format_number(report.rows)},
        _("Created: %(count)s") % {"count": format_number(report.created if report.saved else 0)},
        _("Unchanged (already present): %(count)s") % {"count": format_number(report.unchanged)},
        _("Refused: %(count)s") % {"count": format_number(report.failed)},
    ]
    lines.extend(f"  - {error}" for error in report.errors)
    if report.errors_not_shown:
        lines.append(
            _("  … and %(count)s more refused rows")
            % {"count": format_number(report.errors_not_shown)}
        )
    if not report.saved:
        lines.append(
            _(
                "Nothing was saved because %(count)s rows were refused; correct them, "
                "or import with --valid-only to save only the valid rows."
            )
            % {"count": report.failed}
        )
    elif not report.imported_anything:
        lines.append(_("Nothing sound could be imported."))
    return "\n".join(lines)

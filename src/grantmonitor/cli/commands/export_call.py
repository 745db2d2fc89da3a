"""``python -m grantmonitor export-call NAME -o FILE``: a whole call as a portable archive.

JSON lines, gzip-compressed when FILE ends in ``.gz``; ``import-call`` reads it back.
"""

import argparse
import gzip

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Call
from grantmonitor.calls.selectors import call_get_by_title
from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.porting.archive import ArchiveError, export_call

NAME = "export-call"
HELP = _("Write a whole call (projects, KPIs, register, dossiers, questions) as one archive.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help=_("the call's title"))
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help=_("file to write, gzip-compressed if it ends in .gz; '-' for standard output"),
    )


def run(args: argparse.Namespace) -> int:
    try:
        call = call_get_by_title(title=args.name)
        content = export_call(call=call)
    except Call.DoesNotExist as exc:
        raise CommandFailed(_("No call titled “%(title)s”.") % {"title": args.name}) from exc
    except ArchiveError as exc:
        raise CommandFailed(str(exc)) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    record_event(
        actor=None, action="export", target=call, detail={"via": "cli", "format": "archive"}
    )
    if args.output.endswith(".gz"):
        content = gzip.compress(content)
    return write_output(content, args.output)

"""``python -m grantmonitor opendata --call NAME --format csv|xlsx -o FILE``: published figures.

The same files as the open-data page: a call's KPIs, target groups and outcomes, with small
counts of people suppressed. Only a published call's: public, so not logged as an export.
``--unpublished`` writes a call not published (yet), as the page shows it to the funder's
administrator before deciding; that file is not public, so it is logged as an export.
"""

import argparse

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Call
from grantmonitor.calls.selectors import call_get_by_title, call_published
from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.documents.opendata import CSV_DIALECTS, call_csv, call_xlsx

NAME = "opendata"
HELP = _("Write a call's published figures, small counts of people suppressed, as CSV or XLSX.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--call", required=True, help=_("the call's title"))
    parser.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="csv")
    parser.add_argument(
        "--dialect",
        choices=list(CSV_DIALECTS),
        default="open",
        help=_(
            "CSV layout: 'open' (commas, decimal points) or 'excel-nl' (semicolons, decimal "
            "commas, for Excel in Dutch)"
        ),
    )
    parser.add_argument("--lang", choices=("nl", "en"), default="nl", help=_("language of labels"))
    parser.add_argument(
        "--unpublished",
        action="store_true",
        help=_("also write a call whose figures are not published (yet), to check them first"),
    )
    parser.add_argument(
        "-o", "--output", required=True, help=_("file to write; '-' for standard output")
    )


def run(args: argparse.Namespace) -> int:
    try:
        call = call_get_by_title(title=args.call)
        published = call_published(call)
        if not published and not args.unpublished:
            raise CommandFailed(
                _(
                    "The figures of “%(call)s” are not published: add --unpublished to write "
                    "them anyway, to check them before publication."
                )
                % {"call": call.title}
            )
        if args.fmt == "xlsx":
            content = call_xlsx(call=call, language=args.lang)
        else:
            content = call_csv(call=call, dialect=args.dialect, language=args.lang)
    except Call.DoesNotExist as exc:
        raise CommandFailed(_("There is no call titled “%(call)s”.") % {"call": args.call}) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    if not published:
        record_event(
            actor=None,
            action="export",
            target=call,
            detail={"via": "cli", "format": args.fmt, "unpublished": True},
        )
    return write_output(content, args.output)

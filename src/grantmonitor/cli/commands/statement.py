"""``statement PROJECT --format pdf|docx``: a dossier's settlement statement."""

import argparse

from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grantmonitor.audit.services import record_event
from grantmonitor.cli.main import CommandFailed, database_problem, find_project, write_output
from grantmonitor.documents.statement_render import render_statement
from grantmonitor.dossiers.models import Dossier

NAME = "statement"
HELP = gettext_lazy("Write a dossier's settlement statement as PDF or DOCX.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help=gettext_lazy("the project's name, e.g. Hefboom"))
    parser.add_argument(
        "--format", dest="fmt", choices=("pdf", "docx"), default="pdf", help=gettext_lazy("format")
    )
    parser.add_argument("--lang", choices=("nl", "en"), default="nl", help=gettext_lazy("language"))
    parser.add_argument(
        "-o",
        "--output",
        help=gettext_lazy("file to write; '-' for standard output; default: a name in this folder"),
    )


def run(args: argparse.Namespace) -> int:
    try:
        project = find_project(args.project)
        document = render_statement(dossier=project.dossier, fmt=args.fmt, language=args.lang)
    except Dossier.DoesNotExist as exc:
        raise CommandFailed(
            _("Project “%(project)s” has no dossier yet.") % {"project": args.project}
        ) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    record_event(
        actor=None,
        action="export",
        target=project.dossier,
        detail={"via": "cli", "format": args.fmt, "language": args.lang},
    )
    return write_output(document.content, args.output or document.filename)

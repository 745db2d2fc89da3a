"""``python -m grantmonitor answer 418 --format docx -o answer.docx``: the answer as a file."""

import argparse

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.audit.services import record_event
from grantmonitor.cli.main import CommandFailed, database_problem, write_output
from grantmonitor.documents.answer_pack import answer_pack
from grantmonitor.documents.render import FORMATS, render_answer
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import AmbiguousQuestion, question_find

NAME = "answer"
HELP = _(  # a str, not lazy: argparse formats it (commands load after django.setup())
    "Write the answer to a written question as DOCX, PDF, HTML or Markdown, or its answer pack "
    "as ZIP."
)
LANGUAGES = ("nl", "en")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("number", type=int, help=_("the question's number, e.g. 418"))
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=[*FORMATS, "zip"],
        default="docx",
        help=_("file format; zip: the answer pack (DOCX, PDF, XLSX of the tables, manifest)"),
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="nl", help=_("language of the answer"))
    parser.add_argument(
        "--session", help=_("parliamentary session, e.g. 2017-2018, if numbers repeat")
    )
    parser.add_argument("--minister", help=_("(part of) the minister's name, if numbers repeat"))
    parser.add_argument(
        "-o",
        "--output",
        help=_("file to write; '-' for standard output; default: a name in this folder"),
    )


def run(args: argparse.Namespace) -> int:
    try:
        question = question_find(number=args.number, session=args.session, minister=args.minister)
        if args.fmt == "zip":
            document = answer_pack(question=question, language=args.lang)
        else:
            document = render_answer(question=question, fmt=args.fmt, language=args.lang)
    except WrittenQuestion.DoesNotExist as exc:
        raise CommandFailed(
            _("There is no written question nr. %(number)s%(filters)s.")
            % {"number": args.number, "filters": _filters(args)}
        ) from exc
    except AmbiguousQuestion as exc:
        raise CommandFailed(
            _("Several written questions have nr. %(number)s; give --session or --minister.")
            % {"number": args.number}
        ) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    record_event(
        actor=None,
        action="export",
        target=question,
        detail={"via": "cli", "format": args.fmt, "language": args.lang},
    )
    return write_output(document.content, args.output or document.filename)


def _filters(args: argparse.Namespace) -> str:
    parts = []
    if args.session:
        parts.append(_("session %(session)s") % {"session": args.session})
    if args.minister:
        parts.append(_("minister %(minister)s") % {"minister": args.minister})
    return f" ({', '.join(parts)})" if parts else ""

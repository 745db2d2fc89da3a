"""``python -m grantmonitor question import FILE.json`` and ``question overdue``.

``import`` reads written questions from a saved Flemish Parliament open-data file and creates or
updates them (all or nothing); ``overdue`` lists the questions whose answer deadline has passed
without an answer date.
"""

import argparse
import datetime
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.cli.main import CommandFailed, database_problem
from grantmonitor.questions.parliament import ParliamentFormatError, import_file
from grantmonitor.questions.selectors import (
    answer_deadline,
    question_answer_days,
    question_overdue_list,
)

NAME = "question"
HELP = _(  # a str, not lazy: argparse formats it (commands load after django.setup())
    "Import written questions from the parliament's open data; list overdue ones."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import",
        help=_("import questions from a saved open-data JSON file"),
        description=_("import questions from a saved open-data JSON file"),
    )
    importing.add_argument("file", type=Path, help=_("the JSON file"))
    overdue = actions.add_parser(
        "overdue",
        help=_("list the questions whose answer deadline has passed"),
        description=_("list the questions whose answer deadline has passed"),
    )
    overdue.add_argument(
        "--today",
        type=_date,
        help=_("the day to judge on, as 2018-04-23; default: today"),
    )


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date; write it as 2018-04-23.") % {"value": text}
        ) from exc


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "import":
            return _import(args.file)
        return _overdue(args.today)
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc


def _import(path: Path) -> int:
    try:
        imported = import_file(path)
    except ParliamentFormatError as exc:
        print(_("Nothing was imported from %(file)s:") % {"file": path}, file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        raise CommandFailed(
            _("Nothing was imported from %(file)s: %(errors)s")
            % {"file": path, "errors": "; ".join(exc.messages)}
        ) from exc
    for item in imported:
        question = item.question
        line = (_("created") if item.created else _("updated")) + ": " + _describe(question)
        if item.missing:
            line += " — " + _("not in the source: %(fields)s") % {"fields": ", ".join(item.missing)}
        print(line)
    created = sum(item.created for item in imported)
    print(
        _("%(created)s created, %(updated)s updated.")
        % {"created": created, "updated": len(imported) - created}
    )
    return 0


def _overdue(today: datetime.date | None) -> int:
    days = question_answer_days()
    questions = list(question_overdue_list(today=today, days=days))
    if not questions:
        print(_("No written question is overdue."))
        return 0
    for question in questions:
        deadline = answer_deadline(asked_on=question.date, days=days)
        print(
            _("%(question)s — asked %(asked)s, to answer by %(deadline)s")
            % {
                "question": _describe(question),
                "asked": question.date.isoformat(),
                "deadline": deadline.isoformat(),
            }
        )
    print(
        _("%(count)s overdue (deadline: %(days)s working days).")
        % {"count": len(questions), "days": days}
    )
    return 0


def _describe(question) -> str:
    return _("nr. %(number)s (%(session)s) of %(questioner)s to %(minister)s") % {
        "number": question.number,
        "session": question.session,
        "questioner": question.questioner,
        "minister": question.minister,
    }

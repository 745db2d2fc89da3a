"""``python -m grantmonitor import-call FILE``: recreate a call from an ``export-call`` archive.

All of it in one transaction or nothing; refuses an archive of an unknown format or version
and a call whose title already exists here (exit status 2).
"""

import argparse
import sys
from pathlib import Path

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.cli.main import CommandFailed, database_problem
from grantmonitor.common.money import format_number
from grantmonitor.porting.archive import ArchiveError, import_call

NAME = "import-call"
HELP = _("Recreate a call from an export-call archive, in one transaction.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help=_("the archive (.jsonl or .jsonl.gz); '-' for standard input"))


def run(args: argparse.Namespace) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandFailed(
            _("Cannot read %(path)s: %(error)s") % {"path": args.file, "error": exc.strerror}
        ) from exc
    try:
        result = import_call(data=data)
    except ArchiveError as exc:
        raise CommandFailed(_("%(error)s Nothing was imported.") % {"error": exc}) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc
    for warning in result.warnings:
        print(_("warning: %(warning)s") % {"warning": warning}, file=sys.stderr)
    print(
        _("Imported call “%(title)s”: %(records)s records.")
        % {"title": result.call.title, "records": format_number(sum(result.counts.values()))}
    )
    return 0

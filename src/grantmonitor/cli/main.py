"""``python -m grantmonitor COMMAND``: the command line, a thin caller of documents and services.

Each command is a module in ``grantmonitor.cli.commands`` with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``.
"""

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path

from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.cli import commands


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grantmonitor",
        description=_("grantmonitor on the command line: answers, KPIs, imports and exports."),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        summary = str(module.HELP)  # argparse formats it: a lazy translation must be a str
        command = sub.add_parser(module.NAME, help=summary, description=summary)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantmonitor.conf.settings")
    import django

    django.setup()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CommandFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class CommandFailed(Exception):
    """A clear, expected failure: printed without a traceback, exit status 2."""


def find_project(name: str):
    """The project of that name, or a ``CommandFailed`` saying there is none or several."""
    from grantmonitor.calls.models import Project  # models load after django.setup() in main
    from grantmonitor.calls.selectors import project_find

    try:
        return project_find(name=name)
    except Project.DoesNotExist as exc:
        raise CommandFailed(
            _("There is no project named “%(project)s”.") % {"project": name}
        ) from exc
    except Project.MultipleObjectsReturned as exc:
        raise CommandFailed(
            _("Several calls have a project named “%(project)s”.") % {"project": name}
        ) from exc


def database_problem(exc: DatabaseError) -> str:
    return _(
        "The database cannot be read (%(error)s). Run `make run` once to create the demo "
        "database, or set DATABASE_URL."
    ) % {"error": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}


def write_output(content: bytes, target: str) -> int:
    """Write to ``target`` (``-``: standard output) and say where on standard error."""
    if target == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    path = Path(target)
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise CommandFailed(
            _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    print(_("Wrote %(path)s") % {"path": path}, file=sys.stderr)
    return 0

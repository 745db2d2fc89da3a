"""``python -m grantmonitor recompute [--project NAME] [--from-register]``: recompute the KPIs
bound to a definition.

Stores a new computed value only where the figures or the definition version changed, so
running it twice changes nothing the second time. ``--from-register`` counts every figure
from the register itself and keeps the KPI inputs anew (:mod:`grantmonitor.kpis.kept`): an
operator's check that they were exact, which changes no value if they were.
"""

import argparse

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grantmonitor.calls.models import Project
from grantmonitor.calls.selectors import project_find
from grantmonitor.cli.main import CommandFailed
from grantmonitor.common.money import format_number
from grantmonitor.kpis import kept
from grantmonitor.kpis.engine import recompute_all

NAME = "recompute"
HELP = gettext_lazy("Recompute the KPIs that are computed from the register.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project", help=gettext_lazy("only this project (its name); default: every project")
    )
    parser.add_argument(
        "--from-register",
        action="store_true",
        help=gettext_lazy(
            "count from the register itself and keep the KPI inputs anew (a check that they "
            "were exact)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    projects = None
    if args.project:
        try:
            projects = [project_find(name=args.project)]
        except (Project.DoesNotExist, Project.MultipleObjectsReturned) as exc:
            raise CommandFailed(
                _("No single project is named “%(name)s”.") % {"name": args.project}
            ) from exc
    with transaction.atomic():
        if args.from_register:
            kept.forget(projects=projects)
        stored = recompute_all(projects=projects)
    print(_("%(count)s KPI values changed and stored.") % {"count": format_number(stored)})
    return 0

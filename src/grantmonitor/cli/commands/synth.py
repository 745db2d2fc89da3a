"""``python -m grantmonitor synth --scale N``: generate the synthetic register and compute.

Scale 1 records for the demo projects (loaded first when absent) the register from which the
engine computes the seed's realised values; each larger scale adds ``10 × N`` synthetic
projects with about a thousand people and ten thousand attendance rows each.
"""

import argparse
import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grantmonitor.cli.main import CommandFailed
from grantmonitor.common.money import format_number
from grantmonitor.register.synth import SynthError, synth

NAME = "synth"
HELP = gettext_lazy("Generate a synthetic register consistent with the seed and compute the KPIs.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help=gettext_lazy("1: the demo projects only; N: also 10 × N synthetic projects"),
    )
    parser.add_argument(
        "--seed", type=int, default=418, help=gettext_lazy("random seed (same seed, same data)")
    )


def run(args: argparse.Namespace) -> int:
    try:
        report = synth(scale=args.scale, seed=args.seed)
    except SynthError as exc:
        raise CommandFailed(str(exc)) from exc
    print(
        _(
            "%(projects)s projects, %(participants)s participants, %(attendances)s attendances; "
            "%(values)s KPI values stored."
        )
        % {
            "projects": format_number(report.projects),
            "participants": format_number(report.participants),
            "attendances": format_number(report.attendances),
            "values": format_number(report.values_stored),
        }
    )
    for step, seconds in report.seconds.items():
        print(f"{step}: {seconds:.1f} s", file=sys.stderr)
    return 0

"""``participant export|erase|rotate-keys``: the GDPR rights on the command line.

``participant export HEF-0042 --project Hefboom -o fatima.json`` writes everything held about
one person, identity included; ``participant erase HEF-0042 --project Hefboom --reason "…"``
erases the identity and keeps the anonymous records; ``participant rotate-keys`` re-encrypts
every identity with the first key of ``GRANTMONITOR_IDENTITY_KEYS``. A participant whose
reference was erased is named by its number: ``#123``. Exports and erasures are recorded in
the audit trail as done on the command line.
"""

import argparse
import sys

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from grantmonitor.cli.main import CommandFailed, database_problem, find_project, write_output
from grantmonitor.register.gdpr import participant_erase_identity, participant_export
from grantmonitor.register.identity import identity_rotate_keys
from grantmonitor.register.models import Participant
from grantmonitor.register.selectors import participant_find, participant_get

NAME = "participant"
HELP = _("Export all data of one participant, erase an identity, or re-encrypt identities.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help=_("write everything held about one participant as JSON")
    )
    _person_arguments(export)
    export.add_argument(
        "-o",
        "--output",
        default="-",
        help=_("file to write; '-' (the default) for standard output"),
    )
    erase = actions.add_parser(
        "erase", help=_("erase a participant's identity; the anonymous records stay")
    )
    _person_arguments(erase)
    erase.add_argument("--reason", required=True, help=_("why, e.g. whose request"))
    actions.add_parser(
        "rotate-keys", help=_("re-encrypt every identity with the first identity key")
    )


def _person_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "participant", help=_("the promoter's reference, or #number for the participant's number")
    )
    parser.add_argument("--project", required=True, help=_("the project's name, e.g. Hefboom"))


def _find(args: argparse.Namespace) -> Participant:
    project = find_project(args.project)
    name = args.participant
    try:
        if name.startswith("#") and name[1:].isdigit():
            participant = participant_get(pk=int(name[1:]))
            if participant.project_id != project.pk:
                raise Participant.DoesNotExist
            return participant
        return participant_find(project=project, reference=name)
    except Participant.DoesNotExist as exc:
        raise CommandFailed(
            _("Project %(project)s has no participant “%(participant)s”.")
            % {"project": project.name, "participant": name}
        ) from exc
    except Participant.MultipleObjectsReturned as exc:
        raise CommandFailed(
            _(
                "Several participants of %(project)s have the reference “%(participant)s”: "
                "name one by its number (#number, shown on its privacy page)."
            )
            % {"project": project.name, "participant": name}
        ) from exc


def _export(args: argparse.Namespace) -> int:
    return write_output(participant_export(_find(args), actor=None), args.output)


def _erase(args: argparse.Namespace) -> int:
    participant = _find(args)
    try:
        erasure = participant_erase_identity(participant, actor=None, reason=args.reason)
    except ValidationError as exc:
        raise CommandFailed(" ".join(exc.messages)) from exc
    print(
        _(
            "Erased participant #%(pk)s of %(project)s: identity %(identity)s, reference "
            "%(reference)s, %(reasons)s referral reason(s) cleared; the person key and the "
            "records stay."
        )
        % {
            "pk": participant.pk,
            "project": participant.project.name,
            "identity": _("deleted") if erasure.identity_deleted else _("none kept"),
            "reference": _("cleared") if erasure.reference_cleared else _("none"),
            "reasons": erasure.referral_reasons_cleared,
        },
        file=sys.stderr,
    )
    return 0


def _rotate(args: argparse.Namespace) -> int:
    count = identity_rotate_keys()
    print(
        _("Re-encrypted %(count)s identities with the first key.") % {"count": count},
        file=sys.stderr,
    )
    return 0


ACTIONS = {"export": _export, "erase": _erase, "rotate-keys": _rotate}


def run(args: argparse.Namespace) -> int:
    try:
        return ACTIONS[args.action](args)
    except ImproperlyConfigured as exc:
        raise CommandFailed(str(exc)) from exc
    except DatabaseError as exc:
        raise CommandFailed(database_problem(exc)) from exc

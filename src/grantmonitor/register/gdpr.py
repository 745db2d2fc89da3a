"""The GDPR rights on the register: access (everything held about one person) and erasure.

Erasure removes what names a person — the identity row and the free text a coach typed about
them (the promoter's reference, the reasons of referrals) — and keeps the pseudonymous records,
so every KPI value and every composed answer computed from them stays the same. The person key
(the keyed hash of the INSZ) is kept too: it names nobody without the INSZ and the key, and
without it a person in two projects would count twice in call figures already reported.

Both are recorded in the audit trail. ``actor`` None is the operator on the command line, who
holds the database and its keys anyway.
"""

import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grantmonitor.accounts import permissions
from grantmonitor.audit.services import record_event
from grantmonitor.register.identity import identity_get, identity_get_as_operator
from grantmonitor.register.models import Participant, ParticipantIdentity
from grantmonitor.register.selectors import participant_records

EXPORT_FORMAT = "grantmonitor participant export 1"
# As in Django's json_script: the same JSON, but no browser can read markup in it.
_HTML_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _refuse_unless(decision: permissions.Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


def _via(actor) -> dict:
    return {"via": "cli"} if actor is None else {}


def _records(participant: Participant) -> dict:
    project = participant.project
    attendances = sorted(
        participant.attendances.all(), key=lambda item: (item.activity.date, item.activity.pk)
    )
    return {
        "participant": {
            "id": participant.pk,
            "reference": participant.reference,
            "person_key": participant.person_key,
            "birth_year": participant.birth_year,
            "gender": participant.gender,
            "registered_on": participant.registered_on,
            "project": project.name,
            "promoter": project.promoter.name,
            "call": project.call.title,
        },
        "characteristics": [
            {"code": item.code, "label": item.get_code_display(), "recorded_on": item.recorded_on}
            for item in participant.characteristics.all()
        ],
        "attendance": [
            {
                "date": item.activity.date,
                "kind": item.activity.kind,
                "label": item.activity.get_kind_display(),
                "title": item.activity.title,
                "organiser": item.activity.organiser.name,
            }
            for item in attendances
        ],
        "trajectories": [
            {
                "kind": item.kind,
                "label": item.get_kind_display(),
                "start_date": item.start_date,
                "end_date": item.end_date,
            }
            for item in participant.trajectories.all()
        ],
        "credit_applications": [
            {
                "applied_on": item.applied_on,
                "amount": item.amount,
                "lender": item.lender.name,
                "decision": item.decision,
                "decided_on": item.decided_on,
            }
            for item in participant.credit_applications.all()
        ],
        "referrals": [
            {
                "referred_on": item.referred_on,
                "from": item.from_organisation.name,
                "to": item.to_organisation.name,
                "reason": item.reason,
                "taken_up": item.taken_up,
            }
            for item in participant.referrals.all()
        ],
        "outcomes": [
            {
                "observed_on": item.observed_on,
                "status": item.status,
                "label": item.get_status_display(),
                "programme": item.programme,
                "source": item.source,
            }
            for item in participant.outcomes.all()
        ],
    }


def _identity(participant: Participant, actor) -> dict:
    if actor is None:
        identity = identity_get_as_operator(participant)
    else:
        decision = permissions.can_view_identities(actor, participant.project)
        if not decision:
            return {"identity": None, "identity_withheld": decision.reason}
        identity = identity_get(participant, user=actor)
    return {"identity": identity.as_dict() if identity else None}


def participant_data(participant: Participant, *, actor) -> dict:
    """Everything held about the participant that ``actor`` may see; records no event.

    The identity is left out, with the reason, for anyone but the promoter's staff.
    """
    if actor is not None:
        _refuse_unless(permissions.can_view_project(actor, participant.project))
    participant = participant_records(participant=participant)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        **_records(participant),
        **_identity(participant, actor),
    }


def participant_export(participant: Participant, *, actor) -> bytes:
    """The right of access: ``participant_data`` as UTF-8 JSON, recorded as an export."""
    data = participant_data(participant, actor=actor)
    record_event(
        actor=actor,
        action="export",
        target=participant,
        detail={
            "what": "participant data",
            "format": "json",
            "identity_included": data["identity"] is not None,
            **_via(actor),
        },
    )
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return text.translate(_HTML_SAFE).encode()


@dataclass(frozen=True)
class Erasure:
    identity_deleted: bool
    reference_cleared: bool
    referral_reasons_cleared: int


@transaction.atomic
def participant_erase_identity(participant: Participant, *, actor, reason: str) -> Erasure:
    """Erase what names the participant; the pseudonymous records and the person key stay.

    The promoter's staff only (``can_edit_register``). The free text is cleared with
    ``update()``, so the audit trail records the erasure once, not the erased text again.
    """
    if actor is not None:
        _refuse_unless(permissions.can_edit_register(actor, participant.project))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the identity is erased, e.g. whose request.")})
    deleted, _counts = ParticipantIdentity.objects.filter(participant=participant).delete()
    erasure = Erasure(
        identity_deleted=deleted > 0,
        reference_cleared=bool(participant.reference),
        referral_reasons_cleared=participant.referrals.exclude(reason="").update(reason=""),
    )
    Participant.objects.filter(pk=participant.pk).update(reference="")
    participant.reference = ""
    record_event(
        actor=actor,
        action="erase",
        target=participant,
        detail={
            "reason": reason.strip(),
            "identity_deleted": erasure.identity_deleted,
            "reference_cleared": erasure.reference_cleared,
            "referral_reasons_cleared": erasure.referral_reasons_cleared,
            "person_key_kept": bool(participant.person_key),
            **_via(actor),
        },
    )
    return erasure

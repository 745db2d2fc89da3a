"""A participant's name and contact details: kept by the promoter, read by its staff only.

They are stored encrypted (:mod:`grantmonitor.register.crypto`) in their own table, apart from
the pseudonymous register the KPIs count. The funder's staff and the cabinet never receive
them: ``identity_get`` asks ``permissions.can_view_identities`` and refuses everyone else.
"""

from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from grantmonitor.accounts import permissions
from grantmonitor.register.models import Participant, ParticipantIdentity


@dataclass(frozen=True)
class Identity:
    name: str
    email: str
    phone: str
    address: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _allowed(decision: permissions.Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


@transaction.atomic
def identity_set(
    participant: Participant,
    *,
    actor,
    name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
) -> ParticipantIdentity | None:
    """Keep (or replace) the participant's identity; all details empty removes it.

    Only the promoter's own staff may (``can_edit_register``); a malformed e-mail address or a
    too long value is refused with a ``ValidationError`` naming the field.
    """
    _allowed(permissions.can_edit_register(actor, participant.project))
    values = {
        "name": name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
        "address": address.strip(),
    }
    if not any(values.values()):
        ParticipantIdentity.objects.filter(participant=participant).delete()
        return None
    identity = ParticipantIdentity.objects.filter(participant=participant).first()
    if identity is None:
        identity = ParticipantIdentity(participant=participant)
    for field, value in values.items():
        setattr(identity, field, value)
    identity.full_clean()
    identity.save()
    return identity


def identity_get(participant: Participant, *, user) -> Identity | None:
    """The participant's identity, or None when the promoter keeps none.

    Raises ``PermissionDenied`` (with the reason) for anyone but the promoter's staff.
    """
    _allowed(permissions.can_view_identities(user, participant.project))
    return _stored(participant)


def identity_get_as_operator(participant: Participant) -> Identity | None:
    """The identity for the command line: its operator holds the database and the keys anyway,
    and there is no signed-in user to ask about."""
    return _stored(participant)


def _stored(participant: Participant) -> Identity | None:
    identity = ParticipantIdentity.objects.filter(participant=participant).first()
    if identity is None:
        return None
    return Identity(identity.name, identity.email, identity.phone, identity.address)


def identity_rotate_keys() -> int:
    """Re-encrypt every identity with the first key; afterwards older keys may be dropped."""
    count = 0
    with transaction.atomic():
        for identity in ParticipantIdentity.objects.select_for_update().iterator():
            identity.save(update_fields=["name", "email", "phone", "address"])
            count += 1
    return count

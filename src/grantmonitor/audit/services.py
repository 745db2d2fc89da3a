"""Record what is not a write: ``record_event`` for logins, logouts, exports and erasures."""

from django.contrib.contenttypes.models import ContentType

from grantmonitor.audit.middleware import client_address
from grantmonitor.audit.models import Event, EventAction


def record_event(*, actor, action: str, target=None, detail: dict | None = None) -> Event:
    """Record that ``actor`` did ``action`` (an ``EventAction`` value) to ``target``.

    ``actor`` is a user, or None (or an anonymous user) when nobody is signed in, as in a
    command: pass ``detail={"via": "cli"}`` then. ``detail`` is any JSON with dates and
    decimals, e.g. the format and language of an exported document; never personal data.
    """
    if action not in EventAction.values:
        raise ValueError(
            f"audit event action {action!r} is not one of {', '.join(EventAction.values)}"
        )
    return Event.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_pk=str(target.pk) if target is not None else "",
        object_repr=str(target) if target is not None else "",
        detail=detail or {},
        remote_addr=client_address.get(),
    )

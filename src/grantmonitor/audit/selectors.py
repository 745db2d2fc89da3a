"""The audit trail as one list: django-auditlog's writes and the audit events, newest first."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.utils.text import capfirst

from grantmonitor.audit.filters import ACTIONS, AuditFilter
from grantmonitor.audit.models import Event, WriteAction

WRITES = {
    LogEntry.Action.CREATE: WriteAction.CREATE,
    LogEntry.Action.UPDATE: WriteAction.UPDATE,
    LogEntry.Action.DELETE: WriteAction.DELETE,
}
ACTION_LABELS = dict(ACTIONS)


@dataclass(frozen=True)
class AuditRow:
    """One line of the trail, whether a write or an event."""

    when: datetime.datetime
    who: object  # a user, or None: a command, an anonymous visitor, a deleted account
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict = field(default_factory=dict)  # a write's fields: [old, new]
    detail: dict = field(default_factory=dict)  # an event's format, language, user name...
    address: str | None = None

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


def _columns(payload: str) -> dict:
    """The same columns from either table, in the same order, for the union."""
    return {
        "at": F("timestamp"),
        "key": F("pk"),
        "by": F("actor_id"),
        "what": F("kind"),
        "type": F("content_type_id"),
        "target": F("object_pk"),
        "label": F("object_repr"),
        "payload": F(payload),
        "address": F("remote_addr"),
    }


def _writes() -> QuerySet:
    kind = Case(
        *(When(action=code, then=Value(name.value)) for code, name in WRITES.items()),
        default=Value(""),
        output_field=CharField(),
    )
    return LogEntry.objects.annotate(kind=kind)


def _events() -> QuerySet:
    return Event.objects.annotate(kind=F("action"))


def audit_trail(*, filters: AuditFilter | None = None) -> QuerySet:
    """Every write and event as value rows, newest first; nothing when the filters are wrong.

    Feed a page of it to ``audit_rows``.
    """
    writes, events = _writes(), _events()
    if filters is not None and filters.is_bound:
        if not filters.is_valid():
            return writes.none().values(**_columns("changes"))
        writes, events = filters.filter_queryset(writes), filters.filter_queryset(events)
    return (
        writes.order_by()
        .values(**_columns("changes"))
        .union(events.order_by().values(**_columns("detail")), all=True)
        .order_by("-at", "-key")
    )


def audit_rows(values: Iterable[dict]) -> list[AuditRow]:
    """Rows of ``audit_trail`` with their users and object types, in two queries at most."""
    values = list(values)
    users = get_user_model().objects.in_bulk({v["by"] for v in values if v["by"]})
    rows = []
    for value in values:
        content_type = ContentType.objects.get_for_id(value["type"]) if value["type"] else None
        model = content_type.model_class() if content_type else None
        is_write = value["what"] in WriteAction.values
        rows.append(
            AuditRow(
                when=value["at"],
                who=users.get(value["by"]),
                action=value["what"],
                object_type=capfirst(model._meta.verbose_name) if model else "",
                object_id=value["target"],
                object_repr=value["label"],
                changes=(value["payload"] or {}) if is_write else {},
                detail={} if is_write else (value["payload"] or {}),
                address=value["address"],
            )
        )
    return rows

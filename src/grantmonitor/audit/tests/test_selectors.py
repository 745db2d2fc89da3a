"""The trail reads writes and events as one list, newest first, filtered by the viewer."""

import datetime
from decimal import Decimal

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from grantmonitor.audit.filters import AuditFilter
from grantmonitor.audit.models import Event
from grantmonitor.audit.selectors import audit_rows, audit_trail
from grantmonitor.audit.services import record_event
from grantmonitor.kpis.models import Kpi, KpiKind
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.questions.models import WrittenQuestion

NOW = timezone.make_aware(datetime.datetime(2024, 3, 14, 10, 0))


def _rows(**data):
    return audit_rows(audit_trail(filters=AuditFilter(data)))


def _trail(demo):
    """A value recorded by the case handler on 12 March, an export by the cabinet on the 14th."""
    handler, cabinet = demo["users"]["dossierbehandelaar"], demo["users"]["kabinet"]
    kpi = Kpi.objects.filter(kind=KpiKind.COUNT).first()
    with set_actor(handler):
        value = kpi_value_record(kpi=kpi, value=Decimal("12"), actor=handler)
    LogEntry.objects.get_for_object(value).update(timestamp=NOW - datetime.timedelta(days=2))
    export = record_event(
        actor=cabinet, action="export", target=demo["question"], detail={"format": "pdf"}
    )
    Event.objects.filter(pk=export.pk).update(timestamp=NOW)
    return value


def test_writes_and_events_come_as_one_list_newest_first(demo):
    value = _trail(demo)
    export, write = _rows(since="2024-03-01", until="2024-03-31")
    assert (export.action, export.who, export.object_type) == (
        "export",
        demo["users"]["kabinet"],
        "Schriftelijke vraag",
    )
    assert (export.detail, export.changes, export.action_label) == ({"format": "pdf"}, {}, "export")
    assert (write.action, write.who, write.object_id) == (
        "create",
        demo["users"]["dossierbehandelaar"],
        str(value.pk),
    )
    assert write.changes["value"] == ["None", "12"]
    assert write.detail == {}


def test_filter_by_user(demo):
    _trail(demo)
    rows = _rows(user=demo["users"]["kabinet"].pk)
    assert [(row.action, row.object_repr) for row in rows] == [("export", str(demo["question"]))]


def test_filter_by_object_type_and_id(demo):
    value = _trail(demo)
    question = demo["question"]
    question_type = ContentType.objects.get_for_model(WrittenQuestion).pk
    rows = _rows(object_type=question_type, object_id=question.pk)
    assert [row.action for row in rows] == ["export"]  # the demo's seed is not in the trail
    assert _rows(object_type=question_type, object_id=question.pk + 1000) == []
    value_type = ContentType.objects.get_for_model(value).pk
    assert [row.action for row in _rows(object_type=value_type, object_id=value.pk)] == ["create"]


def test_filter_by_action(demo):
    _trail(demo)
    assert [row.object_repr for row in _rows(action="export")] == [str(demo["question"])]


def test_filter_by_date_keeps_the_days_inclusive(demo):
    value = _trail(demo)
    assert [row.action for row in _rows(since="2024-03-12", until="2024-03-12")] == ["create"]
    assert [row.object_id for row in _rows(until="2024-03-12")] == [str(value.pk)]
    assert [row.action for row in _rows(since="2024-03-13", until="2024-03-14")] == ["export"]


def test_wrong_filters_show_nothing_rather_than_everything(demo):
    _trail(demo)
    assert _rows(since="14 maart") == []
    assert _rows(action="download") == []

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from grantmonitor.calls.models import Call, Project


def call_list() -> QuerySet[Call]:
    return Call.objects.all()


def published_calls(*, on: datetime.date | None = None) -> QuerySet[Call]:
    """The calls whose figures are open data on ``on`` (today if not given)."""
    return call_list().filter(published_on__lte=on or timezone.localdate())


def call_published(call: Call) -> bool:
    """Whether ``call``'s figures are open data today."""
    return published_calls().filter(pk=call.pk).exists()


def call_get(*, pk: int) -> Call:
    return Call.objects.prefetch_related("target_groups").get(pk=pk)


def call_get_by_title(*, title: str) -> Call:
    return Call.objects.get(title__iexact=title)


def project_list(*, call: Call | None = None) -> QuerySet[Project]:
    qs = Project.objects.select_related("call", "promoter").prefetch_related("partners")
    return qs.filter(call=call) if call is not None else qs


def project_get(*, pk: int) -> Project:
    return project_list().get(pk=pk)


def project_find(*, name: str) -> Project:
    """A project by its name, case-insensitive; raises if none or several match."""
    return project_list().get(name__iexact=name)

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grantmonitor.calls.models import Call, Project, TargetGroup
from grantmonitor.organisations.models import Organisation


@transaction.atomic
def target_group_create(*, code: str, name: str, name_en: str = "", order: int = 0) -> TargetGroup:
    group = TargetGroup(code=code, name=name, name_en=name_en, order=order)
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def call_create(
    *,
    title: str,
    number_of_projects: int,
    minister: str = "",
    portfolio: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    duration_months: int | None = None,
    budget: Decimal | None = None,
    target_groups: list[TargetGroup] = (),
) -> Call:
    call = Call(
        title=title,
        number_of_projects=number_of_projects,
        minister=minister,
        portfolio=portfolio,
        start_date=start_date,
        end_date=end_date,
        duration_months=duration_months,
        budget=budget,
    )
    call.full_clean()
    call.save()
    call.target_groups.set(target_groups)
    return call


@transaction.atomic
def project_create(
    *,
    call: Call,
    name: str,
    promoter: Organisation,
    title: str = "",
    partners: list[Organisation] = (),
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    duration_months: int | None = None,
    order: int = 0,
) -> Project:
    project = Project(
        call=call,
        name=name,
        promoter=promoter,
        title=title,
        start_date=start_date,
        end_date=end_date,
        duration_months=duration_months,
        order=order,
    )
    project.full_clean()
    project.save()
    project.partners.set(partners)
    return project


@transaction.atomic
def call_publish(call: Call, *, actor, on: datetime.date | None = None) -> Call:
    """Publish ``call``'s figures as open data from ``on`` (today if not given).

    ``actor`` is who at the funder decided it (None from a command); publishing again moves
    the date and the decider.
    """
    locked = Call.objects.select_for_update().get(pk=call.pk)
    locked.published_on = on or timezone.localdate()
    locked.published_by = actor if actor is not None and actor.is_authenticated else None
    locked.save(update_fields=["published_on", "published_by"])
    return locked


@transaction.atomic
def call_unpublish(call: Call) -> Call:
    """Withdraw ``call``'s figures from the open data (the audit trail keeps who did it)."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    locked.published_on = None
    locked.published_by = None
    locked.save(update_fields=["published_on", "published_by"])
    return locked

"""The register follows changes to a project made outside it (the admin edits projects).

A project's period decides which attendances count, and its call whose people they are: when
either changes, or the project goes, the people its call reached are refreshed
(:mod:`grantmonitor.register.reach`).
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from grantmonitor.calls.models import Call, Project
from grantmonitor.register import reach
from grantmonitor.register.models import Participant


@receiver(pre_save, sender=Project, dispatch_uid="register-project-before")
def _remember(sender, instance: Project, **kwargs) -> None:
    before = (
        Project.objects.filter(pk=instance.pk).values("call_id", "start_date", "end_date").first()
        if instance.pk
        else None
    )
    instance._reach_before = before


@receiver(post_save, sender=Project, dispatch_uid="register-project-after")
def _refresh(sender, instance: Project, created: bool, raw: bool = False, **kwargs) -> None:
    before = getattr(instance, "_reach_before", None)
    if raw or created or before is None:
        return  # a new project has no attendance yet; a fixture load refreshes nothing
    if before["call_id"] != instance.call_id:
        reach.people_refresh(calls=[before["call_id"], instance.call_id])
    elif (before["start_date"], before["end_date"]) != (instance.start_date, instance.end_date):
        reach.people_refresh(participants=Participant.objects.filter(project=instance))


@receiver(post_delete, sender=Project, dispatch_uid="register-project-gone")
def _forget(sender, instance: Project, **kwargs) -> None:
    # after the commit: when the whole call is being deleted, there is nothing left to refresh
    transaction.on_commit(partial(_refresh_call, instance.call_id))


def _refresh_call(call_id: int) -> None:
    if Call.objects.filter(pk=call_id).exists():
        reach.people_refresh(calls=[call_id])

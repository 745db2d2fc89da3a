"""Writes on dossiers. Each is one transaction; status changes lock the dossier row."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Project
from grantmonitor.dossiers import rules
from grantmonitor.dossiers.models import Dossier, DossierStatus, DossierStatusChange
from grantmonitor.dossiers.selectors import dossier_current_status


@transaction.atomic
def dossier_open(
    *,
    project: Project,
    allocated_amount: Decimal | None,
    reference: str = "",
    case_handler: User | None = None,
    actor: User | None = None,
    opened_on: datetime.date | None = None,
) -> Dossier:
    dossier = Dossier(
        project=project,
        allocated_amount=allocated_amount,
        reference=reference,
        case_handler=case_handler,
    )
    dossier.full_clean()
    dossier.save()
    DossierStatusChange.objects.create(
        dossier=dossier,
        status=DossierStatus.RUNNING,
        changed_on=opened_on or timezone.localdate(),
        actor=actor,
        note=_("Dossier opened."),
    )
    return dossier


@transaction.atomic
def dossier_transition(
    *,
    dossier: Dossier,
    to: DossierStatus,
    actor: User | None = None,
    on: datetime.date | None = None,
    note: str = "",
) -> DossierStatusChange:
    """Move the dossier one step on its path, or refuse with the reason."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    current = dossier_current_status(dossier=locked)
    decision = rules.check_transition(
        rules.Status(current) if current else None,
        rules.Status(to),
        net_amount_known=locked.net_amount is not None,
    )
    if not decision.allowed:
        raise ValidationError(
            {
                "status": _(
                    "Dossier %(dossier)s cannot move from “%(from)s” to “%(to)s”: %(reason)s."
                )
                % {
                    "dossier": locked,
                    "from": DossierStatus(current).label if current else "—",
                    "to": DossierStatus(to).label,
                    "reason": REFUSALS[decision.reason],
                }
            },
            code="illegal_transition",
        )
    on = on or timezone.localdate()
    latest = locked.status_changes.latest()
    if on < latest.changed_on:
        raise ValidationError(
            {
                "changed_on": _("The date %(on)s lies before the previous step (%(previous)s).")
                % {"on": on.isoformat(), "previous": latest.changed_on.isoformat()}
            },
            code="date_before_previous",
        )
    return DossierStatusChange.objects.create(
        dossier=locked, status=to, changed_on=on, actor=actor, note=note
    )


REFUSALS = {
    rules.Refusal.MUST_START_RUNNING: gettext_lazy("a new dossier starts as running"),
    rules.Refusal.NOT_ON_PATH: gettext_lazy("that step is not on the dossier's path"),
    rules.Refusal.NET_AMOUNT_UNKNOWN: gettext_lazy(
        "the net amount to finance is not settled yet, so no balance can be paid"
    ),
}


@transaction.atomic
def dossier_set_net_amount(
    *, dossier: Dossier, net_amount: Decimal, actor: User | None = None
) -> Dossier:
    """Record the net amount to finance once the inspection is done and before payment."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    current = dossier_current_status(dossier=locked)
    if current != DossierStatus.BACK_WITH_CASE_HANDLER:
        raise ValidationError(
            {
                "net_amount": _(
                    "The net amount is set after the inspection, while the dossier is "
                    "back with the case handler (now: %(status)s)."
                )
                % {"status": DossierStatus(current).label if current else "—"}
            },
            code="net_amount_wrong_state",
        )
    locked.net_amount = net_amount
    locked.full_clean()
    locked.save(update_fields=["net_amount"])
    return locked

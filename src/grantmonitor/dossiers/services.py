"""Writes on dossiers: the path from allocation to the last euro paid or recovered.

Each service is one transaction that first locks the dossier row (``select_for_update``), so two
case handlers acting at once are serialised, checks its guard, writes, and adds an audit row
(who, when, old and new values, note) in the same transaction. The current status is never
stored on the dossier: each step adds a row to the status history.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from grantmonitor.accounts.models import User
from grantmonitor.calls.models import Project
from grantmonitor.common.money import format_eur
from grantmonitor.dossiers import rules
from grantmonitor.dossiers.models import (
    Advance,
    BudgetLine,
    CostCategory,
    CostLine,
    CostStatement,
    Dossier,
    DossierAuditEntry,
    DossierStatus,
    DossierStatusChange,
    Inspection,
    OrderKind,
    Settlement,
    Verdict,
)
from grantmonitor.dossiers.selectors import dossier_current_status

REFUSALS = {
    rules.Refusal.MUST_START_RUNNING: gettext_lazy("a new dossier starts as running"),
    rules.Refusal.NOT_ON_PATH: gettext_lazy("that step is not on the dossier's path"),
    rules.Refusal.NET_AMOUNT_UNKNOWN: gettext_lazy(
        "the net amount to finance is not settled yet, so no balance can be paid"
    ),
}


def _value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _audit(
    dossier: Dossier, *, actor: User | None, action: str, changes: dict, note: str = ""
) -> DossierAuditEntry:
    return DossierAuditEntry.objects.create(
        dossier=dossier,
        actor=actor,
        action=action,
        changes={field: [_value(old), _value(new)] for field, (old, new) in changes.items()},
        note=note,
    )


def _refuse_floats(**values) -> None:
    """Money and rates are Decimal: a float would round silently, so it is refused."""
    for name, value in values.items():
        if isinstance(value, float):
            raise ValidationError(
                {
                    name: ValidationError(
                        _("%(value)r is a float; amounts and rates are exact decimals.")
                        % {"value": value},
                        code="float",
                    )
                }
            )


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update().select_related("project__promoter").get(pk=dossier.pk)
    )


def _status(dossier: Dossier) -> DossierStatus | None:
    return dossier_current_status(dossier=dossier)


def _label(status: DossierStatus | None) -> str:
    return DossierStatus(status).label if status else "—"


def _require_status(dossier: Dossier, allowed: set[DossierStatus], field: str, doing: str) -> None:
    current = _status(dossier)
    if current == DossierStatus.CLOSED:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Dossier %(dossier)s is closed: %(doing)s is no longer possible.")
                    % {"dossier": dossier, "doing": doing},
                    code="dossier_closed",
                )
            }
        )
    if current not in allowed:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Dossier %(dossier)s is “%(status)s”: %(doing)s is not possible now.")
                    % {"dossier": dossier, "status": _label(current), "doing": doing},
                    code="wrong_state",
                )
            }
        )


def _step(
    locked: Dossier, *, to: DossierStatus, actor: User | None, on: datetime.date | None, note: str
) -> DossierStatusChange:
    """Add a step to the locked dossier's history, or refuse with the reason."""
    current = _status(locked)
    decision = rules.check_transition(
        rules.Status(current) if current else None,
        rules.Status(to),
        net_amount_known=locked.net_amount is not None,
    )
    if not decision.allowed:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("Dossier %(dossier)s cannot move from “%(from)s” to “%(to)s”: %(reason)s.")
                    % {
                        "dossier": locked,
                        "from": _label(current),
                        "to": DossierStatus(to).label,
                        "reason": REFUSALS[decision.reason],
                    },
                    code="illegal_transition",
                )
            }
        )
    on = on or timezone.localdate()
    latest = locked.status_changes.latest()
    if on < latest.changed_on:
        raise ValidationError(
            {
                "changed_on": ValidationError(
                    _("The date %(on)s lies before the previous step (%(previous)s).")
                    % {"on": on.isoformat(), "previous": latest.changed_on.isoformat()},
                    code="date_before_previous",
                )
            }
        )
    change = DossierStatusChange.objects.create(
        dossier=locked, status=to, changed_on=on, actor=actor, note=note
    )
    _audit(locked, actor=actor, action="status", changes={"status": (current, to)}, note=note)
    return change


# --- opening, budget, advances ----------------------------------------------------------


@transaction.atomic
def dossier_open(
    *,
    project: Project,
    allocated_amount: Decimal | None,
    reference: str = "",
    case_handler: User | None = None,
    actor: User | None = None,
    opened_on: datetime.date | None = None,
    subsidy_rate: Decimal | None = None,
    overhead_rate: Decimal = Decimal("0"),
    payee_iban: str = "",
    payee_bic: str = "",
) -> Dossier:
    _refuse_floats(
        allocated_amount=allocated_amount, subsidy_rate=subsidy_rate, overhead_rate=overhead_rate
    )
    dossier = Dossier(
        project=project,
        allocated_amount=allocated_amount,
        reference=reference,
        case_handler=case_handler,
        subsidy_rate=subsidy_rate,
        overhead_rate=overhead_rate,
        payee_iban=payee_iban,
        payee_bic=payee_bic,
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
    _audit(
        dossier,
        actor=actor,
        action="open",
        changes={
            "allocated_amount": (None, allocated_amount),
            "subsidy_rate": (None, subsidy_rate),
            "overhead_rate": (None, overhead_rate),
        },
    )
    return dossier


@transaction.atomic
def budget_line_set(
    *,
    dossier: Dossier,
    category: CostCategory,
    amount: Decimal,
    note: str = "",
    actor: User | None = None,
) -> BudgetLine:
    """Set the estimated amount of one cost category while the project runs."""
    _refuse_floats(amount=amount)
    locked = _lock(dossier)
    _require_status(locked, {DossierStatus.RUNNING}, "amount", _("changing the budget"))
    line = BudgetLine.objects.filter(dossier=locked, category=category).first()
    old = line.amount if line else None
    line = line or BudgetLine(dossier=locked, category=category)
    line.amount = amount
    line.note = note
    line.full_clean()
    line.save()
    _audit(locked, actor=actor, action="budget", changes={f"budget.{category}": (old, amount)})
    return line


@transaction.atomic
def advance_schedule(
    *,
    dossier: Dossier,
    number: int,
    percentage: Decimal,
    condition: str = "",
    actor: User | None = None,
) -> Advance:
    """Plan an advance of ``percentage`` % of the allocation."""
    _refuse_floats(percentage=percentage)
    locked = _lock(dossier)
    _require_status(locked, {DossierStatus.RUNNING}, "percentage", _("scheduling an advance"))
    if locked.allocated_amount is None:
        raise ValidationError(
            {
                "percentage": _("Dossier %(dossier)s has no allocation to advance a share of.")
                % {"dossier": locked}
            }
        )
    if not Decimal("0") < percentage <= Decimal("100"):
        raise ValidationError(
            {
                "percentage": ValidationError(
                    _("An advance is more than 0 and at most 100 percent of the allocation."),
                    code="percentage_range",
                )
            }
        )
    amount = rules.share(locked.allocated_amount, percentage)
    planned = sum((a.percentage for a in locked.advances.all()), Decimal("0"))
    if planned + percentage > 100:
        raise ValidationError(
            {
                "percentage": _(
                    "Advances of %(planned)s%% and %(new)s%% would exceed the allocation."
                )
                % {"planned": planned, "new": percentage}
            }
        )
    advance = Advance(
        dossier=locked, number=number, percentage=percentage, amount=amount, condition=condition
    )
    advance.full_clean()
    advance.save()
    _audit(
        locked,
        actor=actor,
        action="advance_schedule",
        changes={f"advance.{number}": (None, amount)},
    )
    return advance


@transaction.atomic
def advance_approve(*, advance: Advance, on: datetime.date, actor: User | None = None) -> Advance:
    locked = _lock(advance.dossier)
    advance = Advance.objects.get(pk=advance.pk)
    if advance.approved_on is not None:
        raise ValidationError(
            {
                "approved_on": _("Advance %(number)s was already approved on %(on)s.")
                % {"number": advance.number, "on": advance.approved_on.isoformat()}
            }
        )
    _require_status(
        locked,
        {DossierStatus.RUNNING, DossierStatus.FINAL_REPORT_IN},
        "approved_on",
        _("approving an advance"),
    )
    advance.approved_on, advance.approved_by = on, actor
    advance.full_clean()
    advance.save(update_fields=["approved_on", "approved_by"])
    _audit(
        locked,
        actor=actor,
        action="advance_approve",
        changes={f"advance.{advance.number}.approved_on": (None, on)},
    )
    return advance


@transaction.atomic
def advance_pay(*, advance: Advance, on: datetime.date, actor: User | None = None) -> Advance:
    locked = _lock(advance.dossier)
    advance = Advance.objects.get(pk=advance.pk)
    if advance.approved_on is None:
        raise ValidationError(
            {
                "paid_on": _("Advance %(number)s is not approved, so it cannot be paid.")
                % {"number": advance.number}
            }
        )
    if advance.paid_on is not None:
        raise ValidationError(
            {
                "paid_on": _("Advance %(number)s was already paid on %(on)s.")
                % {"number": advance.number, "on": advance.paid_on.isoformat()}
            }
        )
    if on < advance.approved_on:
        raise ValidationError(
            {
                "paid_on": _("An advance is paid on or after its approval (%(on)s).")
                % {"on": advance.approved_on.isoformat()}
            }
        )
    if Settlement.objects.filter(dossier=locked).exists():
        raise ValidationError(
            {
                "paid_on": _("Dossier %(dossier)s is settled: no more advances are paid.")
                % {"dossier": locked}
            }
        )
    advance.paid_on, advance.paid_by = on, actor
    advance.full_clean()
    advance.save(update_fields=["paid_on", "paid_by"])
    _audit(
        locked,
        actor=actor,
        action="advance_pay",
        changes={f"advance.{advance.number}.paid_on": (None, on)},
    )
    return advance


# --- final cost statement ---------------------------------------------------------------


def _open_statement(locked: Dossier, field: str, doing: str) -> CostStatement:
    _require_status(locked, {DossierStatus.RUNNING}, field, doing)
    statement, _created = CostStatement.objects.get_or_create(dossier=locked)
    return statement


@transaction.atomic
def cost_line_add(
    *,
    dossier: Dossier,
    category: CostCategory,
    description: str,
    amount: Decimal,
    document_ref: str,
    actor: User | None = None,
) -> CostLine:
    """The promoter declares a realised cost, before the statement is submitted."""
    _refuse_floats(amount=amount)
    locked = _lock(dossier)
    statement = _open_statement(locked, "amount", _("declaring costs"))
    line = CostLine(
        statement=statement,
        category=category,
        description=description,
        amount=amount,
        document_ref=document_ref,
    )
    line.full_clean()
    line.save()
    _audit(
        locked,
        actor=actor,
        action="cost_line_add",
        changes={f"cost_line.{line.pk}": (None, amount)},
        note=description,
    )
    return line


@transaction.atomic
def cost_statement_set_revenues(
    *, dossier: Dossier, revenues: Decimal, actor: User | None = None
) -> CostStatement:
    _refuse_floats(revenues=revenues)
    locked = _lock(dossier)
    statement = _open_statement(locked, "revenues", _("declaring revenues"))
    old = statement.revenues
    statement.revenues = revenues
    statement.full_clean()
    statement.save(update_fields=["revenues"])
    _audit(locked, actor=actor, action="revenues", changes={"revenues": (old, revenues)})
    return statement


@transaction.atomic
def cost_statement_submit(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> CostStatement:
    """Submit the final cost statement: the dossier moves to "final report in"."""
    locked = _lock(dossier)
    statement = _open_statement(locked, "submitted_on", _("submitting the cost statement"))
    statement.submitted_on, statement.submitted_by = on, actor
    statement.save(update_fields=["submitted_on", "submitted_by"])
    _step(locked, to=DossierStatus.FINAL_REPORT_IN, actor=actor, on=on, note=note)
    return statement


# --- inspection -------------------------------------------------------------------------


@transaction.atomic
def inspection_start(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> Inspection:
    """The case handler sends the dossier to the inspection service."""
    locked = _lock(dossier)
    _require_status(
        locked,
        {DossierStatus.FINAL_REPORT_IN, DossierStatus.BACK_WITH_CASE_HANDLER},
        "status",
        _("sending to inspection"),
    )
    if Settlement.objects.filter(dossier=locked).exists():
        raise ValidationError(
            {
                "status": _("Dossier %(dossier)s is settled: it is not inspected again.")
                % {"dossier": locked}
            }
        )
    _step(locked, to=DossierStatus.WITH_INSPECTION, actor=actor, on=on, note=note)
    return Inspection.objects.create(dossier=locked, sent_on=on, sent_by=actor)


@transaction.atomic
def cost_line_review(
    *,
    line: CostLine,
    verdict: Verdict,
    accepted_amount: Decimal | None = None,
    reason: str = "",
    on: datetime.date,
    actor: User | None = None,
) -> CostLine:
    """The inspector's verdict on one cost line: accepted, partly accepted (amount), rejected."""
    _refuse_floats(accepted_amount=accepted_amount)
    locked = _lock(line.statement.dossier)
    _require_status(
        locked, {DossierStatus.WITH_INSPECTION}, "verdict", _("changing accepted costs")
    )
    line = CostLine.objects.get(pk=line.pk)
    if verdict != Verdict.ACCEPTED and not reason.strip():
        raise ValidationError(
            {
                "reason": _("Give the reason why “%(line)s” is not fully accepted.")
                % {"line": line.description}
            }
        )
    if verdict != Verdict.PARTLY_ACCEPTED and accepted_amount is not None:
        raise ValidationError(
            {"accepted_amount": _("Only a partly accepted line takes an accepted amount.")}
        )
    if verdict == Verdict.PARTLY_ACCEPTED and not (
        accepted_amount is not None and Decimal("0") < accepted_amount < line.amount
    ):
        raise ValidationError(
            {
                "accepted_amount": ValidationError(
                    _(
                        "A partly accepted amount of “%(line)s” lies between %(zero)s and the "
                        "declared %(declared)s (given: %(amount)s)."
                    )
                    % {
                        "line": line.description,
                        "zero": format_eur(Decimal("0"), get_language()),
                        "declared": format_eur(line.amount, get_language()),
                        "amount": "—"
                        if accepted_amount is None
                        else format_eur(accepted_amount, get_language()),
                    },
                    code="partly_accepted_amount",
                )
            }
        )
    accepted = rules.accepted_amount(rules.Verdict(verdict), line.amount, accepted_amount)
    old = (line.verdict, line.accepted_amount)
    line.verdict, line.accepted_amount, line.reason = verdict, accepted, reason
    line.reviewed_by, line.reviewed_on = actor, on
    line.full_clean()
    line.save()
    _audit(
        locked,
        actor=actor,
        action="cost_line_review",
        changes={
            f"cost_line.{line.pk}.verdict": (old[0] or None, verdict),
            f"cost_line.{line.pk}.accepted_amount": (old[1], accepted),
        },
        note=reason,
    )
    return line


@transaction.atomic
def inspection_complete(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> Inspection:
    """Record the accepted total and send the dossier back to the case handler."""
    locked = _lock(dossier)
    _require_status(
        locked, {DossierStatus.WITH_INSPECTION}, "status", _("completing the inspection")
    )
    lines = CostLine.objects.filter(statement__dossier=locked)
    if not lines:
        raise ValidationError(
            {"lines": _("Dossier %(dossier)s has no cost lines to inspect.") % {"dossier": locked}}
        )
    unreviewed = [line.description for line in lines if not line.verdict]
    if unreviewed:
        raise ValidationError(
            {
                "verdict": _("These cost lines have no verdict yet: %(lines)s.")
                % {"lines": "; ".join(unreviewed)}
            }
        )
    inspection = locked.inspections.get(completed_on__isnull=True)
    inspection.accepted_total = sum((line.accepted_amount for line in lines), Decimal("0.00"))
    inspection.completed_on, inspection.inspector = on, actor
    inspection.full_clean()
    inspection.save()
    _audit(
        locked,
        actor=actor,
        action="inspection_complete",
        changes={"accepted_total": (None, inspection.accepted_total)},
        note=note,
    )
    _step(locked, to=DossierStatus.BACK_WITH_CASE_HANDLER, actor=actor, on=on, note=note)
    return inspection


# --- settlement, balance, closure -------------------------------------------------------


@transaction.atomic
def dossier_settle(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> Settlement:
    """Compute the net amount from the accepted costs and issue the balance's order."""
    locked = _lock(dossier)
    _require_status(
        locked, {DossierStatus.BACK_WITH_CASE_HANDLER}, "net_amount", _("settling the balance")
    )
    if locked.inspections.filter(completed_on__isnull=False).count() == 0:
        raise ValidationError(
            {
                "net_amount": _("Dossier %(dossier)s has no completed inspection.")
                % {"dossier": locked}
            }
        )
    for field, value in (
        ("allocated_amount", locked.allocated_amount),
        ("subsidy_rate", locked.subsidy_rate),
    ):
        if value is None:
            raise ValidationError(
                {
                    field: _("Dossier %(dossier)s needs %(field)s to be settled.")
                    % {"dossier": locked, "field": Dossier._meta.get_field(field).verbose_name}
                }
            )
    pending = locked.advances.filter(approved_on__isnull=False, paid_on__isnull=True)
    if pending.exists():
        raise ValidationError(
            {
                "advances": _("Advance %(number)s is approved but not paid: pay it first.")
                % {"number": pending.first().number}
            }
        )
    existing = Settlement.objects.filter(dossier=locked).first()
    if existing and existing.executed_on:
        raise ValidationError(
            {
                "net_amount": _("The balance of %(dossier)s was already executed on %(on)s.")
                % {"dossier": locked, "on": existing.executed_on.isoformat()}
            }
        )
    lines = CostLine.objects.filter(statement__dossier=locked)
    result = rules.settle(
        rules.SettlementTerms(
            allocation=locked.allocated_amount,
            subsidy_rate=locked.subsidy_rate,
            overhead_rate=locked.overhead_rate,
        ),
        [rules.AcceptedCost(rules.CostCategory(x.category), x.accepted_amount) for x in lines],
        revenues=locked.cost_statement.revenues,
        advances_paid=[a.amount for a in locked.advances.filter(paid_on__isnull=False)],
    )
    if result.balance > 0:
        kind, communication = OrderKind.PAYMENT, ""
    elif result.balance < 0:
        kind, communication = OrderKind.RECOVERY, _structured_communication(locked, on)
    else:
        kind, communication = OrderKind.NONE, ""
    settlement = existing or Settlement(dossier=locked)
    for field in (
        "accepted_direct",
        "accepted_personnel",
        "overhead",
        "revenues",
        "eligible",
        "funded",
        "net",
        "advances_paid",
        "balance",
    ):
        setattr(settlement, field, getattr(result, field))
    settlement.settled_on, settlement.settled_by = on, actor
    settlement.order_kind, settlement.structured_communication = kind, communication
    settlement.full_clean()
    settlement.save()
    old_net = locked.net_amount
    locked.net_amount = result.net
    locked.full_clean()
    locked.save(update_fields=["net_amount"])
    _audit(
        locked,
        actor=actor,
        action="settle",
        changes={
            "net_amount": (old_net, result.net),
            "balance": (existing.balance if existing else None, result.balance),
            "order": (existing.order_kind if existing else None, kind),
        },
        note=note,
    )
    return settlement


def _structured_communication(dossier: Dossier, on: datetime.date) -> str:
    """Twelve digits: the year, the dossier number, and the mod-97 check (OGM-VCS)."""
    base = f"{on.year % 100:02d}{dossier.pk:08d}"
    return base + ogm_vcs.calc_check_digits(base)


def _execute(
    dossier: Dossier, *, kind: OrderKind, to: DossierStatus, on, actor, note
) -> Settlement:
    locked = _lock(dossier)
    settlement = Settlement.objects.filter(dossier=locked).first()
    if settlement is None:
        raise ValidationError(
            {
                "balance": ValidationError(
                    _("Dossier %(dossier)s is not settled: there is no balance yet.")
                    % {"dossier": locked},
                    code="not_settled",
                )
            }
        )
    if settlement.executed_on is not None:
        raise ValidationError(
            {
                "balance": ValidationError(
                    _("The balance of %(dossier)s was already executed on %(on)s.")
                    % {"dossier": locked, "on": settlement.executed_on.isoformat()},
                    code="already_executed",
                )
            }
        )
    if settlement.order_kind != kind:
        raise ValidationError(
            {
                "balance": ValidationError(
                    _("The balance of %(dossier)s calls for a %(order)s.")
                    % {"dossier": locked, "order": settlement.get_order_kind_display()},
                    code="wrong_order",
                )
            }
        )
    if kind == OrderKind.PAYMENT and not (locked.payee_iban and locked.payee_bic):
        raise ValidationError(
            {
                "payee_iban": _(
                    "Dossier %(dossier)s has no IBAN and BIC of the promoter to pay to."
                )
                % {"dossier": locked}
            }
        )
    settlement.executed_on, settlement.executed_by = on, actor
    settlement.save(update_fields=["executed_on", "executed_by"])
    _audit(
        locked,
        actor=actor,
        action="balance_paid" if kind == OrderKind.PAYMENT else "balance_recovered",
        changes={"executed_on": (None, on), "amount": (None, settlement.order_amount)},
        note=note,
    )
    _step(locked, to=to, actor=actor, on=on, note=note)
    return settlement


@transaction.atomic
def settlement_pay(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> Settlement:
    """Pay a positive balance to the promoter, once: a second attempt is refused."""
    return _execute(
        dossier,
        kind=OrderKind.PAYMENT,
        to=DossierStatus.BALANCE_PAID,
        on=on,
        actor=actor,
        note=note,
    )


@transaction.atomic
def settlement_record_recovery(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> Settlement:
    """Record that the promoter transferred the overpaid amount back."""
    return _execute(
        dossier,
        kind=OrderKind.RECOVERY,
        to=DossierStatus.BALANCE_RECOVERED,
        on=on,
        actor=actor,
        note=note,
    )


@transaction.atomic
def dossier_close(
    *, dossier: Dossier, on: datetime.date, actor: User | None = None, note: str = ""
) -> DossierStatusChange:
    """Close a settled dossier once no money is outstanding either way."""
    locked = _lock(dossier)
    settlement = Settlement.objects.filter(dossier=locked).first()
    if settlement is None or (
        settlement.order_kind != OrderKind.NONE and settlement.executed_on is None
    ):
        raise ValidationError(
            {
                "status": ValidationError(
                    _("Dossier %(dossier)s cannot be closed: money is still outstanding.")
                    % {"dossier": locked},
                    code="money_outstanding",
                )
            }
        )
    return _step(locked, to=DossierStatus.CLOSED, actor=actor, on=on, note=note)

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.be import ogm_vcs

from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import (
    DossierAuditEntry,
    DossierStatus,
    OrderKind,
    Verdict,
)
from grantmonitor.dossiers.selectors import dossier_current_status
from grantmonitor.dossiers.tests.conftest import LATER_DAY, LINES, OPERATING, PERSONNEL, VERDICTS

LATER = LATER_DAY


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English; the Dutch ones are the catalogue's."""
    with translation.override("en"):
        yield


def _status(walk):
    return dossier_current_status(dossier=walk.dossier)


def test_positive_balance_becomes_a_payment_then_the_dossier_closes(walk):
    walk.advances("30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    assert _status(walk) == DossierStatus.BACK_WITH_CASE_HANDLER
    assert walk.dossier.inspections.get().accepted_total == D("68000.00")

    settlement = walk.settle()
    walk.dossier.refresh_from_db()
    assert (settlement.overhead, settlement.eligible, settlement.net) == (
        D("7500.00"),
        D("75000.00"),
        D("60000.00"),
    )
    assert walk.dossier.net_amount == D("60000.00")
    assert walk.dossier.difference == D("40000.00")
    assert (settlement.advances_paid, settlement.balance) == (D("30000.00"), D("30000.00"))
    assert settlement.order_kind == OrderKind.PAYMENT

    services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.BALANCE_PAID
    services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.CLOSED


def test_negative_balance_becomes_a_recovery_with_a_structured_communication(walk):
    walk.advances("40", "40").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    settlement = walk.settle()
    assert settlement.balance == D("-20000.00")
    assert settlement.order_kind == OrderKind.RECOVERY
    assert ogm_vcs.is_valid(settlement.structured_communication)
    shown = settlement.structured_communication_display
    assert shown.startswith("+++") and shown.endswith("+++") and len(shown) == 20

    with pytest.raises(ValidationError, match="recovery order"):
        services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)
    services.settlement_record_recovery(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.BALANCE_RECOVERED
    services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.CLOSED


def test_zero_balance_closes_without_an_order(walk):
    walk.advances("30", "30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    settlement = walk.settle()
    assert (settlement.balance, settlement.order_kind) == (D("0.00"), OrderKind.NONE)
    services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.CLOSED


def test_net_is_capped_at_the_allocation(walk):
    walk.declare((PERSONNEL, "90000.00"), (OPERATING, "40000.00"))
    walk.inspect(Verdict.ACCEPTED, Verdict.ACCEPTED)
    settlement = walk.settle()
    # 80 % of (130.000 + 13.500 overhead) = 114.800, above the ceiling of 100.000.
    assert settlement.funded == D("114800.00")
    assert settlement.net == D("100000.00")
    walk.dossier.refresh_from_db()
    assert walk.dossier.difference == D("0.00")


def test_no_balance_before_the_inspection_is_complete(walk):
    walk.declare(*LINES)
    services.inspection_start(dossier=walk.dossier, on=LATER, actor=walk.handler)
    with pytest.raises(ValidationError) as error:
        walk.settle()
    assert "net_amount" in error.value.message_dict
    walk.dossier.refresh_from_db()
    assert walk.dossier.net_amount is None
    with pytest.raises(ValidationError, match="not settled"):
        services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)


def test_inspection_cannot_complete_with_unreviewed_lines_and_nothing_is_saved(walk):
    walk.declare(*LINES)
    services.inspection_start(dossier=walk.dossier, on=LATER, actor=walk.handler)
    services.cost_line_review(
        line=walk.lines[0], verdict=Verdict.ACCEPTED, on=LATER, actor=walk.inspector
    )
    with pytest.raises(ValidationError) as error:
        services.inspection_complete(dossier=walk.dossier, on=LATER, actor=walk.inspector)
    assert "operating 20000.00" in str(error.value)
    assert _status(walk) == DossierStatus.WITH_INSPECTION
    assert walk.dossier.inspections.get().accepted_total is None


def test_no_closure_with_money_outstanding(walk):
    walk.advances("30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    with pytest.raises(ValidationError, match="outstanding"):
        services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    walk.settle()
    with pytest.raises(ValidationError, match="outstanding"):
        services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert _status(walk) == DossierStatus.BACK_WITH_CASE_HANDLER


def test_no_change_of_accepted_costs_after_closure(walk):
    walk.advances("30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    walk.settle()
    services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)
    services.dossier_close(dossier=walk.dossier, on=LATER, actor=walk.handler)
    with pytest.raises(ValidationError, match="is closed"):
        services.cost_line_review(
            line=walk.lines[2], verdict=Verdict.ACCEPTED, on=LATER, actor=walk.inspector
        )
    with pytest.raises(ValidationError, match="is closed"):
        walk.settle()
    walk.lines[2].refresh_from_db()
    assert walk.lines[2].accepted_amount == D("0.00")


def test_the_balance_is_paid_only_once(walk):
    walk.advances("30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    walk.settle()
    services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)
    with pytest.raises(ValidationError, match="already"):
        services.settlement_pay(dossier=walk.dossier, on=LATER, actor=walk.handler)
    assert (
        DossierAuditEntry.objects.filter(dossier=walk.dossier, action="balance_paid").count() == 1
    )


def test_verdicts_need_a_reason_and_a_sensible_amount(walk):
    walk.declare(*LINES)
    services.inspection_start(dossier=walk.dossier, on=LATER, actor=walk.handler)
    line = walk.lines[1]
    with pytest.raises(ValidationError) as error:
        services.cost_line_review(line=line, verdict=Verdict.REJECTED, on=LATER)
    assert "reason" in error.value.message_dict
    for amount in (D("20000.00"), D("25000.00"), D("0.00"), None):
        with pytest.raises(ValidationError) as error:
            services.cost_line_review(
                line=line,
                verdict=Verdict.PARTLY_ACCEPTED,
                accepted_amount=amount,
                reason="too much",
                on=LATER,
            )
        assert "accepted_amount" in error.value.message_dict
    line.refresh_from_db()
    assert (line.verdict, line.accepted_amount) == ("", None)


@pytest.mark.parametrize(
    "call",
    [
        lambda w: services.cost_line_add(
            dossier=w.dossier, category=PERSONNEL, description="x", amount=0.1, document_ref="y"
        ),
        lambda w: services.cost_statement_set_revenues(dossier=w.dossier, revenues=12.5),
        lambda w: services.budget_line_set(dossier=w.dossier, category=PERSONNEL, amount=1e3),
        lambda w: services.advance_schedule(dossier=w.dossier, number=1, percentage=40.0),
    ],
)
def test_floats_are_refused(walk, call):
    with pytest.raises(ValidationError, match="float"):
        call(walk)
    assert not DossierAuditEntry.objects.exclude(action="open").exists()


def test_advances_are_approved_before_paid_and_stay_within_the_allocation(walk):
    advance = services.advance_schedule(dossier=walk.dossier, number=1, percentage=D("60"))
    assert advance.amount == D("60000.00")
    with pytest.raises(ValidationError, match="not approved"):
        services.advance_pay(advance=advance, on=LATER)
    with pytest.raises(ValidationError) as error:
        services.advance_schedule(dossier=walk.dossier, number=2, percentage=D("50"))
    assert "percentage" in error.value.message_dict
    services.advance_approve(advance=advance, on=LATER, actor=walk.handler)
    services.advance_pay(advance=advance, on=LATER, actor=walk.handler)
    with pytest.raises(ValidationError, match="already"):
        services.advance_pay(advance=advance, on=LATER)


def test_an_approved_unpaid_advance_blocks_the_settlement(walk):
    advance = services.advance_schedule(dossier=walk.dossier, number=1, percentage=D("30"))
    services.advance_approve(advance=advance, on=LATER)
    walk.declare(*LINES).inspect(*VERDICTS)
    with pytest.raises(ValidationError) as error:
        walk.settle()
    assert "advances" in error.value.message_dict


def test_each_step_writes_an_audit_row_with_old_and_new_values(walk):
    walk.declare(*LINES)
    services.inspection_start(dossier=walk.dossier, on=LATER, actor=walk.handler)
    line = walk.lines[1]
    services.cost_line_review(line=line, verdict=Verdict.ACCEPTED, on=LATER, actor=walk.inspector)
    services.cost_line_review(
        line=line,
        verdict=Verdict.PARTLY_ACCEPTED,
        accepted_amount=D("18000.00"),
        reason="one invoice outside the period",
        on=LATER,
        actor=walk.inspector,
    )
    entry = DossierAuditEntry.objects.filter(action="cost_line_review").latest("at", "pk")
    assert entry.actor == walk.inspector
    assert entry.note == "one invoice outside the period"
    assert entry.changes[f"cost_line.{line.pk}.accepted_amount"] == ["20000.00", "18000.00"]
    assert entry.changes[f"cost_line.{line.pk}.verdict"] == ["accepted", "partly_accepted"]
    statuses = DossierAuditEntry.objects.filter(dossier=walk.dossier, action="status")
    assert [e.changes["status"][1] for e in statuses] == ["final_report_in", "with_inspection"]


def test_bank_account_is_validated(walk):
    with pytest.raises(ValidationError) as error:
        services.dossier_open(
            project=walk.dossier.project,
            allocated_amount=D("1.00"),
            payee_iban="BE00 1234 5678 9012",
            payee_bic="NOTABIC",
        )
    assert {"payee_iban", "payee_bic"} <= set(error.value.message_dict)
    assert walk.dossier.payee_iban == "BE48001123456727"

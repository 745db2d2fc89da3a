"""The seed's money (answer to question 418, part 3) comes out of the settlement."""

from decimal import Decimal as D

from grantmonitor.dossiers import rules
from grantmonitor.dossiers.models import DossierStatus, OrderKind, Verdict
from grantmonitor.dossiers.selectors import dossier_history, dossier_list


def _dossiers():
    return {d.project.name: d for d in dossier_list()}


def test_settlement_produces_the_seed_net_amounts_and_differences(demo):
    dossiers = _dossiers()
    hefboom, stebo = dossiers["Hefboom"], dossiers["Stebo"]
    assert (hefboom.allocated_amount, hefboom.net_amount, hefboom.difference) == (
        D("300000.00"),
        D("299168.12"),
        D("831.88"),
    )
    assert (stebo.allocated_amount, stebo.net_amount, stebo.difference) == (
        D("224989.00"),
        D("203045.14"),
        D("21943.86"),
    )
    # The net amount is the settlement's, computed from the inspector's verdicts.
    assert hefboom.settlement.net == hefboom.net_amount
    assert stebo.settlement.net == stebo.net_amount
    assert stebo.settlement.overhead == D("16500.00")  # 10 % of the accepted 165.000,00
    assert stebo.settlement.revenues == D("1250.00")


def test_both_balances_were_paid_and_the_dossiers_closed(demo):
    dossiers = _dossiers()
    for name, advances, balance in [
        ("Hefboom", D("240000.00"), D("59168.12")),
        ("Stebo", D("179991.20"), D("23053.94")),
    ]:
        dossier = dossiers[name]
        settlement = dossier.settlement
        assert settlement.advances_paid == advances
        assert settlement.balance == balance
        assert settlement.order_kind == OrderKind.PAYMENT
        assert settlement.executed_on is not None
        assert dossier.current_status == DossierStatus.CLOSED
        assert [c.status for c in dossier_history(dossier=dossier)] == [
            DossierStatus.RUNNING,
            DossierStatus.FINAL_REPORT_IN,
            DossierStatus.WITH_INSPECTION,
            DossierStatus.BACK_WITH_CASE_HANDLER,
            DossierStatus.BALANCE_PAID,
            DossierStatus.CLOSED,
        ]


def test_inspection_verdicts_and_demo_detail_are_marked(demo):
    stebo = _dossiers()["Stebo"]
    lines = list(stebo.cost_statement.lines.all())
    assert [line.verdict for line in lines] == [
        Verdict.PARTLY_ACCEPTED,
        Verdict.ACCEPTED,
        Verdict.REJECTED,
    ]
    assert all("demodetail" in line.description for line in lines)
    assert [line.reason for line in lines] == [
        "Prestaties buiten de projectperiode (demodetail)",
        "",
        "Niet subsidiabel volgens de oproep (demodetail)",
    ]
    assert stebo.inspections.get().accepted_total == D("187795.14")


def test_gtb_is_with_inspection_without_figures(demo):
    gtb = _dossiers()["GTB"]
    assert gtb.current_status == DossierStatus.WITH_INSPECTION
    assert gtb.allocated_amount is None
    assert gtb.net_amount is None
    assert gtb.difference is None
    assert not gtb.cost_statement.lines.exists()
    assert gtb.inspections.get().completed_on is None


def test_the_demo_budgets_explain_the_allocations(demo):
    for dossier in (d for d in dossier_list() if d.project.name in ("Hefboom", "Stebo")):
        estimate = rules.budget(
            [
                (rules.CostCategory(line.category), line.amount)
                for line in dossier.budget_lines.all()
            ],
            overhead_rate=dossier.overhead_rate,
            subsidy_rate=dossier.subsidy_rate,
        )
        assert estimate.funded == dossier.allocated_amount

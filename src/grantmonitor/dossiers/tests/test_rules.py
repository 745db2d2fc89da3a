from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantmonitor.dossiers import rules
from grantmonitor.dossiers.rules import AcceptedCost, CostCategory, SettlementTerms, Verdict

CENT = D("0.01")


def test_overhead_and_rate_round_half_up_to_the_cent():
    terms = SettlementTerms(allocation=D("1000.00"), subsidy_rate=D("50"), overhead_rate=D("7"))
    result = rules.settle(
        terms,
        [AcceptedCost(CostCategory.PERSONNEL, D("0.50"))],
        revenues=D("0"),
        advances_paid=[],
    )
    # 7 % of 0,50 = 0,035 -> 0,04 (half up); 50 % of 0,54 = 0,27.
    assert result.overhead == D("0.04")
    assert result.net == D("0.27")
    halves = rules.settle(
        SettlementTerms(allocation=D("1000.00"), subsidy_rate=D("50"), overhead_rate=D("0")),
        [AcceptedCost(CostCategory.OPERATING, D("0.05"))],
        revenues=D("0"),
        advances_paid=[],
    )
    assert halves.net == D("0.03")  # 0,025 -> 0,03


def test_overhead_is_recomputed_on_accepted_personnel_only():
    result = rules.settle(
        SettlementTerms(allocation=D("500000.00"), subsidy_rate=D("100"), overhead_rate=D("10")),
        [
            AcceptedCost(CostCategory.PERSONNEL, D("248500.00")),
            AcceptedCost(CostCategory.OPERATING, D("25818.12")),
        ],
        revenues=D("0"),
        advances_paid=[D("120000.00"), D("120000.00")],
    )
    assert result.overhead == D("24850.00")
    assert result.net == D("299168.12")
    assert result.balance == D("59168.12")


def test_revenues_above_costs_leave_nothing_to_finance():
    result = rules.settle(
        SettlementTerms(allocation=D("100.00"), subsidy_rate=D("100"), overhead_rate=D("0")),
        [AcceptedCost(CostCategory.OPERATING, D("50.00"))],
        revenues=D("80.00"),
        advances_paid=[D("40.00")],
    )
    assert (result.eligible, result.net, result.balance) == (D("0.00"), D("0.00"), D("-40.00"))


@pytest.mark.parametrize(
    ("verdict", "partly", "expected"),
    [
        (Verdict.ACCEPTED, None, D("120.00")),
        (Verdict.REJECTED, None, D("0.00")),
        (Verdict.PARTLY_ACCEPTED, D("99.99"), D("99.99")),
    ],
)
def test_accepted_amount_follows_the_verdict(verdict, partly, expected):
    assert rules.accepted_amount(verdict, D("120.00"), partly) == expected


@pytest.mark.parametrize("partly", [None, D("0"), D("120.00"), D("130.00"), D("1.001")])
def test_partly_accepted_amount_lies_strictly_between_zero_and_declared(partly):
    with pytest.raises(ValueError):
        rules.accepted_amount(Verdict.PARTLY_ACCEPTED, D("120.00"), partly)


@pytest.mark.parametrize("bad", [0.1, 100.0, "12.00", None])
def test_money_refuses_floats_and_strings(bad):
    with pytest.raises(TypeError):
        rules.money(bad)


def test_floats_anywhere_in_a_settlement_are_refused():
    terms = SettlementTerms(allocation=D("100.00"), subsidy_rate=D("100"), overhead_rate=D("0"))
    cost = [AcceptedCost(CostCategory.OPERATING, D("10.00"))]
    with pytest.raises(TypeError):
        rules.settle(
            terms, [AcceptedCost(CostCategory.OPERATING, 10.0)], revenues=D(0), advances_paid=[]
        )
    with pytest.raises(TypeError):
        rules.settle(terms, cost, revenues=0.0, advances_paid=[])
    with pytest.raises(TypeError):
        rules.settle(terms, cost, revenues=D(0), advances_paid=[5.0])
    with pytest.raises(TypeError):
        rules.settle(
            SettlementTerms(allocation=D("100.00"), subsidy_rate=80.0, overhead_rate=D("0")),
            cost,
            revenues=D(0),
            advances_paid=[],
        )


def test_fractions_of_a_cent_are_refused():
    with pytest.raises(ValueError):
        rules.money(D("0.001"))


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (rules.Status.BACK_WITH_CASE_HANDLER, rules.Status.BALANCE_RECOVERED, True),
        (rules.Status.BALANCE_RECOVERED, rules.Status.CLOSED, True),
        (rules.Status.WITH_INSPECTION, rules.Status.CLOSED, False),
        (rules.Status.CLOSED, rules.Status.WITH_INSPECTION, False),
    ],
)
def test_recovery_path(current, target, allowed):
    assert rules.check_transition(current, target, net_amount_known=True).allowed is allowed


cents = st.integers(min_value=0, max_value=10**10).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=10000).map(lambda r: D(r) / 100)
costs = st.lists(st.builds(AcceptedCost, st.sampled_from(list(CostCategory)), cents), max_size=12)


@given(
    allocation=cents,
    subsidy_rate=rates,
    overhead_rate=rates,
    accepted=costs,
    revenues=cents,
    advances=st.lists(cents, max_size=4),
)
def test_settlement_properties(
    allocation, subsidy_rate, overhead_rate, accepted, revenues, advances
):
    result = rules.settle(
        SettlementTerms(
            allocation=allocation, subsidy_rate=subsidy_rate, overhead_rate=overhead_rate
        ),
        accepted,
        revenues=revenues,
        advances_paid=advances,
    )
    assert D(0) <= result.net <= allocation
    assert result.advances_paid + result.balance == result.net
    assert result.net + result.difference == allocation
    for value in vars(result).values():
        assert isinstance(value, D)
        assert value == value.quantize(CENT)
        assert value.as_tuple().exponent == -2


def test_budget_adds_the_flat_rate_overhead_on_estimated_personnel():
    estimate = rules.budget(
        [(CostCategory.PERSONNEL, D("180000.00")), (CostCategory.OPERATING, D("26989.00"))],
        overhead_rate=D("10"),
        subsidy_rate=D("80"),
    )
    assert (estimate.overhead, estimate.total, estimate.funded) == (
        D("18000.00"),
        D("224989.00"),
        D("179991.20"),
    )

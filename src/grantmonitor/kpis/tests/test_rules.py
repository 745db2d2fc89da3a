"""The KPI rules on the seed's own figures, and their invariants."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from grantmonitor.kpis.rules import (
    ChildrenRule,
    Figures,
    Kind,
    Verdict,
    assess,
    check_children,
)


def test_count_above_objective_is_achieved_with_its_percentage():
    # Hefboom: 26 young applicants promised, 59 realised.
    result = assess(Kind.COUNT, Figures(value=D(26)), Figures(value=D(59)))
    assert result.verdict == Verdict.ACHIEVED
    assert result.score_percent == D(227)


def test_count_below_objective_is_not_achieved():
    result = assess(Kind.COUNT, Figures(value=D(400)), Figures(value=D(399)))
    assert result.verdict == Verdict.NOT_ACHIEVED
    assert result.score_percent == D(100)  # 99.75 % rounds half up to 100


def test_count_exactly_on_objective_is_achieved():
    assert (
        assess(Kind.COUNT, Figures(value=D(12)), Figures(value=D(12))).verdict == Verdict.ACHIEVED
    )


def test_increase_against_baseline():
    # "Stijging van minstens 10%": from an average of 5 a year to 16 a year is +220 %.
    result = assess(Kind.INCREASE, Figures(percent=D(10)), Figures(baseline=D(5), value=D(16)))
    assert result.verdict == Verdict.ACHIEVED
    assert result.score_percent == D(220)
    second_chance = assess(
        Kind.INCREASE, Figures(percent=D(10)), Figures(baseline=D(5), value=D(12))
    )
    assert second_chance.score_percent == D(140)


def test_increase_smaller_than_objective_is_not_achieved():
    result = assess(Kind.INCREASE, Figures(percent=D(10)), Figures(baseline=D(50), value=D(54)))
    assert result.verdict == Verdict.NOT_ACHIEVED
    assert result.score_percent == D(8)


def test_ratio_higher_is_better():
    # Conversion "1 op 4" promised, "1 op 2" realised: twice as good.
    result = assess(
        Kind.RATIO,
        Figures(numerator=D(1), denominator=D(4)),
        Figures(numerator=D(1), denominator=D(2)),
    )
    assert result.verdict == Verdict.ACHIEVED
    assert result.score_percent == D(200)


def test_ratio_lower_is_better_reverses_the_verdict():
    objective = Figures(numerator=D(1), denominator=D(4))
    realised = Figures(numerator=D(1), denominator=D(2))
    result = assess(Kind.RATIO, objective, realised, higher_is_better=False)
    assert result.verdict == Verdict.NOT_ACHIEVED
    assert result.score_percent == D(50)


def test_breakdown_row_without_objective_and_missing_result():
    assert assess(Kind.COUNT, Figures(), Figures(value=D(767))).verdict == Verdict.NO_OBJECTIVE
    assert assess(Kind.COUNT, Figures(value=D(5)), Figures()).verdict == Verdict.NO_RESULT
    assert assess(Kind.QUALITATIVE, Figures(), Figures()).verdict == Verdict.QUALITATIVE


def test_seed_sums_hold():
    reached = check_children(
        ChildrenRule.SUM, D(1347), [D(767), D(98), D(320), D(101), D(61)], side="realised"
    )
    assert reached.ok and reached.children_total == D(1347)
    activities = check_children(
        ChildrenRule.SUM, D(154), [D(12), D(12), D(93), D(37)], side="objective"
    )
    assert activities.ok


def test_sum_mismatch_is_reported_with_both_totals():
    check = check_children(ChildrenRule.SUM, D(38), [D(9), D(14), D(16)], side="realised")
    assert not check.ok
    assert (check.parent, check.children_total) == (D(38), D(39))


def test_of_which_parts_need_not_add_up_but_may_not_exceed():
    # "17 (waarvan 15 ism Dyzo)"
    assert check_children(ChildrenRule.OF_WHICH, D(17), [D(15)], side="realised").ok
    assert not check_children(ChildrenRule.OF_WHICH, D(17), [D(18)], side="realised").ok


def test_partial_objectives_are_not_checked():
    # Stebo's reached pre-starters: only three of five children have an objective.
    assert (
        check_children(
            ChildrenRule.SUM, D(400), [None, None, D(93), D(93), D(37)], side="objective"
        )
        is None
    )


counts = st.integers(min_value=0, max_value=10_000).map(D)


@given(st.lists(counts, min_size=1, max_size=8), st.integers(min_value=0, max_value=80_000))
def test_distinct_parent_lies_between_largest_child_and_sum(children, parent):
    check = check_children(ChildrenRule.DISTINCT, D(parent), children, side="realised")
    assert check.ok == (max(children) <= parent <= sum(children))


@given(counts, counts)
def test_count_verdict_agrees_with_comparison(objective, realised):
    result = assess(Kind.COUNT, Figures(value=objective), Figures(value=realised))
    assert (result.verdict == Verdict.ACHIEVED) == (realised >= objective)

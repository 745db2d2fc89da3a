"""The KPI rules: kinds, verdicts and breakdown checks, as data plus one function each.

Pure Python on ``Decimal``: no database, no Django models. The models store what these
functions read; selectors call them; nothing else decides whether a KPI was achieved.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)


class Kind(StrEnum):
    COUNT = "count"  # a number with a minimum objective: 26 -> 59
    INCREASE = "increase"  # relative change against a baseline: at least +10 %
    RATIO = "ratio"  # numerator : denominator, "1 op 4" -> "1 op 2"
    QUALITATIVE = "qualitative"  # an objective and a realisation in words


class ChildrenRule(StrEnum):
    NONE = "none"  # children are listed, nothing is checked
    SUM = "sum"  # children add up to the parent exactly
    OF_WHICH = "of_which"  # "waarvan": each child is a part of the parent, need not add up
    DISTINCT = "distinct"  # overlapping groups of distinct people: max(child) <= parent <= sum


class Verdict(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    NO_OBJECTIVE = "no_objective"
    NO_RESULT = "no_result"
    QUALITATIVE = "qualitative"


@dataclass(frozen=True)
class Figures:
    """The numbers of one side (objective or realised) of a KPI; unused fields stay None."""

    value: Decimal | None = None  # count; for INCREASE the realised level (average per year)
    baseline: Decimal | None = None  # INCREASE, realised side: the level before the project
    percent: Decimal | None = None  # INCREASE, objective side: the minimal change in %
    numerator: Decimal | None = None  # RATIO
    denominator: Decimal | None = None  # RATIO

    @property
    def ratio(self) -> Decimal | None:
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def change_percent(self) -> Decimal | None:
        """Relative change of ``value`` against ``baseline``, in %."""
        if self.value is None or not self.baseline:
            return None
        return (self.value - self.baseline) / self.baseline * HUNDRED

    def is_empty(self) -> bool:
        return all(v is None for v in (self.value, self.baseline, self.percent, self.numerator))


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    # COUNT: realised as % of the objective; INCREASE: the realised change in %;
    # RATIO: the realised ratio as % of the objective ratio. None where it means nothing.
    score_percent: Decimal | None = None


def whole_percent(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def assess(
    kind: Kind, objective: Figures, realised: Figures, *, higher_is_better: bool = True
) -> Assessment:
    """The verdict on one KPI: was the objective reached, and by how much."""
    if kind == Kind.QUALITATIVE:
        return Assessment(Verdict.QUALITATIVE)
    if kind == Kind.COUNT:
        target, actual = objective.value, realised.value
        if actual is None:
            return Assessment(Verdict.NO_RESULT)
        if target is None:
            return Assessment(Verdict.NO_OBJECTIVE)
        score = whole_percent(actual / target * HUNDRED) if target else None
        return Assessment(_compare(actual, target, higher_is_better), score)
    if kind == Kind.INCREASE:
        change = realised.change_percent
        if change is None:
            return Assessment(Verdict.NO_RESULT)
        if objective.percent is None:
            return Assessment(Verdict.NO_OBJECTIVE, whole_percent(change))
        return Assessment(
            _compare(change, objective.percent, higher_is_better), whole_percent(change)
        )
    if kind == Kind.RATIO:
        target, actual = objective.ratio, realised.ratio
        if actual is None:
            return Assessment(Verdict.NO_RESULT)
        if target is None:
            return Assessment(Verdict.NO_OBJECTIVE)
        if higher_is_better:
            score = actual / target * HUNDRED
        else:
            score = target / actual * HUNDRED if actual else None
        return Assessment(
            _compare(actual, target, higher_is_better),
            whole_percent(score) if score is not None else None,
        )
    raise ValueError(f"unknown KPI kind {kind!r}")


def _compare(actual: Decimal, target: Decimal, higher_is_better: bool) -> Verdict:
    reached = actual >= target if higher_is_better else actual <= target
    return Verdict.ACHIEVED if reached else Verdict.NOT_ACHIEVED


@dataclass(frozen=True)
class BreakdownCheck:
    ok: bool
    side: str  # "objective" or "realised"
    parent: Decimal
    children_total: Decimal
    children_max: Decimal
    rule: ChildrenRule


def check_children(
    rule: ChildrenRule, parent: Decimal | None, children: list[Decimal | None], *, side: str
) -> BreakdownCheck | None:
    """Whether a parent and its children agree under the parent's rule.

    Returns None when there is nothing to check: no rule, no parent value, or a child
    without a value (a partial breakdown of objectives is common and not an error).
    """
    if rule == ChildrenRule.NONE or parent is None or not children:
        return None
    if any(child is None for child in children):
        return None
    total = sum(children, Decimal(0))
    largest = max(children)
    if rule == ChildrenRule.SUM:
        ok = total == parent
    elif rule == ChildrenRule.OF_WHICH:
        ok = largest <= parent
    else:  # DISTINCT
        ok = largest <= parent <= total
    return BreakdownCheck(ok, side, parent, total, largest, rule)

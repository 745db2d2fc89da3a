"""The dossier's path and its money, as data plus one function each. Pure: no database.

Rounding rule: every computed amount is rounded to the cent once, where it arises, with
``ROUND_HALF_UP`` (commercial rounding, as on a Belgian payment order): the flat-rate overhead
on accepted personnel costs, and the subsidy-rate share of the eligible costs. Sums of amounts
that are already whole cents need no rounding. Floats are refused everywhere on the path.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from grantmonitor.common.money import CENT, is_whole_cents

HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


class Status(StrEnum):
    RUNNING = "running"
    FINAL_REPORT_IN = "final_report_in"
    WITH_INSPECTION = "with_inspection"
    BACK_WITH_CASE_HANDLER = "back_with_case_handler"
    BALANCE_PAID = "balance_paid"
    BALANCE_RECOVERED = "balance_recovered"
    CLOSED = "closed"


# Which state may follow which. Anything not listed is refused. Closing straight from
# "back with the case handler" is for a settled dossier whose balance is exactly zero.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RUNNING: frozenset({Status.FINAL_REPORT_IN}),
    Status.FINAL_REPORT_IN: frozenset({Status.WITH_INSPECTION}),
    Status.WITH_INSPECTION: frozenset({Status.BACK_WITH_CASE_HANDLER}),
    Status.BACK_WITH_CASE_HANDLER: frozenset(
        {Status.BALANCE_PAID, Status.BALANCE_RECOVERED, Status.WITH_INSPECTION, Status.CLOSED}
    ),
    Status.BALANCE_PAID: frozenset({Status.CLOSED}),
    Status.BALANCE_RECOVERED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# States in which the inspection service has finished its control.
INSPECTED = frozenset(
    {Status.BACK_WITH_CASE_HANDLER, Status.BALANCE_PAID, Status.BALANCE_RECOVERED, Status.CLOSED}
)


class Refusal(StrEnum):
    MUST_START_RUNNING = "must_start_running"
    NOT_ON_PATH = "not_on_path"
    NET_AMOUNT_UNKNOWN = "net_amount_unknown"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Refusal | None = None


def check_transition(current: Status | None, target: Status, *, net_amount_known: bool) -> Decision:
    """May a dossier in ``current`` move to ``target``? ``current`` None: a new dossier."""
    if current is None:
        if target == Status.RUNNING:
            return Decision(True)
        return Decision(False, Refusal.MUST_START_RUNNING)
    if target not in TRANSITIONS[current]:
        return Decision(False, Refusal.NOT_ON_PATH)
    if target in (Status.BALANCE_PAID, Status.BALANCE_RECOVERED) and not net_amount_known:
        return Decision(False, Refusal.NET_AMOUNT_UNKNOWN)
    return Decision(True)


def difference(allocated: Decimal | None, net: Decimal | None) -> Decimal | None:
    """Allocated (on estimated costs) minus net to finance (on accepted costs)."""
    return None if net is None or allocated is None else allocated - net


# --- money ------------------------------------------------------------------------------


def money(value: Decimal | int) -> Decimal:
    """An amount as a Decimal of whole cents. Refuses floats and fractions of a cent."""
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"money is a Decimal or an int, never {type(value).__name__}: {value!r}")
    amount = Decimal(value)
    if not is_whole_cents(amount):
        raise ValueError(f"{value} is not a whole number of cents")
    return amount.quantize(CENT)


def percentage(value: Decimal | int) -> Decimal:
    """A percentage between 0 and 100 as a Decimal. Refuses floats."""
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"a percentage is a Decimal or an int, never {type(value).__name__}")
    pct = Decimal(value)
    if not pct.is_finite() or not Decimal(0) <= pct <= HUNDRED:
        raise ValueError(f"{value} is not a percentage between 0 and 100")
    return pct


def share(amount: Decimal, pct: Decimal) -> Decimal:
    """``pct`` percent of ``amount``, rounded half up to the cent."""
    return (money(amount) * percentage(pct) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


# --- settlement -------------------------------------------------------------------------


class CostCategory(StrEnum):
    PERSONNEL = "personnel"
    OPERATING = "operating"
    EXTERNAL = "external"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


def accepted_amount(verdict: Verdict, declared: Decimal, partly: Decimal | None = None) -> Decimal:
    """The accepted part of a declared cost line under the inspector's verdict."""
    declared = money(declared)
    if verdict == Verdict.ACCEPTED:
        return declared
    if verdict == Verdict.REJECTED:
        return ZERO
    if partly is None:
        raise ValueError("a partly accepted line needs the accepted amount")
    partly = money(partly)
    if not ZERO < partly < declared:
        raise ValueError(f"a partly accepted amount lies between 0 and {declared}, not {partly}")
    return partly


@dataclass(frozen=True)
class Budget:
    direct: Decimal  # the estimated costs of the categories
    overhead: Decimal  # the flat rate on the estimated personnel costs
    total: Decimal
    funded: Decimal  # the subsidy rate applied to the total: what the allocation is based on


def budget(
    lines: Iterable[tuple["CostCategory", Decimal]],
    *,
    overhead_rate: Decimal,
    subsidy_rate: Decimal,
) -> Budget:
    """The estimate behind the allocation, with the same rounding as the settlement."""
    lines = [(category, money(amount)) for category, amount in lines]
    direct = sum((amount for _category, amount in lines), ZERO)
    personnel = sum((a for c, a in lines if c == CostCategory.PERSONNEL), ZERO)
    overhead = share(personnel, overhead_rate)
    return Budget(direct, overhead, direct + overhead, share(direct + overhead, subsidy_rate))


@dataclass(frozen=True)
class AcceptedCost:
    category: CostCategory
    amount: Decimal


@dataclass(frozen=True)
class SettlementTerms:
    """What the grant decision fixed: the ceiling, the subsidy rate, the overhead rate."""

    allocation: Decimal
    subsidy_rate: Decimal  # percent of the eligible costs (minus revenues) the funder pays
    overhead_rate: Decimal  # flat-rate overhead, percent of personnel costs


@dataclass(frozen=True)
class Settlement:
    accepted_direct: Decimal
    accepted_personnel: Decimal
    overhead: Decimal
    revenues: Decimal
    eligible: Decimal  # accepted direct costs + overhead - revenues, not below zero
    funded: Decimal  # subsidy rate x eligible
    net: Decimal  # the lesser of the allocation and ``funded``
    difference: Decimal  # allocation - net
    advances_paid: Decimal
    balance: Decimal  # net - advances paid: > 0 to pay, < 0 to recover


def settle(
    terms: SettlementTerms,
    accepted: Iterable[AcceptedCost],
    *,
    revenues: Decimal,
    advances_paid: Iterable[Decimal],
) -> Settlement:
    """Net = min(allocation, rate x (accepted costs + overhead - revenues)), see the module."""
    allocation = money(terms.allocation)
    accepted = list(accepted)
    direct = sum((money(c.amount) for c in accepted), ZERO)
    personnel = sum(
        (money(c.amount) for c in accepted if c.category == CostCategory.PERSONNEL), ZERO
    )
    overhead = share(personnel, terms.overhead_rate)
    revenues = money(revenues)
    eligible = max(direct + overhead - revenues, ZERO)
    funded = share(eligible, terms.subsidy_rate)
    net = min(allocation, funded)
    paid = sum((money(a) for a in advances_paid), ZERO)
    return Settlement(
        accepted_direct=direct,
        accepted_personnel=personnel,
        overhead=overhead,
        revenues=revenues,
        eligible=eligible,
        funded=funded,
        net=net,
        difference=allocation - net,
        advances_paid=paid,
        balance=net - paid,
    )

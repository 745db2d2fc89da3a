"""The dossier's path and its money, as data plus one function each. Pure: no database."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    RUNNING = "running"
    FINAL_REPORT_IN = "final_report_in"
    WITH_INSPECTION = "with_inspection"
    BACK_WITH_CASE_HANDLER = "back_with_case_handler"
    BALANCE_PAID = "balance_paid"
    CLOSED = "closed"


# Which state may follow which. Anything not listed is refused.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RUNNING: frozenset({Status.FINAL_REPORT_IN}),
    Status.FINAL_REPORT_IN: frozenset({Status.WITH_INSPECTION}),
    Status.WITH_INSPECTION: frozenset({Status.BACK_WITH_CASE_HANDLER}),
    Status.BACK_WITH_CASE_HANDLER: frozenset({Status.BALANCE_PAID, Status.WITH_INSPECTION}),
    Status.BALANCE_PAID: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# States in which the inspection service has finished its control.
INSPECTED = frozenset({Status.BACK_WITH_CASE_HANDLER, Status.BALANCE_PAID, Status.CLOSED})


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
    if target == Status.BALANCE_PAID and not net_amount_known:
        return Decision(False, Refusal.NET_AMOUNT_UNKNOWN)
    return Decision(True)


def difference(allocated: Decimal | None, net: Decimal | None) -> Decimal | None:
    """Allocated (on estimated costs) minus net to finance (on accepted costs)."""
    return None if net is None or allocated is None else allocated - net

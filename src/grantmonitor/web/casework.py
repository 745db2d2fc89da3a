"""Case handlers move dossiers, inspectors review cost lines, the cabinet composes answers.

Thin views: they read through the selectors, write through ``dossiers.services`` and show a
service's refusal (a ``ValidationError`` that names the dossier, the line and the value) on the
form that caused it. Who may do what is asked of ``accounts.permissions``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grantmonitor.accounts import permissions
from grantmonitor.calls.selectors import project_list
from grantmonitor.common.money import format_eur, format_number
from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import Dossier, DossierStatus, OrderKind, Settlement, Verdict
from grantmonitor.dossiers.selectors import (
    dossier_advances,
    dossier_cost_lines,
    dossier_cost_statement,
    dossier_history,
    dossier_money_list,
    dossier_settlement,
    inspection_queue,
)
from grantmonitor.kpis.selectors import projects_kpis
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import answer_deadline, question_is_overdue, question_list
from grantmonitor.web.forms_casework import CostLineReviewForm, DatedStepForm, DossierFilter
from grantmonitor.web.views import Achievement, _allow

# --- next moves on a dossier's path -----------------------------------------------------

Condition = Callable[[DossierStatus, Settlement | None], bool]


def _always(status: DossierStatus, settlement: Settlement | None) -> bool:
    return True


def _not_settled(status: DossierStatus, settlement: Settlement | None) -> bool:
    return settlement is None


def _not_executed(status: DossierStatus, settlement: Settlement | None) -> bool:
    return settlement is None or settlement.executed_on is None


def _order_due(kind: OrderKind) -> Condition:
    def due(status: DossierStatus, settlement: Settlement | None) -> bool:
        return (
            settlement is not None
            and settlement.order_kind == kind
            and settlement.executed_on is None
        )

    return due


def _nothing_outstanding(status: DossierStatus, settlement: Settlement | None) -> bool:
    """Closing straight after the inspection is for a settled balance of exactly zero."""
    if status != DossierStatus.BACK_WITH_CASE_HANDLER:
        return True
    return settlement is not None and settlement.order_kind == OrderKind.NONE


@dataclass(frozen=True)
class Move:
    """A button on the dossier page: one service, offered in some states only."""

    name: str
    label: str
    service: Callable[..., object]
    after: frozenset[DossierStatus]
    when: Condition = _always

    def offered(self, status: DossierStatus | None, settlement: Settlement | None) -> bool:
        return status in self.after and self.when(status, settlement)


MOVES = [
    Move(
        "receive",
        gettext_lazy("Register the final report as received"),
        services.cost_statement_submit,
        frozenset({DossierStatus.RUNNING}),
    ),
    Move(
        "inspect",
        gettext_lazy("Send to the inspection service"),
        services.inspection_start,
        frozenset({DossierStatus.FINAL_REPORT_IN, DossierStatus.BACK_WITH_CASE_HANDLER}),
        _not_settled,
    ),
    Move(
        "settle",
        gettext_lazy("Settle the balance"),
        services.dossier_settle,
        frozenset({DossierStatus.BACK_WITH_CASE_HANDLER}),
        _not_executed,
    ),
    Move(
        "pay",
        gettext_lazy("Pay the balance"),
        services.settlement_pay,
        frozenset({DossierStatus.BACK_WITH_CASE_HANDLER}),
        _order_due(OrderKind.PAYMENT),
    ),
    Move(
        "recover",
        gettext_lazy("Record the recovery of the balance"),
        services.settlement_record_recovery,
        frozenset({DossierStatus.BACK_WITH_CASE_HANDLER}),
        _order_due(OrderKind.RECOVERY),
    ),
    Move(
        "close",
        gettext_lazy("Close the dossier"),
        services.dossier_close,
        frozenset(
            {
                DossierStatus.BALANCE_PAID,
                DossierStatus.BALANCE_RECOVERED,
                DossierStatus.BACK_WITH_CASE_HANDLER,
            }
        ),
        _nothing_outstanding,
    ),
]


def _service_errors(form: Form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- the dashboard ----------------------------------------------------------------------

CHART_LABEL_WIDTH = 190  # room for a project's name, in the SVG's units
CHART_BAR_SPACE = 500
CHART_BAR = 9
CHART_ROW = 3 * CHART_BAR + 13
CHART_TOP = 8


@dataclass(frozen=True)
class DossierLine:
    dossier: Dossier
    achievement: Achievement | None


@dataclass(frozen=True)
class Bar:
    kind: str  # the CSS class and legend key: allocated, paid, net
    amount: Decimal
    y: int
    width: Decimal


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass(frozen=True)
class MoneyChart:
    """Allocated, advances paid and net to finance per dossier, as bars on one scale."""

    rows: list[ChartRow]
    height: int
    label_width: int = CHART_LABEL_WIDTH
    width: int = CHART_LABEL_WIDTH + CHART_BAR_SPACE + 10

    @classmethod
    def of(cls, dossiers: list[Dossier]) -> "MoneyChart | None":
        largest = max(
            (d.allocated_amount or d.net_amount or d.advances_paid for d in dossiers),
            default=None,
        )
        if not largest:
            return None
        rows = []
        for index, dossier in enumerate(dossiers):
            top = CHART_TOP + index * CHART_ROW
            amounts = [
                ("allocated", dossier.allocated_amount),
                ("paid", dossier.advances_paid),
                ("net", dossier.net_amount),
            ]
            bars = [
                Bar(kind, amount, top + slot * CHART_BAR, CHART_BAR_SPACE * amount / largest)
                for slot, (kind, amount) in enumerate(amounts)
                if amount is not None
            ]
            rows.append(ChartRow(dossier.project.name, top + 2 * CHART_BAR - 3, bars))
        return cls(rows, CHART_TOP * 2 + len(rows) * CHART_ROW)


@dataclass(frozen=True)
class Totals:
    allocated: Decimal
    advances_paid: Decimal
    net: Decimal

    @classmethod
    def of(cls, dossiers: list[Dossier]) -> "Totals":
        def total(values):
            return sum((value for value in values if value is not None), Decimal("0.00"))

        return cls(
            total(d.allocated_amount for d in dossiers),
            total(d.advances_paid for d in dossiers),
            total(d.net_amount for d in dossiers),
        )


def _scoped(user, dossiers):
    return dossiers.filter(project__in=project_list().filter(permissions.project_scope(user)))


@login_required
@require_GET
def dossier_dashboard(request):
    _allow(permissions.can_follow_dossiers(request.user))
    filters = DossierFilter(
        request.GET, queryset=_scoped(request.user, dossier_money_list()), request=request
    )
    dossiers = list(filters.qs) if filters.is_valid() else []
    kpis = {
        table.project.pk: table for table in projects_kpis(projects=[d.project for d in dossiers])
    }
    lines = [
        DossierLine(d, Achievement.of(kpis[d.project_id]) if d.project_id in kpis else None)
        for d in dossiers
    ]
    return render(
        request,
        "web/casework/dashboard.html",
        {
            "filters": filters.form,
            "lines": lines,
            "totals": Totals.of(dossiers),
            "chart": MoneyChart.of(dossiers),
        },
    )


# --- one dossier ------------------------------------------------------------------------


def _dossier(pk: int) -> Dossier:
    """The dossier with its money; the caller asks whether the user may see or work on it."""
    dossier = dossier_money_list().filter(pk=pk).first()
    if dossier is None:
        raise Http404(f"no dossier {pk}")
    return dossier


def _offered(dossier: Dossier) -> list[Move]:
    settlement = dossier_settlement(dossier=dossier)
    return [move for move in MOVES if move.offered(dossier.current_status, settlement)]


@login_required
@require_http_methods(["GET", "POST"])
def dossier_detail(request, pk: int):
    dossier = _dossier(pk)
    _allow(permissions.can_view_dossier(request.user, dossier))
    may_move = permissions.can_move_dossier(request.user, dossier)
    moves = _offered(dossier) if may_move else []
    forms = {move.name: DatedStepForm(prefix=move.name) for move in moves}
    status = 200
    if request.method == "POST":
        _allow(may_move)
        name = request.POST.get("move", "")
        move = next((move for move in moves if move.name == name), None)
        if move is None:
            messages.error(
                request,
                _("“%(move)s” is not a next step of dossier %(dossier)s now.")
                % {"move": name, "dossier": dossier},
            )
            return redirect("web:dossier", pk=pk)
        form = forms[name] = DatedStepForm(request.POST, prefix=name)
        if form.is_valid():
            try:
                move.service(
                    dossier=dossier,
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Done: %(move)s (%(dossier)s).") % {"move": move.label, "dossier": dossier},
                )
                return redirect("web:dossier", pk=pk)
        status = 400
    return render(
        request,
        "web/casework/dossier.html",
        {
            "dossier": dossier,
            "moves": [(move, forms[move.name]) for move in moves],
            "refusal": None if may_move else may_move.reason,
            "advances": dossier_advances(dossier=dossier),
            "statement": dossier_cost_statement(dossier=dossier),
            "cost_lines": dossier_cost_lines(dossier=dossier).select_related("reviewed_by"),
            "settlement": dossier_settlement(dossier=dossier),
            "history": dossier_history(dossier=dossier),
        },
        status=status,
    )


# --- the inspection service -------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request):
    _allow(permissions.can_work_inspections(request.user))
    return render(
        request,
        "web/casework/inspection_queue.html",
        {"dossiers": _scoped(request.user, inspection_queue())},
    )


def _inspection_page(request, dossier: Dossier, *, bound: Form | None = None, status=200):
    """The dossier's cost lines, each with its verdict form; ``bound`` is one that was refused."""
    lines = list(dossier_cost_lines(dossier=dossier))
    reviews = []
    for line in lines:
        prefix = f"line-{line.pk}"
        form = bound if bound is not None and bound.prefix == prefix else None
        initial = {
            "verdict": line.verdict or None,
            "accepted_amount": format_number(line.accepted_amount, get_language())
            if line.verdict == Verdict.PARTLY_ACCEPTED
            else "",
            "reason": line.reason,
        }
        reviews.append((line, form or CostLineReviewForm(prefix=prefix, initial=initial)))
    complete = bound if bound is not None and bound.prefix == "complete" else None
    return render(
        request,
        "web/casework/inspection.html",
        {
            "dossier": dossier,
            "open": dossier.current_status == DossierStatus.WITH_INSPECTION,
            "lines": lines,
            "reviews": reviews,
            "reviewed": sum(1 for line in lines if line.verdict),
            "declared": sum((line.amount for line in lines), Decimal("0.00")),
            "accepted": sum((line.accepted_amount or 0 for line in lines), Decimal("0.00")),
            "statement": dossier_cost_statement(dossier=dossier),
            "complete": complete or DatedStepForm(prefix="complete"),
        },
        status=status,
    )


def _inspected(request, pk: int) -> Dossier:
    dossier = _dossier(pk)
    _allow(permissions.can_inspect(request.user, dossier))
    return dossier


@login_required
@require_GET
def inspection_detail(request, pk: int):
    return _inspection_page(request, _inspected(request, pk))


@login_required
@require_POST
def inspection_review(request, pk: int, line_pk: int):
    dossier = _inspected(request, pk)
    line = dossier_cost_lines(dossier=dossier).filter(pk=line_pk).first()
    if line is None:
        raise Http404(f"dossier {dossier} has no cost line {line_pk}")
    form = CostLineReviewForm(request.POST, prefix=f"line-{line.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.cost_line_review(
                line=line,
                verdict=data["verdict"],
                accepted_amount=data["accepted_amount"],
                reason=data["reason"],
                on=timezone.localdate(),
                actor=request.user,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Verdict recorded: %(line)s.") % {"line": line})
            return redirect(reverse("web:inspection", args=[pk]) + f"#line-{line.pk}")
    return _inspection_page(request, dossier, bound=form, status=400)


@login_required
@require_POST
def inspection_finish(request, pk: int):
    dossier = _inspected(request, pk)
    form = DatedStepForm(request.POST, prefix="complete")
    if form.is_valid():
        try:
            inspection = services.inspection_complete(
                dossier=dossier,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Inspection of %(dossier)s completed: %(total)s accepted.")
                % {
                    "dossier": dossier,
                    "total": format_eur(inspection.accepted_total, get_language()),
                },
            )
            return redirect("web:inspection-queue")
    return _inspection_page(request, dossier, bound=form, status=400)


# --- the cabinet's questions ------------------------------------------------------------


@dataclass(frozen=True)
class QuestionLine:
    question: WrittenQuestion
    deadline: datetime.date
    overdue: bool


@login_required
@require_GET
def question_index(request):
    _allow(permissions.can_read_answers(request.user))
    lines = [
        QuestionLine(q, answer_deadline(asked_on=q.date), question_is_overdue(question=q))
        for q in question_list().order_by("-date", "-number")
    ]
    return render(
        request,
        "web/casework/questions.html",
        {"lines": lines, "overdue": sum(1 for line in lines if line.overdue)},
    )


def nav(request) -> dict:
    """Context processor: which of these pages the user may open, for the top bar."""
    user = request.user
    return {
        "casework_nav": {
            "dossiers": permissions.can_follow_dossiers(user).allowed,
            "inspection": permissions.can_work_inspections(user).allowed,
            "questions": permissions.can_read_answers(user).allowed,
        }
    }


urlpatterns = [
    path("dossiers/", dossier_dashboard, name="dossiers"),
    path("dossiers/<int:pk>/", dossier_detail, name="dossier"),
    path("inspection/", inspection_list, name="inspection-queue"),
    path("inspection/<int:pk>/", inspection_detail, name="inspection"),
    path("inspection/<int:pk>/lines/<int:line_pk>/", inspection_review, name="inspection-review"),
    path("inspection/<int:pk>/complete/", inspection_finish, name="inspection-complete"),
    path("questions/", question_index, name="questions"),
]

import datetime

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from grantmonitor.dossiers.models import (
    Advance,
    BudgetLine,
    CostLine,
    CostStatement,
    Dossier,
    DossierAuditEntry,
    DossierStatus,
    DossierStatusChange,
    Inspection,
    OrderKind,
    Settlement,
)


def _latest_status_subquery():
    return Subquery(
        DossierStatusChange.objects.filter(dossier=OuterRef("pk"))
        .order_by("-changed_on", "-recorded_at", "-pk")
        .values("status")[:1]
    )


def dossier_current_status(*, dossier: Dossier) -> DossierStatus | None:
    status = (
        DossierStatusChange.objects.filter(dossier=dossier)
        .order_by("-changed_on", "-recorded_at", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    return DossierStatus(status) if status else None


def dossier_list(*, call_id: int | None = None) -> QuerySet[Dossier]:
    """Dossiers with ``current_status`` annotated from the latest history row."""
    qs = Dossier.objects.select_related("project", "project__promoter", "case_handler").annotate(
        current_status=_latest_status_subquery()
    )
    if call_id is not None:
        qs = qs.filter(project__call_id=call_id)
    return qs


def _per_dossier(queryset: QuerySet, field: str, **aggregate) -> Subquery:
    """One aggregate per dossier as a subquery, so annotating it adds no query per dossier."""
    return Subquery(
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(**aggregate)
        .values(*aggregate)[:1]
    )


def dossier_money_list(*, call_id: int | None = None) -> QuerySet[Dossier]:
    """:func:`dossier_list` with ``advances_paid``: the sum of the advances paid (0.00 if none)."""
    paid = _per_dossier(
        Advance.objects.filter(paid_on__isnull=False), "dossier", total=Sum("amount")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return (
        dossier_list(call_id=call_id)
        .select_related("project__call")
        .annotate(advances_paid=Coalesce(paid, Value(0), output_field=money))
    )


def inspection_queue() -> QuerySet[Dossier]:
    """Dossiers at the inspection service, longest waiting first, with their cost lines counted.

    ``sent_on`` is the open inspection's date; ``lines`` and ``reviewed`` count the statement's
    cost lines and those with a verdict.
    """
    open_inspection = (
        Inspection.objects.filter(dossier=OuterRef("pk"), completed_on__isnull=True)
        .order_by()
        .values("sent_on")[:1]
    )
    lines = CostLine.objects.all()
    return (
        dossier_list()
        .filter(current_status=DossierStatus.WITH_INSPECTION)
        .annotate(
            sent_on=Subquery(open_inspection),
            lines=Coalesce(_per_dossier(lines, "statement__dossier", n=Count("pk")), 0),
            reviewed=Coalesce(
                _per_dossier(lines.exclude(verdict=""), "statement__dossier", n=Count("pk")), 0
            ),
        )
        .order_by("sent_on", "pk")
    )


def dossier_history(*, dossier: Dossier) -> QuerySet[DossierStatusChange]:
    return dossier.status_changes.select_related("actor").order_by(
        "changed_on", "recorded_at", "pk"
    )


def dossier_get(*, dossier_id: int) -> Dossier:
    return Dossier.objects.select_related("project", "project__promoter").get(pk=dossier_id)


def dossier_budget_lines(*, dossier: Dossier) -> QuerySet[BudgetLine]:
    return dossier.budget_lines.order_by("category")


def dossier_advances(*, dossier: Dossier) -> QuerySet[Advance]:
    return dossier.advances.order_by("number")


def dossier_cost_lines(*, dossier: Dossier) -> QuerySet[CostLine]:
    return CostLine.objects.filter(statement__dossier=dossier).order_by("pk")


def dossier_cost_statement(*, dossier: Dossier) -> CostStatement | None:
    return CostStatement.objects.filter(dossier=dossier).first()


def dossier_settlement(*, dossier: Dossier) -> Settlement | None:
    return Settlement.objects.filter(dossier=dossier).first()


def dossier_audit_trail(*, dossier: Dossier) -> QuerySet[DossierAuditEntry]:
    return dossier.audit_entries.select_related("actor").order_by("at", "pk")


def balance_payments_on(*, day: datetime.date) -> QuerySet[Settlement]:
    """The balances paid to promoters on ``day``: the content of that day's transfer file."""
    return (
        Settlement.objects.filter(order_kind=OrderKind.PAYMENT, executed_on=day)
        .select_related("dossier", "dossier__project", "dossier__project__promoter")
        .order_by("dossier__project__name", "pk")
    )

"""The dossiers in the admin: to look up, not to edit.

Every change to a dossier's money or path goes through ``dossiers.services`` (guards, row lock,
audit row); a form that set a status or an accepted amount would bypass all three. So the admin
shows dossiers, their history, budget, advances, cost lines, settlement and audit trail read-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grantmonitor.common.admin import ReadOnly
from grantmonitor.common.money import format_eur
from grantmonitor.dossiers.models import (
    Advance,
    BudgetLine,
    CostLine,
    Dossier,
    DossierAuditEntry,
    DossierStatus,
    DossierStatusChange,
    Settlement,
)
from grantmonitor.dossiers.selectors import dossier_list


class StatusChangeInline(ReadOnly, admin.TabularInline):
    model = DossierStatusChange
    fields = ("status", "changed_on", "actor", "note")
    extra = 0


class BudgetLineInline(ReadOnly, admin.TabularInline):
    model = BudgetLine
    fields = ("category", "amount", "note")
    extra = 0


class AdvanceInline(ReadOnly, admin.TabularInline):
    model = Advance
    fields = ("number", "percentage", "amount", "approved_on", "paid_on", "condition")
    extra = 0


class SettlementInline(ReadOnly, admin.StackedInline):
    model = Settlement
    fields = (
        ("accepted_direct", "accepted_personnel", "overhead"),
        ("revenues", "eligible", "funded"),
        ("net", "advances_paid", "balance"),
        ("order_kind", "structured_communication", "settled_on", "executed_on"),
    )
    extra = 0


def _eur(value) -> str:
    return "—" if value is None else format_eur(value)


@admin.register(Dossier)
class DossierAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "project",
        "reference",
        "status",
        "allocated",
        "net",
        "difference_display",
        "case_handler",
    )
    list_filter = ("project__call",)
    search_fields = ("project__name", "reference", "project__promoter__name")
    fields = (
        "project",
        "reference",
        "case_handler",
        ("allocated_amount", "net_amount"),
        ("subsidy_rate", "overhead_rate"),
        ("payee_iban", "payee_bic"),
    )
    inlines = (
        StatusChangeInline,
        BudgetLineInline,
        AdvanceInline,
        SettlementInline,
    )

    def get_queryset(self, request):
        return dossier_list()

    @admin.display(description=_("status"), ordering="current_status")
    def status(self, obj):
        return DossierStatus(obj.current_status).label if obj.current_status else "—"

    @admin.display(description=_("allocated (on estimated costs)"), ordering="allocated_amount")
    def allocated(self, obj):
        return _eur(obj.allocated_amount)

    @admin.display(description=_("net to finance (on accepted costs)"), ordering="net_amount")
    def net(self, obj):
        return _eur(obj.net_amount)

    @admin.display(description=_("difference"))
    def difference_display(self, obj):
        return _eur(obj.difference)


@admin.register(CostLine)
class CostLineAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "statement",
        "category",
        "description",
        "document_ref",
        "amount",
        "verdict",
        "accepted_amount",
        "reviewed_by",
    )
    list_filter = ("verdict", "category")
    search_fields = ("description", "document_ref", "statement__dossier__project__name")


@admin.register(DossierAuditEntry)
class DossierAuditEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("at", "dossier", "action", "actor", "changes", "note")
    list_filter = ("action",)
    search_fields = ("dossier__project__name", "note")
    date_hierarchy = "at"

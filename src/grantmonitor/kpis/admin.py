"""Admin for tracks, KPIs and their realised values, target-group counts and outcomes.

The models' ``clean()`` refuses impossible values; the admin forms call it, so the message
appears on the field and nothing is saved.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grantmonitor.kpis.models import (
    Kpi,
    KpiValue,
    OutcomeCount,
    TargetGroupCount,
    Track,
)


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "project", "order")
    list_filter = ("project__call", "project")
    search_fields = ("name", "name_en", "project__name")
    ordering = ("project", "order", "name")
    autocomplete_fields = ("project",)


class KpiValueInline(admin.StackedInline):
    model = KpiValue
    extra = 0
    fields = (
        ("value", "baseline"),
        ("numerator", "denominator"),
        ("period_start", "period_end"),
        "narrative",
        ("source", "recorded_at", "recorded_by"),
        "evidence",
    )
    autocomplete_fields = ("recorded_by",)


class TargetGroupCountInline(admin.TabularInline):
    model = TargetGroupCount
    extra = 0
    fields = ("target_group", "count", "source")


class OutcomeCountInline(admin.TabularInline):
    model = OutcomeCount
    extra = 0
    fields = ("order", "status", "programme", "count", "as_of", "source", "note")


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "track", "parent", "kind", "children_rule", "order")
    list_display_links = ("name",)
    list_filter = ("project__call", "project", "kind", "children_rule")
    search_fields = ("name", "name_en", "project__name", "track__name")
    ordering = ("project", "track__order", "order", "pk")
    list_select_related = ("project", "track", "parent")
    autocomplete_fields = ("project", "track", "parent")
    fieldsets = (
        (None, {"fields": ("project", "track", "parent", "order", "name", "name_en")}),
        (
            _("Objective"),
            {
                "fields": (
                    "kind",
                    "unit",
                    "higher_is_better",
                    "objective_value",
                    "objective_percent",
                    ("objective_numerator", "objective_denominator"),
                    "objective_text",
                )
            },
        ),
        (_("Breakdown and explanation"), {"fields": ("children_rule", "note")}),
    )
    inlines = (KpiValueInline, TargetGroupCountInline, OutcomeCountInline)

    def get_inlines(self, request, obj):
        # A realised value is checked against its KPI's kind, which a KPI not yet saved
        # cannot offer: record values once the KPI exists.
        if obj is None:
            return (TargetGroupCountInline, OutcomeCountInline)
        return self.inlines


@admin.register(KpiValue)
class KpiValueAdmin(admin.ModelAdmin):
    list_display = (
        "kpi",
        "value",
        "baseline",
        "numerator",
        "denominator",
        "source",
        "period_start",
        "period_end",
        "recorded_at",
    )
    list_filter = ("source", "kpi__project__call", "kpi__project")
    search_fields = ("kpi__name", "kpi__project__name", "narrative", "evidence")
    date_hierarchy = "recorded_at"
    list_select_related = ("kpi", "kpi__project")
    autocomplete_fields = ("kpi", "recorded_by")


@admin.register(TargetGroupCount)
class TargetGroupCountAdmin(admin.ModelAdmin):
    list_display = ("kpi", "target_group", "count", "source")
    list_filter = ("target_group", "source", "kpi__project")
    search_fields = ("kpi__name", "kpi__project__name", "target_group__name")
    list_select_related = ("kpi", "kpi__project", "target_group")
    autocomplete_fields = ("kpi",)


@admin.register(OutcomeCount)
class OutcomeCountAdmin(admin.ModelAdmin):
    list_display = ("kpi", "status", "programme", "count", "as_of", "source")
    list_filter = ("status", "source", "kpi__project")
    search_fields = ("kpi__name", "kpi__project__name", "programme", "note")
    list_select_related = ("kpi", "kpi__project")
    autocomplete_fields = ("kpi",)

"""Admin for tracks, KPIs and their realised values, target-group counts and outcomes.

The models' ``clean()`` refuses impossible values; the admin forms call it, so the message
appears on the field and nothing is saved.
"""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from grantmonitor.kpis.models import (
    Kpi,
    KpiMeasure,
    KpiValue,
    MeasureDefinition,
    MeasureDefinitionVersion,
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
    list_display = ("name", "project", "track_name", "parent_name", "kind", "order")
    list_display_links = ("name",)
    list_filter = ("project__call", "project", "kind", "children_rule")
    search_fields = ("name", "name_en", "project__name", "track__name")
    # As the answer lists them: per project and track, each breakdown row under its parent.
    ordering = (
        "project",
        "track__order",
        Coalesce("parent__order", "order"),
        F("parent").asc(nulls_first=True),
        "order",
        "pk",
    )
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

    @admin.display(description=_("track"), ordering="track__order")
    def track_name(self, obj: Kpi) -> str:
        return obj.track.name if obj.track else ""

    @admin.display(description=_("parent KPI"), ordering="parent__name")
    def parent_name(self, obj: Kpi) -> str:
        return obj.parent.name if obj.parent else ""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("name", "name_en"):  # KPI names run to a few lines
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        """A realised value typed here is recorded by the user who typed it."""
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, KpiValue) and instance.recorded_by_id is None:
                instance.recorded_by = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

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

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


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


class MeasureDefinitionVersionInline(admin.TabularInline):
    """Versions are added through ``measure_definition_revise``, never edited in place."""

    model = MeasureDefinitionVersion
    extra = 0
    fields = ("number", "spec", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeasureDefinition)
class MeasureDefinitionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name", "name_en", "description")
    inlines = (MeasureDefinitionVersionInline,)


@admin.register(KpiMeasure)
class KpiMeasureAdmin(admin.ModelAdmin):
    """Which definition computes a KPI; bindings are made with ``kpi_measure_bind``."""

    list_display = ("kpi", "definition")
    list_filter = ("kpi__project",)
    list_select_related = ("kpi", "kpi__project", "definition")
    search_fields = ("kpi__name", "definition__code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

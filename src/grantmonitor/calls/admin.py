from django.contrib import admin

from grantmonitor.calls.models import Call, Project, TargetGroup


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "order")
    search_fields = ("name", "name_en", "code")
    ordering = ("order", "code")


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = (
        "order",
        "name",
        "promoter",
        "duration_months",
    )  # dates and partners: open the project
    autocomplete_fields = ("promoter",)
    show_change_link = True


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "minister",
        "start_date",
        "end_date",
        "duration_months",
        "budget",
        "number_of_projects",
    )
    list_filter = ("minister",)
    search_fields = ("title", "minister", "portfolio")
    ordering = ("title",)
    filter_horizontal = ("target_groups",)
    inlines = (ProjectInline,)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "call",
        "promoter",
        "start_date",
        "end_date",
        "duration_months",
        "order",
    )
    list_filter = ("call",)
    search_fields = ("name", "title", "promoter__name", "partners__name", "call__title")
    ordering = ("call", "order", "name")
    list_select_related = ("call", "promoter")
    autocomplete_fields = ("call", "promoter", "partners")

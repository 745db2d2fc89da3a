from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from grantmonitor.accounts import permissions
from grantmonitor.calls.models import Call, Project, TargetGroup
from grantmonitor.calls.services import call_publish, call_unpublish


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
        "published_on",
    )
    list_filter = ("minister", ("published_on", admin.EmptyFieldListFilter))
    search_fields = ("title", "minister", "portfolio")
    ordering = ("title",)
    filter_horizontal = ("target_groups",)
    # Published or withdrawn through the actions, which record who decided.
    readonly_fields = ("published_on", "published_by")
    actions = ("publish", "unpublish")
    inlines = (ProjectInline,)

    def has_publish_permission(self, request) -> bool:
        return permissions.can_publish_calls(request.user).allowed

    @admin.action(
        description=_("Publish the figures as open data from today"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        for call in queryset:
            call_publish(call, actor=request.user)
        message = _("Open data from today: %(calls)s.") % {"calls": _titles(queryset)}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Withdraw the figures from the open data"), permissions=["publish"])
    def unpublish(self, request, queryset):
        for call in queryset:
            call_unpublish(call)
        message = _("No longer open data: %(calls)s.") % {"calls": _titles(queryset)}
        self.message_user(request, message, messages.SUCCESS)


def _titles(calls) -> str:
    return ", ".join(f"“{call.title}”" for call in calls)


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

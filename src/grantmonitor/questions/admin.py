from django.contrib import admin

from grantmonitor.questions.models import SubQuestion, WrittenQuestion


class SubQuestionInline(admin.StackedInline):
    model = SubQuestion
    extra = 0
    fields = (("number", "topic"), "text", "projects", "answer_text")
    filter_horizontal = ("projects",)


@admin.register(WrittenQuestion)
class WrittenQuestionAdmin(admin.ModelAdmin):
    list_display = ("number", "session", "date", "questioner", "minister", "title", "call")
    list_display_links = ("number", "title")
    list_filter = ("session", "minister", "call")
    search_fields = ("=number", "title", "questioner", "minister", "text")
    date_hierarchy = "date"
    ordering = ("-date", "-number")
    list_select_related = ("call",)
    autocomplete_fields = ("call", "refers_to")
    inlines = (SubQuestionInline,)

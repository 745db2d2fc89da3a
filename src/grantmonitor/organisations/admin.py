from django.contrib import admin

from grantmonitor.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_name", "enterprise_number")
    search_fields = ("name", "legal_name", "enterprise_number")

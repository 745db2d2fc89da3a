from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from grantmonitor.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (MembershipInline,)
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_staff")
    list_filter = ("role", "is_staff", "is_superuser")

"""The register in the admin, to look at: writes go through the services (or an import), which
validate each record and recompute the KPIs it touches."""

from django.contrib import admin

from grantmonitor.common.admin import ReadOnly
from grantmonitor.register.models import (
    Activity,
    Attendance,
    Characteristic,
    CreditApplication,
    FollowUpOutcome,
    OrganisationPresence,
    OrganisationReached,
    Participant,
    Referral,
    Trajectory,
)


class CharacteristicInline(ReadOnly, admin.TabularInline):
    model = Characteristic
    extra = 0


class AttendanceInline(ReadOnly, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("participant",)


class PresenceInline(ReadOnly, admin.TabularInline):
    model = OrganisationPresence
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("pk", "project", "reference", "birth_year", "gender", "registered_on")
    list_filter = ("project__call", "project", "gender")
    search_fields = ("reference", "person_key")
    list_select_related = ("project",)
    inlines = (CharacteristicInline,)


@admin.register(Activity)
class ActivityAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("date", "kind", "project", "organiser", "audience", "title")
    list_filter = ("kind", "project__call", "project")
    date_hierarchy = "date"
    list_select_related = ("project", "organiser")
    inlines = (AttendanceInline, PresenceInline)


@admin.register(Trajectory)
class TrajectoryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("participant", "kind", "start_date", "end_date")
    list_filter = ("kind", "participant__project")
    raw_id_fields = ("participant",)


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("participant", "applied_on", "amount", "lender", "decision", "decided_on")
    list_filter = ("decision", "lender", "participant__project")
    date_hierarchy = "applied_on"
    raw_id_fields = ("participant",)


@admin.register(Referral)
class ReferralAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("referred_on", "from_organisation", "to_organisation", "taken_up", "reason")
    list_filter = ("from_organisation", "to_organisation", "taken_up")
    raw_id_fields = ("participant",)


@admin.register(OrganisationReached)
class OrganisationReachedAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("organisation", "kind", "project", "reached_on")
    list_filter = ("kind", "project")


@admin.register(FollowUpOutcome)
class FollowUpOutcomeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("participant", "observed_on", "status", "programme", "source")
    list_filter = ("status", "source", "participant__project")
    raw_id_fields = ("participant",)

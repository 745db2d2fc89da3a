"""The funder administrator's view of the audit trail: every write, login and export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from grantmonitor.accounts import permissions
from grantmonitor.audit.filters import AuditFilter
from grantmonitor.audit.selectors import audit_rows, audit_trail

PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request):
    decision = permissions.can_view_audit(request.user)
    if not decision:
        raise PermissionDenied(decision.reason)
    filters = AuditFilter(request.GET or None)
    page = Paginator(audit_trail(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit/log.html",
        {"filters": filters.form, "page": page, "rows": audit_rows(page.object_list)},
    )


def nav(request) -> dict:
    """Context processor: whether the top bar links to the audit trail."""
    return {"audit_nav": permissions.can_view_audit(request.user).allowed}


urlpatterns = [path("audit/", audit_log, name="audit")]

"""The funder administrator's view of the audit trail."""

urlpatterns = []

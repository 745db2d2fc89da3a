"""Who may use the API: one predicate, so roles can refine it without touching the views.

``can_read``/``can_write`` return ``(allowed, reason)`` like the permission predicates of the
roles issue will; until then every active, logged-in user may read and write what the
services allow.
"""

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


def can_read(user, obj=None) -> tuple[bool, str]:
    if not (user and user.is_authenticated):
        return False, _("Log in or send a token to use the API.")
    if not user.is_active:
        return False, _("This account is disabled.")
    return True, ""


def can_write(user, obj=None) -> tuple[bool, str]:
    return can_read(user, obj)


class ApiPermission(BasePermission):
    """Asks :func:`can_read` for reads and :func:`can_write` for writes."""

    def _decide(self, request, obj=None) -> bool:
        predicate = can_read if request.method in SAFE_METHODS else can_write
        allowed, reason = predicate(request.user, obj)
        if not allowed:
            self.message = reason
        return allowed

    def has_permission(self, request, view) -> bool:
        return self._decide(request)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._decide(request, obj)

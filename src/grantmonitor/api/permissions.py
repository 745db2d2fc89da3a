"""Who may use the API: the same predicates as the pages (:mod:`grantmonitor.accounts.permissions`).

Every view of the API declares, per action, the predicate its object must pass
(``object_predicates``) and, where a whole kind of data is reserved, the predicate the user must
pass (``user_predicate``); lists are scoped with the same module's ``*_scope`` filters. An action
without a declared predicate is refused, so a new endpoint cannot be open by mistake.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from grantmonitor.accounts.permissions import Decision


def can_use_api(user) -> Decision:
    if not (user and user.is_authenticated):
        return Decision(False, _("Log in or send a token to use the API."))
    if not user.is_active:
        return Decision(False, _("This account is disabled."))
    return Decision(True, "")


def require(decision: Decision) -> None:
    """Refuse with the predicate's reason (403) unless it allows."""
    if not decision.allowed:
        raise PermissionDenied(decision.reason)


class ApiPermission(BasePermission):
    """Asks :func:`can_use_api`, the view's ``user_predicate`` and its ``object_predicates``."""

    def has_permission(self, request, view) -> bool:
        decision = can_use_api(request.user)
        if not decision.allowed:
            self.message = decision.reason  # 401 with a token challenge, as DRF answers
            return False
        predicate = getattr(view, "user_predicate", None)
        if predicate is not None:
            require(predicate(request.user))
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        predicate = getattr(view, "object_predicates", {}).get(view.action)
        if predicate is None:
            raise PermissionDenied(_("This action is not open to anyone."))
        require(predicate(request.user, obj))
        return True

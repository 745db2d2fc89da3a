"""Logins, failed logins and logouts become audit events."""

from django.contrib.auth import get_user_model, signals

from grantmonitor.audit.models import EventAction
from grantmonitor.audit.services import record_event


def _logged_in(sender, request, user, **kwargs):
    record_event(actor=user, action=EventAction.LOGIN, target=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in ``credentials`` by stars.
    username = credentials.get("username", "")
    record_event(
        actor=None,
        action=EventAction.LOGIN_FAILED,
        target=get_user_model().objects.filter(username=username).first() if username else None,
        detail={"username": username},
    )


def _logged_out(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session
        record_event(actor=user, action=EventAction.LOGOUT, target=user)


def connect() -> None:
    signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")

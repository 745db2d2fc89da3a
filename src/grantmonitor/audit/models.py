"""Events that are not writes: logins, failed logins, logouts, exports, erasures.

Writes are django-auditlog's ``LogEntry`` rows; ``selectors.audit_trail`` reads both as one
list. An event's target is optional (a failed login may name no existing user), which
``LogEntry`` cannot hold, hence this table.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WriteAction(models.TextChoices):
    """What django-auditlog recorded, by the names the viewer filters on."""

    CREATE = "create", _("creation")
    UPDATE = "update", _("change")
    DELETE = "delete", _("deletion")


class EventAction(models.TextChoices):
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    SECOND_FACTOR = "second_factor", _("second factor confirmed")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("wrong second-factor code")
    EXPORT = "export", _("export")
    ERASE = "erase", _("erasure")


class Event(models.Model):
    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_pk = models.CharField(_("object id"), max_length=255, blank=True, db_index=True)
    object_repr = models.TextField(_("object"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.action} {self.object_repr}".strip()

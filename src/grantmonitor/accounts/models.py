from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from grantmonitor.organisations.models import Organisation


class Role(models.TextChoices):
    FUNDER_ADMIN = "funder_admin", _("Funder administrator")
    CASE_HANDLER = "case_handler", _("Case handler")
    INSPECTOR = "inspector", _("Inspector")
    PROMOTER = "promoter", _("Promoter staff")
    CABINET = "cabinet", _("Cabinet reader")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A promoter's staff member works for an organisation and sees only its projects."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="memberships", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="memberships",
        on_delete=models.CASCADE,
    )

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"

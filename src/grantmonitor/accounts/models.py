from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

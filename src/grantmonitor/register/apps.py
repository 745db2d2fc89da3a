from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "grantmonitor.register"
    verbose_name = _("Register")

    def ready(self) -> None:
        from grantmonitor.register import receivers  # noqa: F401 -- connects them

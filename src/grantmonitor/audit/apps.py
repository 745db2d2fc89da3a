from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "grantmonitor.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from grantmonitor.audit import receivers, registry

        registry.register_domain_models()
        receivers.connect()

"""Which models django-auditlog watches: every grantmonitor model but the audit records."""

from auditlog.registry import auditlog
from django.apps import apps
from django.db.models import BinaryField, Model

# Audit records themselves: logging their creation would only double them.
UNWATCHED = frozenset({"audit.event", "dossiers.dossierauditentry"})
# Changed on every login: a write that the login event already records.
UNTRACKED_FIELDS = ["last_login"]
# Secrets never reach the log: a change shows as "***" → "***".
MASKED_FIELDS = ["password"]
# Nor what names a person: the free text that erasing a participant's identity clears.
PERSONAL_FIELDS = frozenset({"register.participant.reference", "register.referral.reason"})


def conceal(value: str) -> str:
    return "***"


def _is_secret(model: type[Model], field) -> bool:
    """A password, what names a person, or a field encrypted at rest (a participant's name)."""
    return (
        field.name in MASKED_FIELDS
        or f"{model._meta.label_lower}.{field.name}" in PERSONAL_FIELDS
        or "encrypt" in type(field).__name__.lower()
    )


def watched_models() -> list[type[Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("grantmonitor.")
        for model in config.get_models()
        if model._meta.label_lower not in UNWATCHED
    ]


def register_domain_models() -> None:
    for model in watched_models():
        auditlog.register(
            model,
            # Nor an uploaded file's bytes (an import's spreadsheet): not text, and personal.
            exclude_fields=[
                *UNTRACKED_FIELDS,
                *(f.name for f in model._meta.concrete_fields if isinstance(f, BinaryField)),
            ],
            mask_fields=[f.name for f in model._meta.concrete_fields if _is_secret(model, f)],
            mask_callable="grantmonitor.audit.registry.conceal",
        )

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumValidationError


def validate_enterprise_number(value: str) -> None:
    """A Belgian enterprise number (KBO/BCE), e.g. ``0403.170.701``."""
    try:
        vat.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            _("%(value)s is not a valid Belgian enterprise number (%(reason)s)."),
            params={"value": value, "reason": exc.message},
            code="invalid_enterprise_number",
        ) from exc


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=16,
        blank=True,
        validators=[validate_enterprise_number],
        help_text=_("Belgian enterprise number (KBO), stored as its ten digits."),
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=~models.Q(enterprise_number=""),
                name="organisation_enterprise_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Field validation has already refused an invalid number, quoting it as typed.
        if self.enterprise_number:
            self.enterprise_number = vat.compact(self.enterprise_number)

    @property
    def enterprise_number_display(self) -> str:
        """``0403170701`` -> ``0403.170.701``, as the KBO writes it."""
        number = self.enterprise_number
        return f"{number[:4]}.{number[4:7]}.{number[7:]}" if number else ""

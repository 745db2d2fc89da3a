"""Money is ``Decimal``, exact to the cent, and formatted for the reader's locale."""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
LOCALES = {"nl": "nl_BE", "en": "en_GB"}


def is_whole_cents(value: Decimal) -> bool:
    """True when ``value`` is finite and has no fraction of a cent (``12.50``, not ``12.505``)."""
    return value.is_finite() and value == value.quantize(CENT)


def validate_cents(value: Decimal | None) -> None:
    """Refuse an amount with fractions of a cent."""
    if value is not None and not is_whole_cents(value):
        raise ValidationError(
            _("%(value)s has fractions of a cent; amounts are exact to the cent."),
            params={"value": value},
            code="fraction_of_cent",
        )


def babel_locale(language: str) -> str:
    return LOCALES.get(language[:2], "nl_BE")


def format_eur(amount: Decimal, language: str = "nl") -> str:
    """``Decimal("299168.12")`` -> ``€ 299.168,12`` (nl-BE, no-break space after the sign)."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    return format_currency(amount, "EUR", locale=babel_locale(language))


def format_number(value: Decimal | int, language: str = "nl") -> str:
    """``1347`` -> ``1.347`` in Dutch, ``1,347`` in English; decimals only where present."""
    return format_decimal(value, locale=babel_locale(language), group_separator=True)

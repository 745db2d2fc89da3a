"""Money is ``Decimal``, exact to the cent, and formatted for the reader's locale."""

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_quantum,
    get_decimal_symbol,
    get_group_symbol,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
LOCALES = {"nl": "nl_BE", "en": "en_GB"}
CURRENCY = "EUR"


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


def _unquote(text: str) -> str:
    """A pattern's literal text as babel writes it: quotes removed, doubled ones kept as one."""
    return re.sub(r"'([^']*)'", lambda match: match.group(1) or "'", text)


@dataclass(frozen=True)
class _Style:
    """A locale's number pattern read once: what babel's ``NumberPattern.apply`` does for a
    finite number, without parsing the locale and looking up its symbols at every call (a
    page formats hundreds of amounts)."""

    prefixes: tuple[str, str]  # positive, negative
    suffixes: tuple[str, str]
    group: str
    decimal: str
    first_group: int
    next_group: int
    int_min: int
    frac_min: int
    frac_max: int

    @classmethod
    def of(cls, locale: Locale, pattern, frac: tuple[int, int], currency: str | None = None):
        if pattern.scale or pattern.exp_prec or "@" in pattern.pattern:
            raise ValueError(f"not a plain number pattern: {pattern.pattern}")

        def literal(text: str) -> str:
            if currency is not None:
                text = text.replace("¤", get_currency_symbol(currency, locale))
            return _unquote(text)

        return cls(
            prefixes=tuple(literal(prefix) for prefix in pattern.prefix),
            suffixes=tuple(literal(suffix) for suffix in pattern.suffix),
            group=get_group_symbol(locale),
            decimal=get_decimal_symbol(locale),
            first_group=pattern.grouping[0],
            next_group=pattern.grouping[1],
            int_min=pattern.int_prec[0],
            frac_min=frac[0],
            frac_max=frac[1],
        )

    def format(self, value: Decimal) -> str:
        negative = int(value.is_signed())
        value = abs(value).normalize()
        integer, _point, fraction = (
            f"{value.quantize(get_decimal_quantum(self.frac_max)):f}".partition(".")
        )
        integer = integer.zfill(self.int_min)
        size, groups = self.first_group, []
        while len(integer) > size:
            groups.append(integer[-size:])
            integer = integer[:-size]
            size = self.next_group
        number = self.group.join([integer, *reversed(groups)])
        fraction = (fraction or "0").ljust(self.frac_min, "0")
        if self.frac_max and not (self.frac_min == 0 and int(fraction) == 0):
            while len(fraction) > self.frac_min and fraction[-1] == "0":
                fraction = fraction[:-1]
            number += self.decimal + fraction
        return self.prefixes[negative] + number + self.suffixes[negative]


@cache
def _money_style(locale: str) -> _Style:
    parsed = Locale.parse(locale)
    digits = get_currency_precision(CURRENCY)
    return _Style.of(
        parsed, parsed.currency_formats["standard"], (digits, digits), currency=CURRENCY
    )


@cache
def _number_style(locale: str) -> _Style:
    parsed = Locale.parse(locale)
    pattern = parsed.decimal_formats[None]
    return _Style.of(parsed, pattern, pattern.frac_prec)


def format_eur(amount: Decimal, language: str = "nl") -> str:
    """``Decimal("299168.12")`` -> ``€ 299.168,12`` (nl-BE, no-break space after the sign)."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not value.is_finite():
        return format_currency(amount, CURRENCY, locale=babel_locale(language))
    return _money_style(babel_locale(language)).format(value)


def format_number(value: Decimal | int, language: str = "nl") -> str:
    """``1347`` -> ``1.347`` in Dutch, ``1,347`` in English; decimals only where present."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return format_decimal(value, locale=babel_locale(language), group_separator=True)
    return _number_style(babel_locale(language)).format(number)

"""Numbers as people type them: Belgian and international formats, read into ``Decimal``.

``parse_number("299.168,12")`` is ``Decimal("299168.12")``; ``parse_number("20,000")`` is
``Decimal("20000")``; ``parse_number("n/a")`` is a :class:`NotANumber` that says why. One
function for every import (IATI, spreadsheets), so a value reads the same everywhere.

How a separator is read when the caller does not say which mark is decimal:

- both ``.`` and ``,`` present: the last one is the decimal mark, the other groups thousands;
- one of them, several times (``1.234.567``): it groups thousands;
- one of them, once, followed by exactly three digits after one to three digits that do not
  start with 0 (``1.347``, ``20,000``): it groups thousands, as both Belgian and English
  writers mean it for counts; otherwise (``1,5``, ``0,125``, ``1234.567``) it is the decimal mark.

Spaces (also no-break and thin spaces) and apostrophes group thousands too. Thousands groups
must have three digits: ``1.23.4`` is refused, not guessed.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

DECIMAL_MARKS = (".", ",")
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_GROUP_MARKS = _SPACES + "'’"
_CURRENCY = re.compile(r"^(?:€|EUR)\s*|\s*(?:€|EUR)$", re.IGNORECASE)
_DIGITS = "0123456789"
_ALLOWED = re.compile("[0-9.," + _GROUP_MARKS + "]+")
_GROUPED = re.compile("[1-9][0-9]{0,2}(?:,[0-9]{3})+")


@dataclass(frozen=True)
class NotANumber:
    """Why ``text`` could not be read as a number; false in a boolean test."""

    text: str
    reason: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.reason


def parse_number(text: str | None, *, decimal_mark: str | None = None) -> Decimal | NotANumber:
    """``text`` as a ``Decimal``, or a :class:`NotANumber` with the reason.

    ``decimal_mark`` ("," or ".") settles which mark is decimal when the source's locale is
    known (a Belgian spreadsheet: ","); the other mark then only groups thousands.
    """
    if decimal_mark is not None and decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"decimal_mark must be '.' or ',', not {decimal_mark!r}")
    original = "" if text is None else str(text)
    body = original.strip(_SPACES + "\t\r\n")
    if not body:
        return NotANumber(original, _("empty"))
    body = _CURRENCY.sub("", body)
    sign = ""
    if body and body[0] in "+-−":
        sign = "-" if body[0] in "-−" else ""
        body = body[1:].lstrip(_SPACES)
    if not _ALLOWED.fullmatch(body) or body[0] in ".,":
        return NotANumber(original, _("not a number"))
    if body[-1] not in _DIGITS:
        return NotANumber(original, _("ends with a separator"))

    # Spaces and apostrophes group thousands: make them a comma-free canonical "G".
    body = re.sub("[" + _GROUP_MARKS + "]", "G", body)
    mark = decimal_mark or _guess_decimal_mark(body.replace("G", ""))
    if mark is None:
        integer, fraction = body, ""
    else:
        if body.count(mark) > 1:
            return NotANumber(original, _("more than one decimal mark “%(mark)s”") % {"mark": mark})
        integer, _sep, fraction = body.partition(mark)
    if fraction.strip(_DIGITS):
        return NotANumber(original, _("thousands separator after the decimal mark"))
    integer = integer.replace("G", ",").replace(".", ",")
    if "," in integer and not _GROUPED.fullmatch(integer):
        return NotANumber(original, _("thousands separators in the wrong place"))
    integer = integer.replace(",", "")
    return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")


def _guess_decimal_mark(body: str) -> str | None:
    """The decimal mark of ``body`` (digits, "." and ","), or None when it has none."""
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return "." if body.rfind(".") > body.rfind(",") else ","
    if not (dots or commas):
        return None
    mark = "." if dots else ","
    if dots + commas > 1:
        return None
    integer, _sep, fraction = body.partition(mark)
    looks_grouped = len(fraction) == 3 and 1 <= len(integer) <= 3 and not integer.startswith("0")
    return None if looks_grouped else mark

"""Cell parsers: a spreadsheet cell in, a typed value out, or a :class:`CellError` in Dutch.

Numbers go through :func:`grantmonitor.common.numbers.parse_number`, the one parser of
Belgian and international formats. Dates are ISO (2018-03-23), Belgian (23/03/2018,
23-03-2018, 23.03.2018) or a real date cell. A formula is refused in every column.
"""

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from grantmonitor.common.numbers import parse_number
from grantmonitor.imports.sheets import CellValue, FormulaCell

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class CellError(Exception):
    """Why a cell's value cannot be used; the message is shown to the user."""


def _unformula(value: CellValue) -> CellValue:
    if isinstance(value, FormulaCell):
        raise CellError(_("a formula is not read; paste the value instead"))
    if isinstance(value, str):
        return value.strip()
    return value


def text(value: CellValue) -> str:
    """Text as written, never evaluated: ``=cmd|…`` or ``<script>`` is kept as plain text."""
    value = _unformula(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def date(value: CellValue) -> datetime.date | None:
    value = _unformula(value)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    parsed = _date_text(str(value))
    if parsed is None:
        raise CellError(_("not a date; write 23/03/2018 or 2018-03-23"))
    return parsed


@functools.lru_cache(maxsize=4096)
def _date_text(written: str) -> datetime.date | None:
    """A date written in one of the formats; a file repeats its dates, so they are kept."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(written, fmt).date()
        except ValueError:
            continue
    return None


def number(value: CellValue) -> Decimal | None:
    value = _unformula(value)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("not a number"))
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    parsed = parse_number(str(value))
    if not parsed:
        raise CellError(str(parsed))
    return parsed


def whole_number(value: CellValue) -> int | None:
    parsed = number(value)
    if parsed is None:
        return None
    if parsed != parsed.to_integral_value():
        raise CellError(_("not a whole number"))
    return int(parsed)


def choice(choices: type[models.TextChoices]) -> Callable[[CellValue], str]:
    """A code of ``choices``, written as the code or as its Dutch or English label."""
    accepted: dict[str, str] = {}  # filled on first use, when the translations are loaded

    def parse(value: CellValue) -> str:
        written = text(value)
        if not written:
            return ""
        if not accepted:
            for code, _label in choices.choices:
                accepted[code.casefold()] = code
            for code, label in choices.choices:
                for name in _labels(label):
                    accepted.setdefault(name, code)
        code = accepted.get(written.casefold())
        if code is None:
            raise CellError(
                _("unknown value; use one of: %(codes)s") % {"codes": ", ".join(choices.values)}
            )
        return code

    return parse


def codes(value: CellValue) -> list[str]:
    """A list of codes separated by commas, semicolons or line breaks."""
    written = text(value)
    for separator in (";", "\n"):
        written = written.replace(separator, ",")
    return [code.strip() for code in written.split(",") if code.strip()]


def _labels(label) -> set[str]:
    found = set()
    for language in ("nl", "en"):
        with translation.override(language):
            found.add(str(label).casefold())
    return found

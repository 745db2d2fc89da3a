from decimal import Decimal as D

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from grantmonitor.common.money import format_eur, format_number


@pytest.mark.parametrize(
    ("amount", "language", "text"),
    [
        (D("299168.12"), "nl", "€\u00a0299.168,12"),
        (D("203045.14"), "nl", "€\u00a0203.045,14"),
        (D("-1234.5"), "nl", "€\u00a0-1.234,50"),
        (D("0"), "nl", "€\u00a00,00"),
        (D("299168.12"), "en", "€299,168.12"),
        (D("-1234.5"), "en", "-€1,234.50"),
        (12, "nl", "€\u00a012,00"),
    ],
)
def test_amounts_read_as_in_belgium_and_in_english(amount, language, text):
    assert format_eur(amount, language) == text


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (1347, "nl", "1.347"),
        (1347, "en", "1,347"),
        (D("1234567.50"), "nl", "1.234.567,5"),
        (D("0.125"), "nl", "0,125"),
        (D("120.00"), "nl", "120"),
        (D("1E+3"), "en", "1,000"),
    ],
)
def test_numbers_show_decimals_only_where_present(value, language, text):
    assert format_number(value, language) == text


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        format_eur(1.5)


LOCALES = {"nl": "nl_BE", "en": "en_GB"}
decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15)


@given(amount=decimals | st.integers(-(10**15), 10**15), language=st.sampled_from(["nl", "en"]))
def test_an_amount_reads_exactly_as_babel_writes_it(amount, language):
    expected = format_currency(amount, "EUR", locale=LOCALES[language])
    assert format_eur(amount, language) == expected


@given(value=decimals | st.integers(-(10**15), 10**15), language=st.sampled_from(["nl", "en"]))
def test_a_number_reads_exactly_as_babel_writes_it(value, language):
    expected = format_decimal(value, locale=LOCALES[language], group_separator=True)
    assert format_number(value, language) == expected

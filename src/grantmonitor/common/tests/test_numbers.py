from decimal import Decimal as D

import pytest
from babel.numbers import format_decimal
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from grantmonitor.common.numbers import NotANumber, parse_number


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the seed's own figures, as the answer prints them
        ("1.347", D("1347")),
        ("299.168,12", D("299168.12")),
        ("203.045,14", D("203045.14")),
        # international
        ("20,000", D("20000")),
        ("1,234,567.89", D("1234567.89")),
        ("299,168.12", D("299168.12")),
        # decimal commas and points
        ("1,5", D("1.5")),
        ("1.5", D("1.5")),
        ("1.234,5", D("1234.5")),
        ("0,125", D("0.125")),
        ("1234.567", D("1234.567")),
        ("12,50", D("12.50")),
        # spaces and apostrophes group thousands
        ("1 234", D("1234")),
        ("12\u00a0345,6", D("12345.6")),
        ("1\u202f234\u202f567", D("1234567")),
        ("1'234.5", D("1234.5")),
        # surroundings
        ("  441 ", D("441")),
        ("€ 299.168,12", D("299168.12")),
        ("299.168,12 EUR", D("299168.12")),
        ("-1.347", D("-1347")),
        ("+12", D("12")),
        ("0", D("0")),
        ("007", D("7")),
    ],
)
def test_reads_belgian_and_international_formats(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("n/a", "not a number"),
        ("12 personen", "not a number"),
        ("1e3", "not a number"),
        (".5", "not a number"),
        ("1.", "ends with a separator"),
        ("1.23.4", "thousands separators in the wrong place"),
        ("12,34,567", "thousands separators in the wrong place"),
        ("1,5,", "ends with a separator"),
        ("1.234,5,6", "more than one decimal mark “,”"),
        ("1,5.234", "thousands separators in the wrong place"),
        ("١٢", "not a number"),
        ("€", "not a number"),
        ("-", "not a number"),
        ("EUR -", "not a number"),
    ],
)
def test_refuses_what_is_not_a_number_and_says_why(text, reason):
    result = parse_number(text)
    assert isinstance(result, NotANumber)
    assert not result
    assert result.reason == reason
    assert result.text == ("" if text is None else text)


def test_a_known_decimal_mark_settles_the_ambiguous_cases():
    assert parse_number("1,347", decimal_mark=",") == D("1.347")
    assert parse_number("1.347", decimal_mark=".") == D("1.347")
    assert parse_number("1.347", decimal_mark=",") == D("1347")
    assert parse_number("1.234,5", decimal_mark=",") == D("1234.5")
    assert isinstance(parse_number("1.234,5", decimal_mark="."), NotANumber)
    assert parse_number("1,234.5", decimal_mark=",").reason == (
        "thousands separator after the decimal mark"
    )
    with pytest.raises(ValueError, match="decimal_mark"):
        parse_number("1", decimal_mark=";")


amounts = st.decimals(min_value=D("-999999999999.99"), max_value=D("999999999999.99"), places=2)
counts = st.integers(min_value=0, max_value=10**12)


@given(amount=amounts, locale=st.sampled_from(["nl_BE", "en_GB", "fr_BE"]))
def test_money_written_in_any_locale_reads_back_exactly(amount, locale):
    text = format_decimal(amount, format="#,##0.00", locale=locale)
    assert parse_number(text) == amount


@given(count=counts, locale=st.sampled_from(["nl_BE", "en_GB", "fr_BE"]))
def test_counts_with_thousands_separators_read_back_exactly(count, locale):
    assert parse_number(format_decimal(count, locale=locale, group_separator=True)) == count


@given(
    value=st.decimals(min_value=0, max_value=D("99999999"), places=3),
    locale=st.sampled_from(["nl_BE", "en_GB"]),
)
def test_any_value_reads_back_exactly_when_the_decimal_mark_is_known(value, locale):
    text = format_decimal(value, format="#,##0.###", locale=locale)
    mark = "," if locale == "nl_BE" else "."
    assert parse_number(text, decimal_mark=mark) == value


@given(text=st.text(max_size=20))
def test_any_text_gives_a_decimal_or_a_reason_never_an_error(text):
    result = parse_number(text)
    assert isinstance(result, D) or (isinstance(result, NotANumber) and result.reason)

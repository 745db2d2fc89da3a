"""Small-cell suppression: what is hidden, what is published, and that nothing can be recomputed."""

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from grantmonitor.common.suppression import (
    Figure,
    Line,
    hidden_cells,
    publish,
    suppress_list,
    suppress_table,
)


def shown(figures):
    return [figure.text() for figure in figures]


def test_a_small_count_reads_less_than_the_threshold_and_zero_stays():
    counts, total = suppress_list([3, 0, 12, 9], 24)
    assert shown(counts) == ["< 5", "0", "12", "≥ 5"], "9 is the smallest other count"
    assert total.text() == "24"


def test_a_count_of_the_threshold_itself_is_published():
    counts, total = suppress_list([5, 7], 12)
    assert shown(counts) == ["5", "7"]
    assert total.text() == "12"


def test_two_small_counts_protect_each_other():
    counts, total = suppress_list([2, 4, 300], 306)
    assert shown(counts) == ["< 5", "< 5", "300"]
    assert total.text() == "306"


def test_a_single_count_with_zeros_hides_the_total_too():
    counts, total = suppress_list([3, 0, 0], 3)
    assert shown(counts) == ["< 5", "0", "0"]
    assert total.text() == "< 5"


def test_a_list_without_total_hides_only_small_counts():
    counts, total = suppress_list([3, 1_347])
    assert shown(counts) == ["< 5", "1.347"]
    assert total is None


def test_overlapping_groups_do_not_bind_to_their_total():
    """276 people, of whom 3 are 50+ and 239 have a disability: 3 cannot be recomputed."""
    counts, total = suppress_list([3, 239, 27], 276)
    assert shown(counts) == ["< 5", "239", "27"]
    assert total.text() == "276"


def test_the_threshold_is_a_setting():
    with override_settings(SUPPRESSION_THRESHOLD=10):
        counts, _total = suppress_list([7, 12, 30], 49)
    assert shown(counts) == ["< 10", "≥ 10", "30"]
    assert Figure(None, 10, small=True).text("en") == "< 10"
    assert Figure(1347, 10).text("en") == "1,347"


def test_complements_close_a_rectangle_instead_of_cascading():
    """3 takes 20 (its row) and 10 (its column); 60 then closes both their lines."""
    table = suppress_table([[3, 20, 40], [30, 25, 50], [10, 60, 70]])
    assert [shown(row) for row in table.cells] == [
        ["< 5", "≥ 5", "40"],
        ["30", "25", "50"],
        ["≥ 5", "≥ 5", "70"],
    ]
    assert shown(table.row_totals) == ["63", "105", "140"]
    assert shown(table.column_totals) == ["43", "105", "160"]
    assert table.grand_total.text() == "308"


def test_a_small_row_total_is_hidden_with_a_partner_in_the_totals_column():
    """Columns need a second hidden count each; the totals column then hides 30 with 3."""
    table = suppress_table([[1, 2], [10, 20], [30, 40]])
    assert [shown(row) for row in table.cells] == [["< 5", "< 5"], ["≥ 5", "≥ 5"], ["30", "40"]]
    assert shown(table.row_totals) == ["< 5", "≥ 5", "70"]
    assert shown(table.column_totals) == ["41", "62"]


def test_rows_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match=r"every row needs 2 counts: \[2, 1\]"):
        suppress_table([[1, 2], [3]])


def test_any_keys_and_lines():
    values = {"young": 3, "older": 40, "all": 43, "women": 20}
    hidden = hidden_cells(values, [Line(("young", "older"), "all")], threshold=5)
    assert hidden == {"young", "older"}
    assert publish(values, threshold=5)["women"].text() == "20"


# --- the properties, for random tables -------------------------------------------------

counts = st.one_of(st.integers(0, 6), st.integers(0, 200))
tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=5)
)


def _lines(rows, table):
    """Every line of the published table as (its counts, its total)."""
    for r, row in enumerate(table.cells):
        yield row, table.row_totals[r]
    for c, total in enumerate(table.column_totals):
        yield [row[c] for row in table.cells], total
    yield table.row_totals, table.grand_total
    yield table.column_totals, table.grand_total


@settings(max_examples=300)
@given(rows=tables, threshold=st.integers(2, 10))
def test_no_hidden_count_can_be_recomputed_and_every_shown_count_is_safe(rows, threshold):
    table = suppress_table(rows, threshold=threshold)
    for cells, total in _lines(rows, table):
        hidden = sum(figure.hidden for figure in cells)
        if not total.hidden:
            assert hidden != 1, "a single hidden count follows from its published total"
        else:
            assert hidden != 0, "a hidden total follows from its published counts"
    everything = [f for row in table.cells for f in row]
    everything += [*table.row_totals, *table.column_totals, table.grand_total]
    assert all(f.hidden or f.value == 0 or f.value >= threshold for f in everything)
    assert all(f.label == f"< {threshold}" for f in everything if f.hidden and f.small)
    originals = [value for row in rows for value in row]
    assert all(
        f.value == value for f, value in zip(everything, originals, strict=False) if not f.hidden
    ), "published counts are the real ones"


@settings(max_examples=200)
@given(values=st.lists(counts, max_size=8), threshold=st.integers(2, 10))
def test_a_list_with_its_sum_never_shows_exactly_one_hidden_count(values, threshold):
    figures, total = suppress_list(values, sum(values), threshold=threshold)
    hidden = sum(figure.hidden for figure in figures)
    assert hidden != 1 or total.hidden
    assert all(f.hidden or f.value == 0 or f.value >= threshold for f in [*figures, total])
    assert all(not f.hidden for f, value in zip(figures, values, strict=True) if value == 0)

"""Small-cell suppression: published counts of people that cannot point at a person.

Two rules, applied to a table of counts and the lines (rows, columns) that add up to totals:

* **Primary**: a count from 1 to ``threshold - 1`` is not published; it reads ``< 5``.
* **Complementary**: a hidden count must not follow from a published total and the other
  published counts of its line. Wherever a line has exactly one hidden figure (a count or its
  total), the smallest other non-zero count of that line is hidden too, or, when it has none,
  its total (preferring a count whose other lines already hide one, so the hidden counts form
  rectangles). Hiding one figure can expose another line, so this repeats until nothing changes.
  Such a complement reads ``≥ 5``: true, and no more than a reader knows from its not being
  ``< 5``.

The choices, so a reader of a table knows what it means:

* **Zero is always published.** A zero names nobody, and hiding zeros would hide most of a
  sparse table for no one's protection. A hidden figure is therefore never 0.
* **A total is a count like any other.** A total from 1 to ``threshold - 1`` is hidden; a total
  is hidden as a complement only when its line has no other count left to hide.
* **A line binds only when it adds up.** A total that equals the sum of its counts lets a reader
  subtract, so it is checked; a total of overlapping groups (one person in several target
  groups) is not their sum, and no count follows from it.
* The check is per line, as statistical offices do for small tables; it does not search for
  figures that only a system of several lines would reveal (a linear-programming audit).

Everything here is pure: numbers in, :class:`Figure` out.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings

from grantmonitor.common.money import format_number


def default_threshold() -> int:
    return settings.SUPPRESSION_THRESHOLD


@dataclass(frozen=True)
class Figure:
    """A count as published: its value, or ``None`` when it is hidden.

    A hidden count reads ``< 5`` when it is small itself, ``≥ 5`` when it is hidden to protect
    a small one (a complement is never small: small counts are all hidden already).
    """

    value: int | None
    threshold: int
    small: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def label(self) -> str:
        """What a hidden count reads: ``< 5`` or ``≥ 5``."""
        return f"{'<' if self.small else '≥'} {self.threshold}"

    def text(self, language: str = "nl") -> str:
        """The label when hidden, else the number as the language writes it (``1.347``)."""
        return self.label if self.value is None else format_number(self.value, language)


@dataclass(frozen=True)
class Line:
    """Counts that belong together, e.g. a row, with the total they add up to (if published)."""

    cells: tuple[Hashable, ...]
    total: Hashable | None = None


def hidden_cells(
    values: Mapping[Hashable, int], lines: Iterable[Line], *, threshold: int | None = None
) -> frozenset[Hashable]:
    """The keys of ``values`` that must not be published, by both rules."""
    threshold = default_threshold() if threshold is None else threshold
    hidden = {key for key, value in values.items() if 0 < value < threshold}
    equations = [
        line
        for line in lines
        if line.total is not None and values[line.total] == sum(values[c] for c in line.cells)
    ]
    changed = True
    while changed:
        changed = False
        for line in equations:
            if sum(key in hidden for key in (*line.cells, line.total)) == 1:
                hidden.add(_complement(line, values, hidden, equations))
                changed = True
    return frozenset(hidden)


def _complement(
    line: Line, values: Mapping[Hashable, int], hidden: set, equations: list[Line]
) -> Hashable:
    """The figure to hide along with the one hidden figure of ``line``.

    The count that leaves the fewest other lines with a single hidden figure, the smallest of
    those; so two small counts in a corner hide a rectangle, not a cascade. If the hidden one
    is a count and every other count is 0, the total equals it (> 0) and is hidden instead; if
    the hidden one is the total (> 0), some count is not 0.
    """
    candidates = [key for key in line.cells if key not in hidden and values[key] > 0]
    if not candidates:
        return line.total

    def exposed(key: Hashable) -> int:
        """Lines through ``key`` that hide nothing yet: hiding it would expose them."""
        return sum(
            1
            for other in equations
            if other is not line
            and key in (*other.cells, other.total)
            and not any(k in hidden for k in (*other.cells, other.total))
        )

    return min(candidates, key=lambda key: (exposed(key), values[key]))


def publish(
    values: Mapping[Hashable, int], lines: Iterable[Line] = (), *, threshold: int | None = None
) -> dict[Hashable, Figure]:
    """Every count of ``values`` as a :class:`Figure`, suppressed along ``lines``."""
    threshold = default_threshold() if threshold is None else threshold
    hidden = hidden_cells(values, lines, threshold=threshold)
    return {
        key: Figure(None, threshold, small=value < threshold)
        if key in hidden
        else Figure(value, threshold)
        for key, value in values.items()
    }


def suppress_list(
    counts: Sequence[int], total: int | None = None, *, threshold: int | None = None
) -> tuple[list[Figure], Figure | None]:
    """A plain list of counts with its total (``None``: no total is published)."""
    values: dict[Hashable, int] = dict(enumerate(counts))
    if total is not None:
        values["total"] = total
    figures = publish(
        values,
        [Line(tuple(range(len(counts))), "total" if total is not None else None)],
        threshold=threshold,
    )
    return [figures[i] for i in range(len(counts))], figures.get("total")


@dataclass(frozen=True)
class SuppressedTable:
    cells: list[list[Figure]]
    row_totals: list[Figure]
    column_totals: list[Figure]
    grand_total: Figure


def suppress_table(
    rows: Sequence[Sequence[int]], *, threshold: int | None = None
) -> SuppressedTable:
    """Rows × columns of counts, published with their row, column and grand totals."""
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError(f"every row needs {width} counts: {[len(row) for row in rows]}")
    values: dict[Hashable, int] = {}
    for r, row in enumerate(rows):
        for c, count in enumerate(row):
            values[(r, c)] = count
        values[("row", r)] = sum(row)
    for c in range(width):
        values[("column", c)] = sum(row[c] for row in rows)
    values["grand"] = sum(values[("row", r)] for r in range(len(rows)))
    lines = [Line(tuple((r, c) for c in range(width)), ("row", r)) for r in range(len(rows))]
    lines += [Line(tuple((r, c) for r in range(len(rows))), ("column", c)) for c in range(width)]
    lines += [
        Line(tuple(("row", r) for r in range(len(rows))), "grand"),
        Line(tuple(("column", c) for c in range(width)), "grand"),
    ]
    figures = publish(values, lines, threshold=threshold)
    return SuppressedTable(
        cells=[[figures[(r, c)] for c in range(width)] for r in range(len(rows))],
        row_totals=[figures[("row", r)] for r in range(len(rows))],
        column_totals=[figures[("column", c)] for c in range(width)],
        grand_total=figures["grand"],
    )

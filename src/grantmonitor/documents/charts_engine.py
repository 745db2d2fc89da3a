"""Target groups of a KPI's population as a chart: people per characteristic, and how many
characteristics each person has ("gecombineerde problematiek").

Draws the data :func:`grantmonitor.register.selectors.target_groups` returns, as SVG for the
web pages, with matplotlib's Agg backend.
"""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from grantmonitor.common.money import format_number
from grantmonitor.documents.charts import REALISED_COLOUR, shorten
from grantmonitor.documents.text import printable
from grantmonitor.register.selectors import TargetGroups, characteristic_label

COMBINED_COLOUR = "#b5651d"


def _literal(text: str) -> str:
    """Text as it is: matplotlib would read ``$...$`` as a formula."""
    return printable(text).replace("$", r"\$")


def _figure(table: TargetGroups, title: str, language: str) -> Figure:
    counts = [(code, people) for code, people in table.counts.items() if people]
    numbers = sorted(table.by_number.items())
    figure = Figure(figsize=(9, 1.4 + 0.35 * max(len(counts), len(numbers))), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[3, 2])
    with translation.override(language):
        labels = [shorten(characteristic_label(code), 40) for code, _people in counts]
        bars = left.barh(
            range(len(counts)), [people for _code, people in counts], color=REALISED_COLOUR
        )
        left.set_yticks(
            range(len(counts)), labels=[_literal(label) for label in labels], fontsize=8
        )
        left.bar_label(bars, labels=[format_number(p, language) for _c, p in counts], fontsize=7)
        left.invert_yaxis()
        left.set_title(_literal(_("People per characteristic")), fontsize=9, loc="left")
        bars = right.bar(
            [str(number) for number, _people in numbers],
            [people for _number, people in numbers],
            color=COMBINED_COLOUR,
        )
        right.bar_label(bars, labels=[format_number(p, language) for _n, p in numbers], fontsize=7)
        right.set_xlabel(_("number of characteristics per person"), fontsize=8)
        right.set_title(_literal(_("Combined disadvantages")), fontsize=9, loc="left")
    for axes in (left, right):
        axes.tick_params(labelsize=7)
        axes.spines[["top", "right"]].set_visible(False)
    figure.suptitle(_literal(title), fontsize=10, x=0.01, ha="left")
    return figure


def target_groups_svg(table: TargetGroups, *, title: str, language: str = "nl") -> str:
    """The chart as SVG, or "" for an empty population."""
    if not table.total:
        return ""
    buffer = io.StringIO()
    _figure(table, title, language).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()

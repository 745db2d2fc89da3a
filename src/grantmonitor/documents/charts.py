"""Objective vs realised per project, as a horizontal bar chart (SVG for HTML, PNG for print).

``chart_for_project`` turns a project's KPI table into chart data; ``render_svg`` and
``render_png`` draw it with matplotlib's Agg backend (no display needed).
"""

import io
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import matplotlib
from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from grantmonitor.common.money import format_number
from grantmonitor.documents.text import printable
from grantmonitor.kpis import rules
from grantmonitor.kpis.selectors import ProjectKpis

matplotlib.use("Agg")  # draw to files only; never a display

LABEL_WIDTH = 70  # characters, before wrapping onto two lines
LINE_WIDTH = 38
OBJECTIVE_COLOUR = "#9aa7b4"
REALISED_COLOUR = "#1f5b8f"


@dataclass(frozen=True)
class Chart:
    kind = "chart"
    title: str
    labels: tuple[str, ...]
    objective: tuple[Decimal, ...]
    realised: tuple[Decimal, ...]
    objective_label: str
    realised_label: str
    language: str = "nl"


def shorten(label: str, width: int = LABEL_WIDTH) -> str:
    """A KPI name short enough for the axis: at most two lines, cut with an ellipsis."""
    short = textwrap.shorten(" ".join(label.split()), width=width, placeholder=" …")
    return "\n".join(textwrap.wrap(short, width=LINE_WIDTH))


def chart_for_project(
    kpis: ProjectKpis, *, language: str = "nl", leave_out: Collection[int] = ()
) -> Chart | None:
    """The numeric KPIs with both an objective and a realised value; None if there are none.

    ``leave_out``: ids of KPIs not to draw (the answer's small counts of people).
    """
    rows = [
        row
        for row in kpis.rows
        if row.kpi.pk not in leave_out
        and row.kind == rules.Kind.COUNT
        and row.kpi.objective_value is not None
        and row.realised.value is not None
    ]
    if not rows:
        return None
    with translation.override(language):
        return Chart(
            title=_("%(project)s: objective and realised") % {"project": kpis.project.name},
            labels=tuple(("– " * row.depth) + shorten(row.kpi.label(language)) for row in rows),
            objective=tuple(row.kpi.objective_value for row in rows),
            realised=tuple(row.realised.value for row in rows),
            objective_label=_("Objective"),
            realised_label=_("Realised"),
            language=language,
        )


def _literal(text: str) -> str:
    """Text as it is: matplotlib would read ``$...$`` as a formula."""
    return printable(text).replace("$", r"\$")


def _figure(chart: Chart) -> Figure:
    count = len(chart.labels)
    figure = Figure(figsize=(7.5, 0.9 + 0.5 * count), layout="constrained")
    axes = figure.add_subplot()
    positions = range(count)
    height = 0.38
    objective_bars = axes.barh(
        [p - height / 2 for p in positions],
        [float(v) for v in chart.objective],
        height=height,
        color=OBJECTIVE_COLOUR,
        label=chart.objective_label,
    )
    realised_bars = axes.barh(
        [p + height / 2 for p in positions],
        [float(v) for v in chart.realised],
        height=height,
        color=REALISED_COLOUR,
        label=chart.realised_label,
    )
    for bars, values in ((objective_bars, chart.objective), (realised_bars, chart.realised)):
        axes.bar_label(bars, labels=[format_number(v, chart.language) for v in values], fontsize=7)
    axes.set_yticks(
        list(positions), labels=[_literal(label) for label in chart.labels], fontsize=7.5
    )
    axes.invert_yaxis()
    axes.tick_params(axis="x", labelsize=7)
    axes.set_title(_literal(chart.title), fontsize=10, loc="left")
    axes.legend(fontsize=7.5, loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    return figure


def render_svg(chart: Chart) -> str:
    buffer = io.StringIO()
    _figure(chart).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def render_png(chart: Chart, *, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    _figure(chart).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()

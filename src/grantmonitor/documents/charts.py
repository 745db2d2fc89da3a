"""Objective vs realised per project, as a horizontal bar chart: SVG for the web and the PDF,
PNG for Word.

``chart_for_project`` turns a project's KPI table into chart data. ``_plan`` places the bars,
lines and words once, in points, measuring the words with the font they are drawn in;
``render_svg`` writes that plan as SVG with its words as text (DejaVu Sans, as in the PDF), and
``render_png`` paints it with Pillow. A chart this plain needs no plotting library: drawn this
way it takes milliseconds, where matplotlib took a quarter of a second per chart, most of it
laying out and rasterising its text glyph by glyph.
"""

import functools
import io
import math
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from grantmonitor.common.money import format_number
from grantmonitor.documents.text import printable
from grantmonitor.kpis import rules
from grantmonitor.kpis.selectors import ProjectKpis

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


# --- drawing ------------------------------------------------------------------------------
# Sizes in points (1/72 inch): an SVG user unit, and dpi / 72 pixels in a PNG.

# The font matplotlib ships, so that it is there wherever the package is installed; the PDF
# draws the SVG's text with the same family from the system's fonts.
FONT_FILE = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"
WIDTH = 540  # 7.5 inch
LABEL_SIZE = 7.5
VALUE_SIZE = 7
TITLE_SIZE = 10
PAD = 6  # around the whole chart
TICK = 3.5  # a tick's length, and the gap between it and its label
LINE = 0.8  # axes and ticks
BAR = 0.38  # of the space between two KPIs, for each of the two bars
MARGIN = Decimal("0.12")  # room right of the longest bar for its number: a share of it
TEXT_COLOUR = "#000000"
# Where a line of text sits on its baseline, as a share of the font size (DejaVu Sans).
ASCENT, DESCENT, MIDDLE = 0.76, 0.24, 0.36  # MIDDLE: half the height of a capital


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    anchor: str = "start"  # or "middle", "end": as SVG's text-anchor


@dataclass(frozen=True)
class Plan:
    width: float
    height: float
    rects: tuple[Rect, ...]
    lines: tuple[Line, ...]
    texts: tuple[Text, ...]


@functools.lru_cache(maxsize=16)
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), pixels)


def _text_width(text: str, size: float) -> float:
    """The width in points of one line of ``text`` at ``size`` points."""
    return _font(100).getlength(text) * size / 100


def _ticks(top: Decimal) -> list[Decimal]:
    """Round numbers from 0 up to ``top``, at most eight of them: 0, 200, ... 1.400."""
    if top <= 0:
        return [Decimal(0)]
    power = Decimal(10) ** math.floor(math.log10(top / 6))
    step = next(
        power * factor
        for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if top / (power * factor) <= 8
    )
    return [step * index for index in range(int(top // step) + 1)]


def _centred_lines(
    x: float, middle: float, lines: list[str], size: float, anchor: str
) -> list[Text]:
    """Lines of text stacked 1.2 apart, their block centred on ``middle``."""
    first = middle + MIDDLE * size - 0.6 * size * (len(lines) - 1)
    return [
        Text(x, first + 1.2 * size * index, line, size, anchor) for index, line in enumerate(lines)
    ]


def _plan(chart: Chart) -> Plan:
    count = len(chart.labels)
    height = (0.9 + 0.5 * count) * 72
    labels = [printable(label).split("\n") for label in chart.labels]
    widest = max(_text_width(line, LABEL_SIZE) for lines in labels for line in lines)
    left = PAD + widest + 2 * TICK
    right = WIDTH - PAD - 1.5 * VALUE_SIZE  # room for half the last tick's number
    top = PAD + (ASCENT + DESCENT) * TITLE_SIZE + 6
    bottom = height - PAD - 2 * TICK - (ASCENT + DESCENT) * VALUE_SIZE

    values = [*chart.objective, *chart.realised]
    end = max(*values, Decimal(0)) * (1 + MARGIN) or Decimal(1)

    def x(value) -> float:
        return left + (right - left) * float(value / end)

    # As matplotlib placed them: KPI i at i, its bars within ±BAR, 5 % spare above and below.
    spare = 0.05 * (count - 1 + 2 * BAR)
    unit = (bottom - top) / (count - 1 + 2 * BAR + 2 * spare)

    def y(position: float) -> float:
        return top + (spare + BAR + position) * unit

    rects, lines, texts = [], [], []
    for index, line_texts in enumerate(labels):
        middle = y(index)
        lines.append(Line(left - TICK, middle, left, middle))
        texts += _centred_lines(left - 2 * TICK, middle, line_texts, LABEL_SIZE, "end")
        for offset, value, colour in (
            (-BAR, chart.objective[index], OBJECTIVE_COLOUR),
            (0.0, chart.realised[index], REALISED_COLOUR),
        ):
            bar_top, bar_end = y(index + offset), x(max(value, Decimal(0)))
            if bar_end > left:
                rects.append(Rect(left, bar_top, bar_end - left, BAR * unit, colour))
            texts.append(
                Text(
                    bar_end + 1,
                    bar_top + BAR * unit / 2 + MIDDLE * VALUE_SIZE,
                    format_number(value, chart.language),
                    VALUE_SIZE,
                )
            )
    lines += [Line(left, top, left, bottom), Line(left, bottom, right, bottom)]
    for tick in _ticks(end):
        lines.append(Line(x(tick), bottom, x(tick), bottom + TICK))
        texts.append(
            Text(
                x(tick),
                bottom + 2 * TICK + ASCENT * VALUE_SIZE,
                format_number(tick, chart.language),
                VALUE_SIZE,
                "middle",
            )
        )
    title = printable(chart.title)
    title_x = min(left, WIDTH - PAD - _text_width(title, TITLE_SIZE))
    texts.append(Text(max(PAD, title_x), top - 6 - DESCENT * TITLE_SIZE, title, TITLE_SIZE))
    rects_, texts_ = _legend(chart, right, bottom)
    return Plan(WIDTH, height, (*rects, *rects_), tuple(lines), (*texts, *texts_))


def _legend(chart: Chart, right: float, bottom: float) -> tuple[list[Rect], list[Text]]:
    """The two colours and what they mean, in the chart's lower right corner."""
    size = LABEL_SIZE
    entries = [
        (printable(chart.objective_label), OBJECTIVE_COLOUR),
        (printable(chart.realised_label), REALISED_COLOUR),
    ]
    swatch, gap, row = 2 * size, 0.8 * size, 1.5 * size
    text_x = right - size - max(_text_width(label, size) for label, _colour in entries)
    first = bottom - size - row * len(entries) + row / 2
    rects, texts = [], []
    for index, (label, colour) in enumerate(entries):
        middle = first + row * index
        rects.append(Rect(text_x - gap - swatch, middle - 0.35 * size, swatch, 0.7 * size, colour))
        texts.append(Text(text_x, middle + MIDDLE * size, label, size))
    return rects, texts


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_svg(chart: Chart) -> str:
    """The chart as SVG, its words as text in DejaVu Sans (or the nearest font there is)."""
    plan = _plan(chart)
    width, height = _number(plan.width), _number(plan.height)
    bars = [
        f'<rect x="{_number(r.x)}" y="{_number(r.y)}" width="{_number(r.width)}" '
        f'height="{_number(r.height)}" fill="{r.colour}"/>'
        for r in plan.rects
    ]
    strokes = [
        f'<line x1="{_number(line.x1)}" y1="{_number(line.y1)}" x2="{_number(line.x2)}" '
        f'y2="{_number(line.y2)}"/>'
        for line in plan.lines
    ]
    words = [
        f'<text x="{_number(t.x)}" y="{_number(t.y)}" font-size="{_number(t.size)}"'
        f"{'' if t.anchor == 'start' else f' text-anchor={quoteattr(t.anchor)}'}>"
        f"{escape(t.text)}</text>"
        for t in plan.texts
    ]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
            f'viewBox="0 0 {width} {height}" version="1.1">',
            f"<title>{escape(printable(chart.title))}</title>",
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            *bars,
            f'<g stroke="{TEXT_COLOUR}" stroke-width="{LINE}" stroke-linecap="square">',
            *strokes,
            "</g>",
            f"<g font-family={quoteattr(FONT_FAMILY)} fill={quoteattr(TEXT_COLOUR)}>",
            *words,
            "</g>",
            "</svg>",
            "",
        ]
    )


PIL_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}  # left, middle, right; on the baseline
BAR_INKS = {OBJECTIVE_COLOUR: 1, REALISED_COLOUR: 2}  # their places in the PNG's palette


def _rgb(colour: str) -> list[int]:
    return [int(colour[index : index + 2], 16) for index in (1, 3, 5)]


def render_png(chart: Chart, *, dpi: int = 150) -> bytes:
    """The chart as PNG, ``dpi`` pixels per inch at its size of 7.5 inch wide.

    A palette image: the words in 256 greys, as their edges blend into the white, and the
    bars in two colours that take the places of grey 1 and 2. A third of the bytes of an RGB
    image, quicker to compress, and not one pixel more than one grey off.
    """
    plan = _plan(chart)
    scale = dpi / 72
    greys = Image.new("L", (round(plan.width * scale), round(plan.height * scale)), 255)
    draw = ImageDraw.Draw(greys)
    for t in plan.texts:
        draw.text(
            (t.x * scale, t.y * scale),
            t.text,
            fill=0,
            font=_font(round(t.size * scale)),
            anchor=PIL_ANCHORS[t.anchor],
        )
    free = [0, 0, 3, *range(3, 256)]  # grey 1 and 2 give way to the bars
    image = Image.frombytes("P", greys.size, greys.point(free).tobytes())
    palette = [level for grey in range(256) for level in (grey, grey, grey)]
    for colour, ink in BAR_INKS.items():
        palette[3 * ink : 3 * ink + 3] = _rgb(colour)
    image.putpalette(palette)
    draw = ImageDraw.Draw(image)
    for r in plan.rects:
        # Pillow fills from the first pixel to the last one, both included.
        x, y = r.x * scale, r.y * scale
        right, bottom = x + r.width * scale - 1, y + r.height * scale - 1
        draw.rectangle((x, y, max(x, right), max(y, bottom)), fill=BAR_INKS[r.colour])
    stroke = max(1, round(LINE * scale))
    for line in plan.lines:
        draw.line(
            (line.x1 * scale, line.y1 * scale, line.x2 * scale, line.y2 * scale),
            fill=0,
            width=stroke,
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()

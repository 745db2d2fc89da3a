import io
import xml.etree.ElementTree as ET
from decimal import Decimal as D

from PIL import Image

from grantmonitor.calls.services import call_create, project_create
from grantmonitor.documents.charts import (
    OBJECTIVE_COLOUR,
    REALISED_COLOUR,
    Chart,
    chart_for_project,
    render_png,
    render_svg,
    shorten,
)
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.organisations.services import organisation_create

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    return [element.text for element in ET.fromstring(svg.encode()).iter(f"{SVG}text")]  # noqa: S314


def chart(labels, objective, realised, title="Klein: objectief en gerealiseerd") -> Chart:
    return Chart(
        title=title,
        labels=tuple(labels),
        objective=tuple(D(v) for v in objective),
        realised=tuple(D(v) for v in realised),
        objective_label="Objectief",
        realised_label="Gerealiseerd",
    )


def test_a_projects_chart_draws_objective_against_realised(demo):
    hefboom = demo["call"].projects.get(name="Hefboom")
    chart = chart_for_project(project_kpis(project=hefboom), language="en")
    assert chart.title == "Hefboom: objective and realised"
    assert (chart.objective_label, chart.realised_label) == ("Objective", "Realised")
    assert list(zip(chart.objective, chart.realised, strict=True))[:3] == [
        (D(26), D(59)),
        (D(5), D(10)),
        (D(10), D(20)),
    ]
    assert len(chart.labels) == 8, "count KPIs with an objective; not increases, ratios, text"
    svg = render_svg(chart)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert render_png(chart).startswith(b"\x89PNG")


def test_the_svg_holds_its_words_as_text_with_dutch_numbers(demo):
    stebo = demo["call"].projects.get(name="Stebo")
    texts = svg_texts(render_svg(chart_for_project(project_kpis(project=stebo))))
    assert texts[-3:] == ["Stebo: objectief en gerealiseerd", "Objectief", "Gerealiseerd"]
    assert "1.347" in texts and "400" in texts, "the bars' numbers, as the tables write them"
    ticks = ["0", "200", "400", "600", "800", "1.000", "1.200", "1.400"]
    assert [text for text in texts if text in ticks] == ["400", *ticks], (
        "a bar's 400, then the axis"
    )
    assert "Aantal bereikte prestarters" in texts


def test_hostile_labels_stay_text_in_the_svg():
    svg = render_svg(chart(["<script>alert(1)</script> & $a^b$", "bell\x07"], [3, 1], [4, 1]))
    texts = svg_texts(svg)  # parses: the markup in the name is escaped
    assert "<script>alert(1)</script> & $a^b$" in texts and "bell" in texts
    assert "<script>" not in svg


def test_the_png_is_7_5_inch_wide_and_its_words_fit_inside_it():
    long = shorten("Aantal organisaties die deel uitmaken van een netwerk dat op structurele wijze")
    image = Image.open(io.BytesIO(render_png(chart([long, "Kort"], [5, 0], [10, 0]), dpi=100)))
    assert image.size == (750, 190)  # 7.5 inch by 0.9 + 0.5 per KPI, at 100 dpi
    pixels = image.convert("L").load()
    edges = [(x, y) for x in (0, 1, 748, 749) for y in range(190)]
    edges += [(x, y) for y in (0, 1, 188, 189) for x in range(750)]
    assert all(pixels[point] == 255 for point in edges), "nothing is cut off at the border"


def test_a_count_of_0_has_no_bar():
    svg = render_svg(chart(["Vijf", "Nul"], [5, 0], [10, 0]))
    fills = [rect.get("fill") for rect in ET.fromstring(svg.encode()).iter(f"{SVG}rect")]  # noqa: S314
    assert fills.count(OBJECTIVE_COLOUR) == 2 and fills.count(REALISED_COLOUR) == 2, (
        "Vijf's bars and the legend's; none for Nul"
    )
    assert svg_texts(svg).count("0") == 3, "Nul's two numbers and the axis's 0"


def test_long_labels_are_shortened_to_two_lines():
    label = shorten(
        "Aantal organisaties die deel uitmaken van een netwerk dat op structurele wijze"
    )
    assert label.endswith("…") and label.count("\n") == 1


def test_a_project_without_numeric_kpis_has_no_chart(db):
    call = call_create(title="Leeg", number_of_projects=1)
    project = project_create(call=call, name="Leeg", promoter=organisation_create(name="Leeg"))
    assert chart_for_project(project_kpis(project=project)) is None

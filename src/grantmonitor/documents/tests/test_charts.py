from decimal import Decimal as D

from grantmonitor.calls.services import call_create, project_create
from grantmonitor.documents.charts import (
    chart_for_project,
    render_png,
    render_svg,
    shorten,
)
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.organisations.services import organisation_create


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


def test_long_labels_are_shortened_to_two_lines():
    label = shorten(
        "Aantal organisaties die deel uitmaken van een netwerk dat op structurele wijze"
    )
    assert label.endswith("…") and label.count("\n") == 1


def test_a_project_without_numeric_kpis_has_no_chart(db):
    call = call_create(title="Leeg", number_of_projects=1)
    project = project_create(call=call, name="Leeg", promoter=organisation_create(name="Leeg"))
    assert chart_for_project(project_kpis(project=project)) is None

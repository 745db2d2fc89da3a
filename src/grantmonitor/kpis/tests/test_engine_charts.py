"""The target-group chart draws what the register says about a population."""

from grantmonitor.documents.charts_engine import target_groups_svg
from grantmonitor.register.selectors import TargetGroups


def test_the_chart_shows_each_characteristic_and_the_combined_disadvantages():
    table = TargetGroups(
        total=276,
        counts={"occupational_disability": 239, "long_term_unemployed": 117, "second_chance": 0},
        by_number={0: 7, 1: 69, 2: 130, 3: 70},
    )
    svg = target_groups_svg(table, title="GTB", language="nl")
    assert svg.startswith("<?xml")
    assert "arbeidshandicap" in svg and "239" in svg and "130" in svg
    assert "tweede kans" not in svg  # nobody has it: not drawn
    english = target_groups_svg(table, title="GTB", language="en")
    assert "occupational disability" in english


def test_an_empty_population_has_no_chart():
    assert target_groups_svg(TargetGroups(total=0, counts={}, by_number={}), title="x") == ""

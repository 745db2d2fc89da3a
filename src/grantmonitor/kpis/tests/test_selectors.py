from decimal import Decimal as D

from grantmonitor.calls.models import Call
from grantmonitor.kpis.rules import Verdict
from grantmonitor.kpis.selectors import call_kpis


def _by_project(demo):
    return {pk.project.name: pk for pk in call_kpis(call=Call.objects.get())}


def test_tracks_order_and_depth_follow_the_answer(demo):
    hefboom = _by_project(demo)["Hefboom"]
    assert [block.track.name for block in hefboom.blocks] == ["Jongeren", "Tweede kans ondernemers"]
    second = hefboom.blocks[1].rows
    collective = next(r for r in second if r.kpi.name.startswith("Collectieve"))
    assert collective.realised.value == D(17)
    assert [(c.kpi.name, c.depth, c.realised.value) for c in collective.children] == [
        ("ism met Dyzo", 1, D(15))
    ]


def test_every_seed_breakdown_checks_out(demo):
    stebo = _by_project(demo)["Stebo"]
    checked = [(row.kpi.name, check.side) for row in stebo.rows for check in row.checks]
    assert checked == [
        ("Aantal bereikte prestarters", "realised"),
        ("Aantal bereikte ondernemingen, entiteiten, onderwijsinstellingen, …", "realised"),
        ("Aantal begeleidingsactiviteiten", "objective"),
        ("Aantal begeleidingsactiviteiten", "realised"),
    ]
    assert all(check.ok for row in stebo.rows for check in row.checks)


def test_achievement_summary_per_project(demo):
    summary = {name: pk.summary() for name, pk in _by_project(demo).items()}
    assert summary["Hefboom"][Verdict.ACHIEVED] == 11
    assert summary["Stebo"] == {Verdict.ACHIEVED: 10, Verdict.NO_OBJECTIVE: 5}
    assert summary["GTB"] == {Verdict.ACHIEVED: 2, Verdict.QUALITATIVE: 2}


def test_kpi_tables_of_a_call_take_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    call = Call.objects.get()
    with django_assert_max_num_queries(7):  # with the projects and their partners
        tables = call_kpis(call=call)
        rows = [row for table in tables for row in table.rows]
    assert len(rows) == 13 + 15 + 4

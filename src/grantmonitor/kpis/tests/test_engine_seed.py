"""The synthetic register reproduces every realised value of the seed through the engine."""

from decimal import Decimal

import pytest

from grantmonitor.calls.models import Project
from grantmonitor.cli.main import main
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue, OutcomeCount, TargetGroupCount
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.register.selectors import (
    call_people,
    call_referrals,
    kpi_target_groups,
    outcomes,
)
from grantmonitor.register.synth import SynthError, synth


@pytest.fixture
def register(demo):
    synth(scale=1)
    return demo


def _values(kpi, source):
    return (
        KpiValue.objects.filter(kpi=kpi, period_start__isnull=True, source=source)
        .order_by("-recorded_at", "-pk")
        .first()
    )


@pytest.mark.django_db
def test_every_quantitative_kpi_is_computed_exactly_as_the_minister_reported(register):
    quantitative = Kpi.objects.filter(project__name__in=["Hefboom", "Stebo", "GTB"]).exclude(
        kind=KpiKind.QUALITATIVE
    )
    assert quantitative.count() == 29
    for kpi in quantitative:
        computed, reported = _values(kpi, "computed"), _values(kpi, "reported")
        assert computed is not None, kpi.name
        assert computed.figures == reported.figures, kpi.name
        assert computed.definition_version.definition == kpi.measure.definition


@pytest.mark.django_db
def test_the_seed_numbers_read_from_the_project_tables(register):
    stebo = project_kpis(project=Project.objects.get(name="Stebo"))
    realised = {(row.kpi.parent_id is None, row.kpi.name): row.realised for row in stebo.rows}
    assert realised[(True, "Aantal bereikte prestarters")].value == 1347
    assert realised[(False, "Via infosessies")].value == 767
    assert realised[(False, "Via themasessies")].value == 98
    assert realised[(True, "Aantal begeleidingsactiviteiten")].value == 224
    assert not [row for row in stebo.rows if row.mismatches]
    assert all(row.source == "computed" for row in stebo.rows)

    hefboom = {
        row.kpi.name: row for row in project_kpis(project=Project.objects.get(name="Hefboom")).rows
    }
    increase = hefboom["Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar)."]
    assert (increase.realised.baseline, increase.realised.value) == (5, 16)
    conversion = next(row for name, row in hefboom.items() if name.startswith("Conversieratio"))
    assert (conversion.realised.numerator, conversion.realised.denominator) == (1, 2)
    assert (
        hefboom["Collectieve begeleidingsactiviteiten (info- en opleidingssessies)"].realised.value
        == 17
    )
    assert hefboom["ism met Dyzo"].realised.value == 15

    gtb = {
        row.kpi.name[:20]: row.realised.value
        for row in project_kpis(project=Project.objects.get(name="GTB")).rows
    }
    assert (gtb["Klanten die minstens"], gtb["Klanten die effectie"]) == (441, 276)


@pytest.mark.django_db
def test_gtb_target_groups_and_outcomes_come_out_of_the_register(register):
    started = Kpi.objects.get(project__name="GTB", name__startswith="Klanten die effectief")
    table = kpi_target_groups(kpi=started)
    assert table.total == 276
    seed_counts = {
        row.target_group.code: row.count for row in TargetGroupCount.objects.filter(kpi=started)
    }
    assert seed_counts == {
        "occupational_disability": 239,
        "aged_50_plus": 39,
        "migration_background": 27,
        "long_term_unemployed": 117,
        "low_educated": 81,
    }
    assert {code: table.counts[code] for code in seed_counts} == seed_counts
    # "gecombineerde problematiek": the register can say how many
    assert table.with_at_least(2) > 0
    assert sum(table.by_number.values()) == 276
    population = engine.kpi_population(kpi=started)
    computed = {
        (row.status, row.programme): row.people for row in outcomes(participants=population)
    }
    seed = {
        (row.status, row.programme): row.count for row in OutcomeCount.objects.filter(kpi=started)
    }
    assert (
        computed
        == seed
        == {
            ("started_programme", "Maak werk van je zaak"): 124,
            ("other_path", ""): 152,
            ("self_employed", ""): 91,
            ("employee", ""): 46,
        }
    )


@pytest.mark.django_db
def test_per_year_values_add_up_for_counts_of_records(register):
    kpi = Kpi.objects.get(project__name="Stebo", name="Aantal begeleidingsactiviteiten")
    years = KpiValue.objects.filter(kpi=kpi, period_start__isnull=False, source="computed")
    assert sum((value.value for value in years), Decimal(0)) == 224
    assert sorted(value.period_start.year for value in years) == [2013, 2014, 2015, 2016, 2017]


@pytest.mark.django_db
def test_call_level_counts_people_once_and_shows_referrals_between_promoters(register):
    call = register["call"]
    people = call_people(call=call)
    assert people.distinct < people.per_project_sum  # some people came to two promoters
    rows = {
        (row.from_organisation, row.to_organisation): row.referrals
        for row in call_referrals(call=call)
    }
    assert rows == {("GTB", "Stebo"): 12}  # Hefboom ↔ Dyzo: Dyzo is no promoter of the call


@pytest.mark.django_db
def test_recompute_is_idempotent_and_synth_refuses_to_run_twice(register, capsys):
    assert engine.recompute_all() == 0
    assert main(["recompute", "--project", "Stebo"]) == 0
    assert capsys.readouterr().out.strip().startswith("0 ")
    with pytest.raises(SynthError):
        synth(scale=1)
    assert main(["recompute", "--project", "Nobody"]) == 2


@pytest.mark.django_db
def test_the_synth_command_loads_the_demo_when_absent(capsys):
    assert main(["synth", "--scale", "1"]) == 0
    assert Project.objects.filter(name__in=["Hefboom", "Stebo", "GTB"]).count() == 3
    assert "3" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_larger_scale_adds_projects_in_bulk_and_computes_them(monkeypatch):
    from grantmonitor.register import synth as synth_module
    from grantmonitor.register.models import Attendance

    monkeypatch.setattr(synth_module, "PROJECTS_PER_SCALE", 1)
    report = synth(scale=2)
    assert report.projects == 5
    scaled = Project.objects.filter(call__title=synth_module.SYNTH_CALL_TITLE)
    assert scaled.count() == 2
    for project in scaled:
        assert project.start_date and project.end_date
        reached = Kpi.objects.get(project=project, name="Aantal bereikte prestarters")
        attendees = (
            Attendance.objects.filter(activity__project=project)
            .values("participant")
            .distinct()
            .count()
        )
        assert _values(reached, "computed").value == attendees
        assert Attendance.objects.filter(activity__project=project).count() == 100 * 100
    people = call_people(call=scaled.first().call)
    assert people.distinct < people.per_project_sum  # some people came back in another project

"""Bad input on KPIs is refused with a message naming the field, and nothing is saved."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grantmonitor.calls.models import Project
from grantmonitor.kpis import rules
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue, ValueSource
from grantmonitor.kpis.services import (
    ComputedValue,
    kpi_create,
    kpi_value_record,
    kpi_values_record_computed,
)
from grantmonitor.register.tests import factories


@pytest.fixture
def stebo(demo):
    return Project.objects.get(name="Stebo")


def test_ratio_objective_with_zero_denominator_is_refused(stebo):
    before = Kpi.objects.count()
    with pytest.raises(ValidationError) as error:
        kpi_create(
            project=stebo,
            name="Conversie",
            kind=KpiKind.RATIO,
            objective_numerator=D(1),
            objective_denominator=D(0),
        )
    assert "objective_denominator" in error.value.message_dict
    assert "groter dan nul" in " ".join(error.value.message_dict["objective_denominator"])
    assert Kpi.objects.count() == before


def test_realised_ratio_with_zero_denominator_is_refused(demo):
    ratio = Kpi.objects.get(kind=KpiKind.RATIO)
    with pytest.raises(ValidationError) as error:
        kpi_value_record(kpi=ratio, numerator=D(1), denominator=D(0))
    assert "denominator" in error.value.message_dict


def test_realised_number_on_qualitative_kpi_is_refused(demo):
    narrative_kpi = Kpi.objects.get(name="Samenwerking tussen Hefboom en Dyzo")
    before = KpiValue.objects.count()
    with pytest.raises(ValidationError) as error:
        kpi_value_record(kpi=narrative_kpi, value=D(3), narrative="Drie overlegmomenten.")
    assert "value" in error.value.message_dict
    assert KpiValue.objects.count() == before


def test_qualitative_kpi_cannot_get_a_numeric_objective(stebo):
    with pytest.raises(ValidationError) as error:
        kpi_create(project=stebo, name="Impact", kind=KpiKind.QUALITATIVE, objective_value=D(5))
    assert "objective_value" in error.value.message_dict


def test_parent_kpi_in_another_project_is_refused(stebo):
    hefboom_kpi = Kpi.objects.filter(project__name="Hefboom").first()
    with pytest.raises(ValidationError) as error:
        kpi_create(
            project=stebo,
            name="Via events",
            kind=KpiKind.COUNT,
            parent=hefboom_kpi,
        )
    assert "parent" in error.value.message_dict
    assert "behoort tot een ander project" in error.value.message_dict["parent"][0]
    assert not Kpi.objects.filter(name="Via events").exists()


def test_negative_objective_and_realised_are_refused(stebo):
    with pytest.raises(ValidationError) as error:
        kpi_create(project=stebo, name="Sessies", kind=KpiKind.COUNT, objective_value=D(-1))
    assert "objective_value" in error.value.message_dict
    reached = Kpi.objects.get(project=stebo, name="Aantal bereikte prestarters")
    with pytest.raises(ValidationError):
        kpi_value_record(kpi=reached, value=D(-5))


def test_latest_reported_value_is_the_current_one(stebo):
    from grantmonitor.kpis.selectors import project_kpis

    reached = Kpi.objects.get(project=stebo, name="Aantal bereikte prestarters")
    kpi_value_record(kpi=reached, value=D(1350), evidence="Gecorrigeerd eindrapport")
    row = next(r for r in project_kpis(project=stebo).rows if r.kpi == reached)
    assert row.realised.value == D(1350)
    # 767 + 98 + 320 + 101 + 61 = 1.347: the breakdown no longer adds up and says so.
    assert [(c.side, c.parent, c.children_total) for c in row.mismatches] == [
        ("realised", D(1350), D(1347))
    ]


def test_computed_values_are_stored_whole_or_not_at_all(stebo):
    kpi = factories.bound_kpi(stebo, {"count": "attendees"})
    version = kpi.measure.definition.versions.latest("number")
    before = KpiValue.objects.count()
    year = (datetime.date(2015, 1, 1), datetime.date(2015, 12, 31))

    def computed(value, *period, **figures):
        return ComputedValue(kpi, version, rules.Figures(value=D(value), **figures), *period)

    kpi_values_record_computed(values=[computed(12), computed(5, *year)])
    rows = KpiValue.objects.filter(kpi=kpi).order_by("pk")
    assert [(row.value, row.period_start, row.source, row.definition_version) for row in rows] == [
        (D(12), None, ValueSource.COMPUTED, version),
        (D(5), year[0], ValueSource.COMPUTED, version),
    ]
    assert rows[0].recorded_at == rows[1].recorded_at  # one recompute, one moment
    with pytest.raises(IntegrityError), transaction.atomic():
        kpi_values_record_computed(values=[computed(13), computed(6, *reversed(year))])
    with pytest.raises(ValidationError) as error:  # a count takes no denominator
        kpi_values_record_computed(values=[computed(14), computed(7, denominator=D(2))])
    assert error.value.message_dict == {
        "denominator": [
            f"{kpi.name}: Een KPI van het soort “aantal met een minimumobjectief” "
            "krijgt geen noemer."
        ]
    }
    assert KpiValue.objects.count() == before + 2  # the first of each refused pair is not kept

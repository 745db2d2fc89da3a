"""Bad input on KPIs is refused with a message naming the field, and nothing is saved."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grantmonitor.calls.models import Project
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue, ValueSource
from grantmonitor.kpis.services import (
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


def test_computed_values_are_stored_with_their_keys_or_not_at_all(stebo):
    kpi = factories.bound_kpi(stebo, {"count": "attendees"})
    version = kpi.measure.definition.versions.latest("number")
    before = KpiValue.objects.count()

    def computed(**fields):
        return KpiValue(kpi=kpi, source=ValueSource.COMPUTED, definition_version=version, **fields)

    year = {"period_start": datetime.date(2015, 1, 1), "period_end": datetime.date(2015, 12, 31)}
    stored = kpi_values_record_computed(
        values=[computed(value=D(12)), computed(value=D(5), **year)]
    )
    rows = KpiValue.objects.filter(pk__in=[value.pk for value in stored]).order_by("pk")
    assert [(row.value, row.period_start) for row in rows] == [
        (D(12), None),
        (D(5), year["period_start"]),
    ]
    backwards = {"period_start": year["period_end"], "period_end": year["period_start"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        kpi_values_record_computed(
            values=[computed(value=D(13)), computed(value=D(6), **backwards)]
        )
    assert KpiValue.objects.count() == before + 2  # the first of the refused pair is not kept

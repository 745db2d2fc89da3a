from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_create


def test_budget_with_fractions_of_a_cent_is_refused(db):
    with pytest.raises(ValidationError) as error:
        call_create(title="Oproep", number_of_projects=2, budget=D("1000.005"))
    assert "budget" in error.value.message_dict
    assert "fracties van een cent" in error.value.message_dict["budget"][0]
    assert not Call.objects.exists()


def test_negative_budget_is_refused(db):
    with pytest.raises(ValidationError) as error:
        call_create(title="Oproep", number_of_projects=2, budget=D("-1.00"))
    assert "budget" in error.value.message_dict

import pytest
from django.core.exceptions import ValidationError

from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.services import organisation_create


def test_enterprise_number_is_validated_and_stored_compact(db):
    # 0403.170.701 is a valid KBO number (mod 97 check).
    organisation = organisation_create(name="Voorbeeld", enterprise_number="0403.170.701")
    assert organisation.enterprise_number == "0403170701"
    assert organisation.enterprise_number_display == "0403.170.701"


def test_invalid_enterprise_number_is_refused_with_the_field(db):
    with pytest.raises(ValidationError) as error:
        organisation_create(name="Fout", enterprise_number="0403.170.702")
    assert "enterprise_number" in error.value.message_dict
    assert "0403.170.702" in error.value.message_dict["enterprise_number"][0]
    assert not Organisation.objects.filter(name="Fout").exists()

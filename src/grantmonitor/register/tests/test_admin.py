"""Staff can look at the register and the measure definitions, but not write past the services."""

import pytest
from django.urls import reverse

from grantmonitor.kpis.models import MeasureDefinition
from grantmonitor.register.models import Activity, Participant
from grantmonitor.register.synth import synth


@pytest.mark.django_db
def test_register_and_definitions_are_shown_read_only(client, demo):
    synth(scale=1)
    client.force_login(demo["users"]["beheerder"])
    for name in [
        "register_participant",
        "register_activity",
        "register_trajectory",
        "register_creditapplication",
        "register_referral",
        "register_organisationreached",
        "register_followupoutcome",
        "kpis_measuredefinition",
        "kpis_kpimeasure",
    ]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    activity = Activity.objects.filter(attendances__isnull=False).first()
    page = client.get(reverse("admin:register_activity_change", args=[activity.pk]))
    assert page.status_code == 200
    definition = MeasureDefinition.objects.get(code="prestarters-reached")
    page = client.get(reverse("admin:kpis_measuredefinition_change", args=[definition.pk]))
    assert "info_session" in page.content.decode()
    assert client.get(reverse("admin:register_participant_add")).status_code == 403
    participant = Participant.objects.first()
    client.post(
        reverse("admin:register_participant_change", args=[participant.pk]), {"birth_year": "1900"}
    )
    participant.refresh_from_db()
    assert participant.birth_year != 1900

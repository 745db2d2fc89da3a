import pytest
from django.urls import reverse

from grantmonitor.dossiers.models import Dossier


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["users"]["beheerder"])
    return client


def test_dossier_list_shows_status_and_money(admin_client):
    response = admin_client.get(reverse("admin:dossiers_dossier_changelist"))
    assert response.status_code == 200
    page = response.content.decode().replace("\xa0", " ")
    for expected in ("€ 299.168,12", "€ 21.943,86", "afgesloten", "bij de dienst Inspectie"):
        assert expected in page


def test_dossier_page_is_read_only(admin_client):
    dossier = Dossier.objects.get(project__name="Stebo")
    url = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "KREDBEBB" in page.content.decode()
    response = admin_client.post(url, {"allocated_amount": "1.00"})
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert str(dossier.allocated_amount) == "224989.00"


@pytest.mark.parametrize("model", ["costline", "dossierauditentry"])
def test_cost_lines_and_audit_trail_are_listed(admin_client, model):
    response = admin_client.get(reverse(f"admin:dossiers_{model}_changelist"))
    assert response.status_code == 200
    assert reverse(f"admin:dossiers_{model}_add") not in response.content.decode()

"""The published figures for everyone, and the answer pack for the funder and the cabinet."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grantmonitor.audit.models import Event


@pytest.fixture
def call_pk(demo):
    return demo["call"].pk


def test_anyone_finds_the_published_figures_of_every_call(client, demo, call_pk):
    page = client.get(reverse("web:opendata"))
    assert page.status_code == 200
    text = page.content.decode()
    assert demo["call"].title in text
    assert reverse("web:opendata-xlsx", args=[call_pk]) in text
    assert "Aantallen personen van 1 tot 4 staan er als “&lt; 5”" in text
    home = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("web:opendata")}"' in home, "the link is in every page's bar"


def test_anyone_downloads_a_calls_figures_as_csv(client, call_pk):
    response = client.get(reverse("web:opendata-csv", args=[call_pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="figures-call-{call_pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    reached = next(row for row in rows if row["kpi"] == "Aantal bereikte prestarters")
    assert reached["realised"] == "1347"
    assert not Event.objects.filter(action="export").exists(), (
        "public figures are not an export of anyone's data"
    )


def test_the_excel_layout_and_the_workbook(client, call_pk):
    url = reverse("web:opendata-csv", args=[call_pk])
    excel = client.get(url, {"dialect": "excel-nl"})
    assert excel.content.startswith("\ufeffcall;project;".encode())
    assert client.get(url, {"dialect": "tsv"}).status_code == 404
    workbook = client.get(reverse("web:opendata-xlsx", args=[call_pk]))
    sheet = load_workbook(io.BytesIO(workbook.content))["figures"]
    assert sheet["A1"].value == "call"


def test_an_unknown_call_is_not_found(client, demo):
    assert client.get(reverse("web:opendata-csv", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 302), ("promotor", 403), ("inspecteur", 200), ("kabinet", 200)],
)
def test_the_answer_pack_is_for_the_funder_and_the_cabinet(client, demo, username, status):
    if username:
        client.force_login(demo["users"][username])
    url = reverse("web:answer-pack", args=[demo["question"].pk, "nl"])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        pack = zipfile.ZipFile(io.BytesIO(response.content))
        assert "manifest.json" in pack.namelist()
        event = Event.objects.get(action="export")
        assert (event.actor, event.action, event.detail) == (
            demo["users"][username],
            "export",
            {"format": "zip", "language": "nl"},
        )


def test_the_question_page_offers_the_pack(client, demo):
    client.force_login(demo["users"]["kabinet"])
    page = client.get(reverse("web:question", args=[demo["question"].pk])).content.decode()
    assert reverse("web:answer-pack", args=[demo["question"].pk, "en"]) in page

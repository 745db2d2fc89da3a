"""The answer pack read back: DOCX, PDF, a sheet per table and a manifest of every figure;
and the answer's small counts of people suppressed in every format."""

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from grantmonitor.documents.answer_pack import answer_pack
from grantmonitor.documents.render import render_answer
from grantmonitor.documents.tests.readers import docx_text, html_text, pdf_text
from grantmonitor.documents.tests.small_project import small_project
from grantmonitor.questions.models import Topic

NAMES = [
    "antwoord-418-2017-2018-nl.docx",
    "antwoord-418-2017-2018-nl.pdf",
    "antwoord-418-2017-2018-nl.xlsx",
    "manifest.json",
]


@pytest.fixture
def pack(demo):
    document = answer_pack(question=demo["question"], language="nl")
    assert document.filename == "antwoord-418-2017-2018-nl-pack.zip"
    return zipfile.ZipFile(io.BytesIO(document.content))


def sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_pack_holds_the_documents_the_tables_and_the_manifest(pack):
    assert pack.namelist() == NAMES
    assert "1.347" in docx_text(pack.read(NAMES[0]))
    assert "€ 299.168,12" in pdf_text(pack.read(NAMES[1]))


def test_a_sheet_per_table_with_numbers_as_numbers(pack):
    workbook = load_workbook(io.BytesIO(pack.read(NAMES[2])))
    assert workbook.sheetnames == ["2.1", "2.2", "2.3", "2.4", "3.1"]
    stebo = sheet_rows(workbook["2.3"])
    assert stebo[0] == [None, "Objectief", "Gerealiseerd", "Realisatiegraad", "Oordeel"]
    assert ["Aantal bereikte prestarters", 400, 1347, "337%", "behaald"] in stebo
    money = sheet_rows(workbook["3.1"])
    assert money[1] == ["Hefboom", 300000, 299168.12, 831.88]  # read back as floats
    assert money[2][0] == "Stebo" and money[2][3] == 21943.86
    assert workbook["3.1"]["C2"].number_format == "#,##0.00"


def test_the_manifest_names_the_source_of_every_figure(pack, demo):
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["question"]["number"] == 418
    assert manifest["suppression_threshold"] == 5
    figures = manifest["figures"]
    (reached,) = [f for f in figures if f.get("kpi") == "Aantal bereikte prestarters"]
    assert (reached["part"], reached["project"], reached["value"]) == (2, "Stebo", "1347.00")
    assert (reached["objective"], reached["verdict"], reached["source"]) == (
        "400.00",
        "achieved",
        "reported",
    )
    assert reached["recorded_at"] and reached["computed_at"] is None
    assert reached["measure_definition"] is None
    groups = [f for f in figures if f["figure"] == "target_group"]
    assert [(g["target_group"], g["value"]) for g in groups] == [
        ("occupational_disability", 239),
        ("aged_50_plus", 39),
        ("migration_background", 27),
        ("long_term_unemployed", 117),
        ("low_educated", 81),
    ]
    money = {f["project"]: f for f in figures if f["figure"] == "money"}
    assert set(money) == {"Hefboom", "Stebo"}, "GTB's net amount is not set: no figures"
    hefboom = money["Hefboom"]
    assert (hefboom["allocated"], hefboom["net"], hefboom["difference"]) == (
        "300000.00",
        "299168.12",
        "831.88",
    )
    assert hefboom["dossier_id"] == demo["call"].projects.get(name="Hefboom").dossier.pk
    assert [step["status"] for step in hefboom["settlement"]] == ["balance_paid", "closed"]
    assert all(f["figure"] != "realised" or f["kind"] != "qualitative" for f in figures)


# --- small counts of people in the cabinet's answer -----------------------------------------


@pytest.fixture
def small_question(ask):
    return ask(Topic.KPI_RESULTS, [small_project()])


GROUPS_NL = (
    "Van de 12 personen in ‘gestarte deelnemers’ waren er < 5 personen met een "
    "migratieachtergrond en ≥ 5 kortgeschoolden."
)


@pytest.mark.parametrize(
    ("fmt", "read"), [("docx", docx_text), ("pdf", pdf_text), ("html", html_text)]
)
def test_a_target_group_of_three_reads_less_than_five_in_every_format(small_question, fmt, read):
    text = read(render_answer(question=small_question, fmt=fmt).content)
    assert GROUPS_NL in text, "3 is hidden, and 9 with it: 12 - 9 would give 3"
    assert "Op 30 september 2017 waren er < 5 ingeschreven als zelfstandige." in text
    assert "12,5" in text, "sessions are no people"


def test_the_pack_of_a_small_project_keeps_its_small_counts_hidden(small_question):
    pack = zipfile.ZipFile(io.BytesIO(answer_pack(question=small_question).content))
    (name,) = [name for name in pack.namelist() if name.endswith(".json")]
    figures = json.loads(pack.read(name))["figures"]
    groups = {f["target_group"]: f for f in figures if f["figure"] == "target_group"}
    assert groups["migration_background"] == groups["migration_background"] | {
        "value": None,
        "shown_as": "< 5",
    }
    assert groups["low_educated"]["shown_as"] == "≥ 5"
    assert "3" not in json.dumps(groups["migration_background"]["value"])
    (started,) = [f for f in figures if f["figure"] == "realised" and f["kpi"].startswith("Gest")]
    assert (started["value"], started["counts_people"]) == ("12.00", True)

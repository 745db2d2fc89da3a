"""``python -m grantmonitor opendata`` and ``answer --format zip``: files that read back."""

import csv
import io
import json
import zipfile

from openpyxl import load_workbook

from grantmonitor.audit.models import Event
from grantmonitor.calls.models import Call
from grantmonitor.calls.services import call_unpublish
from grantmonitor.cli.main import main
from grantmonitor.demo.seed import CALL_TITLE


def test_writes_a_calls_figures_as_csv(demo, tmp_path, capsys):
    target = tmp_path / "figures.csv"
    assert main(["opendata", "--call", CALL_TITLE, "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    reached = next(row for row in rows if row["kpi"] == "Aantal bereikte prestarters")
    assert (reached["project"], reached["realised"]) == ("Stebo", "1347")
    assert str(target) in capsys.readouterr().err


def test_writes_the_excel_layout_and_the_workbook(demo, tmp_path):
    excel = tmp_path / "figures-nl.csv"
    arguments = ["opendata", "--call", CALL_TITLE, "--dialect", "excel-nl", "-o", str(excel)]
    assert main(arguments) == 0
    assert excel.read_bytes().startswith("\ufeffcall;project;".encode())
    workbook = tmp_path / "figures.xlsx"
    assert main(["opendata", "--call", CALL_TITLE, "--format", "xlsx", "-o", str(workbook)]) == 0
    sheet = load_workbook(workbook)["figures"]
    assert [cell.value for cell in sheet[1]][:3] == ["call", "project", "promoter"]


def test_an_unknown_call_is_named(demo, capsys):
    assert main(["opendata", "--call", "Geen oproep", "-o", "-"]) == 2
    assert "Er is geen oproep met de titel ‘Geen oproep’." in capsys.readouterr().err


def test_a_call_not_published_is_written_only_on_request_and_logged(demo, tmp_path, capsys):
    call_unpublish(Call.objects.get(title=CALL_TITLE))
    target = tmp_path / "figures.csv"
    assert main(["opendata", "--call", CALL_TITLE, "-o", str(target)]) == 2
    assert not target.exists()
    assert "niet gepubliceerd" in capsys.readouterr().err
    assert not Event.objects.filter(action="export").exists()

    assert main(["opendata", "--call", CALL_TITLE, "--unpublished", "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {row["project"] for row in rows} >= {"Hefboom", "Stebo", "GTB"}
    event = Event.objects.get(action="export")
    assert (event.object_repr, event.detail) == (
        CALL_TITLE,
        {"via": "cli", "format": "csv", "unpublished": True},
    )


def test_a_published_call_is_not_logged(demo, tmp_path):
    assert main(["opendata", "--call", CALL_TITLE, "-o", str(tmp_path / "figures.csv")]) == 0
    assert not Event.objects.filter(action="export").exists()


def test_the_answer_pack_from_the_command_line_is_logged(demo, tmp_path):
    target = tmp_path / "pack.zip"
    assert main(["answer", "418", "--format", "zip", "-o", str(target)]) == 0
    pack = zipfile.ZipFile(target)
    assert pack.namelist()[-1] == "manifest.json"
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["question"]["number"] == 418
    assert Event.objects.get(action="export").detail["format"] == "zip"

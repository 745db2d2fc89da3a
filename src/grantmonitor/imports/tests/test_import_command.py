from openpyxl import load_workbook

from grantmonitor.cli.main import main
from grantmonitor.imports.tests.conftest import DATA
from grantmonitor.register.models import Participant

PARTICIPANTS = str(DATA / "participants.csv")
BAD = str(DATA / "participants-bad.csv")


def test_import_prints_what_was_created_and_exits_zero(demo, english, capsys):
    assert main(["import", PARTICIPANTS, "--kind", "participants"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Rows read: 4",
        "Created: 3",
        "Unchanged (already present): 1",
        "Refused: 0",
    ]
    assert main(["import", PARTICIPANTS, "--kind", "participants"]) == 0
    assert "Created: 0\nUnchanged (already present): 4" in capsys.readouterr().out


def test_a_refused_row_saves_nothing_and_exits_non_zero(demo, english, capsys):
    assert main(["import", BAD, "--kind", "participants"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == ["Rows read: 5", "Created: 0", "Unchanged (already present): 0", "Refused: 4"]
    assert "  - row 5, project “Nergens”: there is no project with this name" in out
    assert out[-1].startswith("Nothing was saved because 4 rows were refused;")
    assert not Participant.objects.filter(reference="HB-010").exists()


def test_valid_only_saves_the_sound_row(demo, english, capsys):
    assert main(["import", BAD, "--kind", "participants", "--valid-only"]) == 0
    assert "Created: 1" in capsys.readouterr().out
    assert Participant.objects.filter(reference="HB-010").exists()


def test_the_dutch_summary(demo, dutch, capsys):
    assert main(["import", BAD, "--kind", "participants"]) == 1
    out = capsys.readouterr().out
    assert "Aangemaakt: 0" in out
    assert "  - rij 4, geboortejaar “negentig”: geen getal" in out


def test_unreadable_file_is_a_clear_failure(demo, english, tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.csv"), "--kind", "participants"]) == 2
    assert "There is no file" in capsys.readouterr().err
    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(b"not a zip")
    assert main(["import", str(broken), "--kind", "participants"]) == 2
    assert "kapot.xlsx: This is not a readable XLSX file." in capsys.readouterr().err


def test_template_is_written_and_imports_back(demo, dutch, tmp_path, capsys):
    template = tmp_path / "deelnemers.xlsx"
    assert main(["import", str(template), "--kind", "participants", "--template"]) == 0
    sheet = load_workbook(template).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["project", "referentie van de promotor", "INSZ", "intakedatum"]
    capsys.readouterr()
    assert main(["import", str(template), "--kind", "participants"]) == 1
    assert "Gelezen rijen: 0" in capsys.readouterr().out


def test_a_long_import_shows_progress_on_standard_error(demo, dutch, tmp_path, capsys):
    path = tmp_path / "lang.csv"
    path.write_text(
        "referentie van de promotor;intakedatum\n" + "LG-1;23/03/2018\n" * 10_500, encoding="utf-8"
    )
    assert main(["import", str(path), "--kind", "participants", "--project", "Stebo"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["… 10.000 rijen gelezen"]
    assert "Aangemaakt: 1\nOngewijzigd (al aanwezig): 10.499" in captured.out

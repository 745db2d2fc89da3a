import pytest
from lxml import etree

from grantmonitor.calls.models import Project
from grantmonitor.cli.main import main
from grantmonitor.demo.seed import CALL_TITLE
from grantmonitor.interchange.iati_export import schema
from grantmonitor.interchange.tests.conftest import DATA

MESSY = str(DATA / "messy-2.03.xml")


def test_import_prints_what_was_created_and_skipped(db, english, capsys):
    assert main(["iati", "import", MESSY, "--call", "Proefoproep"]) == 0
    out = capsys.readouterr().out
    assert "Activities in the file: 4" in out
    assert "Call created: “Proefoproep” (number of projects: 4)" in out
    assert (
        "Projects created: 2 (BE-BCE_KBO-0999999999-STARTLAB, BE-BCE_KBO-0999999999-BRUGWERK)"
    ) in out
    assert "KPIs created: 6" in out
    assert "Values recorded: 13; already current: 0" in out
    assert "Skipped: 13" in out
    assert (
        "  - BE-BCE_KBO-0999999999-STARTLAB / Aantal bereikte prestarters / "
        "2020-01-01 – 2020-12-31 “n/a”: actual not kept: not a number"
    ) in out.splitlines()


def test_import_again_says_nothing_new_and_still_succeeds(db, english, capsys):
    main(["iati", "import", MESSY, "--call", "Proefoproep"])
    capsys.readouterr()
    assert main(["iati", "import", MESSY, "--call", "Proefoproep"]) == 0
    out = capsys.readouterr().out
    assert "Imported into the existing call “Proefoproep”" in out
    assert "Projects created: 0" in out
    assert "Values recorded: 0; already current: 13" in out
    assert Project.objects.count() == 2


def test_without_a_call_the_file_names_it(db, english, capsys):
    assert main(["iati", "import", str(DATA / "activities-1.03.xml")]) == 0
    assert (
        "Call created: “IATI activities-1.03.xml” (number of projects: 1)"
        in capsys.readouterr().out
    )


def test_nothing_sound_exits_non_zero(db, english, capsys, tmp_path):
    path = tmp_path / "leeg.xml"
    path.write_text('<iati-activities version="2.03"><iati-activity/></iati-activities>')
    assert main(["iati", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "no iati-identifier: activity skipped" in out
    assert "Nothing sound could be imported." in out


def test_a_broken_or_missing_file_is_an_error_without_traceback(db, english, capsys, tmp_path):
    path = tmp_path / "kapot.xml"
    path.write_text("<iati-activities><iati-activity>")
    assert main(["iati", "import", str(path)]) == 2
    assert "error: kapot.xml: The file is not well-formed XML" in capsys.readouterr().err
    assert main(["iati", "import", str(tmp_path / "nergens.xml")]) == 2
    assert "There is no file" in capsys.readouterr().err


def test_export_writes_a_valid_iati_file(demo, english, capsys, tmp_path):
    target = tmp_path / "oproep.xml"
    code = main(
        ["iati", "export", "--call", CALL_TITLE, "-o", str(target), "--reporting-org-ref", "XX-F"]
    )
    assert code == 0
    root = etree.parse(str(target))
    assert schema().validate(root)
    assert len(root.findall("iati-activity")) == 3
    # without a name the call's portfolio reports
    assert root.findtext("iati-activity/reporting-org/narrative") == (
        "Vlaams minister van Werk, Economie, Innovatie en Sport"
    )


def test_the_funder_can_be_configured_in_the_settings(demo, english, settings, tmp_path):
    settings.IATI_REPORTING_ORG_REF = "XX-SETTING"
    settings.IATI_REPORTING_ORG_NAME = "Agentschap Ondernemen"
    target = tmp_path / "oproep.xml"
    assert main(["iati", "export", "--call", CALL_TITLE, "-o", str(target)]) == 0
    root = etree.parse(str(target))
    assert root.findtext("iati-activity/iati-identifier").startswith("XX-SETTING-")
    assert root.findtext("iati-activity/reporting-org/narrative") == "Agentschap Ondernemen"


def test_export_needs_a_known_call_and_a_reporting_org_ref(
    demo, english, capsys, settings, tmp_path
):
    settings.IATI_REPORTING_ORG_REF = ""
    target = str(tmp_path / "x.xml")
    assert main(["iati", "export", "--call", "Geen oproep", "-o", target]) == 2
    assert "There is no call titled “Geen oproep”." in capsys.readouterr().err
    assert main(["iati", "export", "--call", CALL_TITLE, "-o", target]) == 2
    assert "--reporting-org-ref" in capsys.readouterr().err


def test_a_call_title_that_cannot_be_a_call_is_an_error(db, english, capsys):
    assert main(["iati", "import", MESSY, "--call", "x" * 301]) == 2
    assert "error: --call: " in capsys.readouterr().err
    assert not Project.objects.exists()


def test_help_is_printed_for_the_command_and_each_action(db, capsys):
    for argv in (["iati", "--help"], ["iati", "import", "--help"], ["iati", "export", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
    assert "--reporting-org-ref" in capsys.readouterr().out

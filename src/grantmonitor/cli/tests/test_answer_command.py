"""``python -m grantmonitor answer``: files that read back, and clear errors."""

import datetime

import pytest

from grantmonitor.cli.main import main
from grantmonitor.documents.tests.readers import SEED_FIGURES, docx_text, flat, pdf_text
from grantmonitor.questions.services import question_create

READ = {
    "docx": docx_text,
    "pdf": pdf_text,
    "html": lambda content: flat(content.decode()),
    "md": lambda content: flat(content.decode()),
}


@pytest.mark.parametrize("fmt", list(READ))
def test_writes_the_answer_that_reads_back(demo, tmp_path, capsys, fmt):
    target = tmp_path / f"answer.{fmt}"
    assert main(["answer", "418", "--format", fmt, "-o", str(target)]) == 0
    text = READ[fmt](target.read_bytes())
    for figure in ("1.347", "767", "1 op 4", "€ 299.168,12", "€ 21.943,86", "227%", "+220%"):
        assert flat(figure) in text, f"{figure!r} missing from {fmt}"
    assert str(target) in capsys.readouterr().err


def test_every_seed_figure_in_the_docx(demo, tmp_path):
    target = tmp_path / "a.docx"
    assert main(["answer", "418", "--format", "docx", "-o", str(target)]) == 0
    text = docx_text(target.read_bytes())
    assert all(flat(figure) in text for figure in SEED_FIGURES)


def test_english_and_a_default_file_name(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["answer", "418", "--format", "md", "--lang", "en"]) == 0
    text = (tmp_path / "answer-418-2017-2018-en.md").read_text()
    assert "**WRITTEN QUESTION**" in text and "Results Stebo" in text


def test_standard_output(demo, capsysbinary):
    assert main(["answer", "418", "--format", "md", "-o", "-"]) == 0
    assert "€\u00a021.943,86".encode() in capsysbinary.readouterr().out


def test_an_unknown_question_is_a_clear_error(demo, tmp_path, capsys):
    target = tmp_path / "x.pdf"
    assert main(["answer", "999", "--format", "pdf", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: Er is geen schriftelijke vraag nr. 999."
    assert "Traceback" not in err
    assert not target.exists()


def test_session_and_minister_pick_between_questions_with_the_same_number(demo, tmp_path, capsys):
    question_create(
        number=418,
        session="2018-2019",
        date=datetime.date(2019, 1, 7),
        questioner="Iemand Anders",
        minister="Hilde Crevits",
    )
    assert main(["answer", "418", "--format", "md", "-o", str(tmp_path / "a.md")]) == 2
    assert "--session" in capsys.readouterr().err
    assert (
        main(
            [
                "answer",
                "418",
                "--session",
                "2017-2018",
                "-o",
                str(tmp_path / "b.md"),
                "--format",
                "md",
            ]
        )
        == 0
    )
    assert "van GÜLER TURAN" in (tmp_path / "b.md").read_text()
    assert (
        main(
            [
                "answer",
                "418",
                "--minister",
                "crevits",
                "-o",
                str(tmp_path / "c.md"),
                "--format",
                "md",
            ]
        )
        == 0
    )
    assert "van IEMAND ANDERS" in (tmp_path / "c.md").read_text()
    assert main(["answer", "418", "--session", "2016-2017", "--format", "md"]) == 2
    assert "(zittingsjaar 2016-2017)" in capsys.readouterr().err


def test_an_unwritable_file_is_a_clear_error(demo, tmp_path, capsys):
    target = tmp_path / "missing-folder" / "a.md"
    assert main(["answer", "418", "--format", "md", "-o", str(target)]) == 2
    assert "Kan " in capsys.readouterr().err


@pytest.mark.parametrize("command", ["answer", "kpis"])
def test_help_is_printed_in_dutch(db, capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "formaat" in capsys.readouterr().out

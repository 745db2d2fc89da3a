"""The command line records its document exports, with no user: ``via`` says where."""

from grantmonitor.audit.models import Event, EventAction
from grantmonitor.cli.main import main


def test_the_answer_and_the_statement_written_by_the_command_line_are_recorded(demo, tmp_path):
    assert main(["answer", "418", "--format", "md", "-o", str(tmp_path / "a.md")]) == 0
    assert main(["statement", "Hefboom", "--format", "docx", "-o", str(tmp_path / "s.docx")]) == 0

    answer, statement = Event.objects.filter(action=EventAction.EXPORT).order_by("pk")
    assert (answer.actor, answer.object_pk) == (None, str(demo["question"].pk))
    assert answer.detail == {"via": "cli", "format": "md", "language": "nl"}
    assert statement.content_type.model == "dossier"
    assert statement.detail == {"via": "cli", "format": "docx", "language": "nl"}


def test_a_call_archive_is_recorded(demo, tmp_path):
    assert main(["export-call", demo["call"].title, "-o", str(tmp_path / "call.jsonl")]) == 0
    archive = Event.objects.get(action=EventAction.EXPORT)
    assert (archive.object_repr, archive.detail) == (
        str(demo["call"]),
        {"via": "cli", "format": "archive"},
    )


def test_a_failed_export_records_nothing(demo, tmp_path):
    assert main(["answer", "999", "--format", "pdf", "-o", str(tmp_path / "a.pdf")]) == 2
    assert not Event.objects.exists()

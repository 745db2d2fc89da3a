"""A call travels whole: export it, empty the database, import it, and find it identical."""

import datetime
import gzip
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from grantmonitor.calls.models import Call
from grantmonitor.calls.selectors import call_get_by_title, project_list
from grantmonitor.cli.commands.kpis import kpi_rows
from grantmonitor.cli.main import main
from grantmonitor.demo.seed import load_demo
from grantmonitor.documents.render import render_answer
from grantmonitor.kpis.models import KeptInputs, KeptItem, KeptStale
from grantmonitor.kpis.selectors import projects_kpis
from grantmonitor.porting.archive import export_call, import_call
from grantmonitor.register.models import ActivityKind, CallPerson, Participant, ProjectWrite
from grantmonitor.register.selectors import CallPeople, call_people
from grantmonitor.register.services import activity_record, participant_register
from grantmonitor.register.synth import synth
from grantmonitor.register.tests import factories

CALL = "Stakeholdersplatform prestartersbegeleiding van doelgroepen"


def _state() -> dict:
    """What a user sees of the call, and how many rows each table of the domain holds."""
    call = call_get_by_title(title=CALL)
    return {
        "kpis": kpi_rows(projects_kpis(projects=list(project_list(call=call))), language="nl"),
        "answers": {
            q.number: render_answer(question=q, fmt="md", language="nl").content.decode()
            for q in call.questions.all()
        },
        "rows": {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model.__module__.startswith("grantmonitor.")
            and model._meta.app_label != "accounts"  # users and memberships are not a call's
            # how many transactions wrote, and what the KPI engine keeps from the register
            and model not in (ProjectWrite, KeptInputs, KeptItem, KeptStale)
        },
        "person_keys": sorted(Participant.objects.values_list("person_key", flat=True)),
        "people": call_people(call=call),  # the call page's people reached
    }


def _models_in(archive: bytes) -> set[str]:
    if archive[:2] == b"\x1f\x8b":
        archive = gzip.decompress(archive)
    return {json.loads(line).get("model") for line in archive.decode().splitlines()[1:]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("filename", ["call.jsonl.gz", "call.jsonl"])
def test_round_trip_into_an_empty_database_gives_the_same_kpis_answers_and_rows(
    tmp_path, capsys, filename
):
    load_demo()
    synth(scale=1)
    before = _state()
    archive = tmp_path / filename
    assert main(["export-call", CALL, "-o", str(archive)]) == 0
    assert archive.read_bytes()[:2] == (b"\x1f\x8b" if filename.endswith(".gz") else b'{"')
    # the people the call reached are the register's to recompute, not the archive's
    assert before["people"].distinct > 100
    models_archived = _models_in(archive.read_bytes())
    assert "register.attendance" in models_archived
    assert not models_archived & {"register.callperson", "register.callreach"}

    call_command("flush", interactive=False)
    assert not Call.objects.exists()
    capsys.readouterr()
    assert main(["import-call", str(archive)]) == 0
    out, err = capsys.readouterr()
    assert CALL in out
    # the actors (and the call's publisher) came back as placeholders; the pseudonym key is
    # the same, so no warning on it
    assert err == (
        "waarschuwing: Inactieve gebruikers zonder wachtwoord aangemaakt: "
        "beheerder, dossierbehandelaar, inspecteur, promotor\n"
    )

    after = _state()
    assert after["rows"] == before["rows"]
    assert after["rows"]["register.Attendance"] > 1000  # the register came along
    assert after["person_keys"] == before["person_keys"]  # pseudonyms intact
    assert after["kpis"] == before["kpis"]
    assert after["answers"] == before["answers"]
    assert after["people"] == before["people"]
    assert "€\xa0299.168,12" in after["answers"][418]
    assert "1.347" in after["answers"][418]
    users = get_user_model().objects.all()
    assert users.exists()
    assert not users.filter(is_active=True).exists()
    assert not any(user.has_usable_password() for user in users)


def _archive(demo) -> list[dict]:
    return [json.loads(line) for line in export_call(call=demo["call"]).decode().splitlines()]


def _write(tmp_path, lines: list[dict]) -> str:
    path = tmp_path / "call.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    return str(path)


def _renamed(lines: list[dict], title: str) -> list[dict]:
    """The same archive as a call of another title, its questions in another session."""
    lines[0]["call"] = title
    for line in lines[1:]:
        if line["model"] == "calls.call":
            line["fields"]["title"] = title
        if line["model"] == "questions.writtenquestion":
            line["fields"]["session"] = "2019-2020"
    return lines


@pytest.fixture
def rows_now(db):
    return lambda: {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_an_unknown_version_is_refused_and_nothing_saved(demo, tmp_path, capsys, rows_now):
    lines = _archive(demo)
    lines[0]["version"] = 2
    lines[0]["call"] = "Een andere oproep"
    before = rows_now()
    assert main(["import-call", _write(tmp_path, lines)]) == 2
    err = capsys.readouterr().err
    assert "Archiefversie 2 wordt niet ondersteund" in err
    assert "leest versie 1" in err
    assert "Er werd niets geïmporteerd." in err
    assert rows_now() == before


def test_not_an_archive_is_refused(db, tmp_path, capsys):
    assert main(["import-call", _write(tmp_path, [{"format": "iati", "version": 1}])]) == 2
    assert "grantmonitor-call" in capsys.readouterr().err


def test_a_call_title_that_exists_is_refused(demo, tmp_path, capsys, rows_now):
    lines = _archive(demo)
    lines[0]["call"] = CALL.upper()  # titles compare without case, as the selector finds them
    before = rows_now()
    assert main(["import-call", _write(tmp_path, lines)]) == 2
    assert CALL.upper() in capsys.readouterr().err
    assert rows_now() == before


def test_a_bad_record_halfway_saves_nothing(demo, tmp_path, capsys, rows_now):
    lines = _renamed(_archive(demo), "Oproep 2019")
    cost_line = next(line for line in lines[1:] if line["model"] == "dossiers.costline")
    cost_line["fields"]["amount"] = "-5.00"
    before = rows_now()
    assert main(["import-call", _write(tmp_path, lines)]) == 2
    err = capsys.readouterr().err
    assert (
        f"Line {lines.index(cost_line) + 1}" in err or f"Regel {lines.index(cost_line) + 1}" in err
    )
    assert rows_now() == before


def test_a_copy_under_another_title_shares_organisations_and_definitions(
    demo, tmp_path, capsys, rows_now
):
    lines = _renamed(_archive(demo), "Oproep 2019")
    before = rows_now()
    assert main(["import-call", _write(tmp_path, lines)]) == 0
    after = rows_now()
    assert after["organisations.Organisation"] == before["organisations.Organisation"]
    assert after["calls.TargetGroup"] == before["calls.TargetGroup"]
    assert after["calls.Project"] == 2 * before["calls.Project"]
    assert after["kpis.Kpi"] == 2 * before["kpis.Kpi"]
    copy = call_get_by_title(title="Oproep 2019")
    assert {p.name for p in copy.projects.all()} == {p.name for p in demo["call"].projects.all()}


def test_the_header_says_format_version_call_and_counts(demo):
    header, *records = _archive(demo)
    assert (header["format"], header["version"], header["call"]) == ("grantmonitor-call", 1, CALL)
    assert header["counts"]["calls.project"] == 3
    assert header["counts"]["calls.project"] == sum(r["model"] == "calls.project" for r in records)
    users = {r["fields"]["case_handler"] for r in records if r["model"] == "dossiers.dossier"} - {
        None
    }
    assert users == {"dossierbehandelaar"}  # users by username only, no user records
    assert not any(r["model"].startswith("accounts.") for r in records)


def test_exporting_an_unknown_call_names_it(db, tmp_path, capsys):
    assert main(["export-call", "Geen oproep", "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "Geen oproep" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


def test_another_pseudonym_key_is_imported_with_a_warning(demo, tmp_path, capsys, settings):
    lines = _renamed(_archive(demo), "Oproep 2019")
    settings.PSEUDONYM_KEY = "another-instance-key"
    assert main(["import-call", _write(tmp_path, lines)]) == 0
    assert "pseudoniemsleutel van deze installatie verschilt" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het archief is leeg."),
        (b'{"format": "grantmonitor-call", "version": 1, "call": "X"}\n{not json\n', "Regel 2"),
        (b"\xff\xfe", "geen UTF-8"),
        (b"\x1f\x8b\x08garbage", "geen leesbaar gzip-bestand"),
    ],
)
def test_an_unreadable_archive_is_refused_with_the_reason(db, tmp_path, capsys, content, message):
    path = tmp_path / "call.jsonl"
    path.write_bytes(content)
    assert main(["import-call", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert not Call.objects.exists()


def test_the_people_a_call_reached_in_an_older_archive_are_recomputed_not_copied(db):
    call = factories.project().call
    insz = factories.valid_insz(datetime.date(1990, 5, 17), 1)
    for number, project in enumerate([call.projects.get(), factories.project(call=call)]):
        same = participant_register(
            project=project, registered_on=datetime.date(2018, 1, 15), insz=insz
        )
        others = [
            participant_register(
                project=project, registered_on=datetime.date(2018, 1, 15), reference=f"p{n}"
            )
            for n in range(number + 1)
        ]
        activity_record(
            project=project,
            kind=ActivityKind.INFO_SESSION,
            date=datetime.date(2018, 2, 1),
            organiser=project.promoter,
            participants=[same, *others],
        )
    # one person in both projects, and three without INSZ: 4 people, 5 in the projects' sum
    assert call_people(call=call) == CallPeople(distinct=4, per_project_sum=5)
    lines = _renamed(
        [json.loads(line) for line in export_call(call=call).decode().splitlines()], "Kopie"
    )
    assert not {line.get("model") for line in lines} & {"register.callperson", "register.callreach"}
    # as archives held them before: figures since outdated
    lines += [
        {
            "model": "register.callperson",
            "id": 1,
            "fields": {"call": call.pk, "person": "x", "participants": 7},
        },
        {
            "model": "register.callreach",
            "id": 1,
            "fields": {"call": call.pk, "people": 70, "participants": 700},
        },
    ]
    copy = import_call(data="\n".join(json.dumps(line) for line in lines).encode()).call
    assert call_people(call=copy) == CallPeople(distinct=4, per_project_sum=5)
    assert CallPerson.objects.filter(call=copy).count() == 4

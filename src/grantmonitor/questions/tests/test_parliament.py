"""Importing written questions from the parliament's open data, and their answer deadline."""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import translation

from grantmonitor.cli.main import main
from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.parliament import (
    ParliamentFormatError,
    import_file,
    parse_question,
    read_file,
    session_of,
)
from grantmonitor.questions.selectors import (
    answer_deadline,
    question_is_overdue,
    question_overdue_list,
)
from grantmonitor.questions.services import question_create

DATA = Path(__file__).parent / "data"
Q418 = DATA / "schv-418-2017-2018.json"
LIST_2019 = DATA / "schv-list-2019.json"
UNUSABLE = DATA / "schv-unusable.json"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- parsing ---------------------------------------------------------------------------


def test_question_418_is_read_like_the_seed_states_it():
    [metadata] = read_file(Q418)
    assert metadata.number == 418
    assert metadata.session == "2017-2018"
    assert metadata.questioner == "Güler Turan"
    assert metadata.minister == "Philippe Muyters"
    assert metadata.portfolio == "Vlaams minister van Werk, Economie, Innovatie en Sport"
    assert metadata.asked_on == datetime.date(2018, 3, 23)
    assert metadata.answered_on is None
    assert metadata.title.startswith("Projecten oproep 'Stakeholdersplatform")
    assert metadata.missing == ["antwoord"]


def test_a_list_with_names_as_text_belgian_dates_and_missing_fields_is_read():
    answered, reminded, bare = read_file(LIST_2019)
    assert (answered.number, answered.session) == (12, "2019-2020")
    assert answered.questioner == "An Vandamme"
    assert answered.minister == "Hilde Crevits"
    assert answered.portfolio.startswith("Vlaams minister van Economie")
    assert answered.asked_on == datetime.date(2019, 10, 7)
    assert answered.answered_on == datetime.date(2019, 10, 29)

    # "nr. 13", the minister as a list, 08/10/2019; a reminder is no answer
    assert reminded.number == 13
    assert reminded.minister == "Hilde Crevits"
    assert reminded.asked_on == datetime.date(2019, 10, 8)
    assert reminded.answered_on is None
    assert reminded.title == "Prestartersbegeleiding"  # no titel: the onderwerp
    assert reminded.session == "2019-2020"  # no zittingsjaar: from the date

    # asked 20 September 2019, before the fourth Monday of September: the previous session
    assert bare.session == "2018-2019"
    assert bare.title == ""
    assert set(bare.missing) == {"titel", "zittingsjaar", "antwoord", "bevoegdheid"}


def test_the_session_opens_on_the_fourth_monday_of_september():
    assert session_of(datetime.date(2017, 9, 24)) == "2016-2017"
    assert session_of(datetime.date(2017, 9, 25)) == "2017-2018"  # fourth Monday
    assert session_of(datetime.date(2018, 3, 23)) == "2017-2018"
    assert session_of(datetime.date(2019, 9, 23)) == "2019-2020"


def test_every_unusable_field_is_named_with_its_value():
    with pytest.raises(ParliamentFormatError) as caught:
        read_file(UNUSABLE)
    problems = {(p.item, p.field): p for p in caught.value.problems}
    assert set(problems) == {
        (2, "vraagnummer"),
        (2, "zittingsjaar"),
        (2, "vraagsteller"),
        (2, "procedureverloop[1].datum"),
        (2, "procedureverloop"),  # so no date asked remains
    }
    assert problems[2, "vraagnummer"].value == "“vierhonderd”"
    assert "whole number" in str(problems[2, "vraagnummer"])
    assert "31/02/2018" in str(problems[2, "procedureverloop[1].datum"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vraagnummer": None}, "vraagnummer"),
        ({"minister": ""}, "minister"),
        ({"minister": {"fractie": "N-VA"}}, "minister"),
        ({"procedureverloop": "2018-03-23"}, "procedureverloop"),
        ({"zittingsjaar": "2017-2019"}, "zittingsjaar"),
        (
            {
                "procedureverloop": [
                    {"datum": "2018-03-23", "omschrijving": "ingediend"},
                    {"datum": "2018-03-01", "omschrijving": "antwoord"},
                ]
            },
            "procedureverloop",
        ),
    ],
)
def test_an_unusable_value_is_refused_by_field(change, field):
    data = json.loads(Q418.read_text(encoding="utf-8")) | change
    with pytest.raises(ParliamentFormatError) as caught:
        parse_question(data)
    assert field in [problem.field for problem in caught.value.problems]


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"vraagnummer": 418,\n "titel": }', encoding="utf-8")
    with pytest.raises(ParliamentFormatError, match="line 2"):
        read_file(broken)


# --- importing --------------------------------------------------------------------------


def test_importing_418_onto_the_seed_updates_its_question_and_keeps_what_only_we_know(demo):
    seeded = demo["question"]
    count = WrittenQuestion.objects.count()
    [imported] = import_file(Q418)
    assert not imported.created
    assert imported.question.pk == seeded.pk
    assert WrittenQuestion.objects.count() == count
    seeded.refresh_from_db()
    assert seeded.call == demo["call"]
    assert seeded.refers_to.number == 788
    assert seeded.sub_questions.count() == 3
    assert seeded.text.startswith("De oproep")


@pytest.mark.django_db
def test_importing_twice_creates_once_and_a_later_answer_is_recorded(tmp_path):
    first = import_file(LIST_2019)
    assert [item.created for item in first] == [True, True, True]
    again = import_file(LIST_2019)
    assert [item.created for item in again] == [False, False, False]
    assert WrittenQuestion.objects.count() == 3

    data = json.loads(LIST_2019.read_text(encoding="utf-8"))
    data["items"][1]["procedureverloop"].append({"datum": "12/11/2019", "status": "Antwoord"})
    answered = tmp_path / "answered.json"
    answered.write_text(json.dumps(data), encoding="utf-8")
    import_file(answered)
    question = WrittenQuestion.objects.get(number=13)
    assert question.answer_date == datetime.date(2019, 11, 12)
    assert question.title == "Prestartersbegeleiding"
    assert WrittenQuestion.objects.count() == 3


@pytest.mark.django_db
def test_a_file_with_one_unusable_question_saves_nothing():
    with pytest.raises(ParliamentFormatError):
        import_file(UNUSABLE)
    assert not WrittenQuestion.objects.exists()


# --- deadline ---------------------------------------------------------------------------


def test_the_deadline_counts_working_days():
    # Friday 23 March 2018 + 20 working days = Friday 20 April 2018
    assert answer_deadline(asked_on=datetime.date(2018, 3, 23), days=20) == datetime.date(
        2018, 4, 20
    )
    # asked on a Saturday: the first working day is Monday
    assert answer_deadline(asked_on=datetime.date(2018, 3, 24), days=1) == datetime.date(
        2018, 3, 26
    )


def test_question_418_is_overdue_the_day_after_its_deadline(demo):
    on_time = question_overdue_list(today=datetime.date(2018, 4, 20))
    assert 418 not in [q.number for q in on_time]
    late = question_overdue_list(today=datetime.date(2018, 4, 21))
    assert 418 in [q.number for q in late]


def test_an_answered_question_is_never_overdue(demo, settings):
    settings.QUESTION_ANSWER_DAYS = 5
    question = demo["question"]
    # Friday 23 March + 5 working days = Friday 30 March
    for today, overdue in ((datetime.date(2018, 3, 30), False), (datetime.date(2018, 3, 31), True)):
        assert (question in question_overdue_list(today=today)) is overdue
        assert question_is_overdue(question=question, today=today) is overdue
    question.answer_date = datetime.date(2018, 4, 18)
    question.save()
    assert question not in question_overdue_list(today=datetime.date(2026, 1, 1))
    assert not question_is_overdue(question=question, today=datetime.date(2026, 1, 1))


@pytest.mark.django_db
def test_the_setting_changes_the_deadline(settings):
    question_create(
        number=1,
        session="2017-2018",
        date=datetime.date(2018, 3, 23),
        questioner="Güler Turan",
        minister="Philippe Muyters",
    )
    settings.QUESTION_ANSWER_DAYS = 30
    assert not question_overdue_list(today=datetime.date(2018, 4, 21)).exists()
    assert question_overdue_list(today=datetime.date(2018, 5, 5)).exists()


# --- command line -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_lists_what_is_overdue(capsys):
    assert main(["question", "import", str(LIST_2019)]) == 0
    out = capsys.readouterr().out
    assert "created: nr. 12 (2019-2020) of An Vandamme to Hilde Crevits" in out
    assert "3 created, 0 updated." in out
    assert main(["question", "import", str(LIST_2019)]) == 0
    assert "0 created, 3 updated." in capsys.readouterr().out

    assert main(["question", "overdue", "--today", "2019-11-06"]) == 0
    out = capsys.readouterr().out
    # nr. 12 is answered; nr. 7 (20 Sept) and nr. 13 (8 Oct) are past their 20 working days
    assert "nr. 12" not in out
    assert "nr. 7 (2018-2019)" in out and "to answer by 2019-10-18" in out
    assert "nr. 13 (2019-2020)" in out and "to answer by 2019-11-05" in out
    assert "2 overdue (deadline: 20 working days)." in out


@pytest.mark.django_db
def test_the_command_reports_every_problem_and_exits_non_zero(capsys):
    assert main(["question", "import", str(UNUSABLE)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported" in err
    assert "item 2, field “vraagnummer” (value “vierhonderd”)" in err
    assert not WrittenQuestion.objects.exists()
    assert main(["question", "overdue", "--today", "2019-11-06"]) == 0
    assert "No written question is overdue." in capsys.readouterr().out


def test_the_command_explains_itself(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["question", "overdue", "--help"])
    assert exited.value.code == 0
    assert "answer deadline has passed" in capsys.readouterr().out

import datetime

from django.db import transaction

from grantmonitor.calls.models import Call, Project
from grantmonitor.questions.models import SubQuestion, Topic, WrittenQuestion


@transaction.atomic
def question_create(
    *,
    number: int,
    session: str,
    date: datetime.date,
    questioner: str,
    minister: str,
    portfolio: str = "",
    title: str = "",
    text: str = "",
    call: Call | None = None,
    refers_to: WrittenQuestion | None = None,
    answer_date: datetime.date | None = None,
) -> WrittenQuestion:
    question = WrittenQuestion(
        number=number,
        session=session,
        date=date,
        questioner=questioner,
        minister=minister,
        portfolio=portfolio,
        title=title,
        text=text,
        call=call,
        refers_to=refers_to,
        answer_date=answer_date,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def sub_question_add(
    *,
    question: WrittenQuestion,
    number: int,
    text: str,
    topic: Topic,
    projects: list[Project] = (),
    answer_text: str = "",
) -> SubQuestion:
    sub_question = SubQuestion(
        question=question, number=number, text=text, topic=topic, answer_text=answer_text
    )
    sub_question.full_clean()
    sub_question.save()
    sub_question.projects.set(projects)
    return sub_question


@transaction.atomic
def question_import(
    *,
    number: int,
    session: str,
    minister: str,
    date: datetime.date,
    questioner: str,
    portfolio: str = "",
    title: str = "",
    answer_date: datetime.date | None = None,
) -> tuple[WrittenQuestion, bool]:
    """Create the question, or update the one with this number, minister and session.

    Importing the same question twice changes nothing; importing it again after it was
    answered records the answer date. What the source leaves empty (title, portfolio, answer
    date) keeps its current value, and what only this system knows (the call, the earlier
    question, the introduction, the sub-questions) is never touched.
    """
    question = (
        WrittenQuestion.objects.select_for_update()
        .filter(number=number, session=session, minister__iexact=minister)
        .first()
    )
    if question is None:
        return (
            question_create(
                number=number,
                session=session,
                date=date,
                questioner=questioner,
                minister=minister,
                portfolio=portfolio,
                title=title,
                answer_date=answer_date,
            ),
            True,
        )
    question.date, question.questioner = date, questioner
    for name, value in (("portfolio", portfolio), ("title", title), ("answer_date", answer_date)):
        if value:
            setattr(question, name, value)
    question.full_clean()
    question.save()
    return question, False

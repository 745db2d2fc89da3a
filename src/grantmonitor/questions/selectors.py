import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from grantmonitor.questions.models import WrittenQuestion


class AmbiguousQuestion(Exception):
    """Several questions share the number; say the session or the minister."""


def question_list() -> QuerySet[WrittenQuestion]:
    return WrittenQuestion.objects.select_related("call", "refers_to")


def question_find(
    *, number: int, session: str | None = None, minister: str | None = None
) -> WrittenQuestion:
    """The question with this number; session and minister narrow it when numbers repeat."""
    qs = question_list().filter(number=number)
    if session:
        qs = qs.filter(session=session)
    if minister:
        qs = qs.filter(minister__icontains=minister)
    found = list(qs[:2])
    if not found:
        raise WrittenQuestion.DoesNotExist(f"no written question nr. {number}")
    if len(found) > 1:
        raise AmbiguousQuestion(
            f"several questions have nr. {number}; give --session or --minister"
        )
    return found[0]


def question_get(*, pk: int) -> WrittenQuestion:
    return question_list().prefetch_related("sub_questions__projects").get(pk=pk)


def question_answer_days() -> int:
    """Working days a minister has to answer (setting ``QUESTION_ANSWER_DAYS``)."""
    return settings.QUESTION_ANSWER_DAYS


def answer_deadline(*, asked_on: datetime.date, days: int | None = None) -> datetime.date:
    """The last day to answer: ``days`` working days (Monday to Friday) after the question."""
    days = question_answer_days() if days is None else days
    day, left = asked_on, days
    while left > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def question_overdue_list(
    *, today: datetime.date | None = None, days: int | None = None
) -> QuerySet[WrittenQuestion]:
    """Questions without an answer date whose deadline lies before ``today``, oldest first."""
    today = today or timezone.localdate()
    days = question_answer_days() if days is None else days
    latest_overdue = today - datetime.timedelta(days=1)
    while answer_deadline(asked_on=latest_overdue, days=days) >= today:
        latest_overdue -= datetime.timedelta(days=1)
    return (
        question_list()
        .filter(answer_date__isnull=True, date__lte=latest_overdue)
        .order_by("date", "number")
    )


def question_is_overdue(*, question: WrittenQuestion, today: datetime.date | None = None) -> bool:
    """No answer date yet and the deadline lies before ``today``."""
    today = today or timezone.localdate()
    return question.answer_date is None and answer_deadline(asked_on=question.date) < today

from django.db.models import QuerySet

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

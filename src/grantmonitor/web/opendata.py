"""Published figures for everyone: CSV and XLSX with small cells suppressed, answer packs.

The open-data pages need no sign-in: they show only what :mod:`grantmonitor.documents.opendata`
publishes. The answer pack is for the funder and the cabinet, and every download is logged.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from grantmonitor.accounts import permissions
from grantmonitor.audit.services import record_event
from grantmonitor.calls.models import Call
from grantmonitor.calls.selectors import call_get, call_list, call_published, published_calls
from grantmonitor.documents.answer_pack import answer_pack
from grantmonitor.documents.opendata import (
    COLUMN_HELP,
    COLUMNS,
    CSV_DIALECTS,
    call_csv,
    call_xlsx,
    suppression_note,
)
from grantmonitor.questions.selectors import question_get
from grantmonitor.web.views import _allow, _get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _published_call(request, pk: int) -> Call:
    """A call whose figures are published; the funder's administrator also sees them before."""
    call = _get(call_get, pk=pk)
    if call_published(call) or permissions.can_publish_calls(request.user):
        return call
    raise Http404(f"the figures of call {pk} are not published")


@require_GET
def index(request):
    language = get_language()
    published = published_calls()
    previews = permissions.can_publish_calls(request.user).allowed
    return render(
        request,
        "web/opendata/index.html",
        {
            "calls": published,
            # What the administrator would publish, to check before deciding.
            "unpublished": call_list().exclude(pk__in=published.values("pk")) if previews else [],
            "dialects": list(CSV_DIALECTS),
            "columns": [(column, COLUMN_HELP.get(column, "")) for column in COLUMNS],
            "suppression_note": suppression_note(language),
        },
    )


@require_GET
def call_figures_csv(request, pk: int):
    dialect = request.GET.get("dialect", "open")
    if dialect not in CSV_DIALECTS:
        raise Http404(f"unknown CSV layout {dialect!r}; choose from {', '.join(CSV_DIALECTS)}")
    call = _published_call(request, pk)
    content = call_csv(call=call, dialect=dialect, language=get_language())
    suffix = "" if dialect == "open" else f"-{dialect}"
    return _attachment(content, "text/csv; charset=utf-8", f"figures-call-{call.pk}{suffix}.csv")


@require_GET
def call_figures_xlsx(request, pk: int):
    call = _published_call(request, pk)
    content = call_xlsx(call=call, language=get_language())
    return _attachment(content, XLSX, f"figures-call-{call.pk}.xlsx")


@login_required
@require_GET
def question_answer_pack(request, pk: int, language: str):
    if language not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    _allow(permissions.can_read_answers(request.user))
    question = _get(question_get, pk=pk)
    document = answer_pack(question=question, language=language)
    record_event(
        actor=request.user,
        action="export",
        target=question,
        detail={"format": "zip", "language": language},
    )
    return _attachment(document.content, document.content_type, document.filename)


urlpatterns = [
    path("open-data/", index, name="opendata"),
    path("open-data/calls/<int:pk>/figures.csv", call_figures_csv, name="opendata-csv"),
    path("open-data/calls/<int:pk>/figures.xlsx", call_figures_xlsx, name="opendata-xlsx"),
]
# Listed by web.urls before the answer's downloads, whose "answer-<language>.<format>" would
# read "answer-pack-nl.zip" as language "pack-nl".
answer_pack_url = path(
    "questions/<int:pk>/answer-pack-<str:language>.zip", question_answer_pack, name="answer-pack"
)

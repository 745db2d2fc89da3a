import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("grantmonitor.request")


@never_cache
@require_GET
@transaction.non_atomic_requests
def health(request):
    """200 when the application can query its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """The 500 handler: a clear page, and 503 when the cause is an unreachable database.

    The request's transaction (``ATOMIC_REQUESTS``) has rolled back, so nothing is half
    written; Django opens a new connection on the next request, so the application recovers
    by itself when the database is back.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exception)
        return _page("ops/database_unavailable.html", status=503)
    return _page("ops/server_error.html", status=500)


def _page(template: str, *, status: int) -> HttpResponse:
    """An error page rendered without the request's context processors: they may need the
    user, the session or the database that just failed."""
    context = {"LANGUAGE_CODE": get_language()}
    return HttpResponse(render_to_string(template, context), status=status)

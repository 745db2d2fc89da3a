import logging
import re
import uuid

from grantmonitor.ops.logging import request_id_var

logger = logging.getLogger("grantmonitor.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class RequestIdMiddleware:
    """Give every request an id (the proxy's ``X-Request-ID`` when sane), log it, echo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"status": response.status_code, "method": request.method},
            )
            return response
        finally:
            request_id_var.reset(token)

"""Keep the client's address while a request runs, for the events it records."""

from contextvars import ContextVar

from auditlog.middleware import AuditlogMiddleware

# None outside a request (a command); reset when the request ends, so nothing leaks.
client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The same address, behind a proxy too, that django-auditlog gives the log entries.
        token = client_address.set(AuditlogMiddleware._get_remote_addr(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)

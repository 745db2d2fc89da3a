"""Two-factor sign-in for the funder's administrator and the inspection service.

After the password, a user who must use two factors (:func:`two_factor_required`) reaches no
page, admin page or session-authenticated API call until this session is verified: the first
time they set up an authenticator app (QR code, or the secret typed in) and get backup codes,
afterwards they enter the app's current code. API tokens are a separate credential: only a
verified administrator issues them (admin site) and a token request carries no session.
"""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, path, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from grantmonitor.accounts import twofactor
from grantmonitor.audit.models import EventAction
from grantmonitor.audit.services import record_event

VERIFY, ENROL = "web:two-factor-verify", "web:two-factor-enrol"
# Pages an unverified user still reaches: signing in and out, the language, these pages, probes.
OPEN_URL_NAMES = frozenset(
    {"login", "logout", "set_language", "health", "admin:login", "admin:logout", VERIFY, ENROL}
)
_FRESH_CODES = "two_factor_backup_codes"


def _open(request) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        return resolve(request.path_info).view_name in OPEN_URL_NAMES
    except Resolver404:
        return False


class TwoFactorMiddleware:
    """Send a user who must use two factors and is not verified in this session to do so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if twofactor.two_factor_required(user) and not user.is_verified() and not _open(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": _unverified_reason()}, status=403)
            return _to_second_factor(request.user, request.get_full_path())
        return self.get_response(request)


def _unverified_reason() -> str:
    return _("Confirm your sign-in with a code from your authenticator app first.")


def _to_second_factor(user, next_url: str) -> HttpResponseRedirect:
    target = VERIFY if twofactor.app_device(user) is not None else ENROL
    return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _record(user, check: twofactor.CodeCheck) -> None:
    """Every code entered, right or wrong, goes into the audit trail (never the code itself)."""
    action = EventAction.SECOND_FACTOR if check else EventAction.SECOND_FACTOR_FAILED
    record_event(actor=user, action=action, target=user)


def _pass(request, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id now that the sign-in is complete


@login_required
def verify(request):
    """Enter the current code from the app (or a backup code) to finish signing in."""
    if request.user.is_verified() or not twofactor.two_factor_required(request.user):
        return redirect(_next_url(request))
    if twofactor.app_device(request.user) is None:
        return redirect(f"{reverse(ENROL)}?{urlencode({'next': _next_url(request)})}")
    error = ""
    if request.method == "POST":
        check = twofactor.code_check(request.user, request.POST.get("code", ""))
        _record(request.user, check)
        if check:
            _pass(request, check.device)
            return redirect(_next_url(request))
        error = check.reason
    return render(
        request,
        "web/security/verify.html",
        {"error": error, "next": _next_url(request)},
    )


@login_required
def enrol(request):
    """First sign-in: scan the QR code (or type the secret) and confirm with the app's code."""
    if not twofactor.two_factor_required(request.user):
        return redirect(_next_url(request))
    if twofactor.app_device(request.user) is not None:
        return redirect(f"{reverse(VERIFY)}?{urlencode({'next': _next_url(request)})}")
    error = ""
    if request.method == "POST":
        check = twofactor.enrolment_confirm(request.user, request.POST.get("code", ""))
        _record(request.user, check)
        if check:
            next_url = _next_url(request)
            _pass(request, check.device)
            request.session[_FRESH_CODES] = list(check.backup_codes)
            return redirect(f"{reverse('web:two-factor')}?{urlencode({'next': next_url})}")
        error = check.reason
    device = twofactor.enrolment_device(request.user)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "web/security/enrol.html",
        {
            "error": error,
            "next": _next_url(request),
            "qr_svg": qr.svg_inline(scale=5, light="#fff", svgclass="qr", title=_("QR code")),
            "secret": " ".join(_groups(twofactor.secret_base32(device), 4)),
        },
    )


def _groups(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


@login_required
def status(request):
    """Your second factor: the backup codes just made (shown this once) and how many are left."""
    if not twofactor.two_factor_required(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "web/security/status.html",
        {
            "fresh_codes": request.session.pop(_FRESH_CODES, []),
            "codes_left": twofactor.backup_codes_left(request.user),
            "next": _next_url(request),
        },
    )


@require_POST
@login_required
def backup_codes_renew(request):
    """New backup codes; the old ones stop working."""
    if not twofactor.two_factor_required(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    request.session[_FRESH_CODES] = list(twofactor.backup_codes_renew(request.user))
    return redirect("web:two-factor")


urlpatterns = [
    path("two-factor/", status, name="two-factor"),
    path("two-factor/verify/", verify, name="two-factor-verify"),
    path("two-factor/enrol/", enrol, name="two-factor-enrol"),
    path("two-factor/backup-codes/", backup_codes_renew, name="two-factor-backup-codes"),
]

"""Pages kept as rendered until something they show is written.

A call or project page reads a dozen tables to show what seldom changes between two requests.
Each reader's rendering is kept under the stamps of what the page shows
(:mod:`grantmonitor.register.stamps`): any write to those tables moves a stamp, and the next
request renders the page anew. Off PostgreSQL, or while the request's own transaction has
written, there are no stamps and the page is rendered each time.

A kept page is the reader's own: it shows their name, what their role lets them see and forms
signed with their CSRF secret, so it is kept under who they are and that secret, and a request
without a CSRF cookie yet (whose rendering makes one) is not kept. A kept page shows no
messages (they would be kept with it).

A page's body, what it shows of the call or project, is the same for every reader who may see
the same of it: it is kept once for all of them (:func:`kept_part`), under the stamps and what
decides what they see (their permissions on it), so that after a write one reader renders it
and the others only their own frame around it.
"""

from collections.abc import Callable, Hashable
from functools import cache as once
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from grantmonitor.common.keys import KEPT_SECONDS, cache_key


def kept_page(stamp_of: Callable[..., Hashable | None]):
    """Keep a GET view's pages under ``stamp_of(**the view's keyword arguments)``, or render
    them each time when it gives None. The view's parts (:func:`kept_part`) are kept under
    the same stamp, read once for the request (``request.page_stamp()``)."""

    def decorate(view):
        @wraps(view)
        def kept(request, *args, **kwargs):
            request.page_stamp = once(lambda: stamp_of(**kwargs))
            secret = request.META.get("CSRF_COOKIE")  # from the reader's cookie, if sent
            if request.method != "GET" or secret is None:
                return view(request, *args, **kwargs)
            stamp = request.page_stamp()
            if stamp is None:
                return view(request, *args, **kwargs)
            reader = (request.user.pk, secret, get_language(), timezone.get_current_timezone_name())
            shown = (view.__module__, view.__qualname__, request.get_full_path(), reader, stamp)
            key = cache_key("page", shown)
            found = cache.get(key)
            if found is not None:
                content, content_type = found
                get_token(request)  # the CSRF cookie is sent again, as rendering does
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), KEPT_SECONDS)
            return response

        return kept

    return decorate


def kept_part(request, shown: Hashable, render: Callable[[], str]) -> SafeString:
    """A part of a kept page (:func:`kept_page`) that ``render`` makes alike for every reader
    of ``shown`` (what it shows, and every decision on what the reader may see of it), kept
    under the page's stamp in the reader's language and time zone; rendered each time when
    the page has no stamp."""
    stamp = request.page_stamp()
    # a template's rendering, safe as it is; a cache may give it back as a plain string
    if stamp is None:
        return mark_safe(render())
    key = cache_key("part", (shown, get_language(), timezone.get_current_timezone_name(), stamp))
    return mark_safe(cache.get_or_set(key, render, KEPT_SECONDS))

"""Pages kept until the data they show changes.

A page is kept under a key made of everything it depends on besides the data: the URL with its query, the user and
what the navigation shows of them (their unread notifications too), the language, the browser's CSRF secret (the
page's forms carry a token made from it), and today's date (deadlines turn overdue at midnight); and the data's
version (core/dataversion.py), which any committed change raises. Permission is checked before the cache is
consulted, on every request: a kept page is only ever served to the user it was made for, in the same browser.

Not kept: anything but a 200 HTML answer to a GET, pages shown with a one-time message, pages of a browser without a
CSRF cookie yet (the answer would set one), and pages larger than PAGE_CACHE_MAX_BYTES once compressed. Each server
process keeps at most PAGE_CACHE_ENTRIES pages.
"""

import hashlib
import zlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from core.access import profile_of


def _cache():
    return caches["pages"]


def key_for(request: HttpRequest, scope: str, version: int | str) -> str | None:
    """The page's key, or None when this answer must not be kept or served from the cache."""
    if not settings.PAGE_CACHE or request.method != "GET":
        return None
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not csrf_secret:
        return None
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):
        return None
    user = request.user
    profile = profile_of(user)
    parts = [
        request.get_full_path(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        str(user.pk),
        user.get_username(),
        user.get_full_name(),
        "su" if user.is_superuser else "",
        f"{profile.role}:{profile.unit_id}:{profile.bloc_id}:{profile.province_id}" if profile is not None else "",
        # The top bar's unread badge (core/notifications.py): a new or read notification is a new page.
        str(profile.unread_notifications) if profile is not None else "",
        csrf_secret,
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return f"page:{scope}:{version}:{digest}"


def serve(request: HttpRequest, key: str | None) -> HttpResponse | None:
    if key is None:
        return None
    kept = _cache().get(key)
    if kept is None:
        return None
    content_type, packed = kept
    body = zlib.decompress(packed)
    get_token(request)  # as rendering the page's forms would: keeps the CSRF cookie fresh
    response = HttpResponse(body, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    return response


def keep(key: str | None, response: HttpResponse) -> HttpResponse:
    if (
        key is not None
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    ):
        # Compressed (HTML shrinks about tenfold, at level 1 in well under a millisecond for a usual page), and
        # never a very large one: a process keeps PAGE_CACHE_ENTRIES pages, so memory stays bounded.
        packed = zlib.compress(response.content, 1)
        if len(packed) <= settings.PAGE_CACHE_MAX_BYTES:
            _cache().set(key, (response["Content-Type"], packed))
    return response


def kept_page(request: HttpRequest, scope: str, version: int | str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept page when there is one, else render it (and keep it when it may be kept).

    Only for read pages people open again and again, whose content depends on nothing but the data under `version`
    and the key's parts (not the review overview: ballots close at a time of day, which the key does not hold).
    """
    key = key_for(request, scope, version)
    return serve(request, key) or keep(key, render())


def kept_view_names() -> set[str]:
    """The URL names of the pages that are kept (their view was declared so), for the tests and the benchmark."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and getattr(p.callback, "page_kept", False):
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names

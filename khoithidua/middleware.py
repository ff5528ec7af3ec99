import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language: the interface is Vietnamese unless the user picks English.

    Many officers use browsers set to English; they still expect the Vietnamese interface. The choice made
    with the language selector (a cookie) is what LocaleMiddleware then honours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database could not be reached (still down after the connection's retries): a Vietnamese "try again in a
    moment" page with 503 and Retry-After, not a 500. The page needs no database (no user, no menu)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as e:  # raised by a middleware below (sessions, authentication)
            if _is_data_error(e):
                raise
            return self._unavailable(e)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:  # noqa: ARG002
        if isinstance(exception, OperationalError | InterfaceError) and not _is_data_error(exception):
            return self._unavailable(exception)
        return None

    def _unavailable(self, exception: Exception) -> HttpResponse:
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response


def _is_data_error(exception: DatabaseError) -> bool:
    """An OperationalError about the data (a lock timeout, a serialization failure) is the view's business."""
    text = str(exception).lower()
    return any(word in text for word in ("deadlock", "could not serialize", "lock timeout", "database is locked"))


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds REQUEST_MAX_MB before anything reads it (413, in Vietnamese).

    The proxy's client_max_body_size should refuse it first (deploy/nginx); this is the same limit for a server
    reached without that proxy. Without a Content-Length (a chunked body) Django reads no body at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = settings.REQUEST_MAX_MB
        if length > limit_mb * 1024 * 1024:
            logger.warning("request body of %s bytes refused (REQUEST_MAX_MB=%s)", length, limit_mb)
            body = render_to_string("413.html", {"limit_mb": limit_mb, "evidence_mb": settings.EVIDENCE_MAX_MB})
            response = HttpResponse(body, status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """The browser features no page uses (camera, microphone, location, …) are switched off for every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request and SESSION_MAX_SECONDS after the login.

    The last request's time is written at most once a minute, so that reading pages does not save the session on
    every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started, seen = session.get("_started", now), session.get("_seen", now)
            if now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_MAX_SECONDS:
                logout(request)
            else:
                if "_started" not in session:
                    session["_started"] = now
                if now - seen >= 60 or "_seen" not in session:
                    session["_seen"] = now
        return self.get_response(request)

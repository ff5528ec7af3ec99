"""Who is knocking: the client's address for django-axes, and the limit on password-reset requests."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the TLS proxy (SECURE_PROXY_SSL_HEADER) every request comes from the proxy:
    the last X-Forwarded-For entry is the one the proxy itself added ($proxy_add_x_forwarded_for)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if _is_address(last):
            return last
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count a password-reset request; False once the address or the email has asked PASSWORD_RESET_LIMIT times
    within the lockout time (per server process with the default in-memory cache)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    allowed = True
    for key in (f"pwreset:ip:{client_ip(request)}", f"pwreset:email:{email.strip().lower()}"):
        cache.add(key, 0, seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds)
            count = 1
        allowed = allowed and count <= settings.PASSWORD_RESET_LIMIT
    return allowed


class AxesBackend(AxesStandaloneBackend):
    """django-axes' check before the password one, for logins over HTTP (a request to count by). Logins without a
    request (a management command, the test client's login()) have no address to throttle and are let through to
    the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

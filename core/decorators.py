"""The decorator every bloc-year page goes through: who may open it, and whether it may be kept."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from core import pagecache
from core.access import access_to


def bloc_year_view(*, manage: bool = False, kept: bool = False) -> Callable:
    """Load the bloc year from the URL for the user (404 when not visible) and set request.access.

    With manage=True only the year's secretariat (or a superuser) passes; others get 403. With kept=True (read
    pages people open again and again) the page is served from the page cache (core/pagecache.py) while the
    bloc's data is unchanged; permission is checked first either way.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, year: int, *args, **kwargs) -> HttpResponse:
            request.access = access_to(request.user, code, year)
            if manage:
                request.access.require_manage()
            bloc_year = request.access.bloc_year
            render = lambda: view(request, bloc_year, *args, **kwargs)  # noqa: E731
            if not kept:
                return render()
            return pagecache.kept_page(request, f"bloc:{bloc_year.bloc_id}", bloc_year.bloc.data_version, render)

        wrapper.page_kept = kept
        return wrapper

    return decorator

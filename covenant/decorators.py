from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from covenant import pagecache
from covenant.access import access_to


def bloc_year_view(*, manage: bool = False) -> Callable:
    """Load the bloc year from the URL for the user (404 when not visible) and set request.access.

    With manage=True only the year's secretariat (or a superuser) passes; others get 403. The read pages listed
    in covenant/pagecache.py are then served from the page cache while the bloc's data is unchanged.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, year: int, *args, **kwargs) -> HttpResponse:
            request.access = access_to(request.user, code, year)
            if manage:
                request.access.require_manage()
            bloc_year = request.access.bloc_year
            return pagecache.kept_page(
                request,
                f"bloc:{bloc_year.bloc_id}",
                bloc_year.bloc.data_version,
                lambda: view(request, bloc_year, *args, **kwargs),
            )

        return wrapper

    return decorator

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from covenant.access import access_for, get_bloc_year


def bloc_year_view(*, manage: bool = False) -> Callable:
    """Load the bloc year from the URL for the user (404 when not visible) and set request.access.

    With manage=True only the year's secretariat (or a superuser) passes; others get 403.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, year: int, *args, **kwargs) -> HttpResponse:
            bloc_year = get_bloc_year(request.user, code, year)
            request.access = access_for(request.user, bloc_year)
            if manage:
                request.access.require_manage()
            return view(request, request.access.bloc_year, *args, **kwargs)

        return wrapper

    return decorator

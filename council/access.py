"""Who may open the province's pages: the council's office manages its own province, the provincial viewer reads
it; anyone else, and the staff of another province, gets a 404."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from core.access import profile_of
from core.models import Bloc, BlocYear, Profile, Province, Unit


def province_view(*, manage: bool = False) -> Callable:
    """Load the province of the URL for the user (404 outside it) and set request.province and request.is_council.

    With manage=True only the council's staff (or a superuser) pass; the provincial viewer gets 403.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, *args, **kwargs) -> HttpResponse:
            province = get_object_or_404(Province, code=code)
            profile = profile_of(request.user)
            if request.user.is_superuser:
                request.is_council = True
            elif profile is not None and profile.role in Profile.PROVINCE_ROLES and profile.province_id == province.pk:
                request.is_council = profile.role == Profile.Role.COUNCIL
            else:
                raise Http404
            if manage and not request.is_council:
                raise PermissionDenied
            request.province = province
            return view(request, province, *args, **kwargs)

        return wrapper

    return decorator


def bloc_of(province: Province, code: str) -> Bloc:
    return get_object_or_404(Bloc, province=province, code=code)


def bloc_year_of(province: Province, code: str, year: int) -> BlocYear:
    return get_object_or_404(
        BlocYear.objects.select_related("bloc", "bloc__province"), bloc__province=province, bloc__code=code, year=year
    )


def unit_of(province: Province, pk: int) -> Unit:
    return get_object_or_404(Unit, province=province, pk=pk)

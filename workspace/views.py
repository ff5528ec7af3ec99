"""The home page, a bloc year's dashboard and the province overview."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core import dataversion, lifecycle, pagecache
from core.access import access_for, profile_of, visible_bloc_years
from core.decorators import bloc_year_view
from core.models import BlocYear, Membership, Profile, Province
from core.pages import year_context
from covenant.forms import PhaseRevertForm
from covenant.models import Covenant
from reports.board import dashboard_summary
from reports.forms import SearchForm
from reports.search import LIMIT as SEARCH_LIMIT
from reports.search import search as search_texts
from reports.search import uses_full_text
from scoring.scoreboard.services import scoreboard_with_items
from workspace.todo import todo_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work is."""
    profile = profile_of(request.user)
    if profile and profile.role == Profile.Role.PROVINCIAL:
        return redirect("province", code=profile.province.code)
    if profile and profile.role == Profile.Role.COUNCIL:
        return redirect("council:index", code=profile.province.code)
    latest = visible_bloc_years(request.user).order_by("bloc__name", "-year")
    blocs: dict[int, BlocYear] = {}
    for by in latest:
        blocs.setdefault(by.bloc_id, by)
    if len(blocs) == 1:
        return redirect(next(iter(blocs.values())))
    return render(request, "workspace/home.html", {"bloc_years": list(blocs.values()), "profile": profile})


@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    """A province's blocs and where each stands in its latest year."""
    prov = get_object_or_404(Province, code=code)
    profile = profile_of(request.user)
    if not request.user.is_superuser and not (
        profile and profile.role in Profile.PROVINCE_ROLES and profile.province_id == prov.pk
    ):
        raise Http404
    version = dataversion.province_version(prov)  # before the data
    return pagecache.kept_page(request, f"province:{prov.pk}", version, lambda: _province_page(request, prov))


province.page_kept = True


def _province_page(request: HttpRequest, prov: Province) -> HttpResponse:
    years = (
        BlocYear.objects.filter(bloc__province=prov)
        .select_related("bloc")
        .annotate(member_count=Count("memberships"))
        .order_by("bloc__name", "-year")
    )
    heads = {
        m.bloc_year_id: m.unit
        for m in Membership.objects.filter(bloc_year__bloc__province=prov, role=Membership.Role.HEAD).select_related(
            "unit"
        )
    }
    latest: dict[int, BlocYear] = {}
    for by in years:
        if by.bloc_id not in latest:
            by.head_unit = heads.get(by.pk)
            latest[by.bloc_id] = by
    rows = list(latest.values())
    phase_counts = {p: sum(1 for r in rows if r.phase == p) for p in BlocYear.PHASE_ORDER}
    return render(
        request,
        "workspace/province.html",
        {
            "province": prov,
            "rows": rows,
            "phase_counts": [(p.label, phase_counts[p]) for p in BlocYear.PHASE_ORDER],
        },
    )


@bloc_year_view(kept=True)
def dashboard(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    covenant = Covenant.objects.filter(bloc_year=bloc_year).prefetch_related("contents").first()
    problems = (
        lifecycle.phase_problems(bloc_year)
        if (request.access.can_manage and bloc_year.phase == BlocYear.Phase.SETUP)
        else []
    )
    is_latest = not BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year__gt=bloc_year.year).exists()
    reporting = dashboard_summary(bloc_year, request.access.unit)
    known = problems if (request.access.can_manage and bloc_year.phase == BlocYear.Phase.SETUP) else None
    return render(
        request,
        "workspace/dashboard.html",
        year_context(
            request,
            bloc_year,
            "dashboard",
            members=members,
            covenant=covenant,
            scoreboard=scoreboard_with_items(bloc_year),
            head=next((m for m in members if m.role == Membership.Role.HEAD), None),
            deputy=next((m for m in members if m.role == Membership.Role.DEPUTY), None),
            problems=problems,
            is_latest=is_latest,
            revert_form=PhaseRevertForm(),
            reporting=reporting,
            todo=todo_list(bloc_year, request.access, reporting, known),
        ),
    )


SEARCH_PER_PAGE = 20


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The reports and evidence of every year the user may open, found by their words (reports/search.py); each
    year searched with the user's own standing in it, so that nobody finds what they may not open."""
    years = list(visible_bloc_years(request.user).order_by("-year", "bloc__name"))
    form = SearchForm(request.GET, years=sorted({by.year for by in years}, reverse=True))
    values = form.values()
    results, page = None, None
    if values.get("q"):
        if values.get("year"):
            years = [by for by in years if by.year == values["year"]]
        profile = profile_of(request.user)
        # One query for the user's unit's memberships of every year: access_for then asks nothing more.
        memberships = (
            list(Membership.objects.filter(unit_id=profile.unit_id, bloc_year__in=years).select_related("unit"))
            if profile is not None and profile.unit_id
            else []
        )
        accesses = [access_for(request.user, by, memberships) for by in years]
        results = search_texts(accesses, values["q"], kind=values.get("kind", ""), order=values.get("sort", "newest"))
        page = Paginator(results.hits, SEARCH_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/search.html",
        {"form": form, "results": results, "page_obj": page, "full_text": uses_full_text(), "limit": SEARCH_LIMIT},
    )

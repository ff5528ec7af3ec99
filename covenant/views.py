from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from covenant import pagecache, services
from covenant.access import profile_of, visible_bloc_years
from covenant.decorators import bloc_year_view
from covenant.forms import (
    ContentForm,
    CovenantForm,
    MemberFormSet,
    MembersMetaForm,
    OfficerCreateForm,
    PhaseRevertForm,
    SetPasswordForm,
    UnitForm,
)
from covenant.models import AuditEntry, BlocYear, Covenant, CovenantContent, Membership, Profile, Province
from covenant.services import ServiceError
from scoring.models import Criterion, Scoreboard, SubItem

User = get_user_model()


def year_context(request: HttpRequest, bloc_year: BlocYear, nav: str, **extra) -> dict:
    years = list(
        visible_bloc_years(request.user)
        .filter(bloc_id=bloc_year.bloc_id)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    return {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "access": request.access,
        "years": years,
        "nav": nav,
        "phases": BlocYear.PHASE_ORDER,
        **extra,
    }


def form_error(form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work is."""
    profile = profile_of(request.user)
    if profile and profile.role == Profile.Role.PROVINCIAL:
        return redirect("province", code=profile.province.code)
    latest = visible_bloc_years(request.user).order_by("bloc__name", "-year")
    blocs: dict[int, BlocYear] = {}
    for by in latest:
        blocs.setdefault(by.bloc_id, by)
    if len(blocs) == 1:
        return redirect(next(iter(blocs.values())))
    return render(request, "covenant/home.html", {"bloc_years": list(blocs.values()), "profile": profile})


@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    """A province's blocs and where each stands in its latest year."""
    prov = get_object_or_404(Province, code=code)
    profile = profile_of(request.user)
    if not request.user.is_superuser and not (
        profile and profile.role == Profile.Role.PROVINCIAL and profile.province_id == prov.pk
    ):
        raise Http404
    return pagecache.kept_page(request, f"province:{prov.pk}", prov.data_version, lambda: _province_page(request, prov))


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
        "covenant/province.html",
        {
            "province": prov,
            "rows": rows,
            "phase_counts": [(p.label, phase_counts[p]) for p in BlocYear.PHASE_ORDER],
        },
    )


def _scoreboard_with_items(bloc_year: BlocYear) -> Scoreboard | None:
    return (
        Scoreboard.objects.filter(bloc_year=bloc_year)
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.prefetch_related(
                    Prefetch("sub_items", queryset=SubItem.objects.order_by("order")),
                    Prefetch("contents", queryset=CovenantContent.objects.order_by("order")),
                ).order_by("order"),
            ),
            "bonus_items",
            "tie_breaks__criterion",
        )
        .first()
    )


def _members(bloc_year: BlocYear) -> list[Membership]:
    return list(bloc_year.memberships.select_related("unit").order_by("order"))


@bloc_year_view()
def dashboard(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    members = _members(bloc_year)
    covenant = Covenant.objects.filter(bloc_year=bloc_year).prefetch_related("contents").first()
    scoreboard = _scoreboard_with_items(bloc_year)
    problems = (
        services.setup_problems(bloc_year)
        if (request.access.can_manage and bloc_year.phase == BlocYear.Phase.SETUP)
        else []
    )
    is_latest = not BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year__gt=bloc_year.year).exists()
    from reports.services import dashboard_summary

    reporting = dashboard_summary(bloc_year, request.access.unit)
    return render(
        request,
        "covenant/dashboard.html",
        year_context(
            request,
            bloc_year,
            "dashboard",
            members=members,
            covenant=covenant,
            scoreboard=scoreboard,
            head=next((m for m in members if m.role == Membership.Role.HEAD), None),
            deputy=next((m for m in members if m.role == Membership.Role.DEPUTY), None),
            problems=problems,
            is_latest=is_latest,
            revert_form=PhaseRevertForm(),
            reporting=reporting,
        ),
    )


@bloc_year_view()
def members(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    rows = _members(bloc_year)
    return render(request, "covenant/members.html", year_context(request, bloc_year, "members", members=rows))


@bloc_year_view(manage=True)
def members_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    # Only the bloc's own province's units, and not those on another bloc's list this year: a unit offered
    # elsewhere would hand its officers' accounts to this secretariat.
    current = _members(bloc_year)
    units = services.units_free_for(bloc_year)
    if request.method == "POST":
        formset = MemberFormSet(request.POST, units=units, prefix="m")
        meta = MembersMetaForm(request.POST)
        if formset.is_valid() and meta.is_valid():
            rows = [
                services.MemberRow(
                    unit=f.cleaned_data["unit"], order=f.cleaned_data["order"], role=f.cleaned_data["role"]
                )
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                services.save_members(
                    bloc_year=bloc_year,
                    rows=rows,
                    expected_version=meta.cleaned_data["version"],
                    by=request.user,
                    reason=meta.cleaned_data["reason"],
                )
            except ServiceError as e:
                form_error(meta, e)
            else:
                messages.success(request, _("Đã lưu danh sách đơn vị thành viên."))
                return redirect("covenant:members", code=bloc_year.bloc.code, year=bloc_year.year)
    else:
        formset = MemberFormSet(
            initial=[{"unit": m.unit_id, "order": m.order, "role": m.role} for m in current], units=units, prefix="m"
        )
        meta = MembersMetaForm(initial={"version": bloc_year.version})
    return render(
        request,
        "covenant/members_edit.html",
        year_context(
            request,
            bloc_year,
            "members",
            formset=formset,
            meta=meta,
        ),
    )


@bloc_year_view(manage=True)
def unit_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(by=request.user, province=bloc_year.bloc.province, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(
                request, _("Đã thêm đơn vị “%(name)s”. Hãy đưa đơn vị vào danh sách thành viên.") % {"name": unit.name}
            )
            return redirect("covenant:members_edit", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(request, "covenant/unit_form.html", year_context(request, bloc_year, "members", form=form))


@bloc_year_view()
def covenant_detail(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    covenant = get_object_or_404(
        Covenant.objects.prefetch_related(
            "legal_bases", Prefetch("contents", CovenantContent.objects.order_by("order"))
        ),
        bloc_year=bloc_year,
    )
    history = AuditEntry.objects.filter(
        bloc_year=bloc_year, target_type__in=["covenant.covenant", "covenant.covenantcontent"]
    ).select_related("actor")[:20]
    return render(
        request,
        "covenant/covenant_detail.html",
        year_context(
            request,
            bloc_year,
            "covenant",
            covenant=covenant,
            history=list(history),
        ),
    )


@bloc_year_view(manage=True)
def covenant_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    covenant = get_object_or_404(Covenant, bloc_year=bloc_year)
    form = CovenantForm(request.POST or None, initial=CovenantForm.initial_for(covenant))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_covenant(
                covenant=covenant,
                data=data,
                legal_bases=data.pop("legal_bases"),
                expected_version=data.pop("version"),
                by=request.user,
                reason=data.pop("reason"),
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Đã lưu thông tin giao ước."))
            return redirect("covenant:covenant", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(request, "covenant/covenant_form.html", year_context(request, bloc_year, "covenant", form=form))


def _content_form_view(request: HttpRequest, bloc_year: BlocYear, content: CovenantContent | None) -> HttpResponse:
    covenant = get_object_or_404(Covenant, bloc_year=bloc_year)
    if content is None:
        next_order = (covenant.contents.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        initial = {"order": next_order}
    else:
        initial = ContentForm.initial_for(content)
    form = ContentForm(request.POST or None, initial=initial, creating=content is None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_content(
                covenant=covenant,
                content=content,
                order=d["order"],
                title=d["title"],
                body=d["body"],
                expected_version=d.get("version"),
                by=request.user,
                reason=d["reason"],
            )
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Đã lưu nội dung giao ước."))
            return redirect("covenant:covenant", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(
        request,
        "covenant/content_form.html",
        year_context(
            request,
            bloc_year,
            "covenant",
            form=form,
            content=content,
        ),
    )


@bloc_year_view(manage=True)
def content_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return _content_form_view(request, bloc_year, None)


@bloc_year_view(manage=True)
def content_edit(request: HttpRequest, bloc_year: BlocYear, content_pk: int) -> HttpResponse:
    content = get_object_or_404(CovenantContent, pk=content_pk, covenant__bloc_year=bloc_year)
    return _content_form_view(request, bloc_year, content)


@bloc_year_view(manage=True)
def content_delete(request: HttpRequest, bloc_year: BlocYear, content_pk: int) -> HttpResponse:
    content = get_object_or_404(CovenantContent, pk=content_pk, covenant__bloc_year=bloc_year)
    form = PhaseRevertForm(request.POST or None)
    form.fields["reason"].required = bloc_year.changes_need_reason
    form.fields["reason"].label = _("Lý do xóa")
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_content(content=content, by=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Đã xóa nội dung giao ước."))
            return redirect("covenant:covenant", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(
        request,
        "covenant/content_delete.html",
        year_context(
            request,
            bloc_year,
            "covenant",
            form=form,
            content=content,
        ),
    )


@require_POST
@bloc_year_view(manage=True)
def phase_advance(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    try:
        bloc_year = services.advance_phase(bloc_year=bloc_year, by=request.user)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("Năm thi đua đã chuyển sang giai đoạn “%(phase)s”.") % {"phase": bloc_year.get_phase_display()}
        )
    return redirect(bloc_year)


@require_POST
@bloc_year_view(manage=True)
def phase_revert(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = PhaseRevertForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Phải ghi lý do khi quay lại giai đoạn trước."))
        bloc_year = services.revert_phase(bloc_year=bloc_year, by=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("Năm thi đua đã quay lại giai đoạn “%(phase)s”.") % {"phase": bloc_year.get_phase_display()}
        )
    return redirect(bloc_year)


@require_POST
@bloc_year_view(manage=True)
def start_next_year(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    try:
        new = services.start_next_year(previous=bloc_year, by=request.user)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(bloc_year)
    messages.success(
        request,
        _("Đã mở năm thi đua %(year)s từ thiết lập năm %(prev)s. Hãy rà soát và chỉnh sửa.")
        % {"year": new.year, "prev": bloc_year.year},
    )
    return redirect(new)


def _officers(bloc_year: BlocYear):
    return (
        services.managed_officers(bloc_year)
        .filter(profile__unit__memberships__bloc_year=bloc_year)
        .select_related("profile", "profile__unit")
        .order_by("profile__unit__memberships__order", "username")
    )


@bloc_year_view(manage=True)
def accounts(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return render(
        request,
        "covenant/accounts.html",
        year_context(
            request,
            bloc_year,
            "accounts",
            officers=list(_officers(bloc_year)),
        ),
    )


@bloc_year_view(manage=True)
def account_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    units = services.managed_units(bloc_year).filter(memberships__bloc_year=bloc_year).order_by("memberships__order")
    form = OfficerCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_officer(bloc_year=bloc_year, by=request.user, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, _("Đã tạo tài khoản “%(name)s”.") % {"name": user.username})
            return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(request, "covenant/account_form.html", year_context(request, bloc_year, "accounts", form=form))


def _officer_or_404(bloc_year: BlocYear, account_pk: int):
    return get_object_or_404(_officers(bloc_year), pk=account_pk)


@require_POST
@bloc_year_view(manage=True)
def account_toggle(request: HttpRequest, bloc_year: BlocYear, account_pk: int) -> HttpResponse:
    user = _officer_or_404(bloc_year, account_pk)
    try:
        services.set_account_active(bloc_year=bloc_year, user=user, active=not user.is_active, by=request.user)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            (_("Đã mở lại tài khoản “%(name)s”.") if user.is_active else _("Đã khóa tài khoản “%(name)s”."))
            % {"name": user.username},
        )
    return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)


@bloc_year_view(manage=True)
def account_password(request: HttpRequest, bloc_year: BlocYear, account_pk: int) -> HttpResponse:
    user = _officer_or_404(bloc_year, account_pk)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.set_account_password(
            bloc_year=bloc_year, user=user, password=form.cleaned_data["password"], by=request.user
        )
        messages.success(request, _("Đã đặt mật khẩu mới cho “%(name)s”.") % {"name": user.username})
        return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(
        request,
        "covenant/account_password.html",
        year_context(
            request,
            bloc_year,
            "accounts",
            form=form,
            account=user,
        ),
    )


@bloc_year_view(manage=True)
def history(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    # Paginated by the template (50 a page): one count and one page query, whatever the history's length.
    entries = AuditEntry.objects.filter(bloc_year=bloc_year).select_related("actor")
    return render(request, "covenant/history.html", year_context(request, bloc_year, "history", entries=entries))

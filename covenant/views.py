"""The year's setup pages: members, units, the covenant and its contents, phase steps, accounts, history."""

import datetime

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import audit_display, lifecycle, visibility
from core.decorators import bloc_year_view
from core.models import AuditEntry, BlocYear, Membership, Profile
from core.pages import errors_as_message, errors_on, post_data, year_context
from core.spreadsheet import table_response
from covenant import services
from covenant.forms import (
    SYSTEM_ACTOR,
    AccountFilterForm,
    ContentDeleteForm,
    ContentForm,
    CovenantForm,
    HandoverForm,
    HistoryFilterForm,
    MemberFormSet,
    MembersMetaForm,
    OfficerCreateForm,
    PhaseAdvanceForm,
    PhaseRevertForm,
    SetPasswordForm,
    UnitForm,
)
from covenant.models import Covenant, CovenantContent

User = get_user_model()


def _members(bloc_year: BlocYear) -> list[Membership]:
    return list(bloc_year.memberships.select_related("unit").order_by("order"))


@bloc_year_view(kept=True)
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
            with errors_on(meta) as outcome:
                services.save_members(
                    bloc_year=bloc_year,
                    rows=rows,
                    expected_version=meta.cleaned_data["version"],
                    by=request.user,
                    reason=meta.cleaned_data["reason"],
                )
            if outcome.ok:
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
    form = UnitForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            unit = services.create_unit(by=request.user, province=bloc_year.bloc.province, **form.cleaned_data)
        if outcome.ok:
            messages.success(
                request, _("Đã thêm đơn vị “%(name)s”. Hãy đưa đơn vị vào danh sách thành viên.") % {"name": unit.name}
            )
            return redirect("covenant:members_edit", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(request, "covenant/unit_form.html", year_context(request, bloc_year, "members", form=form))


@bloc_year_view(kept=True)
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
    form = CovenantForm(post_data(request), initial=CovenantForm.initial_for(covenant))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with errors_on(form) as outcome:
            services.update_covenant(
                covenant=covenant,
                data=data,
                legal_bases=data.pop("legal_bases"),
                expected_version=data.pop("version"),
                by=request.user,
                reason=data.pop("reason"),
            )
        if outcome.ok:
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
    form = ContentForm(post_data(request), initial=initial, creating=content is None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
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
        if outcome.ok:
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
    form = ContentDeleteForm(post_data(request))
    form.fields["reason"].required = bloc_year.changes_need_reason
    form.fields["reason"].label = _("Lý do xóa")
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.delete_content(content=content, by=request.user, reason=form.cleaned_data["reason"])
        if outcome.ok:
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


@bloc_year_view(manage=True)
def phase_advance(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """The phase step: what still blocks it, what would be left open, then a confirmation (and a reason)."""
    form = PhaseAdvanceForm(post_data(request), initial={"phase": bloc_year.phase})
    problems = lifecycle.phase_problems(bloc_year) if bloc_year.next_phase else []
    if not bloc_year.next_phase or problems:
        # Nothing to confirm: the page says why, whatever was posted.
        form = PhaseAdvanceForm(initial={"phase": bloc_year.phase})
    if form.is_bound and form.is_valid():
        with errors_on(form) as outcome:
            bloc_year = lifecycle.advance_phase(
                bloc_year=bloc_year,
                by=request.user,
                expected_phase=form.cleaned_data["phase"],
                reason=form.cleaned_data["reason"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Năm thi đua đã chuyển sang giai đoạn “%(phase)s”.") % {"phase": bloc_year.get_phase_display()},
            )
            return redirect(bloc_year)
        bloc_year.refresh_from_db()
        problems = lifecycle.phase_problems(bloc_year) if bloc_year.next_phase else []
    return render(
        request,
        "covenant/phase_advance.html",
        year_context(
            request,
            bloc_year,
            "dashboard",
            form=form,
            problems=problems,
            open_work=lifecycle.open_work_of(bloc_year) if bloc_year.next_phase else [],
        ),
    )


@bloc_year_view(manage=True)
def phase_revert(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """Back to the previous phase, with a reason: from the dashboard's short form, or this page, which draws a
    refusal again with the reason marked."""
    form = PhaseRevertForm(post_data(request), initial={"phase": bloc_year.phase})
    if bloc_year.previous_phase is None:
        form = PhaseRevertForm(initial={"phase": bloc_year.phase})  # nothing to go back to: the page says so
    if form.is_bound and form.is_valid():
        with errors_on(form) as outcome:
            bloc_year = lifecycle.revert_phase(
                bloc_year=bloc_year,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_phase=form.cleaned_data["phase"],
            )
        if outcome.ok:
            messages.success(
                request,
                _("Năm thi đua đã quay lại giai đoạn “%(phase)s”.") % {"phase": bloc_year.get_phase_display()},
            )
            return redirect(bloc_year)
        bloc_year.refresh_from_db()
    return render(request, "covenant/phase_revert.html", year_context(request, bloc_year, "dashboard", form=form))


@require_POST
@bloc_year_view(manage=True)
def start_next_year(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    with errors_as_message(request) as outcome:
        new = lifecycle.start_next_year(previous=bloc_year, by=request.user)
    if not outcome.ok:
        return redirect(bloc_year)
    messages.success(
        request,
        _("Đã mở năm thi đua %(year)s từ thiết lập năm %(prev)s. Hãy rà soát và chỉnh sửa.")
        % {"year": new.year, "prev": bloc_year.year},
    )
    return redirect(new)


def _officers(bloc_year: BlocYear, me):
    """The accounts listed and managed on the accounts pages; one's own is changed on the password page."""
    members = Membership.objects.filter(bloc_year=bloc_year)
    return (
        services.managed_officers(bloc_year)
        .exclude(pk=me.pk)
        .filter(Q(profile__unit__in=members.values("unit")) | Q(profile__role=Profile.Role.LEADER))
        .select_related("profile", "profile__unit")
        .order_by("profile__role", "profile__unit__name", "username")
    )


def _filtered_officers(officers, values: dict):
    if values.get("q"):
        q = values["q"]
        officers = officers.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    if values.get("role"):
        officers = officers.filter(profile__role=values["role"])
    if values.get("unit"):
        officers = officers.filter(profile__unit_id=int(values["unit"]))
    if values.get("state") == "active":
        officers = officers.filter(is_active=True)
    elif values.get("state") == "inactive":
        officers = officers.filter(is_active=False)
    return officers


@bloc_year_view(manage=True)
def accounts(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    following = services.next_year_head(bloc_year)
    form = AccountFilterForm(request.GET, units=[m.unit for m in _members(bloc_year)])
    values = form.values()
    officers = list(_filtered_officers(_officers(bloc_year, request.user), values))
    locked_out = services.locked_out_usernames([u.username for u in officers])
    if values.get("state") == "locked_out":
        officers = [u for u in officers if u.username in locked_out]
    if request.GET.get("export") == "xlsx":
        return _accounts_xlsx(bloc_year, officers, locked_out)
    return render(
        request,
        "covenant/accounts.html",
        year_context(
            request,
            bloc_year,
            "accounts",
            officers=officers,
            next_head=following if following and request.access.unit != following.unit else None,
            locked_out=locked_out,
            form=form,
            export_query=_export_query(request),
        ),
    )


def _accounts_xlsx(bloc_year: BlocYear, officers: list, locked_out: set[str]) -> HttpResponse:
    rows = []
    for u in officers:
        state = _("Đang hoạt động") if u.is_active else _("Đã khóa")
        if u.username in locked_out:
            state = f"{state}; {_('Tạm khóa do sai mật khẩu nhiều lần')}"
        unit = u.profile.unit.name if u.profile.unit else _("Lãnh đạo khối")
        rows.append([unit, u.get_full_name(), u.username, u.email, u.profile.get_role_display(), state])
    return table_response(
        f"tai-khoan-{bloc_year.bloc.code}-{bloc_year.year}.xlsx",
        _("Tài khoản"),
        _("Tài khoản cán bộ các đơn vị năm %(year)s – %(bloc)s")
        % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
        [_("Đơn vị"), _("Họ tên"), _("Tên đăng nhập"), _("Thư điện tử"), _("Vai trò"), _("Trạng thái")],
        rows,
        [40, 26, 24, 32, 24, 30],
    )


@bloc_year_view(manage=True)
def handover(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """The outgoing secretariat names who runs the next year's secretariat at the new head unit."""
    following = services.next_year_head(bloc_year)
    if following is None:
        return render(request, "covenant/handover.html", year_context(request, bloc_year, "accounts", form=None))
    candidates = (
        User.objects.filter(profile__unit_id=following.unit_id, is_active=True, is_superuser=False, is_staff=False)
        .select_related("profile")
        .order_by("username")
    )
    form = HandoverForm(post_data(request), users=candidates)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.hand_over(bloc_year=bloc_year, users=list(form.cleaned_data["users"]), by=request.user)
        if outcome.ok:
            messages.success(
                request,
                _("Đã bàn giao: Văn phòng khối của %(unit)s điều hành năm %(year)s.")
                % {"unit": following.unit.name, "year": following.bloc_year.year},
            )
            return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(
        request,
        "covenant/handover.html",
        year_context(request, bloc_year, "accounts", form=form, next_head=following),
    )


@bloc_year_view(manage=True)
def account_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    units = services.managed_units(bloc_year).filter(memberships__bloc_year=bloc_year).order_by("memberships__order")
    form = OfficerCreateForm(post_data(request), units=units)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            user = services.create_officer(bloc_year=bloc_year, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã tạo tài khoản “%(name)s”.") % {"name": user.username})
            return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)
    return render(request, "covenant/account_form.html", year_context(request, bloc_year, "accounts", form=form))


def _officer_or_404(request: HttpRequest, bloc_year: BlocYear, account_pk: int):
    return get_object_or_404(_officers(bloc_year, request.user), pk=account_pk)


@require_POST
@bloc_year_view(manage=True)
def account_toggle(request: HttpRequest, bloc_year: BlocYear, account_pk: int) -> HttpResponse:
    user = _officer_or_404(request, bloc_year, account_pk)
    with errors_as_message(request) as outcome:
        services.set_account_active(bloc_year=bloc_year, user=user, active=not user.is_active, by=request.user)
    if outcome.ok:
        messages.success(
            request,
            (_("Đã mở lại tài khoản “%(name)s”.") if user.is_active else _("Đã khóa tài khoản “%(name)s”."))
            % {"name": user.username},
        )
    return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)


@require_POST
@bloc_year_view(manage=True)
def account_unlock(request: HttpRequest, bloc_year: BlocYear, account_pk: int) -> HttpResponse:
    user = _officer_or_404(request, bloc_year, account_pk)
    with errors_as_message(request) as outcome:
        services.unlock_login(bloc_year=bloc_year, user=user, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã mở khóa đăng nhập cho “%(name)s”.") % {"name": user.username})
    return redirect("covenant:accounts", code=bloc_year.bloc.code, year=bloc_year.year)


@bloc_year_view(manage=True)
def account_password(request: HttpRequest, bloc_year: BlocYear, account_pk: int) -> HttpResponse:
    user = _officer_or_404(request, bloc_year, account_pk)
    form = SetPasswordForm(post_data(request), user=user)
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


def _history_choices(entries) -> dict:
    """What the log of this year holds, for the filter's lists: who acted, on what kinds of objects, which actions
    (two queries, whatever the log's length)."""
    actors = {}
    # .order_by(): the log's default order would add its columns to the DISTINCT and undo it.
    for pk, username, first, last in (
        entries.filter(actor__isnull=False)
        .order_by()
        .values_list("actor_id", "actor__username", "actor__first_name", "actor__last_name")
        .distinct()
    ):
        actors[str(pk)] = f"{first} {last}".strip() or username
    types, actions = set(), set()
    for target_type, action in entries.order_by().values_list("target_type", "action").distinct():
        types.add(target_type)
        actions.add(action)
    return {
        "actors": sorted(actors.items(), key=lambda pair: pair[1].casefold()),
        "target_types": sorted(((t, _type_label(t)) for t in types), key=lambda pair: pair[1].casefold()),
        "actions": sorted(((a, audit_display.action_label(a)) for a in actions), key=lambda pair: pair[1].casefold()),
    }


def _type_label(target_type: str) -> str:
    try:
        return str(apps.get_model(target_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return target_type


def _filtered_history(entries, values: dict, visible_drafts: set[int]):
    actor = values.get("actor")
    if actor == SYSTEM_ACTOR:
        entries = entries.filter(actor__isnull=True)
    elif actor:
        entries = entries.filter(actor_id=int(actor))
    if values.get("target_type"):
        entries = entries.filter(target_type=values["target_type"])
    if values.get("action"):
        entries = entries.filter(action=values["action"])
    # Whole days in the project's time zone (Asia/Ho_Chi_Minh), not the database's.
    if values.get("date_from"):
        entries = entries.filter(at__gte=_day_start(values["date_from"]))
    if values.get("date_to"):
        entries = entries.filter(at__lt=_day_start(values["date_to"] + datetime.timedelta(days=1)))
    if values.get("q"):
        q = values["q"]
        # A draft the user may not read is shown as "(bản nháp)": its name and reason must not be findable either,
        # so the words are looked for only in entries that are not drafts, or drafts the user may read.
        entries = entries.filter(Q(target_repr__icontains=q) | Q(reason__icontains=q)).filter(
            ~Q(action__in=visibility.draft_actions()) | Q(pk__in=sorted(visible_drafts))
        )
    return entries.order_by("at", "id") if values.get("sort") == "oldest" else entries.order_by("-at", "-id")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@bloc_year_view(manage=True, kept=True)
def history(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    entries = AuditEntry.objects.filter(bloc_year=bloc_year).select_related("actor")
    form = HistoryFilterForm(request.GET, **_history_choices(AuditEntry.objects.filter(bloc_year=bloc_year)))
    # Other units' drafts appear as "(bản nháp)": the ids of every draft entry of the year the user may not see.
    draft_rows = list(
        AuditEntry.objects.filter(bloc_year=bloc_year, action__in=visibility.draft_actions()).values_list(
            "pk", "action", "target_type", "target_id"
        )
    )
    drafts = visibility.masked_entries(request.access, draft_rows)
    entries = _filtered_history(entries, form.values(), {row[0] for row in draft_rows} - drafts)
    if request.GET.get("export") == "xlsx":
        return _history_xlsx(bloc_year, list(entries), drafts)
    # Paginated by the template (50 a page): one count and one page query, whatever the history's length.
    return render(
        request,
        "covenant/history.html",
        year_context(
            request,
            bloc_year,
            "history",
            entries=entries,
            drafts=drafts,
            drafts_unnamed=visibility.unnamed_types(),
            form=form,
            export_query=_export_query(request),
        ),
    )


def _export_query(request: HttpRequest) -> str:
    """The page's filters with export=xlsx: the file holds what the filtered list holds (every page of it)."""
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return query.urlencode()


def _history_xlsx(bloc_year: BlocYear, entries: list[AuditEntry], drafts: set[int]) -> HttpResponse:
    unnamed = visibility.unnamed_types()
    draft_label = str(visibility.DRAFT_LABEL)
    rows = []
    for e in entries:
        masked = e.pk in drafts
        if masked:
            target = draft_label if e.target_type in unnamed else f"{e.target_repr} {draft_label}"
            changes = ""
        else:
            target = e.target_repr
            changes = "\n".join(f"{label}: {old} → {new}" for label, old, new in e.display_changes)
        rows.append(
            [
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                (e.actor.get_full_name() or e.actor.username) if e.actor else _("Hệ thống"),
                e.action_label,
                target,
                changes,
                "" if masked else e.reason,
            ]
        )
    return table_response(
        f"nhat-ky-{bloc_year.bloc.code}-{bloc_year.year}.xlsx",
        _("Nhật ký thay đổi"),
        _("Nhật ký thay đổi năm %(year)s – %(bloc)s") % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
        [_("Thời điểm"), _("Người thực hiện"), _("Thao tác"), _("Đối tượng"), _("Thay đổi"), _("Lý do")],
        rows,
        [17, 24, 26, 45, 60, 40],
    )

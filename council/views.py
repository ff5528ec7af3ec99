"""The council's pages: the province's blocs and their years, members and secretariat accounts; units renamed,
merged and moved; the award quota; the dossiers; the dashboards."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awards import services as awards
from awards.models import Award
from core.models import AuditEntry, Bloc, BlocYear, Membership, Province, Unit
from core.pages import errors_as_message, errors_on, post_data, post_files
from council import board, exports, imports, services
from council.access import bloc_of, bloc_year_of, province_view, unit_of
from council.forms import (
    AcceptForm,
    AwardForm,
    BlocForm,
    DecisionForm,
    MergeForm,
    MoveForm,
    QuotaForm,
    RenameForm,
    ReturnForm,
    SecretariatForm,
    UploadForm,
    YearForm,
)
from council.models import Dossier, Quota, UnitEvent
from covenant import services as covenant
from covenant.forms import MemberFormSet, MembersMetaForm, UnitForm


def _year_param(request: HttpRequest, years: list[int]) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is None or (years and year not in years):
        return years[0] if years else None
    return year


def _context(request: HttpRequest, province: Province, nav: str, **extra) -> dict:
    return {"province": province, "is_council": request.is_council, "nav": nav, **extra}


# The blocs ------------------------------------------------------------------------------------------


@province_view()
def index(request: HttpRequest, province: Province) -> HttpResponse:
    """Every bloc of a year: phase, members, reporting, dossier."""
    years = board.province_years(province)
    year = _year_param(request, years)
    rows = board.bloc_rows(province, year) if year else []
    phase_counts = [(p.label, sum(1 for r in rows if r.bloc_year.phase == p)) for p in BlocYear.PHASE_ORDER]
    blocs = Bloc.objects.filter(province=province).order_by("name")
    without_year = list(blocs.exclude(years__year=year) if year else blocs)
    return render(request, "council/index.html", _context(
        request, province, "index", years=years, year=year, rows=rows, phase_counts=phase_counts,
        without_year=without_year,
    ))


@province_view(manage=True)
def bloc_create(request: HttpRequest, province: Province) -> HttpResponse:
    form = BlocForm(post_data(request))
    year_form = YearForm(post_data(request), prefix="y")
    if request.method == "POST" and form.is_valid() and year_form.is_valid():
        with errors_on(form) as outcome:
            bloc = services.save_bloc(province=province, bloc=None, data=form.cleaned_data, by=request.user)
            services.open_year(bloc=bloc, year=year_form.cleaned_data["year"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã tạo khối “%(name)s”.") % {"name": bloc.name})
            return redirect("council:bloc_year", code=province.code, bloc=bloc.code,
                            year=year_form.cleaned_data["year"])
    return render(request, "council/bloc_form.html", _context(request, province, "index", form=form,
                                                               year_form=year_form))


@province_view(manage=True)
def bloc_edit(request: HttpRequest, province: Province, bloc: str) -> HttpResponse:
    obj = bloc_of(province, bloc)
    form = BlocForm(post_data(request), instance=obj, editing=True)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.save_bloc(province=province, bloc=Bloc.objects.get(pk=obj.pk), data=form.cleaned_data,
                               by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã lưu thông tin khối."))
            return redirect("council:bloc", code=province.code, bloc=obj.code)
    return render(request, "council/bloc_form.html", _context(request, province, "index", form=form, bloc=obj))


@province_view()
def bloc(_request: HttpRequest, province: Province, bloc: str) -> HttpResponse:
    """A bloc's years; the latest one's page."""
    obj = bloc_of(province, bloc)
    latest = BlocYear.objects.filter(bloc=obj).order_by("-year").first()
    if latest is not None:
        return redirect("council:bloc_year", code=province.code, bloc=obj.code, year=latest.year)
    return redirect("council:year_create", code=province.code, bloc=obj.code)


@province_view(manage=True)
def year_create(request: HttpRequest, province: Province, bloc: str) -> HttpResponse:
    obj = bloc_of(province, bloc)
    latest = BlocYear.objects.filter(bloc=obj).order_by("-year").first()
    form = YearForm(post_data(request), initial={"year": latest.year + 1 if latest else None})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            by = services.open_year(bloc=obj, year=form.cleaned_data["year"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã mở năm thi đua %(year)s.") % {"year": by.year})
            return redirect("council:bloc_year", code=province.code, bloc=obj.code, year=by.year)
    return render(request, "council/year_form.html", _context(request, province, "index", form=form, bloc=obj,
                                                               latest=latest))


@province_view()
def bloc_year(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    by = bloc_year_of(province, bloc, year)
    members = list(by.memberships.select_related("unit").order_by("order"))
    years = list(BlocYear.objects.filter(bloc=by.bloc).order_by("-year").values_list("year", flat=True))
    return render(request, "council/bloc_year.html", _context(
        request, province, "index", bloc_year=by, bloc=by.bloc, members=members, years=years,
        accounts=list(services.secretariat_accounts(by)),
        dossier=Dossier.objects.filter(bloc_year=by).first(),
    ))


@province_view(manage=True)
def members_edit(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    by = bloc_year_of(province, bloc, year)
    units = services.units_offered(by)
    if request.method == "POST":
        formset = MemberFormSet(request.POST, units=units, prefix="m")
        meta = MembersMetaForm(request.POST)
        if formset.is_valid() and meta.is_valid():
            rows = [
                covenant.MemberRow(unit=f.cleaned_data["unit"], order=f.cleaned_data["order"],
                                   role=f.cleaned_data["role"])
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            with errors_on(meta) as outcome:
                services.save_members(bloc_year=by, rows=rows, expected_version=meta.cleaned_data["version"],
                                      by=request.user, reason=meta.cleaned_data["reason"])
            if outcome.ok:
                messages.success(request, _("Đã lưu danh sách đơn vị thành viên."))
                return redirect("council:bloc_year", code=province.code, bloc=by.bloc.code, year=by.year)
    else:
        current = by.memberships.order_by("order")
        formset = MemberFormSet(
            initial=[{"unit": m.unit_id, "order": m.order, "role": m.role} for m in current], units=units, prefix="m"
        )
        meta = MembersMetaForm(initial={"version": by.version})
    return render(request, "council/members_edit.html", _context(
        request, province, "index", bloc_year=by, bloc=by.bloc, formset=formset, meta=meta,
    ))


@province_view(manage=True)
def secretariat_create(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    by = bloc_year_of(province, bloc, year)
    head = Membership.objects.filter(bloc_year=by, role=Membership.Role.HEAD).select_related("unit").first()
    form = SecretariatForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            user = services.create_secretariat(bloc_year=by, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã tạo tài khoản Văn phòng khối “%(name)s”.") % {"name": user.username})
            return redirect("council:bloc_year", code=province.code, bloc=by.bloc.code, year=by.year)
    return render(request, "council/secretariat_form.html", _context(
        request, province, "index", bloc_year=by, bloc=by.bloc, form=form, head=head,
    ))


# Units ------------------------------------------------------------------------------------------------


@province_view()
def units(request: HttpRequest, province: Province) -> HttpResponse:
    years = board.province_years(province)
    year = _year_param(request, years)
    places = {
        m.unit_id: m
        for m in Membership.objects.filter(bloc_year__bloc__province=province, year=year).select_related(
            "bloc_year__bloc"
        )
    }
    merged = services.merged_unit_ids(province, 2100)
    rows = [(u, places.get(u.pk), u.pk in merged) for u in Unit.objects.filter(province=province).order_by("name")]
    return render(request, "council/units.html", _context(request, province, "units", rows=rows, year=year,
                                                           years=years))


@province_view(manage=True)
def unit_create(request: HttpRequest, province: Province) -> HttpResponse:
    form = UnitForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with errors_on(form) as outcome:
            unit = covenant.create_unit(province=province, by=request.user, **data)
        if outcome.ok:
            messages.success(request, _("Đã thêm đơn vị “%(name)s”.") % {"name": unit.name})
            return redirect("council:unit", code=province.code, unit_pk=unit.pk)
    return render(request, "council/form.html", _context(
        request, province, "units", form=form, title=_("Thêm đơn vị của tỉnh"),
        cancel_url=reverse("council:units", args=[province.code]),
    ))


@province_view()
def unit(request: HttpRequest, province: Province, unit_pk: int) -> HttpResponse:
    obj = unit_of(province, unit_pk)
    line = board.lineage(obj)
    return render(request, "council/unit.html", _context(
        request, province, "units", unit=obj, years=board.unit_years(line),
        events=list(UnitEvent.objects.filter(unit__in=line).select_related("into", "from_bloc", "to_bloc", "unit")
                    .order_by("-year", "-at")),
        merged_into=UnitEvent.objects.filter(unit=obj, kind=UnitEvent.Kind.MERGE).select_related("into").first(),
        awards=board.unit_awards(line),
    ))


@province_view(manage=True)
def unit_rename(request: HttpRequest, province: Province, unit_pk: int) -> HttpResponse:
    obj = unit_of(province, unit_pk)
    form = RenameForm(post_data(request), initial={"name": obj.name, "short_name": obj.short_name})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.rename_unit(unit=obj, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã đổi tên đơn vị; tên cũ được giữ trong lịch sử."))
            return redirect("council:unit", code=province.code, unit_pk=obj.pk)
    return render(request, "council/form.html", _context(
        request, province, "units", form=form, title=_("Đổi tên đơn vị “%(name)s”") % {"name": obj.name},
        cancel_url=reverse("council:unit", args=[province.code, obj.pk]),
    ))


@province_view(manage=True)
def unit_merge(request: HttpRequest, province: Province, unit_pk: int) -> HttpResponse:
    obj = unit_of(province, unit_pk)
    others = Unit.objects.filter(province=province).exclude(pk=obj.pk).order_by("name")
    form = MergeForm(post_data(request), units=others)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.merge_unit(unit=obj, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã ghi nhận việc sáp nhập đơn vị."))
            return redirect("council:unit", code=province.code, unit_pk=form.cleaned_data["into"].pk)
    return render(request, "council/form.html", _context(
        request, province, "units", form=form, title=_("Sáp nhập đơn vị “%(name)s”") % {"name": obj.name},
        cancel_url=reverse("council:unit", args=[province.code, obj.pk]),
    ))


@province_view(manage=True)
def unit_move(request: HttpRequest, province: Province, unit_pk: int) -> HttpResponse:
    obj = unit_of(province, unit_pk)
    targets = list(
        BlocYear.objects.filter(bloc__province=province)
        .exclude(phase=BlocYear.Phase.PUBLISHED)
        .exclude(memberships__unit=obj)
        .select_related("bloc")
        .order_by("-year", "bloc__name")
    )
    form = MoveForm(post_data(request), targets=targets)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.move_unit(unit=obj, to=form.cleaned_data["to"], note=form.cleaned_data["note"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã chuyển đơn vị sang khối mới."))
            return redirect("council:unit", code=province.code, unit_pk=obj.pk)
    return render(request, "council/form.html", _context(
        request, province, "units", form=form, title=_("Chuyển đơn vị “%(name)s” sang khối khác") % {"name": obj.name},
        cancel_url=reverse("council:unit", args=[province.code, obj.pk]),
    ))


# Quota and dossiers -----------------------------------------------------------------------------------------


@province_view(manage=True)
def quota(request: HttpRequest, province: Province) -> HttpResponse:
    quotas = list(Quota.objects.filter(province=province).order_by("-year"))
    form = QuotaForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.set_quota(province=province, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã lưu chỉ tiêu khen thưởng năm %(year)s.") % form.cleaned_data)
            return redirect("council:quota", code=province.code)
    return render(request, "council/quota.html", _context(request, province, "quota", form=form, quotas=quotas))


@province_view()
def dossiers(request: HttpRequest, province: Province) -> HttpResponse:
    rows = list(
        Dossier.objects.filter(bloc_year__bloc__province=province)
        .select_related("bloc_year__bloc")
        .order_by("-bloc_year__year", "status", "bloc_year__bloc__name")
    )
    return render(request, "council/dossiers.html", _context(request, province, "dossiers", rows=rows))


def _dossier(province: Province, bloc: str, year: int) -> Dossier:
    by = bloc_year_of(province, bloc, year)
    return get_object_or_404(Dossier.objects.select_related("bloc_year__bloc__province"), bloc_year=by)


@province_view()
def dossier(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    return _dossier_page(request, province, _dossier(province, bloc, year))


def _dossier_page(request: HttpRequest, province: Province, obj: Dossier, return_form=None) -> HttpResponse:
    by = obj.bloc_year
    history = list(AuditEntry.objects.filter(bloc_year=by, action__startswith="dossier.").select_related("actor"))
    return render(request, "council/dossier.html", _context(
        request, province, "dossiers", dossier=obj, bloc_year=by,
        # Once accepted, the checklist as it stood then (later dossiers of the province use up the quota).
        checks=obj.checklist if obj.status in (Dossier.Status.ACCEPTED, Dossier.Status.DECIDED) and obj.checklist
        else services.checklist(by),
        proposals=services.proposals_of(by), history=history, awards=services.decision_awards(obj),
        accept_form=AcceptForm(initial={"version": obj.version}),
        return_form=return_form or ReturnForm(initial={"version": obj.version}),
    ))


STALE_DOSSIER_PAGE = gettext_lazy("Trang đã cũ: hãy tải lại trang hồ sơ rồi làm lại.")


@require_POST
@province_view(manage=True)
def dossier_return(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    obj = _dossier(province, bloc, year)
    form = ReturnForm(request.POST)
    if "version" in form.errors:  # a tampered or truncated post: nothing to mark on the page
        messages.error(request, STALE_DOSSIER_PAGE)
        return redirect("council:dossier", code=province.code, bloc=bloc, year=year)
    if not form.is_valid():
        if obj.status == Dossier.Status.SUBMITTED:  # the page draws the form only then
            return _dossier_page(request, province, obj, return_form=form)
        messages.error(request, _("Chỉ trả lại hồ sơ đang chờ tỉnh xem xét."))
        return redirect("council:dossier", code=province.code, bloc=bloc, year=year)
    with errors_as_message(request) as outcome:
        services.return_dossier(dossier=obj, reason=form.cleaned_data["reason"],
                                expected_version=form.cleaned_data["version"], by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã trả lại hồ sơ cho khối."))
    return redirect("council:dossier", code=province.code, bloc=bloc, year=year)


@require_POST
@province_view(manage=True)
def dossier_accept(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    obj = _dossier(province, bloc, year)
    form = AcceptForm(request.POST)
    if not form.is_valid():  # only a tampered or truncated post lacks the version
        messages.error(request, STALE_DOSSIER_PAGE)
        return redirect("council:dossier", code=province.code, bloc=bloc, year=year)
    with errors_as_message(request) as outcome:
        services.accept_dossier(dossier=obj, expected_version=form.cleaned_data["version"], by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã tiếp nhận hồ sơ."))
    return redirect("council:dossier", code=province.code, bloc=bloc, year=year)


@province_view(manage=True)
def decision(request: HttpRequest, province: Province, bloc: str, year: int) -> HttpResponse:
    obj = _dossier(province, bloc, year)
    proposals = services.proposals_of(obj.bloc_year)
    form = DecisionForm(post_data(request), initial={"signer": ""})
    chosen = {str(p.pk) for p in proposals}
    if request.method == "POST":
        chosen = set(request.POST.getlist("proposal"))
        if form.is_valid():
            with errors_on(form) as outcome:
                services.record_decision(
                    dossier=obj, number=form.cleaned_data["number"], signed_on=form.cleaned_data["signed_on"],
                    signer=form.cleaned_data["signer"], proposals=[p for p in proposals if str(p.pk) in chosen],
                    by=request.user,
                )
            if outcome.ok:
                messages.success(request, _("Đã ghi nhận quyết định khen thưởng."))
                return redirect("council:dossier", code=province.code, bloc=bloc, year=year)
    return render(request, "council/decision_form.html", _context(
        request, province, "dossiers", dossier=obj, bloc_year=obj.bloc_year, form=form, proposals=proposals,
        chosen=chosen,
    ))


# Placeholders filled in by the later items ---------------------------------------------------------------


@province_view()
def dashboard(request: HttpRequest, province: Province) -> HttpResponse:
    """Per bloc of a year: reporting completeness and timeliness, ranking head, proposals, dossier and decision; a
    chart of the timeliness; every unit's ranks and awards across the years."""
    years = board.province_years(province)
    year = _year_param(request, years)
    rows = board.bloc_rows(province, year) if year else []
    chart = board.bars(rows, "on_time_rate")
    return render(request, "council/dashboard.html", _context(
        request, province, "dashboard", years=years, year=year, rows=rows, chart=chart,
        chart_height=max(len(chart), 1) * 22 + 10, history=board.unit_history(province),
    ))


@province_view()
def dashboard_xlsx(request: HttpRequest, province: Province, table: str) -> HttpResponse:
    if table == "units":
        return exports.response(exports.units_workbook(province, board.unit_history(province)),
                                f"don-vi-qua-cac-nam-{province.code}.xlsx")
    if table != "blocs":
        raise Http404
    years = board.province_years(province)
    year = _year_param(request, years)
    rows = board.bloc_rows(province, year) if year else []
    return exports.response(exports.blocs_workbook(province, year or 0, rows), f"cac-khoi-{province.code}-{year}.xlsx")


def _upload(form: UploadForm) -> tuple[str, bytes]:
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_BYTES:
        raise imports.Invalid([imports.Problem("", 0, "", _("Tệp lớn hơn 5 MB."))])
    return upload.name, upload.read()


@province_view(manage=True)
def import_year(request: HttpRequest, province: Province) -> HttpResponse:
    """A past year from the template workbook: every error listed before anything is written."""
    form = UploadForm(post_data(request), post_files(request))
    problems: list = []
    if request.method == "POST" and form.is_valid():
        try:
            name, data = _upload(form)
            by = imports.import_year(data=data, source_name=name, province=province, by=request.user)
        except imports.Invalid as invalid:
            problems = invalid.problems
        else:
            messages.success(request, _("Đã nhập kết quả năm %(year)s của %(bloc)s.") % {
                "year": by.year, "bloc": by.bloc.name})
            return redirect("council:bloc_year", code=province.code, bloc=by.bloc.code, year=by.year)
    return render(request, "council/import.html", _context(
        request, province, "import", form=form, problems=problems, kind="year",
        template_url=reverse("council:import_year_template", args=[province.code]),
    ))


@province_view(manage=True)
def import_units(request: HttpRequest, province: Province) -> HttpResponse:
    """The province's units and accounts from the template workbook."""
    form = UploadForm(post_data(request), post_files(request))
    problems: list = []
    if request.method == "POST" and form.is_valid():
        try:
            _name, data = _upload(form)
            units_n, accounts_n = imports.import_units(data=data, province=province, by=request.user)
        except imports.Invalid as invalid:
            problems = invalid.problems
        else:
            messages.success(request, _("Đã nhập %(units)s đơn vị và %(accounts)s tài khoản.") % {
                "units": units_n, "accounts": accounts_n})
            return redirect("council:units", code=province.code)
    return render(request, "council/import.html", _context(
        request, province, "import", form=form, problems=problems, kind="units",
        template_url=reverse("council:import_units_template", args=[province.code]),
    ))


@province_view(manage=True)
def import_year_template(_request: HttpRequest, province: Province) -> HttpResponse:
    return exports.response(imports.year_template(), f"mau-nhap-ket-qua-nam-{province.code}.xlsx")


@province_view(manage=True)
def import_units_template(_request: HttpRequest, province: Province) -> HttpResponse:
    return exports.response(imports.units_template(), f"mau-nhap-don-vi-tai-khoan-{province.code}.xlsx")


@province_view(manage=True)
def award_add(request: HttpRequest, province: Province, unit_pk: int) -> HttpResponse:
    """An award of an earlier year, entered from its decision."""
    obj = unit_of(province, unit_pk)
    form = AwardForm(post_data(request), initial={"issuer": services.issuer_of(province)})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            awards.record_award(bloc_year=None, unit=obj, source=Award.Source.DECISION, by=request.user,
                                **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Đã ghi khen thưởng vào lịch sử của đơn vị."))
            return redirect("council:unit", code=province.code, unit_pk=obj.pk)
    return render(request, "council/form.html", _context(
        request, province, "units", form=form, title=_("Ghi khen thưởng của “%(name)s”") % {"name": obj.name},
        cancel_url=reverse("council:unit", args=[province.code, obj.pk]),
    ))

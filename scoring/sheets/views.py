"""Pages of year-end scoring: the overview, a sheet (self-score, review, response), deductions, the ranking."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import visibility
from core.decorators import bloc_year_view
from core.errors import ServiceError
from core.formatting import number
from core.models import AuditEntry, BlocYear
from core.pages import errors_as_message, errors_on, post_data, post_files, year_context
from covenant.models import CovenantContent
from reports.models import Evidence, ProgressReport, ReportingPeriod, ReportSection
from reports.services import add_evidence, files_removed_on_error
from scoring.scoreboard.models import BonusItem, Criterion
from scoring.sheets import services as sheets
from scoring.sheets.access import get_sheet, sees_ranking, sees_review, visible_sheets
from scoring.sheets.charts import criterion_spread, unit_years
from scoring.sheets.forms import (
    ApproveForm,
    AssignForm,
    ManualDeductionForm,
    ReasonForm,
    RespondForm,
    ReviewForm,
    SettleForm,
    SheetForm,
    WaiveForm,
)
from scoring.sheets.models import ApprovedRecord, BonusClaim, Deduction, ItemScore, ScoreSheet, ScoringRound
from scoring.sheets.ranking import compute, tie_note, unit_results

Status = ScoreSheet.Status


def _url(name: str, bloc_year: BlocYear, *args) -> str:
    return reverse(f"scores:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


def _round(bloc_year: BlocYear) -> ScoringRound | None:
    return ScoringRound.objects.filter(bloc_year=bloc_year).first()


def _sheet_queryset():
    return ScoreSheet.objects.select_related("unit", "reviewer_unit", "bloc_year__bloc").prefetch_related(
        Prefetch(
            "items",
            ItemScore.objects.select_related("sub_item__criterion")
            .prefetch_related("evidence")
            .order_by("sub_item__criterion__order", "sub_item__order"),
        ),
        Prefetch("bonus_claims", BonusClaim.objects.select_related("bonus_item").prefetch_related("evidence")),
        Prefetch("deductions", Deduction.objects.select_related("period", "created_by")),
    )


def _criteria_groups(items, row=None):
    """Items grouped by criterion, each group with the covenant contents the criterion bears on; with row, each
    group also lists row(item) for its items (the item with its form fields)."""
    items = list(items)
    criteria = Criterion.objects.filter(pk__in={i.sub_item.criterion_id for i in items}).prefetch_related(
        Prefetch("contents", queryset=CovenantContent.objects.order_by("order"))
    )
    contents = {c.pk: list(c.contents.all()) for c in criteria}
    groups: dict[int, dict] = {}
    for item in items:
        c = item.sub_item.criterion
        g = groups.setdefault(c.pk, {"criterion": c, "items": [], "contents": contents.get(c.pk, [])})
        g["items"].append(item)
    if row is not None:
        for g in groups.values():
            g["rows"] = [row(item) for item in g["items"]]
    return list(groups.values())


def _item_fields(form, *names: str):
    """row() for _criteria_groups: the item with its fields i<sub item>-<name> of the form."""
    return lambda item: (item, *(form[f"i{item.sub_item_id}-{name}"] for name in names))


def _history(sheet: ScoreSheet) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="scoring.scoresheet", target_id=str(sheet.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def _sheet_history(sheet: ScoreSheet, *, show_review: bool) -> list[AuditEntry]:
    """The sheet's history; before the release its unit does not see the review's scores and reasons."""
    history = _history(sheet)
    if not show_review:
        history = [e for e in history if e.action not in ("sheet.review", "sheet.settle")]
    return history


@bloc_year_view(kept=True)
def overview(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return _overview_page(request, bloc_year)


def _overview_page(request: HttpRequest, bloc_year: BlocYear, refused: forms.Form | None = None) -> HttpResponse:
    """The scoring overview; `refused` is its assignment, approval or reopening form posted with errors, drawn
    again in its place with its fields marked."""
    access = request.access
    r = _round(bloc_year)
    sheet_list = list(visible_sheets(access).select_related("unit", "reviewer_unit").order_by("unit__name"))
    order = {m.unit_id: m.order for m in bloc_year.memberships.all()}
    sheet_list.sort(key=lambda s: order.get(s.unit_id, 10**6))
    own = next((s for s in sheet_list if access.unit and s.unit_id == access.unit.pk), None)
    to_review = [
        s
        for s in sheet_list
        if sheets.reviewable_by(s, unit_id=access.unit.pk if access.unit else None, is_secretariat=access.can_manage)
        and s.status != Status.DRAFT
    ]
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    with_sheet = {s.unit_id for s in ScoreSheet.objects.filter(bloc_year=bloc_year).exclude(status=Status.DRAFT)}

    def form_of(kind, blank):
        return refused if isinstance(refused, kind) else blank

    return render(
        request,
        "scores/overview.html",
        year_context(
            request,
            bloc_year,
            "scores",
            round=r,
            sheets=sheet_list,
            own=own,
            to_review=to_review,
            not_submitted=[m for m in members if m.unit_id not in with_sheet],
            assign_form=form_of(
                AssignForm, AssignForm(initial={"mode": r.mode if r else ScoringRound.Mode.SECRETARIAT})
            ),
            approve_form=form_of(ApproveForm, ApproveForm()),
            reopen_form=form_of(ReasonForm, ReasonForm()),
            can_open=bloc_year.phase == BlocYear.Phase.SCORING,
            sees_ranking=sees_ranking(access, r),
            approval_waits=sheets.approval_waits_for(bloc_year)
            if access.can_manage and r and r.released_at and not r.approved_at
            else [],
            approved_records=list(
                ApprovedRecord.objects.filter(bloc_year=bloc_year).select_related("approved_by", "reopened_by")
            )
            if access.can_manage
            else [],
            open_contests=ItemScore.objects.filter(
                sheet__bloc_year=bloc_year, contest=ItemScore.Contest.CONTESTED, settlement=""
            ).count()
            if access.can_manage
            else 0,
        ),
    )


def _at_a_field(form) -> bool:
    return any(name != NON_FIELD_ERRORS for name in form.errors)


def _refusal_as_message(request: HttpRequest, form, to: str) -> HttpResponse:
    """A refusal that is not a field's (the data changed meanwhile), or whose form is no longer on the page: the
    page's message, the form's own first."""
    first = form.errors.get(NON_FIELD_ERRORS) or next(iter(form.errors.values()))
    messages.error(request, first[0])
    return redirect(to)


def _refused_round_form(request: HttpRequest, bloc_year: BlocYear, form, drawn: bool) -> HttpResponse:
    """The overview's form refused at a field, and still on the page: drawn again marked; else the message."""
    if drawn and _at_a_field(form):
        return _overview_page(request, bloc_year, refused=form)
    return _refusal_as_message(request, form, _url("overview", bloc_year))


@require_POST
@bloc_year_view()
def mine(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    access = request.access
    unit = access.require_member_unit()
    try:
        sheet = sheets.get_or_create_sheet(bloc_year=bloc_year, unit=unit, by=request.user)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(_url("overview", bloc_year))
    return redirect(_url("edit", bloc_year, sheet.pk))


def _reported_sections(bloc_year: BlocYear, unit_id: int) -> dict[int, list[ReportSection]]:
    """The unit's submitted report sections by covenant content, shown beside each criterion."""
    by_content: dict[int, list[ReportSection]] = {}
    for s in (
        ReportSection.objects.filter(report__period__bloc_year=bloc_year, report__unit_id=unit_id)
        .exclude(report__status=ProgressReport.Status.DRAFT)
        .select_related("report__period")
        .order_by("report__period__order")
    ):
        by_content.setdefault(s.content_id, []).append(s)
    return by_content


@bloc_year_view(kept=True)
def sheet_detail(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    return _sheet_page(request, bloc_year, sheet_pk)


def _sheet_page(
    request: HttpRequest, bloc_year: BlocYear, sheet_pk: int, refused: tuple[str, forms.Form] | None = None
) -> HttpResponse | None:
    """The sheet; `refused` is a one-line form (settle, waive, deduct, remove) posted with errors and where it sat
    ("settle-<item>", "waive-<kind>-<period>", "deduction", "remove-<deduction>"): it is drawn again there with
    its fields marked. None when that form is no longer on the page (settled meanwhile, the scores approved)."""
    access = request.access
    r = _round(bloc_year)
    sheet = get_sheet(access, sheet_pk, _sheet_queryset())
    ranking = compute(bloc_year)
    unit_scores = ranking.units.get(sheet.unit_id)
    row = next((x for x in ranking.rows if x.entry.unit_id == sheet.unit_id), None)
    is_own = access.unit is not None and access.unit.pk == sheet.unit_id
    can_review = sheets.reviewable_by(
        sheet, unit_id=access.unit.pk if access.unit else None, is_secretariat=access.can_manage
    )
    show_review = sees_review(access, sheet, r)
    slot, bound = refused or ("", None)
    placed = []

    def form_at(key: str, blank: forms.Form) -> forms.Form:
        if key != slot:
            return blank
        placed.append(key)
        return bound

    open_to_settle = show_review and access.can_manage and not (r and r.approved_at)
    settle_forms = {
        item.pk: form_at(f"settle-{item.pk}", SettleForm())
        for item in sheet.items.all()
        if open_to_settle and item.contest == ItemScore.Contest.CONTESTED and not item.settlement
    }
    adjustable = access.can_manage and bloc_year.phase == BlocYear.Phase.SCORING and not (r and r.approved_at)
    waivers, removals, deduction_form = [], [], None
    if adjustable:
        for kind, label, periods in (
            ("waive_late", _("Miễn trừ trễ hạn"), unit_scores.late if unit_scores else []),
            ("waive_missing", _("Miễn trừ không nộp"), unit_scores.missing if unit_scores else []),
        ):
            waivers += [
                (label, p, form_at(f"waive-{kind}-{p.pk}", WaiveForm(initial={"kind": kind, "period": p.pk})))
                for p in periods
            ]
        deduction_form = form_at("deduction", ManualDeductionForm())
        removals = [(d, form_at(f"remove-{d.pk}", ReasonForm())) for d in sheet.deductions.all()]
    if refused and not placed:
        return None
    return render(
        request,
        "scores/sheet_detail.html",
        year_context(
            request,
            bloc_year,
            "scores",
            sheet=sheet,
            round=r,
            groups=_criteria_groups(sheet.items.all()),
            show_review=show_review,
            is_own=is_own,
            can_review=can_review,
            unit_scores=unit_scores,
            row=row if show_review else None,
            history=visibility.mask(access, _sheet_history(sheet, show_review=show_review))
            if (access.can_manage or is_own or can_review or access.reads_submitted)
            else [],
            contents=_reported_sections(bloc_year, sheet.unit_id)
            if (is_own or can_review or access.reads_submitted)
            else {},
            settle_forms=settle_forms,
            adjustable=adjustable,
            waivers=waivers,
            deduction_form=deduction_form,
            removals=removals,
            periods={p.pk: p for p in ReportingPeriod.objects.filter(bloc_year=bloc_year)},
        ),
    )


def _refused_inline(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int, slot: str, form) -> HttpResponse:
    """A one-line form of the sheet refused at a field: drawn again in its place with its fields marked."""
    page = _sheet_page(request, bloc_year, sheet_pk, refused=(slot, form)) if _at_a_field(form) else None
    return page or _refusal_as_message(request, form, _url("sheet", bloc_year, sheet_pk))


@bloc_year_view()
def sheet_edit(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    access = request.access
    sheet = get_sheet(access, sheet_pk, _sheet_queryset())
    if access.unit is None or access.unit.pk != sheet.unit_id:
        raise PermissionDenied
    if sheet.status != Status.DRAFT or bloc_year.phase != BlocYear.Phase.SCORING:
        messages.info(request, _("Bảng tự chấm đã nộp hoặc năm không ở giai đoạn chấm điểm: chỉ xem được."))
        return redirect(_url("sheet", bloc_year, sheet.pk))
    items = list(sheet.items.all())
    bonus_items = list(BonusItem.objects.filter(scoreboard__bloc_year=bloc_year).order_by("order"))
    evidence = list(Evidence.objects.filter(bloc_year=bloc_year, unit=sheet.unit).order_by("-uploaded_at"))
    claims = {c.bonus_item_id: c for c in sheet.bonus_claims.all()}
    initial = {"version": sheet.version}
    for item in items:
        p = f"i{item.sub_item_id}"
        initial.update(
            {
                f"{p}-score": "" if item.self_score is None else number(item.self_score),
                f"{p}-explanation": item.explanation,
                f"{p}-evidence": [e.pk for e in item.evidence.all()],
            }
        )
    for b in bonus_items:
        c = claims.get(b.pk)
        if c:
            initial.update(
                {
                    f"b{b.pk}-claim": True,
                    f"b{b.pk}-explanation": c.explanation,
                    f"b{b.pk}-evidence": [e.pk for e in c.evidence.all()],
                }
            )
    form = SheetForm(
        post_data(request),
        post_files(request),
        initial=initial,
        items=items,
        bonus_items=bonus_items,
        evidence=evidence,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome, files_removed_on_error() as created, transaction.atomic():
            rows = {}
            for item in items:
                p = f"i{item.sub_item_id}"
                ids = list(d.get(f"{p}-evidence") or [])
                if d.get(f"{p}-upload"):
                    ev = add_evidence(
                        bloc_year=bloc_year,
                        unit=sheet.unit,
                        upload=d[f"{p}-upload"],
                        summary=d[f"{p}-upload_summary"].strip(),
                        by=request.user,
                    )
                    created.append(ev)
                    ids.append(ev.pk)
                rows[item.sub_item_id] = sheets.SelfRow(
                    score=d[f"{p}-score"], explanation=d[f"{p}-explanation"], evidence_ids=ids
                )
            claim_rows = {
                b.pk: sheets.ClaimRow(
                    explanation=d[f"b{b.pk}-explanation"], evidence_ids=list(d.get(f"b{b.pk}-evidence") or [])
                )
                for b in bonus_items
                if d.get(f"b{b.pk}-claim")
            }
            sheet = sheets.save_self_score(
                sheet=sheet, rows=rows, claims=claim_rows, expected_version=d["version"], by=request.user
            )
        if outcome.ok:
            if "submit" not in request.POST:
                messages.success(request, _("Đã lưu bảng tự chấm."))
                return redirect(_url("edit", bloc_year, sheet.pk))
            try:
                sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=request.user)
            except ServiceError as e:
                messages.error(request, _("Đã lưu nhưng chưa nộp được: %(why)s") % {"why": e.message})
                return redirect(_url("edit", bloc_year, sheet.pk))
            messages.success(request, _("Đã nộp bảng tự chấm."))
            return redirect(_url("sheet", bloc_year, sheet.pk))
    fields = {item.pk: f for item, f in form.item_fields()}
    groups = _criteria_groups(items, lambda item: (item, fields[item.pk]))
    return render(
        request,
        "scores/sheet_form.html",
        year_context(
            request,
            bloc_year,
            "scores",
            sheet=sheet,
            form=form,
            groups=groups,
            bonus=list(form.bonus_fields()),
            board=sheet.bloc_year.scoreboard,
            evidence=evidence,
            contents=_reported_sections(bloc_year, sheet.unit_id),
        ),
    )


@bloc_year_view()
def sheet_review(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    access = request.access
    r = _round(bloc_year)
    sheet = get_sheet(access, sheet_pk, _sheet_queryset())
    if not sheets.reviewable_by(
        sheet, unit_id=access.unit.pk if access.unit else None, is_secretariat=access.can_manage
    ):
        raise PermissionDenied
    items = list(sheet.items.all())
    claims = list(sheet.bonus_claims.all())
    initial = {"version": sheet.version}
    for item in items:
        p = f"i{item.sub_item_id}"
        initial[f"{p}-score"] = (
            number(item.reviewed_score)
            if item.reviewed_score is not None
            else (number(item.self_score) if item.self_score is not None else "")
        )
        initial[f"{p}-reason"] = item.review_reason
    for c in claims:
        initial[f"b{c.bonus_item_id}-review"] = c.review
        initial[f"b{c.bonus_item_id}-reason"] = c.review_reason
    form = ReviewForm(post_data(request), initial=initial, items=items, claims=claims)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            sheets.save_review(
                sheet=sheet,
                rows={
                    i.sub_item_id: sheets.ReviewRow(
                        score=d[f"i{i.sub_item_id}-score"], reason=d[f"i{i.sub_item_id}-reason"]
                    )
                    for i in items
                },
                claims={
                    c.bonus_item_id: sheets.ClaimReview(
                        review=d[f"b{c.bonus_item_id}-review"], reason=d[f"b{c.bonus_item_id}-reason"]
                    )
                    for c in claims
                },
                expected_version=d["version"],
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu kết quả thẩm định."))
            return redirect(_url("sheet", bloc_year, sheet.pk))
    groups = _criteria_groups(items, _item_fields(form, "score", "reason"))
    return render(
        request,
        "scores/sheet_review.html",
        year_context(
            request,
            bloc_year,
            "scores",
            sheet=sheet,
            form=form,
            groups=groups,
            round=r,
            claims=[(c, form[f"b{c.bonus_item_id}-review"], form[f"b{c.bonus_item_id}-reason"]) for c in claims],
            contents=_reported_sections(bloc_year, sheet.unit_id),
        ),
    )


@bloc_year_view()
def sheet_respond(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    access = request.access
    r = _round(bloc_year)
    sheet = get_sheet(access, sheet_pk, _sheet_queryset())
    if access.unit is None or access.unit.pk != sheet.unit_id:
        raise PermissionDenied
    if not (r and r.is_released) or r.is_approved:
        messages.info(
            request, _("Chỉ phản hồi được sau khi Văn phòng khối công bố kết quả thẩm định và trước khi phê duyệt.")
        )
        return redirect(_url("sheet", bloc_year, sheet.pk))
    items = list(sheet.items.all())
    initial = {}
    for item in items:
        initial[f"i{item.sub_item_id}-contest"] = item.contest
        initial[f"i{item.sub_item_id}-comment"] = item.contest_comment
    form = RespondForm(post_data(request), initial=initial, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            sheets.respond(
                sheet=sheet,
                by=request.user,
                responses={
                    i.sub_item_id: sheets.Response(
                        contest=d[f"i{i.sub_item_id}-contest"], comment=d[f"i{i.sub_item_id}-comment"]
                    )
                    for i in items
                    if not i.settlement
                },
            )
        if outcome.ok:
            messages.success(request, _("Đã gửi ý kiến về kết quả thẩm định."))
            return redirect(_url("sheet", bloc_year, sheet.pk))
    groups = _criteria_groups(items, _item_fields(form, "contest", "comment"))
    return render(
        request,
        "scores/sheet_respond.html",
        year_context(
            request,
            bloc_year,
            "scores",
            sheet=sheet,
            form=form,
            groups=groups,
        ),
    )


@require_POST
@bloc_year_view()
def sheet_submit(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    access = request.access
    sheet = get_sheet(access, sheet_pk)
    if access.unit is None or access.unit.pk != sheet.unit_id:
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    with errors_as_message(request) as outcome:
        sheets.submit_sheet(sheet=sheet, expected_version=version, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã nộp bảng tự chấm."))
    return redirect(_url("sheet", bloc_year, sheet.pk))


@require_POST
@bloc_year_view(manage=True)
def item_settle(request: HttpRequest, bloc_year: BlocYear, item_pk: int) -> HttpResponse:
    item = get_object_or_404(ItemScore.objects.select_related("sheet"), pk=item_pk, sheet__bloc_year=bloc_year)
    form = SettleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            sheets.settle(item=item, decision=d["decision"], score=d["score"], reason=d["reason"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã giải quyết ý kiến của đơn vị."))
            return redirect(_url("sheet", bloc_year, item.sheet_id))
    return _refused_inline(request, bloc_year, item.sheet_id, f"settle-{item.pk}", form)


@require_POST
@bloc_year_view(manage=True)
def deduction_add(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    sheet = get_object_or_404(ScoreSheet, pk=sheet_pk, bloc_year=bloc_year)
    form = ManualDeductionForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            sheets.add_manual_deduction(
                sheet=sheet, points=form.cleaned_data["points"], reason=form.cleaned_data["reason"], by=request.user
            )
        if outcome.ok:
            messages.success(request, _("Đã thêm điểm trừ."))
            return redirect(_url("sheet", bloc_year, sheet.pk))
    return _refused_inline(request, bloc_year, sheet.pk, "deduction", form)


@require_POST
@bloc_year_view(manage=True)
def deduction_waive(request: HttpRequest, bloc_year: BlocYear, sheet_pk: int) -> HttpResponse:
    sheet = get_object_or_404(ScoreSheet, pk=sheet_pk, bloc_year=bloc_year)
    form = WaiveForm(request.POST)
    if form.is_valid():
        period = ReportingPeriod.objects.filter(pk=form.cleaned_data["period"], bloc_year=bloc_year).first()
        if period is None:
            form.add_error(None, _("Kỳ báo cáo không thuộc năm này."))
        else:
            with errors_on(form) as outcome:
                sheets.waive_deduction(
                    sheet=sheet, kind=form.cleaned_data["kind"], period=period, reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            if outcome.ok:
                messages.success(request, _("Đã miễn trừ điểm."))
                return redirect(_url("sheet", bloc_year, sheet.pk))
    slot = f"waive-{request.POST.get('kind', '')}-{request.POST.get('period', '')}"
    return _refused_inline(request, bloc_year, sheet.pk, slot, form)


@require_POST
@bloc_year_view(manage=True)
def deduction_remove(request: HttpRequest, bloc_year: BlocYear, deduction_pk: int) -> HttpResponse:
    deduction = get_object_or_404(
        Deduction.objects.select_related("sheet__bloc_year"), pk=deduction_pk, sheet__bloc_year=bloc_year
    )
    form = ReasonForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            sheets.remove_deduction(deduction=deduction, reason=form.cleaned_data["reason"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã bỏ mục điểm trừ / miễn trừ."))
            return redirect(_url("sheet", bloc_year, deduction.sheet_id))
    return _refused_inline(request, bloc_year, deduction.sheet_id, f"remove-{deduction.pk}", form)


@require_POST
@bloc_year_view(manage=True)
def assign(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = AssignForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            sheets.assign_reviewers(bloc_year=bloc_year, mode=form.cleaned_data["mode"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã phân công thẩm định."))
            return redirect(_url("overview", bloc_year))
    r = _round(bloc_year)
    return _refused_round_form(request, bloc_year, form, drawn=not (r and r.released_at))


@require_POST
@bloc_year_view(manage=True)
def release(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    with errors_as_message(request) as outcome:
        sheets.release_review(bloc_year=bloc_year, by=request.user)
    if outcome.ok:
        messages.success(
            request, _("Đã công bố kết quả thẩm định: mỗi đơn vị xem được điểm của mình và có thể phản hồi.")
        )
    return redirect(_url("overview", bloc_year))


@require_POST
@bloc_year_view(manage=True)
def approve(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = ApproveForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            sheets.approve(bloc_year=bloc_year, by=request.user, reason=form.cleaned_data["reason"])
        if outcome.ok:
            messages.success(request, _("Đã phê duyệt kết quả chấm điểm; điểm đã khóa."))
            return redirect(_url("overview", bloc_year))
    r = _round(bloc_year)
    # The reason is drawn only while the contest window keeps approval waiting.
    drawn = bool(r and r.released_at and not r.approved_at and sheets.approval_waits_for(bloc_year))
    return _refused_round_form(request, bloc_year, form, drawn=drawn)


@require_POST
@bloc_year_view(manage=True)
def reopen(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            sheets.reopen(bloc_year=bloc_year, by=request.user, reason=form.cleaned_data["reason"])
        if outcome.ok:
            messages.success(request, _("Đã mở lại kết quả chấm điểm."))
            return redirect(_url("overview", bloc_year))
    r = _round(bloc_year)
    drawn = bool(r and r.approved_at and bloc_year.phase == BlocYear.Phase.SCORING)
    return _refused_round_form(request, bloc_year, form, drawn=drawn)


@bloc_year_view(kept=True)
def ranking(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    access = request.access
    r = _round(bloc_year)
    if not sees_ranking(access, r):
        raise PermissionDenied
    result = compute(bloc_year)
    names = {m.unit_id: m.unit.short_name for m in (u.membership for u in result.units.values())}
    notes = {row.entry.unit_id: tie_note(row, names) for row in result.rows}
    return render(
        request,
        "scores/ranking.html",
        year_context(
            request,
            bloc_year,
            "ranking",
            ranking=result,
            lines=list(result.lines()),
            notes=notes,
            round=r,
            show_sheets=access.reads_submitted,
            spread=criterion_spread(result, access.unit.pk if access.unit else None),
        ),
    )


@bloc_year_view()
def unit_history(request: HttpRequest, bloc_year: BlocYear, unit_pk: int) -> HttpResponse:
    """A member unit's decided ranks and totals in this bloc, year by year (published results: every member sees
    them); a unit that is not a member this year is not found."""
    membership = get_object_or_404(bloc_year.memberships.select_related("unit"), unit_id=unit_pk)
    results = unit_results(bloc_year, unit_pk)
    return render(
        request,
        "scores/unit_history.html",
        year_context(
            request,
            bloc_year,
            "ranking",
            unit=membership.unit,
            results=results,
            chart=unit_years(results),
            sees_ranking=sees_ranking(request.access, _round(bloc_year)),
        ),
    )

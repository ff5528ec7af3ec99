from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.decorators import bloc_year_view
from core.models import AuditEntry, BlocYear
from core.pages import errors_on, post_data, year_context
from covenant.forms import ContentDeleteForm
from covenant.models import CovenantContent
from scoring.scoreboard import services
from scoring.scoreboard.forms import (
    BonusFormSet,
    CriterionForm,
    MetaForm,
    ScoreboardSettingsForm,
    SubItemFormSet,
    TieBreakFormSet,
)
from scoring.scoreboard.models import Criterion, Scoreboard


def _back(bloc_year: BlocYear) -> HttpResponse:
    return redirect("scoring:scoreboard", code=bloc_year.bloc.code, year=bloc_year.year)


@bloc_year_view(kept=True)
def scoreboard(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    board = services.scoreboard_with_items(bloc_year)
    criteria = list(board.criteria.all()) if board else []
    for c in criteria:
        c.max_total = sum((s.max_points for s in c.sub_items.all()), Decimal(0))
    total = sum((c.max_total for c in criteria), Decimal(0))
    history = AuditEntry.objects.filter(
        bloc_year=bloc_year, target_type__in=["scoring.scoreboard", "scoring.criterion"]
    ).select_related("actor")[:20]
    return render(
        request,
        "scoring/scoreboard.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            board=board,
            criteria=criteria,
            total=total,
            balanced=board is not None and total == board.total_points,
            history=list(history),
        ),
    )


@bloc_year_view(manage=True)
def settings_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    board = get_object_or_404(Scoreboard, bloc_year=bloc_year)
    fields = ("title", "total_points", "score_step", "bonus_cap", "late_report_points", "missing_report_points")
    form = ScoreboardSettingsForm(
        post_data(request), initial={**{f: getattr(board, f) for f in fields}, "version": board.version}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with errors_on(form) as outcome:
            services.update_settings(
                scoreboard=board,
                data=data,
                expected_version=data.pop("version"),
                by=request.user,
                reason=data.pop("reason"),
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu quy định chung của bảng điểm."))
            return _back(bloc_year)
    return render(
        request,
        "scoring/settings_form.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            form=form,
            frozen=bloc_year.scoreboard_frozen,
        ),
    )


def _criterion_form_view(request: HttpRequest, bloc_year: BlocYear, criterion: Criterion | None) -> HttpResponse:
    board = get_object_or_404(Scoreboard, bloc_year=bloc_year)
    contents = CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order")
    if criterion is None:
        next_order = (board.criteria.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        initial = {"order": next_order}
        items_initial = [{"order": 1}]
    else:
        initial = {
            "order": criterion.order,
            "title": criterion.title,
            "version": criterion.version,
            "contents": [c.pk for c in criterion.contents.all()],
        }
        items_initial = [
            {
                "id": s.pk,
                "order": s.order,
                "text": s.text,
                "max_points": s.max_points,
                "guidance": s.guidance,
                "evidence_required": s.evidence_required,
            }
            for s in criterion.sub_items.order_by("order")
        ]
    form = CriterionForm(post_data(request), initial=initial, contents=contents, creating=criterion is None)
    items = SubItemFormSet(post_data(request), initial=items_initial, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        known = set(criterion.sub_items.values_list("pk", flat=True)) if criterion else set()
        rows = [
            services.SubItemRow(
                pk=f.cleaned_data["id"] if f.cleaned_data.get("id") in known else None,
                order=f.cleaned_data["order"],
                text=f.cleaned_data["text"],
                max_points=f.cleaned_data["max_points"],
                guidance=f.cleaned_data["guidance"],
                evidence_required=f.cleaned_data["evidence_required"],
            )
            for f in items.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        d = form.cleaned_data
        with errors_on(form) as outcome:
            services.save_criterion(
                scoreboard=board,
                criterion=criterion,
                order=d["order"],
                title=d["title"],
                contents=list(d["contents"]),
                sub_items=rows,
                expected_version=d.get("version"),
                by=request.user,
                reason=d["reason"],
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu tiêu chí “%(title)s”.") % {"title": d["title"]})
            return _back(bloc_year)
    return render(
        request,
        "scoring/criterion_form.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            form=form,
            items=items,
            criterion=criterion,
            frozen=bloc_year.scoreboard_frozen,
        ),
    )


@bloc_year_view(manage=True)
def criterion_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return _criterion_form_view(request, bloc_year, None)


@bloc_year_view(manage=True)
def criterion_edit(request: HttpRequest, bloc_year: BlocYear, criterion_pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion, pk=criterion_pk, scoreboard__bloc_year=bloc_year)
    return _criterion_form_view(request, bloc_year, criterion)


@bloc_year_view(manage=True)
def criterion_delete(request: HttpRequest, bloc_year: BlocYear, criterion_pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion, pk=criterion_pk, scoreboard__bloc_year=bloc_year)
    form = ContentDeleteForm(post_data(request))
    form.fields["reason"].required = bloc_year.changes_need_reason
    form.fields["reason"].label = _("Lý do xóa")
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.delete_criterion(criterion=criterion, by=request.user, reason=form.cleaned_data["reason"])
        if outcome.ok:
            messages.success(request, _("Đã xóa tiêu chí."))
            return _back(bloc_year)
    return render(
        request,
        "scoring/criterion_delete.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            form=form,
            criterion=criterion,
        ),
    )


@bloc_year_view(manage=True)
def bonus_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    board = get_object_or_404(Scoreboard, bloc_year=bloc_year)
    if request.method == "POST":
        formset = BonusFormSet(request.POST, prefix="bonus")
        meta = MetaForm(request.POST)
        if formset.is_valid() and meta.is_valid():
            rows = [
                services.BonusRow(
                    order=f.cleaned_data["order"], text=f.cleaned_data["text"], points=f.cleaned_data["points"]
                )
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            with errors_on(meta) as outcome:
                services.save_bonus_items(
                    scoreboard=board,
                    rows=rows,
                    expected_version=meta.cleaned_data["version"],
                    by=request.user,
                    reason=meta.cleaned_data["reason"],
                )
            if outcome.ok:
                messages.success(request, _("Đã lưu các mục điểm thưởng."))
                return _back(bloc_year)
    else:
        formset = BonusFormSet(
            initial=[{"order": b.order, "text": b.text, "points": b.points} for b in board.bonus_items.all()],
            prefix="bonus",
        )
        meta = MetaForm(initial={"version": board.version})
    return render(
        request,
        "scoring/bonus_form.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            formset=formset,
            meta=meta,
            frozen=bloc_year.scoreboard_frozen,
        ),
    )


@bloc_year_view(manage=True)
def tie_breaks_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    board = get_object_or_404(Scoreboard, bloc_year=bloc_year)
    criteria = board.criteria.order_by("order")
    if request.method == "POST":
        formset = TieBreakFormSet(request.POST, prefix="tb", criteria=criteria)
        meta = MetaForm(request.POST)
        if formset.is_valid() and meta.is_valid():
            rules = [
                (f.cleaned_data["kind"], f.cleaned_data.get("criterion"))
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            with errors_on(meta) as outcome:
                services.save_tie_breaks(
                    scoreboard=board,
                    rules=rules,
                    expected_version=meta.cleaned_data["version"],
                    by=request.user,
                    reason=meta.cleaned_data["reason"],
                )
            if outcome.ok:
                messages.success(request, _("Đã lưu thứ tự quy tắc phân định khi bằng điểm."))
                return _back(bloc_year)
    else:
        formset = TieBreakFormSet(
            initial=[{"kind": t.kind, "criterion": t.criterion_id} for t in board.tie_breaks.all()],
            prefix="tb",
            criteria=criteria,
        )
        meta = MetaForm(initial={"version": board.version})
    return render(
        request,
        "scoring/tie_breaks_form.html",
        year_context(
            request,
            bloc_year,
            "scoreboard",
            formset=formset,
            meta=meta,
            frozen=bloc_year.scoreboard_frozen,
        ),
    )

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core import visibility
from core.access import Access
from core.decorators import bloc_year_view
from core.errors import ServiceError
from core.models import AuditEntry, BlocYear, Unit
from core.pages import errors_as_message, errors_on, post_data, post_files, year_context
from core.spreadsheet import table_response
from covenant.models import CovenantContent
from reports import services
from reports.access import get_report, require_unit_writer, visible_evidence, visible_reports
from reports.board import completeness_board
from reports.charts import SEGMENTS, completion_bars
from reports.forms import (
    ALL_UNITS,
    FILE_KINDS,
    NOT_LINKED,
    EvidenceFilterForm,
    EvidenceForm,
    ExtensionForm,
    PeriodForm,
    ReopenForm,
    ReportForm,
    ReviewForm,
)
from reports.models import (
    Evidence,
    Extension,
    ProgressReport,
    ReminderLog,
    ReportingPeriod,
    ReportSection,
    ResultRow,
)

Status = ProgressReport.Status


def _url(name: str, bloc_year: BlocYear, *args) -> str:
    return reverse(f"reports:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


def _require_reader(access: Access) -> None:
    if not access.reads_submitted:
        raise PermissionDenied


@bloc_year_view(kept=True)
def index(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """A unit's own reports, period by period, with what to do next."""
    access = request.access
    if access.unit is None:
        return redirect(_url("board", bloc_year))
    now = timezone.now()
    periods = list(bloc_year.periods.order_by("order"))
    reports = {r.period_id: r for r in ProgressReport.objects.filter(period__bloc_year=bloc_year, unit=access.unit)}
    extensions = {e.period_id: e for e in Extension.objects.filter(period__bloc_year=bloc_year, unit=access.unit)}
    rows = []
    for p in periods:
        report, ext = reports.get(p.pk), extensions.get(p.pk)
        rows.append(
            {
                "period": p,
                "report": report,
                "extension": ext,
                "dates": services.unit_dates(p, ext),
                "timeliness": services.timeliness(p, report, ext, now),
                "label": services.TIMELINESS_LABELS[services.timeliness(p, report, ext, now)],
                "can_start": report is None
                and timezone.localdate(now) >= p.opens_on
                and services.timeliness(p, None, ext, now) != services.Timeliness.MISSING
                and bloc_year.phase != BlocYear.Phase.SETUP
                and not bloc_year.is_published,
            }
        )
    return render(request, "reports/index.html", year_context(request, bloc_year, "reports", rows=rows))


# What the board's "status" filter keeps: a unit with at least one (shown) cell in that state.
BOARD_STATUS = {
    "overdue": (gettext_lazy("Quá hạn, chưa nộp"), lambda c: c.timeliness == services.Timeliness.OVERDUE),
    "missing": (gettext_lazy("Không nộp"), lambda c: c.timeliness == services.Timeliness.MISSING),
    "late": (gettext_lazy("Trễ hạn"), lambda c: c.timeliness == services.Timeliness.LATE),
    "waiting": (gettext_lazy("Chờ xem xét"), lambda c: c.status in (Status.SUBMITTED, Status.RESUBMITTED)),
    "returned": (gettext_lazy("Bị trả lại"), lambda c: c.status == Status.RETURNED),
}


def _board_filters(request: HttpRequest, board) -> dict:
    period = request.GET.get("period", "")
    return {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status") in BOARD_STATUS else "",
        "period": period if period in {str(p.pk) for p in board.periods} else "",
        "statuses": [(k, v[0]) for k, v in BOARD_STATUS.items()],
    }


def _filtered_rows(request: HttpRequest, board) -> list:
    """The board's rows kept by the filters (unit name, a state in a period or any period): no further query."""
    f = _board_filters(request, board)
    q = f["q"].casefold()
    columns = [i for i, p in enumerate(board.periods) if not f["period"] or str(p.pk) == f["period"]]
    kept = []
    for m, cells, r in board.rows():
        if q and q not in m.unit.name.casefold() and q not in m.unit.short_name.casefold():
            continue
        if f["status"] and not any(BOARD_STATUS[f["status"]][1](cells[i]) for i in columns):
            continue
        kept.append((m, cells, r))
    return kept


@bloc_year_view(kept=True)
def board(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    _require_reader(request.access)
    board = completeness_board(bloc_year)
    period_rates = board.period_rates()
    return render(
        request,
        "reports/board.html",
        year_context(
            request,
            bloc_year,
            "board",
            board=board,
            rows=_filtered_rows(request, board),
            filters=_board_filters(request, board),
            period_rates=list(zip(board.periods, period_rates, strict=True)),
            chart=completion_bars(board.periods, period_rates),
            segments=SEGMENTS,
            # The secretariat's actions on many reports at once, while the year takes reports.
            bulk=request.access.can_manage
            and not bloc_year.is_published
            and bloc_year.phase != BlocYear.Phase.SETUP,
            contents=list(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order")),
            # Who a reminder did not reach, and why (the secretariat follows up by phone).
            failed_reminders=list(
                ReminderLog.objects.filter(period__bloc_year=bloc_year, status=ReminderLog.Status.FAILED)
                .select_related("period", "unit")
                .order_by("period__order", "unit__name")
            )
            if request.access.can_manage
            else [],
        ),
    )


BOARD_KEYS = ("q", "status", "period")
_PICK = re.compile(r"^(\d{1,18}):(\d{1,9})$")


def _board_url(bloc_year: BlocYear, query: str = "") -> str:
    """The board with the filters it was shown with (only the board's own keys are kept)."""
    given = QueryDict(query[:2000])
    kept = QueryDict(mutable=True)
    for key in BOARD_KEYS:
        if given.get(key):
            kept[key] = given[key][:200]
    return _url("board", bloc_year) + (f"?{kept.urlencode()}" if kept else "")


@require_POST
@bloc_year_view(manage=True)
def board_accept(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """Accept the reports ticked on the board: all of them, or none with the reason for each refused."""
    back = _board_url(bloc_year, request.POST.get("query", ""))
    raw = request.POST.getlist("pick")[:1000]
    matches = [_PICK.match(v) for v in raw]
    if not all(matches):
        messages.error(request, _("Lựa chọn gửi lên không hợp lệ. Hãy tải lại bảng theo dõi rồi chọn lại."))
        return redirect(back)
    picks = [services.Pick(int(m[1]), int(m[2])) for m in matches if m]
    with errors_as_message(request) as outcome:
        accepted = services.accept_reports(bloc_year=bloc_year, picks=picks, by=request.user)
    if outcome.ok:
        messages.success(
            request,
            ngettext(
                "Đã tiếp nhận %(n)s báo cáo: %(list)s.",
                "Đã tiếp nhận %(n)s báo cáo: %(list)s.",
                len(accepted),
            )
            % {"n": len(accepted), "list": ", ".join(f"{r.unit.short_name} ({r.period.name})" for r in accepted)},
        )
    return redirect(back)


@bloc_year_view(manage=True)
def board_remind(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """Remind the units whose report is overdue: the period's overdue units, all ticked, then a confirmation."""
    periods = list(bloc_year.periods.order_by("order"))
    source = request.POST if request.method == "POST" else request.GET
    chosen = next((p for p in periods if str(p.pk) == source.get("period", "")), None)
    if request.method == "POST":
        if chosen is None:
            messages.error(request, _("Kỳ báo cáo không hợp lệ. Hãy chọn lại."))
            return redirect(_url("board_remind", bloc_year))
        try:
            unit_ids = [int(v) for v in request.POST.getlist("unit")[:1000] if len(v) <= 18]
        except ValueError:
            unit_ids = [-1]
        with errors_as_message(request) as outcome:
            done = services.remind_overdue(period=chosen, unit_ids=unit_ids, by=request.user)
        if not outcome.ok:
            return redirect(_url("board_remind", bloc_year) + f"?period={chosen.pk}")
        if done.reminded:
            messages.success(
                request,
                ngettext(
                    "Đã gửi thư nhắc %(period)s tới %(n)s đơn vị: %(list)s.",
                    "Đã gửi thư nhắc %(period)s tới %(n)s đơn vị: %(list)s.",
                    len(done.reminded),
                )
                % {
                    "period": chosen.name,
                    "n": len(done.reminded),
                    "list": ", ".join(u.short_name for u in done.reminded),
                },
            )
        if done.skipped:
            messages.warning(
                request,
                _("Không nhắc: %(list)s.") % {"list": "; ".join(f"{u.short_name} ({why})" for u, why in done.skipped)},
            )
        return redirect(_board_url(bloc_year, f"period={chosen.pk}"))
    overdue_by_period = services.overdue_by_period(bloc_year, periods)
    if chosen is None:  # the first period with overdue units, else the first
        chosen = next((p for p in periods if overdue_by_period[p.pk]), periods[0] if periods else None)
    units = overdue_by_period.get(chosen.pk, []) if chosen else []
    reminded_today = (
        set(
            ReminderLog.objects.filter(
                period=chosen, kind=ReminderLog.Kind.OVERDUE, queued_at__date=timezone.localdate()
            ).values_list("unit_id", flat=True)
        )
        if chosen
        else set()
    )
    return render(
        request,
        "reports/board_remind.html",
        year_context(
            request,
            bloc_year,
            "board",
            periods=[(p, len(overdue_by_period[p.pk])) for p in periods],
            period=chosen,
            units=units,
            reminded_today=reminded_today,
            to_remind=sum(1 for u in units if u.pk not in reminded_today),
        ),
    )


@require_POST
@bloc_year_view()
def start(request: HttpRequest, bloc_year: BlocYear, period_pk: int) -> HttpResponse:
    access = request.access
    period = get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year)
    if access.unit is None:
        raise PermissionDenied
    try:
        report = services.start_report(period=period, unit=access.unit, by=request.user)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(_url("index", bloc_year))
    return redirect(_url("edit", bloc_year, report.pk))


# The report pages look a report up by its id: without .order_by() the model's ordering (period, unit) would make
# every lookup join and sort by the bloc, the year, the period and the unit's name for the one row it finds.
def _report_queryset():
    return (
        ProgressReport.objects.order_by()
        .select_related("period", "unit", "updated_by")
        .prefetch_related(
            Prefetch(
                "sections",
                ReportSection.objects.select_related("content")
                .order_by("content__order")
                .prefetch_related(
                    Prefetch("results", ResultRow.objects.order_by("order")),
                    "evidence",
                ),
            ),
        )
    )


def _history(report: ProgressReport) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="reports.progressreport", target_id=str(report.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


@bloc_year_view(kept=True)
def report_detail(request: HttpRequest, bloc_year: BlocYear, report_pk: int) -> HttpResponse:
    return _report_page(request, bloc_year, report_pk)


def _report_page(
    request: HttpRequest, bloc_year: BlocYear, report_pk: int, reopen_form: ReopenForm | None = None
) -> HttpResponse:
    """The report as its readers see it; with a refused reopening drawn again, its fields marked."""
    access = request.access
    report = get_report(access, report_pk, _report_queryset())
    history = visibility.mask(access, _history(report))
    changed = (
        services.changed_since_return(report, history)
        if report.status in (Status.RETURNED, Status.RESUBMITTED)
        else set()
    )
    ext = Extension.objects.filter(period=report.period, unit=report.unit).first()
    timeliness = services.timeliness(report.period, report, ext, timezone.now())
    own = access.unit is not None and access.unit.pk == report.unit_id
    return render(
        request,
        "reports/report_detail.html",
        year_context(
            request,
            bloc_year,
            "reports" if own else "board",
            report=report,
            history=history,
            changed_sections={k.split(".")[0] for k in changed},
            general_changed="general_proposals" in changed,
            timeliness=timeliness,
            timeliness_label=services.TIMELINESS_LABELS[timeliness],
            dates=services.unit_dates(report.period, ext),
            is_writer=own,
            reopen_form=reopen_form or ReopenForm(),
        ),
    )


def _report_form_queryset():
    """What a posted report form needs: the sections with their contents (the service reads the rest under lock)."""
    return (
        ProgressReport.objects.order_by()
        .select_related("period", "unit", "updated_by")
        .prefetch_related(
            Prefetch("sections", ReportSection.objects.select_related("content").order_by("content__order"))
        )
    )


@bloc_year_view(kept=True)
def report_edit(request: HttpRequest, bloc_year: BlocYear, report_pk: int) -> HttpResponse:
    access = request.access
    posted = request.method == "POST"
    report = get_report(access, report_pk, _report_form_queryset() if posted else _report_queryset())
    require_unit_writer(access, report)
    if not report.is_editable_by_unit or bloc_year.is_published:
        messages.info(request, _("Báo cáo đã nộp hoặc đã được tiếp nhận nên chỉ xem được, không sửa được."))
        return redirect(_url("report", bloc_year, report.pk))
    sections = list(report.sections.all())
    evidence = list(Evidence.objects.filter(bloc_year=bloc_year, unit=report.unit).order_by("-uploaded_at"))
    initial = {"version": report.version, "general_proposals": report.general_proposals}
    if not posted:  # a bound form shows what was posted: the stored values are only needed for a fresh form
        for s in sections:
            p = f"s{s.content_id}"
            initial.update(
                {
                    f"{p}-done": s.done,
                    f"{p}-difficulties": s.difficulties,
                    f"{p}-next_steps": s.next_steps,
                    f"{p}-evidence": [e.pk for e in s.evidence.all()],
                }
            )
    form = ReportForm(
        post_data(request), post_files(request), initial=initial, sections=sections, evidence=evidence
    )
    if posted and form.is_valid():
        submit = "submit" in request.POST
        with errors_on(form) as outcome:
            report, refused = _save_report_form(request, report, form, submit=submit)
        if outcome.ok:
            if not submit:
                messages.success(request, _("Đã lưu bản nháp."))
                return redirect(_url("edit", bloc_year, report.pk))
            if refused is not None:
                # The draft is saved; the page reloads so that the form carries the new version.
                messages.error(request, _("Đã lưu bản nháp nhưng chưa nộp được: %(why)s") % {"why": refused.message})
                return redirect(_url("edit", bloc_year, report.pk))
            messages.success(request, _("Đã nộp báo cáo. Văn phòng khối sẽ xem xét và tiếp nhận hoặc trả lại."))
            return redirect(_url("report", bloc_year, report.pk))
    # Only a returned report marks the sections changed since it was returned: the history is read for it alone.
    changed = services.changed_since_return(report, _history(report)) if report.status == Status.RETURNED else set()
    ext = Extension.objects.filter(period=report.period, unit=report.unit).first()
    return render(
        request,
        "reports/report_form.html",
        year_context(
            request,
            bloc_year,
            "reports",
            report=report,
            form=form,
            sections=[
                (
                    s,
                    f,
                    form.results_for(s.content_id)
                    if form.is_bound
                    else [(r.indicator, r.target, r.result) for r in s.results.all()],
                    form.evidence_options(s.content_id),
                )
                for s, f in form.bound_sections()
            ],
            evidence=evidence,
            dates=services.unit_dates(report.period, ext),
            changed_sections={k.split(".")[0] for k in changed},
        ),
    )


def _save_report_form(
    request: HttpRequest, report: ProgressReport, form: ReportForm, *, submit: bool = False
) -> tuple[ProgressReport, ServiceError | None]:
    """Save the posted form (and submit it when asked). Returns the report and, when the submission was refused
    (the draft is saved all the same), why."""
    data = form.cleaned_data
    sections, uploads = {}, {}
    for s in form.sections:
        p = f"s{s.content_id}"
        sections[s.content_id] = services.SectionData(
            done=data[f"{p}-done"],
            difficulties=data[f"{p}-difficulties"],
            next_steps=data[f"{p}-next_steps"],
            results=form.results_for(s.content_id),
            evidence_ids=list(data.get(f"{p}-evidence") or []),
        )
        if data.get(f"{p}-upload"):
            uploads[s.content_id] = services.Upload(
                file=data[f"{p}-upload"],
                summary=data[f"{p}-upload_summary"].strip(),
                number_symbol=data.get(f"{p}-upload_number", "").strip(),
            )
    return services.save_report_with_uploads(
        report=report,
        sections=sections,
        uploads=uploads,
        general_proposals=data["general_proposals"],
        expected_version=data["version"],
        submit=submit,
        by=request.user,
    )


@require_POST
@bloc_year_view()
def report_submit(request: HttpRequest, bloc_year: BlocYear, report_pk: int) -> HttpResponse:
    access = request.access
    report = get_report(access, report_pk)
    require_unit_writer(access, report)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    with errors_as_message(request) as outcome:
        services.submit_report(report=report, expected_version=version, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã nộp báo cáo. Văn phòng khối sẽ xem xét và tiếp nhận hoặc trả lại."))
    return redirect(_url("report", bloc_year, report.pk))


@bloc_year_view(manage=True)
def report_review(request: HttpRequest, bloc_year: BlocYear, report_pk: int) -> HttpResponse:
    report = get_report(request.access, report_pk, _report_queryset())
    sections = list(report.sections.all())
    initial = {"version": report.version, **{f"c{s.content_id}": s.reviewer_comment for s in sections}}
    form = ReviewForm(
        post_data(request), initial=initial, sections=sections, own_deadline=services.unit_deadline(report)
    )
    if report.status not in (Status.SUBMITTED, Status.RESUBMITTED):
        messages.info(request, _("Báo cáo không ở trạng thái chờ xem xét."))
        return redirect(_url("report", bloc_year, report.pk))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            if d["decision"] == "accept":
                services.accept_report(
                    report=report, comments=form.comments(), expected_version=d["version"], by=request.user
                )
                messages.success(request, _("Đã tiếp nhận báo cáo."))
            else:
                services.return_report(
                    report=report,
                    reason=d["reason"],
                    due=d["due"],
                    comments=form.comments(),
                    expected_version=d["version"],
                    by=request.user,
                )
                messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        if outcome.ok:
            return redirect(_url("report", bloc_year, report.pk))
    history = visibility.mask(request.access, _history(report))
    changed = services.changed_since_return(report, history)
    return render(
        request,
        "reports/report_review.html",
        year_context(
            request,
            bloc_year,
            "board",
            report=report,
            form=form,
            history=history,
            sections=[(s, form[f"c{s.content_id}"]) for s in sections],
            changed_sections={k.split(".")[0] for k in changed},
            general_changed="general_proposals" in changed,
        ),
    )


@require_POST
@bloc_year_view(manage=True)
def report_reopen(request: HttpRequest, bloc_year: BlocYear, report_pk: int) -> HttpResponse:
    report = get_report(request.access, report_pk)
    form = ReopenForm(request.POST)
    # The page draws the form only for an accepted report of a year not yet published.
    if not form.is_valid() and report.status == Status.ACCEPTED and not bloc_year.is_published:
        return _report_page(request, bloc_year, report.pk, reopen_form=form)
    if not form.is_valid():
        messages.error(request, _("Chỉ mở lại được báo cáo đã tiếp nhận."))
        return redirect(_url("report", bloc_year, report.pk))
    with errors_as_message(request) as outcome:
        services.reopen_report(
            report=report, reason=form.cleaned_data["reason"], due=form.cleaned_data["due"], by=request.user
        )
    if outcome.ok:
        messages.success(request, _("Đã mở lại báo cáo; đơn vị có thể sửa và nộp lại."))
    return redirect(_url("report", bloc_year, report.pk))


@bloc_year_view()
def synthesis(request: HttpRequest, bloc_year: BlocYear, period_pk: int, content_pk: int) -> HttpResponse:
    """Every unit's section on one content for one period: what the secretariat summarises."""
    _require_reader(request.access)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year)
    content = get_object_or_404(CovenantContent, pk=content_pk, covenant__bloc_year=bloc_year)
    sections = list(
        ReportSection.objects.filter(content=content, report__period=period, report__in=visible_reports(request.access))
        .exclude(report__status=Status.DRAFT)
        .select_related("report__unit")
        .prefetch_related(Prefetch("results", ResultRow.objects.order_by("order")), "evidence")
    )
    order = {m.unit_id: m.order for m in bloc_year.memberships.all()}
    sections.sort(key=lambda s: order.get(s.report.unit_id, 10**6))
    return render(
        request,
        "reports/synthesis.html",
        year_context(
            request,
            bloc_year,
            "board",
            period=period,
            content=content,
            sections=sections,
            periods=list(bloc_year.periods.order_by("order")),
            contents=list(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order")),
        ),
    )


@bloc_year_view()
def evidence_list(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    access = request.access
    if access.unit is None:
        raise PermissionDenied
    form = EvidenceForm(post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            services.add_evidence(
                bloc_year=bloc_year,
                unit=access.unit,
                upload=d["file"],
                summary=d["summary"],
                number_symbol=d["number_symbol"],
                issued_on=d["issued_on"],
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã tải lên minh chứng."))
            return redirect(_url("evidence", bloc_year))
    contents = list(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order"))
    others = (
        [(m.unit_id, m.unit.short_name) for m in bloc_year.memberships.select_related("unit").order_by("order")]
        if access.reads_submitted
        else []
    )
    filters = EvidenceFilterForm(request.GET, units=others, contents=contents)
    values = filters.values()
    items = _filtered_evidence(access, values)
    if request.GET.get("export") == "xlsx":
        return _evidence_xlsx(bloc_year, list(items))
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return render(
        request,
        "reports/evidence_list.html",
        year_context(
            request,
            bloc_year,
            "evidence",
            form=form,
            items=items,
            filters=filters,
            export_query=query.urlencode(),
            shows_units=values.get("unit", "") not in ("", str(access.unit.pk)),
        ),
    )


def _filtered_evidence(access: Access, values: dict):
    """The evidence listed: the unit's own by default; readers may list another unit's, or all, that they may
    read (reports.access.visible_evidence: never what only a draft holds). Links shown are those of the reports
    the user may open."""
    unit = values.get("unit", "")
    items = visible_evidence(access)
    if unit == "":
        items = items.filter(unit=access.unit)
    elif unit != ALL_UNITS:
        items = items.filter(unit_id=int(unit))
    links = ReportSection.evidence.through.objects.filter(reportsection__report__in=visible_reports(access))
    content = values.get("content")
    if content == NOT_LINKED:
        items = items.exclude(pk__in=links.values("evidence_id"))
    elif content:
        items = items.filter(pk__in=links.filter(reportsection__content_id=int(content)).values("evidence_id"))
    if values.get("kind"):
        items = items.filter(content_type__in=FILE_KINDS[values["kind"]][1])
    if values.get("q"):
        q = values["q"]
        items = items.filter(Q(summary__icontains=q) | Q(number_symbol__icontains=q) | Q(original_name__icontains=q))
    return (
        items.select_related("unit")
        .order_by("-uploaded_at", "-id")
        .prefetch_related(
            Prefetch(
                "sections",
                ReportSection.objects.filter(report__in=visible_reports(access))
                .select_related("report__period", "content")
                .order_by("report__period__order", "content__order"),
            )
        )
    )


def _evidence_xlsx(bloc_year: BlocYear, items: list[Evidence]) -> HttpResponse:
    rows = [
        [
            e.unit.name,
            e.number_symbol,
            e.issued_on.strftime("%d/%m/%Y") if e.issued_on else "",
            e.summary,
            e.original_name,
            round(e.size / 1024, 1),
            "; ".join(f"{s.report.period.name}, {_('nội dung')} {s.content.order}" for s in e.sections.all()),
            timezone.localtime(e.uploaded_at).strftime("%d/%m/%Y %H:%M"),
        ]
        for e in items
    ]
    return table_response(
        f"minh-chung-{bloc_year.bloc.code}-{bloc_year.year}.xlsx",
        _("Minh chứng"),
        _("Minh chứng năm %(year)s – %(bloc)s") % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
        [
            _("Đơn vị"),
            _("Số, ký hiệu"),
            _("Ngày văn bản"),
            _("Trích yếu"),
            _("Tệp"),
            _("Dung lượng (KB)"),
            _("Dùng trong"),
            _("Tải lên lúc"),
        ],
        rows,
        [36, 18, 13, 60, 30, 12, 40, 17],
    )


@bloc_year_view()
def evidence_download(request: HttpRequest, bloc_year: BlocYear, evidence_pk: int) -> FileResponse:  # noqa: ARG001
    evidence = visible_evidence(request.access).filter(pk=evidence_pk).first()
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@bloc_year_view(manage=True)
def periods(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    items = list(
        bloc_year.periods.order_by("order").prefetch_related(
            Prefetch("extensions", Extension.objects.select_related("unit", "granted_by").order_by("unit__name"))
        )
    )
    return render(request, "reports/periods.html", year_context(request, bloc_year, "periods", periods=items))


@require_POST
@bloc_year_view(manage=True)
def periods_default(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    with errors_as_message(request) as outcome:
        services.create_default_periods(bloc_year=bloc_year, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã tạo bốn kỳ báo cáo mặc định."))
    return redirect(_url("periods", bloc_year))


def _period_form(request: HttpRequest, bloc_year: BlocYear, period: ReportingPeriod | None) -> HttpResponse:
    fields = ("code", "name", "kind", "order", "opens_on", "deadline", "lock_date")
    if period is None:
        initial = {
            "order": (bloc_year.periods.order_by("-order").values_list("order", flat=True).first() or 0) + 1,
            "kind": ReportingPeriod.Kind.QUARTER,
        }
    else:
        initial = {**{f: getattr(period, f) for f in fields}, "version": period.version}
    form = PeriodForm(post_data(request), initial=initial, creating=period is None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        with errors_on(form) as outcome:
            services.save_period(
                bloc_year=bloc_year,
                period=period,
                data=d,
                expected_version=d.get("version"),
                by=request.user,
                reason=d["reason"],
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu kỳ báo cáo."))
            return redirect(_url("periods", bloc_year))
    return render(
        request,
        "reports/period_form.html",
        year_context(
            request,
            bloc_year,
            "periods",
            form=form,
            period=period,
        ),
    )


@bloc_year_view(manage=True)
def period_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return _period_form(request, bloc_year, None)


@bloc_year_view(manage=True)
def period_edit(request: HttpRequest, bloc_year: BlocYear, period_pk: int) -> HttpResponse:
    return _period_form(request, bloc_year, get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year))


@bloc_year_view(manage=True)
def extension_grant(request: HttpRequest, bloc_year: BlocYear, period_pk: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year)
    units = Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("memberships__order")
    form = ExtensionForm(
        post_data(request), units=units, initial={"deadline": period.deadline, "lock_date": period.lock_date}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            services.grant_extension(
                period=period,
                unit=d["unit"],
                deadline=d["deadline"],
                lock_date=d["lock_date"],
                reason=d["reason"],
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã gia hạn cho %(unit)s.") % {"unit": d["unit"].short_name})
            return redirect(_url("periods", bloc_year))
    return render(
        request,
        "reports/extension_form.html",
        year_context(
            request,
            bloc_year,
            "periods",
            form=form,
            period=period,
        ),
    )

"""Printing: the year's documents as PDF, their setup before printing, Excel exports, verification codes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from covenant.access import Access, access_for, visible_bloc_years
from covenant.decorators import bloc_year_view
from covenant.models import BlocYear, CovenantContent, Unit
from covenant.services import record
from covenant.views import year_context
from reports import exports
from reports.document_forms import DocumentSetupForm, SynthesisForm, VerifyForm
from reports.documents.layout import digest, parse_code, setup_for
from reports.documents.registry import load_all
from reports.documents.render import document_data, document_for, filename_of
from reports.models import ContentSynthesis, ProgressReport, RenderedDocument, ReportingPeriod


def check_document_access(access: Access, kind, unit: Unit | None, period: ReportingPeriod | None) -> None:
    """A unit officer prints only its own unit's reports and score sheet; readers print all of their bloc.
    Another bloc's documents are already a 404 (the bloc year lookup)."""
    bloc_year = access.bloc_year
    if kind.needs_unit:
        if unit is None or not bloc_year.memberships.filter(unit=unit).exists():
            raise Http404
        if not access.reads_submitted and (access.unit is None or access.unit.pk != unit.pk):
            raise Http404
    elif not access.reads_submitted:
        raise PermissionDenied
    if kind.code == "progress":
        if (
            period is None
            or not ProgressReport.objects.filter(period=period, unit=unit)
            .exclude(status=ProgressReport.Status.DRAFT)
            .exists()
        ):
            raise Http404
    if kind.code == "scoresheet":
        from scoring.models import ScoreSheet

        if (
            not ScoreSheet.objects.filter(bloc_year=bloc_year, unit=unit)
            .exclude(status=ScoreSheet.Status.DRAFT)
            .exists()
        ):
            raise Http404


@bloc_year_view()
def index(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    access = request.access
    kinds = load_all()
    units = []
    if access.reads_submitted:
        units = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("order")]
    elif access.unit is not None:
        units = [access.unit]
    from scoring.models import ScoreSheet

    with_sheet = set(
        ScoreSheet.objects.filter(bloc_year=bloc_year, unit__in=units)
        .exclude(status=ScoreSheet.Status.DRAFT)
        .values_list("unit_id", flat=True)
    )
    reports = list(
        ProgressReport.objects.filter(period__bloc_year=bloc_year, unit__in=units)
        .exclude(status=ProgressReport.Status.DRAFT)
        .select_related("period", "unit")
        .order_by("unit__name", "period__order")
    )
    bloc_kinds = [k for k in kinds.values() if not k.needs_unit] if access.reads_submitted else []
    return render(
        request,
        "documents/index.html",
        year_context(
            request,
            bloc_year,
            "documents",
            bloc_kinds=bloc_kinds,
            units=units,
            with_sheet=with_sheet,
            reports=reports,
            scoresheet=kinds["scoresheet"] if "scoresheet" in kinds else None,
        ),
    )


def _pdf_response(request: HttpRequest, bloc_year: BlocYear, kind_code: str, unit=None, period=None):
    kinds = load_all()
    if kind_code not in kinds:
        raise Http404
    kind = kinds[kind_code]
    check_document_access(request.access, kind, unit, period)
    big = bloc_year.memberships.count() > settings.DOCUMENT_INLINE_MAX_UNITS
    document, _prepared = document_for(kind_code, bloc_year, unit, period, background=big)
    if document.status != RenderedDocument.Status.DONE:
        return render(
            request,
            "documents/pending.html",
            year_context(request, bloc_year, "documents", kind=kind, document=document),
            status=202,
        )
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename_of(kind_code, bloc_year, unit, period)}"'
    response["X-Verification-Code"] = document.code
    return response


@bloc_year_view()
def pdf(request: HttpRequest, bloc_year: BlocYear, kind: str) -> HttpResponse:
    return _pdf_response(request, bloc_year, kind)


@bloc_year_view()
def unit_pdf(request: HttpRequest, bloc_year: BlocYear, kind: str, unit_pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_pk)
    return _pdf_response(request, bloc_year, kind, unit)


@bloc_year_view()
def progress_pdf(request: HttpRequest, bloc_year: BlocYear, unit_pk: int, period_pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year)
    return _pdf_response(request, bloc_year, "progress", unit, period)


@bloc_year_view(manage=True)
def setup(request: HttpRequest, bloc_year: BlocYear, kind: str) -> HttpResponse:
    kinds = load_all()
    if kind not in kinds:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):  # defaults printed on Vietnamese documents
        instance = setup_for(bloc_year, kinds[kind])
    form = DocumentSetupForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.bloc_year, saved.kind = bloc_year, kind
            saved.save()
            record(
                bloc_year=bloc_year,
                by=request.user,
                action="document.setup",
                target=saved,
                after={f: str(form.cleaned_data[f]) for f in form.changed_data},
            )
        messages.success(request, _("Đã lưu thông tin ban hành; lần sau sẽ dùng lại cho loại văn bản này."))
        return redirect(reverse("documents:index", args=[bloc_year.bloc.code, bloc_year.year]))
    return render(
        request, "documents/setup_form.html", year_context(request, bloc_year, "documents", form=form, kind=kinds[kind])
    )


def prefilled_synthesis(bloc_year: BlocYear) -> dict[int, str]:
    """Per content, the units' accepted reports of the latest period, one paragraph a unit."""
    periods = list(bloc_year.periods.order_by("-order"))
    texts: dict[int, list[str]] = {}
    from reports.models import ReportSection

    sections = (
        ReportSection.objects.filter(report__period__bloc_year=bloc_year, report__status=ProgressReport.Status.ACCEPTED)
        .select_related("report__unit", "report__period")
        .order_by("report__unit__name")
    )
    latest: dict[tuple[int, int], ReportSection] = {}
    rank = {p.pk: i for i, p in enumerate(periods)}
    for s in sections:
        key = (s.content_id, s.report.unit_id)
        if key not in latest or rank[s.report.period_id] < rank[latest[key].report.period_id]:
            latest[key] = s
    for (content_id, _unit), s in sorted(latest.items(), key=lambda kv: kv[1].report.unit.name):
        if s.done.strip():
            texts.setdefault(content_id, []).append(f"- {s.report.unit.name}: {s.done.strip()}")
    return {k: "\n".join(v) for k, v in texts.items()}


@bloc_year_view(manage=True)
def synthesis(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    contents = list(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order"))
    saved = {s.content_id: s.text for s in ContentSynthesis.objects.filter(bloc_year=bloc_year)}
    prefill = prefilled_synthesis(bloc_year)
    initial = {f"c{c.pk}": saved.get(c.pk, prefill.get(c.pk, "")) for c in contents}
    form = SynthesisForm(request.POST or None, initial=initial, contents=contents)
    if request.method == "POST" and form.is_valid():
        if bloc_year.is_published:
            messages.error(request, _("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
            return redirect(request.path)
        with transaction.atomic():
            for c in contents:
                text = form.cleaned_data[f"c{c.pk}"]
                ContentSynthesis.objects.update_or_create(
                    bloc_year=bloc_year, content=c, defaults={"text": text, "updated_by": request.user}
                )
            record(
                bloc_year=bloc_year,
                by=request.user,
                action="synthesis.save",
                target=bloc_year,
                after={"contents": [c.order for c in contents if f"c{c.pk}" in form.changed_data]},
            )
        messages.success(request, _("Đã lưu phần tổng hợp theo nội dung cho báo cáo tổng kết."))
        return redirect(reverse("documents:index", args=[bloc_year.bloc.code, bloc_year.year]))
    return render(
        request,
        "documents/synthesis_form.html",
        year_context(request, bloc_year, "documents", form=form, saved=bool(saved)),
    )


@bloc_year_view()
def ranking_xlsx(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    from scoring.access import sees_ranking
    from scoring.models import ScoringRound

    if not sees_ranking(request.access, ScoringRound.objects.filter(bloc_year=bloc_year).first()):
        raise PermissionDenied
    return exports.xlsx_response(
        exports.ranking_workbook(bloc_year), f"xep-hang-{bloc_year.bloc.code}-{bloc_year.year}.xlsx"
    )


@bloc_year_view()
def board_xlsx(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    if not request.access.reads_submitted:
        raise PermissionDenied
    return exports.xlsx_response(
        exports.board_workbook(bloc_year), f"tinh-hinh-nop-bao-cao-{bloc_year.bloc.code}-{bloc_year.year}.xlsx"
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Say whether a printed document still matches the current data."""
    form = VerifyForm(request.GET or None)
    result = None
    if form.is_valid():
        result = {"code": form.cleaned_data["code"].strip().upper(), "status": "unknown"}
        parsed = parse_code(result["code"])
        kinds = {k.short: k for k in load_all().values()}
        if parsed and parsed["short"] in kinds:
            kind = kinds[parsed["short"]]
            bloc_year = visible_bloc_years(request.user).filter(bloc_id=parsed["bloc_id"], year=parsed["year"]).first()
            if bloc_year is not None:
                unit = Unit.objects.filter(pk=parsed["unit_id"]).first() if parsed["unit_id"] else None
                period = (
                    ReportingPeriod.objects.filter(pk=parsed["period_id"], bloc_year=bloc_year).first()
                    if parsed["period_id"]
                    else None
                )
                try:
                    check_document_access(access_for(request.user, bloc_year), kind, unit, period)
                except (Http404, PermissionDenied):
                    pass
                else:
                    current = digest(document_data(kind, bloc_year, unit, period))[:10].upper()
                    result.update(
                        status="match" if current == parsed["digest"] else "mismatch",
                        kind=kind,
                        bloc_year=bloc_year,
                        unit=unit,
                        period=period,
                    )
    return render(request, "documents/verify.html", {"form": form, "result": result})

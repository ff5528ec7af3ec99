"""Printing: the year's documents as PDF, their setup before printing, Excel exports, verification codes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.access import Access, access_for, visible_bloc_years
from core.decorators import bloc_year_view
from core.models import BlocYear, Unit
from core.pages import errors_as_message, year_context
from covenant.models import CovenantContent
from documents import exports, services
from documents.forms import DocumentSetupForm, SynthesisForm, VerifyForm
from documents.layout import digest, parse_code, setup_for
from documents.models import ContentSynthesis, RenderedDocument
from documents.registry import load_all
from documents.render import document_data, document_for, filename_of
from documents.tasks import schedule_render
from reports.models import ProgressReport, ReportingPeriod
from scoring.models import ScoreSheet, ScoringRound
from scoring.sheets.access import sees_ranking


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
    if kind.visible is not None and not kind.visible(access, unit, period):
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
            scoresheet=kinds.get("scoresheet"),
        ),
    )


def _pdf_response(request: HttpRequest, bloc_year: BlocYear, kind_code: str, unit=None, period=None):
    kinds = load_all()
    if kind_code not in kinds:
        raise Http404
    kind = kinds[kind_code]
    check_document_access(request.access, kind, unit, period)
    big = bloc_year.memberships.count() > settings.DOCUMENT_INLINE_MAX_UNITS
    document, _prepared = document_for(kind_code, bloc_year, unit, period, schedule=schedule_render if big else None)
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
        services.save_setup(
            setup=form.save(commit=False), bloc_year=bloc_year, kind=kind, changed=form.changed_data, by=request.user
        )
        messages.success(request, _("Đã lưu thông tin ban hành; lần sau sẽ dùng lại cho loại văn bản này."))
        return redirect(reverse("documents:index", args=[bloc_year.bloc.code, bloc_year.year]))
    return render(
        request, "documents/setup_form.html", year_context(request, bloc_year, "documents", form=form, kind=kinds[kind])
    )


@bloc_year_view(manage=True)
def synthesis(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    contents = list(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).order_by("order"))
    saved = {s.content_id: s.text for s in ContentSynthesis.objects.filter(bloc_year=bloc_year)}
    prefill = services.prefilled_synthesis(bloc_year)
    initial = {f"c{c.pk}": saved.get(c.pk, prefill.get(c.pk, "")) for c in contents}
    form = SynthesisForm(request.POST or None, initial=initial, contents=contents)
    if request.method == "POST" and form.is_valid():
        with errors_as_message(request) as outcome:
            services.save_synthesis(
                bloc_year=bloc_year,
                texts={c.pk: form.cleaned_data[f"c{c.pk}"] for c in contents},
                changed=[c.pk for c in contents if f"c{c.pk}" in form.changed_data],
                by=request.user,
            )
        if not outcome.ok:
            return redirect(request.path)
        messages.success(request, _("Đã lưu phần tổng hợp theo nội dung cho báo cáo tổng kết."))
        return redirect(reverse("documents:index", args=[bloc_year.bloc.code, bloc_year.year]))
    return render(
        request,
        "documents/synthesis_form.html",
        year_context(request, bloc_year, "documents", form=form, saved=bool(saved)),
    )


@bloc_year_view()
def ranking_xlsx(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
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

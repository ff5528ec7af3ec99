"""Printing: the year's documents as PDF, their setup before printing, Excel exports, verification codes."""

import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Access
from core.decorators import bloc_year_view
from core.errors import ServiceError
from core.models import BlocYear, Unit
from core.pages import errors_as_message, errors_on, post_data, year_context
from covenant.models import CovenantContent
from documents import exports, services
from documents.docx import html_to_docx
from documents.forms import DocumentSetupForm, IssueForm, LegalTextForm, ScanForm, SynthesisForm, VerifyForm
from documents.layout import digest, setup_for, vn_date
from documents.models import (
    ContentSynthesis,
    IssuedDocument,
    LegalText,
    PrintedCode,
    RenderedDocument,
    YearSynthesis,
)
from documents.registry import load_all
from documents.render import document_data, document_for, filename_of, html_for, prepare
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
    form = DocumentSetupForm(post_data(request), instance=instance)
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
    year_saved = YearSynthesis.objects.filter(bloc_year=bloc_year).first()
    year_prefill = services.prefilled_year(bloc_year)
    for name in services.YEAR_FIELDS:
        initial[f"y_{name}"] = getattr(year_saved, name) if year_saved else year_prefill[name]
    form = SynthesisForm(post_data(request), initial=initial, contents=contents)
    if request.method == "POST" and form.is_valid():
        with errors_as_message(request) as outcome:
            services.save_synthesis(
                bloc_year=bloc_year,
                texts={c.pk: form.cleaned_data[f"c{c.pk}"] for c in contents},
                changed=[c.pk for c in contents if f"c{c.pk}" in form.changed_data],
                by=request.user,
            )
            services.save_year_synthesis(
                bloc_year=bloc_year,
                texts={name: form.cleaned_data[f"y_{name}"] for name in services.YEAR_FIELDS},
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


def _rate_limited(request: HttpRequest) -> bool:
    """At most VERIFY_PER_MINUTE look-ups a minute per client address (guessing codes stays slow)."""
    key = f"verify:{request.META.get('REMOTE_ADDR', '')}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=70):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    return count > settings.VERIFY_PER_MINUTE


def verification(code: str) -> dict:
    """What the printed page with this code showed, and whether the data still gives the same page. Only a
    code that was printed is known: a forged or mistyped one is unknown, never "changed"."""
    code = code.strip().upper()
    result: dict = {"code": code, "status": "unknown"}
    printed = PrintedCode.objects.select_related("bloc_year__bloc", "unit", "period").filter(code=code).first()
    kind = load_all().get(printed.kind) if printed else None
    if printed is None or kind is None:
        return result
    try:
        current = digest(document_data(kind, printed.bloc_year, printed.unit, printed.period))[:10].upper()
    except ServiceError:  # the document cannot be printed any more (its report was withdrawn …)
        current = ""
    result.update(
        status="match" if code.endswith("-" + current) and current else "mismatch",
        kind=kind,
        printed=printed,
    )
    return result


def _verify_page(request: HttpRequest, form: VerifyForm, code: str | None) -> HttpResponse:
    if code is not None and _rate_limited(request):
        return render(request, "documents/verify.html", {"form": form, "limited": True}, status=429)
    result = verification(code) if code else None
    return render(request, "documents/verify.html", {"form": form, "result": result})


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone holding a printed page may check its code, without an account."""
    form = VerifyForm(request.GET or None)
    code = form.cleaned_data["code"] if form.is_valid() else None
    if code:
        return redirect("verify_code", code=code.strip().upper())
    return _verify_page(request, form, None)


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    if len(code) > 120:
        raise Http404
    return _verify_page(request, VerifyForm(initial={"code": code}), code)


# The register of issued documents ---------------------------------------------------------------------


def _issuable(bloc_year: BlocYear) -> list[tuple[str, str]]:
    """Every document of the year that can be issued now: the bloc's, each unit's score sheet, each submitted
    report, as (kind:unit:period, label)."""
    kinds = load_all()
    members = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("order")]
    choices = [(f"{k.code}::", str(k.label)) for k in kinds.values() if not k.needs_unit]
    if "scoresheet" in kinds:
        sheets = set(
            ScoreSheet.objects.filter(bloc_year=bloc_year)
            .exclude(status=ScoreSheet.Status.DRAFT)
            .values_list("unit_id", flat=True)
        )
        label = str(kinds["scoresheet"].label)
        choices += [(f"scoresheet:{u.pk}:", f"{label} – {u.short_name}") for u in members if u.pk in sheets]
    if "progress" in kinds:
        for r in (
            ProgressReport.objects.filter(period__bloc_year=bloc_year)
            .exclude(status=ProgressReport.Status.DRAFT)
            .select_related("unit", "period")
            .order_by("period__order", "unit__name")
        ):
            choices.append((f"progress:{r.unit_id}:{r.period_id}", f"{r.period.name} – {r.unit.short_name}"))
    return choices


@bloc_year_view()
def register(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """The register: what was issued under which number and date, with its signed record copy."""
    if not request.access.reads_submitted:
        raise PermissionDenied
    return _register_page(request, bloc_year)


def _register_page(
    request: HttpRequest,
    bloc_year: BlocYear,
    form: IssueForm | None = None,
    scan_form: ScanForm | None = None,
    scan_entry_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The register page, with a refused issue or scan form drawn again with its fields marked."""
    entries = list(
        IssuedDocument.objects.filter(bloc_year=bloc_year)
        .select_related("unit", "period")
        .order_by("issued_on", "symbol", "number")
    )
    kinds = load_all()
    for e in entries:
        e.kind_label = kinds[e.kind].label if e.kind in kinds else e.kind
    issued = {e.slot for e in entries}
    if form is None and request.access.can_manage:
        choices = [(k, label) for k, label in _issuable(bloc_year) if k not in issued]
        form = IssueForm(choices=choices, initial={"issued_on": timezone.localdate()})
    return render(
        request,
        "documents/register.html",
        year_context(
            request,
            bloc_year,
            "documents",
            entries=entries,
            form=form,
            scan_form=scan_form or ScanForm(),
            scan_entry_pk=scan_entry_pk,
        ),
        status=status,
    )


@require_POST
@bloc_year_view(manage=True)
def issue(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    form = IssueForm(request.POST, choices=_issuable(bloc_year))
    back = redirect("documents:register", code=bloc_year.bloc.code, year=bloc_year.year)
    if not form.is_valid():
        return _register_page(request, bloc_year, form=form)
    kind_code, unit_pk, period_pk = form.cleaned_data["document"].split(":")
    unit = get_object_or_404(Unit, pk=unit_pk) if unit_pk else None
    period = get_object_or_404(ReportingPeriod, pk=period_pk, bloc_year=bloc_year) if period_pk else None
    with errors_as_message(request) as outcome:
        entry = services.issue_document(
            bloc_year=bloc_year,
            kind_code=kind_code,
            unit=unit,
            period=period,
            issued_on=form.cleaned_data["issued_on"],
            number=form.cleaned_data["number"],
            by=request.user,
        )
    if outcome.ok:
        messages.success(
            request, _("Đã ban hành số %(number)s ngày %(day)s.") % {"number": entry, "day": vn_date(entry.issued_on)}
        )
    return back


def _entry(request: HttpRequest, bloc_year: BlocYear, entry_pk: int) -> IssuedDocument:
    entry = get_object_or_404(IssuedDocument.objects.select_related("unit", "period"), pk=entry_pk, bloc_year=bloc_year)
    kind = load_all().get(entry.kind)
    if kind is None:
        raise Http404
    # The record copy is read with the same permission as the document's PDF.
    check_document_access(request.access, kind, entry.unit, entry.period)
    return entry


@require_POST
@bloc_year_view(manage=True)
def scan_upload(request: HttpRequest, bloc_year: BlocYear, entry_pk: int) -> HttpResponse:
    entry = get_object_or_404(IssuedDocument, pk=entry_pk, bloc_year=bloc_year)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        return _register_page(request, bloc_year, scan_form=form, scan_entry_pk=entry.pk)
    else:
        with errors_as_message(request) as outcome:
            services.upload_scan(entry=entry, upload=form.cleaned_data["scan"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã lưu bản có chữ ký của văn bản số %(number)s.") % {"number": entry})
    return redirect("documents:register", code=bloc_year.bloc.code, year=bloc_year.year)


@bloc_year_view()
def scan_download(request: HttpRequest, bloc_year: BlocYear, entry_pk: int) -> HttpResponse:
    entry = _entry(request, bloc_year, entry_pk)
    if not entry.scan:
        raise Http404
    try:
        handle = entry.scan.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=entry.scan_name or entry.scan.name.rsplit("/", 1)[-1])


# The legal frame -------------------------------------------------------------------------------------


@bloc_year_view(manage=True)
def legal_frame(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    """The texts documents cite by their date; the secretariat adds its province's own."""
    form = LegalTextForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            services.add_legal_text(
                bloc_year=bloc_year,
                kind=d["kind"],
                number=d["number"],
                citation=d["citation"],
                effective_from=d["effective_from"],
                effective_to=d["effective_to"],
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã thêm văn bản vào khung pháp lý."))
            return redirect("documents:legal_frame", code=bloc_year.bloc.code, year=bloc_year.year)
    texts = list(
        LegalText.objects.filter(Q(province__isnull=True) | Q(province_id=bloc_year.bloc.province_id)).order_by(
            F("province_id").asc(nulls_first=True), "order", "effective_from"
        )
    )
    return render(
        request, "documents/legal_frame.html", year_context(request, bloc_year, "documents", texts=texts, form=form)
    )


# Word copies -------------------------------------------------------------------------------------------

DOCX_KINDS = ("summary", "submission")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_response(prepared, html: str, filename: str) -> HttpResponse:
    response = HttpResponse(html_to_docx(html, landscape=prepared.kind.landscape), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Verification-Code"] = prepared.code
    return response


@bloc_year_view()
def docx(request: HttpRequest, bloc_year: BlocYear, kind: str) -> HttpResponse:
    """The summary report or the submission letter (with its achievement reports) as a Word file."""
    kinds = load_all()
    if kind not in DOCX_KINDS or kind not in kinds:
        raise Http404
    check_document_access(request.access, kinds[kind], None, None)
    prepared = prepare(kind, bloc_year)
    return _docx_response(prepared, html_for(prepared), filename_of(kind, bloc_year).replace(".pdf", ".docx"))


@bloc_year_view()
def achievement_docx(request: HttpRequest, bloc_year: BlocYear, unit_pk: int) -> HttpResponse:
    """A proposed unit's achievement report alone, for the unit to complete: readers, and the unit itself."""
    unit = get_object_or_404(Unit, pk=unit_pk)
    kinds = load_all()
    if "submission" not in kinds or "scoresheet" not in kinds:
        raise Http404
    # Whose achievement report: the unit's own officer or the bloc's readers, as for its score sheet.
    access = request.access
    if not bloc_year.memberships.filter(unit=unit).exists():
        raise Http404
    if not access.reads_submitted and (access.unit is None or access.unit.pk != unit.pk):
        raise Http404
    prepared = prepare("submission", bloc_year)
    reports = [r for r in prepared.data["body"]["reports"] if r["unit"] == unit.name]
    if not reports:
        raise Http404
    html = html_for(prepared, template="documents/pdf/achievement.html", body={"reports": reports})
    return _docx_response(prepared, html, f"bao-cao-thanh-tich-{bloc_year.bloc.code}-{bloc_year.year}-{unit.code}.docx")

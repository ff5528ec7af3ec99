"""Build a document's data, render it with WeasyPrint, keep the PDF until the data changes."""

import datetime
import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.models import BlocYear, Unit
from documents.grounds import issue_of
from documents.layout import digest, header_data, setup_for, verification_code
from documents.models import PrintedCode, RenderedDocument
from documents.pdf import write_pdf
from documents.registry import DocumentKind, load_all
from reports.models import ReportingPeriod

FONT_DIR = settings.BASE_DIR / "static" / "fonts"
logger = logging.getLogger(__name__)


@functools.cache
def code_version() -> str:
    """A digest of the document templates and builders: a new release never serves a PDF stored by an old one."""
    root = Path(__file__).resolve().parent
    files = sorted([*root.rglob("*.py"), *(root / "templates" / "documents" / "pdf").rglob("*.html")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


Schedule = Callable[["Prepared"], None]


@dataclass
class Prepared:
    kind: DocumentKind
    bloc_year: BlocYear
    unit: Unit | None
    period: ReportingPeriod | None
    data: dict
    digest: str
    code: str

    @property
    def key(self) -> str:
        return f"{self.code}:{self.digest}:{code_version()}"

    @property
    def filename(self) -> str:
        return filename_of(self.kind.code, self.bloc_year, self.unit, self.period)


def document_data(kind: DocumentKind, bloc_year: BlocYear, unit=None, period=None) -> dict:
    """Everything the document prints, as plain data: what the digest covers."""
    with translation.override(settings.LANGUAGE_CODE):
        setup = setup_for(bloc_year, kind)
        natural = kind.natural_day(bloc_year, unit, period) if kind.natural_day is not None else None
        issue = issue_of(kind, bloc_year, setup, unit, period, natural)
        return {
            "kind": kind.code,
            "header": header_data(setup, issue),
            "body": kind.build(bloc_year=bloc_year, unit=unit, period=period, issue=issue),
            "draft": kind.year_end and not bloc_year.is_published,
        }


def prepare(kind_code: str, bloc_year: BlocYear, unit=None, period=None) -> Prepared:
    kind = load_all()[kind_code]
    data = document_data(kind, bloc_year, unit, period)
    full = digest(data)
    return Prepared(kind, bloc_year, unit, period, data, full, verification_code(kind, bloc_year, unit, period, full))


def html_for(prepared: Prepared, template: str | None = None, body: dict | None = None) -> str:
    """The document's HTML; ``template`` and ``body`` (merged over the data's) print a part of it alone."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            template or prepared.kind.template,
            {
                "d": prepared.data,
                "h": prepared.data["header"],
                "b": {**prepared.data["body"], **(body or {})},
                "code": prepared.code,
                "verify_url": verify_url(prepared.code),
                "qr": qr_data_uri(verify_url(prepared.code)),
                "landscape": prepared.kind.landscape,
                "draft": prepared.data["draft"],
                "font_dir": FONT_DIR.as_uri(),
            },
        )


def record_printed(prepared: Prepared) -> None:
    """Keep the code this render prints with what its page shows, for /verify/ (one row per code)."""
    data = prepared.data
    lines = {**data["header"], **{k: v for k, v in data["body"].items() if k in ("number_line", "date_line")}}
    PrintedCode.objects.get_or_create(
        code=prepared.code,
        defaults={
            "kind": prepared.kind.code,
            "bloc_year": prepared.bloc_year,
            "unit": prepared.unit,
            "period": prepared.period,
            "number_line": " ".join(str(lines.get("number_line", "")).split())[:120],
            "date_line": " ".join(str(lines.get("date_line", "")).split())[:200],
            "draft": bool(data["draft"]),
        },
    )


def verify_url(code: str) -> str:
    return settings.SITE_ROOT.rstrip("/") + reverse("verify_code", args=[code])


def qr_data_uri(url: str) -> str:
    """The verification address as a QR code, 16 mm square, for the page footer."""
    qr = segno.make(url, error="m")
    modules = qr.symbol_size(border=0)[0]
    return qr.svg_data_uri(scale=16 / modules, unit="mm", border=0)


def render_pdf(prepared: Prepared) -> tuple[bytes, int]:
    return write_pdf(html_for(prepared))


def slot_of(kind_code: str, bloc_year: BlocYear, unit=None, period=None) -> str:
    """Which document, whatever its data: the same slot holds each new version of it."""
    return f"{kind_code}:{bloc_year.pk}:{unit.pk if unit else ''}:{period.pk if period else ''}:{code_version()}"


def store(prepared: Prepared, data_version: int | None = None) -> RenderedDocument:
    """Render now and keep the PDF under the data's key (older versions of the document are dropped)."""
    slot = slot_of(prepared.kind.code, prepared.bloc_year, prepared.unit, prepared.period)
    started = time.perf_counter()
    try:
        pdf, pages = render_pdf(prepared)
        if not pdf.startswith(b"%PDF") or pages < 1:
            raise RuntimeError(f"WeasyPrint returned no pages for {prepared.code}")
    except Exception as e:
        RenderedDocument.objects.update_or_create(
            key=prepared.key,
            defaults={"code": prepared.code, "status": RenderedDocument.Status.FAILED, "error": repr(e)[:2000]},
        )
        raise
    elapsed = time.perf_counter() - started
    RenderedDocument.objects.filter(code=prepared.code).exclude(key=prepared.key).delete()
    if data_version is not None:  # what this render replaces: the same document, for older data
        RenderedDocument.objects.filter(slot=slot).exclude(key=prepared.key).filter(
            Q(data_version__isnull=True) | Q(data_version__lte=data_version)
        ).delete()
    record_printed(prepared)
    document, _created = RenderedDocument.objects.update_or_create(
        key=prepared.key,
        defaults={
            "code": prepared.code,
            "slot": slot,
            "data_version": data_version,
            "checked_on": timezone.localdate() if data_version is not None else None,
            "pdf": pdf,
            "pages": pages,
            "render_seconds": elapsed,
            "status": RenderedDocument.Status.DONE,
            "error": "",
        },
    )
    return document


def get_pdf(
    prepared: Prepared, *, schedule: Schedule | None = None, data_version: int | None = None
) -> RenderedDocument:
    """The stored PDF for exactly this data. Rendered now, or later by ``schedule`` (the task worker, see
    documents/tasks.py), in which case a pending row is returned at once and the caller shows progress.

    data_version: the year's documents version read before the data was gathered; the stored PDF is marked with it,
    so that ``document_for`` finds it without gathering the data while the version stays current.
    """
    cached = RenderedDocument.objects.filter(key=prepared.key).first()
    if cached is not None and cached.status == RenderedDocument.Status.PENDING:
        if schedule is None:
            # A caller that waits (a command, the worker, a small bloc's request) renders it now, whatever became
            # of the task that was to render it.
            return store(prepared, data_version)
        if cached.created_at < timezone.now() - datetime.timedelta(seconds=settings.DOCUMENT_PENDING_SECONDS):
            # Still pending long after it was queued: the worker that took it died (or the task was given up).
            RenderedDocument.objects.filter(pk=cached.pk).update(created_at=timezone.now())
            schedule(prepared)
            cached.refresh_from_db()
        return cached
    if cached is not None and cached.status != RenderedDocument.Status.FAILED:
        today = timezone.localdate()
        if (
            data_version is not None
            and cached.status == RenderedDocument.Status.DONE
            and (cached.checked_on or datetime.date.min, cached.data_version or -1) < (today, data_version)
        ):
            slot = slot_of(prepared.kind.code, prepared.bloc_year, prepared.unit, prepared.period)
            RenderedDocument.objects.filter(pk=cached.pk).update(slot=slot, data_version=data_version, checked_on=today)
            cached.slot, cached.data_version, cached.checked_on = slot, data_version, today
        return cached
    if schedule is None:
        return store(prepared, data_version)
    pending, created = RenderedDocument.objects.get_or_create(
        key=prepared.key,
        defaults={
            "code": prepared.code,
            "slot": slot_of(prepared.kind.code, prepared.bloc_year, prepared.unit, prepared.period),
            "data_version": data_version,
            "checked_on": timezone.localdate() if data_version is not None else None,
            "status": RenderedDocument.Status.PENDING,
        },
    )
    if created or pending.status == RenderedDocument.Status.FAILED:
        RenderedDocument.objects.filter(pk=pending.pk).update(status=RenderedDocument.Status.PENDING, error="")
        schedule(prepared)
        pending.refresh_from_db()
    return pending


def documents_version(bloc_year: BlocYear) -> int:
    """What a year's documents depend on: its own data and the earlier years' (a ranking shows earlier ranks), not
    the later years' — a change in the current year leaves last year's published documents found at once.
    Counters only grow, so their sum (with the number of years) changes with any of them."""
    totals = BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year__lte=bloc_year.year).aggregate(
        total=Sum("data_version"), years=Count("pk")
    )
    return (totals["total"] or 0) * 1000 + totals["years"]


def document_for(
    kind_code: str, bloc_year: BlocYear, unit=None, period=None, *, schedule: Schedule | None = None
) -> tuple[RenderedDocument, Prepared | None]:
    """The PDF of the document as the data stands, and the gathered data when it had to be gathered.

    While the year's documents version is the one the stored PDF was checked against, on the same day (deductions for
    late and missing reports follow the calendar), the PDF is served at once.
    Otherwise the data is gathered: the same digest finds the stored PDF again (the change was elsewhere in the
    bloc), a new one renders it (now, or by ``schedule`` in the worker).
    """
    data_version = documents_version(bloc_year)  # read before the data: a later change always raises it
    kept = (
        RenderedDocument.objects.filter(
            slot=slot_of(kind_code, bloc_year, unit, period),
            data_version=data_version,
            checked_on=timezone.localdate(),
            status=RenderedDocument.Status.DONE,
        )
        .order_by("-pk")
        .first()
    )
    if kept is not None:
        return kept, None
    prepared = prepare(kind_code, bloc_year, unit, period)
    return get_pdf(prepared, schedule=schedule, data_version=data_version), prepared


def filename_of(kind_code: str, bloc_year: BlocYear, unit=None, period=None) -> str:
    parts = [kind_code, bloc_year.bloc.code, str(bloc_year.year)]
    if unit is not None:
        parts.append(unit.code)
    if period is not None:
        parts.append(period.code)
    return "-".join(parts) + ".pdf"


def render_in_worker(kind_code: str, bloc_year_id: int, unit_id: int | None, period_id: int | None) -> str:
    """The worker's render of a document a page is waiting for. If gathering its data fails, the waiting row of the
    document is marked failed (the page says so and offers to try again) instead of staying pending."""
    by = BlocYear.objects.select_related("bloc__province").get(pk=bloc_year_id)
    data_version = documents_version(by)  # before the data
    unit = Unit.objects.get(pk=unit_id) if unit_id else None
    period = ReportingPeriod.objects.get(pk=period_id) if period_id else None
    try:
        prepared = prepare(kind_code, by, unit, period)
    except Exception as e:
        RenderedDocument.objects.filter(
            slot=slot_of(kind_code, by, unit, period), status=RenderedDocument.Status.PENDING
        ).update(status=RenderedDocument.Status.FAILED, error=repr(e)[:2000])
        raise
    return store(prepared, data_version).key


# Rendered ahead of the request: the bloc-wide year-end documents (ranking, summary, minutes …) of large blocs,
# whose render takes longer than anybody should wait, from the scoring phase on (before it they print nothing).
AHEAD_PHASES = (BlocYear.Phase.SCORING, BlocYear.Phase.REVIEW, BlocYear.Phase.PUBLISHED)


def ahead_kinds() -> list[DocumentKind]:
    return [k for k in load_all().values() if k.year_end and not k.needs_unit and not k.needs_period]


def large_bloc_years(bloc_ids) -> list[BlocYear]:
    """The bloc years of these blocs whose documents are rendered ahead (one query)."""
    return list(
        BlocYear.objects.filter(bloc_id__in=list(bloc_ids), phase__in=AHEAD_PHASES)
        .annotate(units=Count("memberships"))
        .filter(units__gt=settings.DOCUMENT_INLINE_MAX_UNITS)
        .select_related("bloc__province")
    )


def refresh_ahead(bloc_id: int, data_version: int) -> list[str]:
    """Bring a large bloc's year-end documents up to the data as of data_version. Nothing when the data has
    changed again since (the task queued by that change does it): a burst of changes costs one refresh."""
    done = []
    for bloc_year in large_bloc_years([bloc_id]):
        if bloc_year.bloc.data_version != data_version:
            return done
        for kind in ahead_kinds():
            try:
                document, _prepared = document_for(kind.code, bloc_year)
            except Exception:
                logger.exception("rendering %s of %s ahead failed", kind.code, bloc_year)
                continue
            done.append(document.code)
    return done

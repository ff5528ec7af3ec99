"""Build a document's data, render it with WeasyPrint, keep the PDF until the data changes."""

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from covenant.models import BlocYear, Unit
from reports.documents.layout import digest, header_data, setup_for, verification_code
from reports.documents.pdf import write_pdf
from reports.documents.registry import DocumentKind, load_all
from reports.models import RenderedDocument, ReportingPeriod

FONT_DIR = settings.BASE_DIR / "static" / "fonts"


@functools.cache
def code_version() -> str:
    """A digest of the document templates and builders: a new release never serves a PDF stored by an old one."""
    root = settings.BASE_DIR / "reports"
    files = sorted([*(root / "documents").rglob("*.py"), *(root / "templates" / "documents" / "pdf").rglob("*.html")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


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
        parts = [self.kind.code, self.bloc_year.bloc.code, str(self.bloc_year.year)]
        if self.unit is not None:
            parts.append(self.unit.code)
        if self.period is not None:
            parts.append(self.period.code)
        return "-".join(parts) + ".pdf"


def document_data(kind: DocumentKind, bloc_year: BlocYear, unit=None, period=None) -> dict:
    """Everything the document prints, as plain data: what the digest covers."""
    with translation.override(settings.LANGUAGE_CODE):
        setup = setup_for(bloc_year, kind)
        return {
            "kind": kind.code,
            "header": header_data(setup, bloc_year.year),
            "body": kind.build(bloc_year=bloc_year, unit=unit, period=period),
            "draft": kind.year_end and not bloc_year.is_published,
        }


def prepare(kind_code: str, bloc_year: BlocYear, unit=None, period=None) -> Prepared:
    kind = load_all()[kind_code]
    data = document_data(kind, bloc_year, unit, period)
    full = digest(data)
    return Prepared(kind, bloc_year, unit, period, data, full, verification_code(kind, bloc_year, unit, period, full))


def html_for(prepared: Prepared) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            prepared.kind.template,
            {
                "d": prepared.data,
                "h": prepared.data["header"],
                "b": prepared.data["body"],
                "code": prepared.code,
                "landscape": prepared.kind.landscape,
                "draft": prepared.data["draft"],
                "font_dir": FONT_DIR.as_uri(),
            },
        )


def render_pdf(prepared: Prepared) -> tuple[bytes, int]:
    return write_pdf(html_for(prepared))


def store(prepared: Prepared) -> RenderedDocument:
    """Render now and keep the PDF under the data's key (older versions of the document are dropped)."""
    started = time.perf_counter()
    try:
        pdf, pages = render_pdf(prepared)
    except Exception as e:
        RenderedDocument.objects.update_or_create(
            key=prepared.key,
            defaults={"code": prepared.code, "status": RenderedDocument.Status.FAILED, "error": repr(e)[:2000]},
        )
        raise
    elapsed = time.perf_counter() - started
    RenderedDocument.objects.filter(code=prepared.code).exclude(key=prepared.key).delete()
    document, _created = RenderedDocument.objects.update_or_create(
        key=prepared.key,
        defaults={
            "code": prepared.code,
            "pdf": pdf,
            "pages": pages,
            "render_seconds": elapsed,
            "status": RenderedDocument.Status.DONE,
            "error": "",
        },
    )
    return document


def get_pdf(prepared: Prepared, *, background: bool = False) -> RenderedDocument:
    """The stored PDF for exactly this data. Rendered now, or (background=True) by the task worker, in which
    case a pending row is returned at once and the caller shows progress."""
    cached = RenderedDocument.objects.filter(key=prepared.key).first()
    if cached is not None and cached.status != RenderedDocument.Status.FAILED:
        return cached
    if not background:
        return store(prepared)
    pending, created = RenderedDocument.objects.get_or_create(
        key=prepared.key, defaults={"code": prepared.code, "status": RenderedDocument.Status.PENDING}
    )
    if created or pending.status == RenderedDocument.Status.FAILED:
        from reports.tasks import render_document

        RenderedDocument.objects.filter(pk=pending.pk).update(status=RenderedDocument.Status.PENDING, error="")
        render_document.enqueue(
            prepared.kind.code,
            prepared.bloc_year.pk,
            prepared.unit.pk if prepared.unit else None,
            prepared.period.pk if prepared.period else None,
        )
        pending.refresh_from_db()
    return pending


def resolve(kind_code: str, bloc_year_id: int, unit_id: int | None, period_id: int | None) -> Prepared:
    by = BlocYear.objects.select_related("bloc__province").get(pk=bloc_year_id)
    unit = Unit.objects.get(pk=unit_id) if unit_id else None
    period = ReportingPeriod.objects.get(pk=period_id) if period_id else None
    return prepare(kind_code, by, unit, period)

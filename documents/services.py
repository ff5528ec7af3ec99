"""Changes to what the documents print: each kind's setup before printing and the secretariat's synthesis per
covenant content for the summary report. Atomic, recorded, refused once the year is published."""

import datetime
from collections.abc import Sequence

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dataversion
from core.audit import Actor, record
from core.errors import ServiceError
from core.models import BlocYear, Unit
from covenant.models import CovenantContent
from documents.grounds import slot_key
from documents.layout import setup_for, vn_date
from documents.models import ContentSynthesis, DocumentSetup, IssuedDocument, LegalText, YearSynthesis
from documents.registry import load_all
from documents.render import prepare
from documents.synthesis import content_texts, year_texts
from reports.models import ReportingPeriod


def _check_open(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))


@transaction.atomic
def save_setup(
    *, setup: DocumentSetup, bloc_year: BlocYear, kind: str, changed: Sequence[str], by: Actor
) -> DocumentSetup:
    """Keep the number, date, signer and recipients of one kind of document of the year."""
    setup.bloc_year, setup.kind = bloc_year, kind
    setup.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="document.setup",
        target=setup,
        after={f: str(getattr(setup, f)) for f in changed},
    )
    return setup


@transaction.atomic
def save_synthesis(
    *,
    bloc_year: BlocYear,
    texts: dict[int, str],
    changed: Sequence[int],
    by: Actor,
    at: datetime.datetime | None = None,
) -> None:
    """Keep the secretariat's synthesis of each covenant content (content pk → text)."""
    _check_open(bloc_year)
    contents = {c.pk: c for c in CovenantContent.objects.filter(covenant__bloc_year=bloc_year, pk__in=list(texts))}
    for pk, text in texts.items():
        if pk in contents:
            ContentSynthesis.objects.update_or_create(
                bloc_year=bloc_year, content=contents[pk], defaults={"text": text, "updated_by": by}
            )
    record(
        bloc_year=bloc_year,
        by=by,
        action="synthesis.save",
        target=bloc_year,
        after={"contents": sorted(contents[pk].order for pk in changed if pk in contents)},
        at=at,
    )


def prefilled_synthesis(bloc_year: BlocYear) -> dict[int, str]:
    """Per content, the aggregate of the units' results and one line per unit in STT order (documents/synthesis.py)."""
    return content_texts(bloc_year)


def prefilled_year(bloc_year: BlocYear) -> dict[str, str]:
    titles = dict(CovenantContent.objects.filter(covenant__bloc_year=bloc_year).values_list("pk", "title"))
    return year_texts(bloc_year, titles=titles)


def synthesis_missing(bloc_year: BlocYear) -> list[str]:
    """Publishing without the secretariat's own synthesis prints the pre-filled one: said, and a reason asked."""
    has_contents = ContentSynthesis.objects.filter(bloc_year=bloc_year).exclude(text="").exists()
    has_year = YearSynthesis.objects.filter(bloc_year=bloc_year).exists()
    if has_contents and has_year:
        return []
    return [
        _(
            "Văn phòng khối chưa lưu phần tổng hợp, đánh giá của báo cáo tổng kết: báo cáo sẽ in nội dung tự điền "
            "từ báo cáo của các đơn vị."
        )
    ]


# The register of issued documents -------------------------------------------------------------------

SCAN_TYPES = {"application/pdf": {"pdf"}, "image/jpeg": {"jpg", "jpeg"}, "image/png": {"png"}}


def symbol_of(kind, bloc_year: BlocYear, unit=None) -> str:
    """The symbol a document is issued under: a unit's own report carries the unit's (BC-CT), the bloc's
    documents the setup's (BC-KTCKT)."""
    if kind.code == "progress" and unit is not None:
        short = "".join((unit.short_name or "").split())
        return f"BC-{short}" if short else "BC"
    return setup_for(bloc_year, kind).symbol


def next_number(bloc_year: BlocYear, symbol: str, day: datetime.date) -> int:
    """Numbers run per issuing series (its symbol) and calendar year of issue, across the bloc's years."""
    top = IssuedDocument.objects.filter(
        bloc_year__bloc_id=bloc_year.bloc_id, symbol=symbol, issued_on__year=day.year
    ).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


@transaction.atomic
def issue_document(
    *,
    bloc_year: BlocYear,
    kind_code: str,
    issued_on: datetime.date,
    unit: Unit | None = None,
    period: ReportingPeriod | None = None,
    number: int | None = None,
    by: Actor,
    at: datetime.datetime | None = None,
) -> IssuedDocument:
    """Give a document its number and date in the register: from then on it prints them instead of blanks."""
    kind = load_all().get(kind_code)
    if kind is None:
        raise ServiceError(_("Không có loại văn bản này."))
    if kind.needs_unit and unit is None:
        raise ServiceError(_("Văn bản này cần chọn đơn vị."))
    if kind.needs_period and period is None:
        raise ServiceError(_("Văn bản này cần chọn kỳ báo cáo."))
    if not kind.needs_unit:
        unit = None
    if not kind.needs_period:
        period = None
    BlocYear.objects.select_for_update().filter(pk=bloc_year.pk).first()  # one number at a time per bloc year
    slot = slot_key(kind.code, unit, period)
    existing = IssuedDocument.objects.filter(bloc_year=bloc_year, slot=slot).first()
    if existing is not None:
        raise ServiceError(
            _("Văn bản đã được ban hành: số %(number)s ngày %(day)s.")
            % {"number": str(existing), "day": vn_date(existing.issued_on)}
        )
    if issued_on.year < bloc_year.year:
        raise ServiceError(_("Ngày ban hành không thể trước năm thi đua."), field="issued_on")
    if issued_on > timezone.localdate(at or timezone.now()):
        raise ServiceError(_("Ngày ban hành không thể sau hôm nay."), field="issued_on")
    symbol = symbol_of(kind, bloc_year, unit)
    if (
        number is not None
        and IssuedDocument.objects.filter(
            bloc_year__bloc_id=bloc_year.bloc_id, symbol=symbol, issued_on__year=issued_on.year, number=number
        ).exists()
    ):
        raise ServiceError(
            _("Số %(n)s/%(s)s đã được dùng trong năm.") % {"n": f"{number:02d}", "s": symbol}, field="number"
        )
    entry = IssuedDocument.objects.create(
        bloc_year=bloc_year,
        kind=kind.code,
        unit=unit,
        period=period,
        slot=slot,
        number=number or next_number(bloc_year, symbol, issued_on),
        symbol=symbol,
        issued_on=issued_on,
        issued_by=by if by is not None and by.is_authenticated else None,
    )
    entry.code = prepare(kind.code, bloc_year, unit, period).code
    entry.save(update_fields=["code"])
    record(
        bloc_year=bloc_year,
        by=by,
        action="document.issue",
        target=entry,
        after={"kind": kind.code, "number": str(entry), "issued_on": vn_date(issued_on), "code": entry.code},
        at=at,
    )
    return entry


@transaction.atomic
def upload_scan(*, entry: IssuedDocument, upload: UploadedFile, by: Actor, at: datetime.datetime | None = None) -> None:
    """Keep the signed and stamped copy (scanned) as the register's record copy; a new scan replaces the old."""
    size, name = upload.size or 0, upload.name or ""
    if size == 0:
        raise ServiceError(_("Tệp “%(name)s” rỗng.") % {"name": name}, field="scan")
    if size > settings.EVIDENCE_MAX_MB * 1024 * 1024:
        raise ServiceError(_("Tệp vượt giới hạn %(limit)s MB.") % {"limit": settings.EVIDENCE_MAX_MB}, field="scan")
    upload.seek(0)
    guessed = filetype.guess(upload.read(8192))
    upload.seek(0)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if guessed is None or guessed.mime not in SCAN_TYPES or ext not in SCAN_TYPES[guessed.mime]:
        raise ServiceError(_("Bản chụp phải là tệp PDF, JPG hoặc PNG (kiểm tra theo nội dung tệp)."), field="scan")
    old = entry.scan.name if entry.scan else ""
    entry.scan.save(name, upload, save=False)
    entry.scan_name = name[:255]
    entry.scan_uploaded_at = at or timezone.now()
    entry.save(update_fields=["scan", "scan_name", "scan_uploaded_at"])
    if old:
        storage, kept = entry.scan.storage, old
        transaction.on_commit(lambda: storage.delete(kept))
    record(
        bloc_year=entry.bloc_year,
        by=by,
        action="document.scan",
        target=entry,
        after={"number": str(entry), "file": entry.scan_name},
        at=at,
    )


# The legal frame --------------------------------------------------------------------------------------


@transaction.atomic
def add_legal_text(
    *,
    bloc_year: BlocYear,
    kind: str,
    number: str,
    citation: str,
    effective_from: datetime.date,
    effective_to: datetime.date | None,
    by: Actor,
) -> LegalText:
    """A text of the province's legal frame (a secretariat adds its own province's; national ones are kept by
    the administrator)."""
    if effective_to is not None and effective_to < effective_from:
        raise ServiceError(_("Ngày hết hiệu lực phải sau ngày có hiệu lực."), field="effective_to")
    province = bloc_year.bloc.province
    number = " ".join(number.split())
    if LegalText.objects.filter(Q(province=province) | Q(province__isnull=True), number__iexact=number).exists():
        raise ServiceError(_("Văn bản số %(n)s đã có trong khung pháp lý.") % {"n": number}, field="number")
    top = LegalText.objects.filter(province=province).aggregate(top=Max("order"))["top"] or 0
    text = LegalText.objects.create(
        kind=kind,
        number=number,
        citation=" ".join(citation.split()),
        effective_from=effective_from,
        effective_to=effective_to,
        province=province,
        order=top + 1,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    # Every bloc of the province cites it: their documents' data changed.
    for by_year in BlocYear.objects.filter(bloc__province=province).only("pk", "bloc_id"):
        dataversion.changed(by_year.bloc_id, by_year.pk)
    record(bloc_year=bloc_year, by=by, action="legal.add", target=text, after={"number": number})
    return text


# The year's assessment for the summary --------------------------------------------------------------

YEAR_FIELDS = ("strengths", "weaknesses", "causes", "lessons", "direction")


@transaction.atomic
def save_year_synthesis(
    *, bloc_year: BlocYear, texts: dict[str, str], by: Actor, at: datetime.datetime | None = None
) -> YearSynthesis:
    """Keep the secretariat's strengths, weaknesses, causes, lessons and next year's direction."""
    _check_open(bloc_year)
    synthesis, _created = YearSynthesis.objects.get_or_create(bloc_year=bloc_year)
    changed = [f for f in YEAR_FIELDS if f in texts and texts[f] != getattr(synthesis, f)]
    for f in changed:
        setattr(synthesis, f, texts[f])
    synthesis.updated_by = by if by is not None and by.is_authenticated else None
    synthesis.save()
    record(bloc_year=bloc_year, by=by, action="synthesis.year", target=synthesis, after={"fields": changed}, at=at)
    return synthesis

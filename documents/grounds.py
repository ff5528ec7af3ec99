"""What a document stands on: its issue (number and date from the register, else the setup), the day it is
grounded on when it has no date yet, and the legal texts in force on that day (the legal frame)."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q

from core.models import BlocYear
from documents.models import DocumentSetup, IssuedDocument, LegalText

# Decree 98/2023/NĐ-CP and Law 06/2022/QH15 apply from 01/01/2024: proposals dated from then on use its Annex I
# forms (form 02 for a collective); earlier ones form 01 of decree 91/2017/NĐ-CP (in force from 01/10/2017).
ND98_FROM = datetime.date(2024, 1, 1)


@dataclass(frozen=True)
class Issue:
    number: str  # "05", or "" when the office writes it in at issue
    day: datetime.date | None  # printed date; None leaves day and month blank
    year: int  # the year printed when there is no date
    grounded_on: datetime.date  # the day whose law the document cites


def slot_key(kind_code: str, unit=None, period=None) -> str:
    return f"{kind_code}:{unit.pk if unit else ''}:{period.pk if period else ''}"


def register_entry(bloc_year: BlocYear, kind_code: str, unit=None, period=None) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(bloc_year=bloc_year, slot=slot_key(kind_code, unit, period)).first()


def meeting_day(bloc_year: BlocYear) -> datetime.date | None:
    meeting = getattr(bloc_year, "review_meeting", None)
    return meeting.held_on if meeting is not None else None


def issue_of(kind, bloc_year: BlocYear, setup: DocumentSetup, unit=None, period=None, natural=None) -> Issue:
    """The number and date the document prints. The register's entry wins over the setup's; a bloc-wide setup's
    number and date belong to the bloc's own document, not to each unit's. Without a date, a year-end document
    carries the year of the review meeting (it is issued then, in January of the next year), never the
    competition year; ``natural`` is the date the document has by its nature (the day a report was submitted)."""
    entry = register_entry(bloc_year, kind.code, unit, period)
    per_unit = kind.needs_unit
    if entry is not None:
        number, day = entry.number_text, entry.issued_on
    else:
        number = "" if per_unit else setup.number.strip()
        if number.isdigit() and len(number) == 1:
            number = f"0{number}"  # decree 30: numbers under 10 take a leading zero
        day = natural if per_unit else (setup.issued_on or natural)
    held = meeting_day(bloc_year)
    if kind.year_end:
        year = held.year if held else bloc_year.year + 1
        fallback = held or datetime.date(bloc_year.year + 1, 1, 15)
    else:
        year = bloc_year.year
        fallback = datetime.date(bloc_year.year, 1, 1)
    return Issue(number=number, day=day, year=day.year if day else year, grounded_on=day or fallback)


def frame_on(bloc_year: BlocYear, day: datetime.date) -> list[str] | None:
    """The citations of the legal frame in force on ``day`` for the bloc's province, in citing order: national
    texts, then the province's. None when the frame holds nothing for the province at all."""
    province = bloc_year.bloc.province_id
    texts = LegalText.objects.filter(Q(province__isnull=True) | Q(province_id=province))
    in_force = texts.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
    order = (F("province_id").asc(nulls_first=True), "order", "effective_from", "pk")
    rows = list(in_force.order_by(*order).values_list("citation", flat=True))
    if rows:
        return rows
    return None if not texts.exists() else []


def legal_bases(bloc_year: BlocYear, day: datetime.date) -> list[str]:
    """What a document dated ``day`` cites: the frame's texts in force that day; the covenant's own bases only
    when the frame is empty (a bloc set up before the frame was kept)."""
    frame = frame_on(bloc_year, day)
    if frame is not None:
        return frame
    covenant = getattr(bloc_year, "covenant", None)
    return [b.text for b in covenant.legal_bases.order_by("order")] if covenant is not None else []


def award_regime(day: datetime.date) -> str:
    return "nd98" if day >= ND98_FROM else "nd91"

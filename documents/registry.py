from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class DocumentKind:
    code: str  # used in URLs and the command line: covenant, plan, ranking …
    short: str  # two or three letters in the verification code
    label: Promise | str
    doc_type: str  # KH, BC, BB, TTr … (decree 30 abbreviations), the first part of the symbol
    template: str
    build: Callable  # (bloc_year, unit, period) -> dict of plain printed data
    needs_unit: bool = False
    needs_period: bool = False
    year_end: bool = False  # carries the DỰ THẢO watermark until the year is published
    landscape: bool = False
    default_recipients: tuple[str, ...] = ()
    # The kind's own reading rule beyond the bloc's (officers their own unit, readers every unit): may this
    # document be opened at all, (access, unit, period) -> bool. None: no further rule.
    visible: Callable | None = None
    # What the kind already knows of a new setup (number, date, place), (setup, bloc_year) -> None.
    prefill: Callable | None = None
    # The date the document has by its nature when nobody set one (a report: the day it was submitted),
    # (bloc_year, unit, period) -> date | None.
    natural_day: Callable | None = None


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.code] = kind
    return kind


def by_short(short: str) -> DocumentKind | None:
    return next((k for k in KINDS.values() if k.short == short), None)


def load_all() -> dict[str, DocumentKind]:
    """Every kind, by code. The kinds register themselves when the app is ready (documents/kinds/__init__.py)."""
    return KINDS

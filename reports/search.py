"""Search across the reports and evidence of every year a user may open.

What a user finds is exactly what they may read: the reports of `reports.access.visible_reports` and the files of
`visible_evidence`, asked of each year with the user's standing in it (a unit's own drafts, other units' reports
once submitted; readers never a draft), so that a word planted in a draft is found by its unit alone.

On PostgreSQL: full-text search with the 'simple' configuration (Vietnamese has no stemmer; 'simple' lower-cases
and splits on spaces and punctuation, which suits a language whose words are syllables). Each typed word matches
words that start with it. Diacritics are kept, not folded (no `unaccent`): in Vietnamese they tell words apart
(ma, má, mà, mả, mã, mạ are six words; "tiền" is money, "tiến" progress), so folding them would bury what was
asked for under what was not; the query and the texts are compared in Unicode NFC. On SQLite (the demo): a plain
case-insensitive "contains" of every word (SQLite folds the case of ASCII letters only).

A fixed number of queries whatever the data: one per kind of text (report sections, a report's general proposals,
evidence), each capped at LIMIT rows.
"""

import functools
import operator
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from core.access import Access
from core.models import BlocYear, Unit
from covenant.models import CovenantContent
from reports.access import visible_evidence, visible_reports
from reports.models import Evidence, ProgressReport, ReportingPeriod, ReportSection

LIMIT = 200  # rows of each kind read; more asks the user to narrow the search
MAX_WORDS = 8
SNIPPET_BEFORE, SNIPPET_AFTER = 60, 160

SECTION_FIELDS = {
    "done": _("Kết quả thực hiện"),
    "difficulties": _("Khó khăn, vướng mắc"),
    "next_steps": _("Nhiệm vụ, giải pháp thời gian tới"),
}
EVIDENCE_FIELDS = {
    "summary": _("Trích yếu"),
    "number_symbol": _("Số, ký hiệu"),
    "original_name": _("Tên tệp"),
}
KINDS = {"report": _("Báo cáo"), "evidence": _("Minh chứng")}

_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(q: str) -> list[str]:
    """The words searched for: letters and digits only (no query syntax reaches the database), NFC, at most
    MAX_WORDS of them."""
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", q))))[:MAX_WORDS]


@dataclass
class Hit:
    kind: str  # "report" or "evidence"
    bloc_year: BlocYear
    unit: Unit
    period: ReportingPeriod | None
    content: CovenantContent | None
    field_label: str
    snippet: SafeString
    url: str
    rank: float = 0.0
    title: str = ""
    status_label: str = ""


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _text_filter(fields: list[str], words: list[str]) -> Q:
    """SQLite: every word in one of the fields."""
    return functools.reduce(
        operator.and_,
        (functools.reduce(operator.or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words),
    )


def _full_text(qs: QuerySet, fields: list[str], words: list[str], contains: list[str]) -> QuerySet:
    """PostgreSQL: every word as the start of a word of the fields, ranked; or every word inside one of the
    `contains` fields (file names: the parser reads "ke-hoach-2025.pdf" as one token, a file name)."""
    vector = SearchVector(*fields, config="simple")
    # The words hold only letters and digits (words_of): a raw query of prefixes is safe to build.
    query = SearchQuery(" & ".join(f"{w}:*" for w in words), config="simple", search_type="raw")
    matched = Q(search=query) | _text_filter(contains, words) if contains else Q(search=query)
    return qs.annotate(search=vector).filter(matched).annotate(rank=SearchRank(vector, query))


def _pattern(words: list[str]) -> re.Pattern:
    # Full-text search matches the start of words; the fallback matches anywhere.
    start = r"(?<!\w)" if uses_full_text() else ""
    return re.compile(start + "(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")", re.I)


def snippet(text: str, pattern: re.Pattern) -> SafeString:
    """A window of the text around its first match, escaped, each match in <mark>."""
    text = unicodedata.normalize("NFC", text or "")
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    end = min(len(text), start + SNIPPET_BEFORE + SNIPPET_AFTER)
    window = text[start:end]
    parts: list[str] = []
    last = 0
    for m in pattern.finditer(window):
        parts.append(str(escape(window[last : m.start()])))
        parts.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    parts.append(str(escape(window[last:])))
    return mark_safe(("… " if start else "") + "".join(parts) + (" …" if end < len(text) else ""))  # noqa: S308


def _first_field(obj, fields: dict, pattern: re.Pattern) -> tuple[str, str]:
    for name, label in fields.items():
        value = getattr(obj, name) or ""
        if pattern.search(unicodedata.normalize("NFC", value)):
            return name, str(label)
    name = next(iter(fields))
    return name, str(fields[name])


def _occurrences(texts: list[str], pattern: re.Pattern) -> int:
    return sum(len(pattern.findall(unicodedata.normalize("NFC", t or ""))) for t in texts)


def _year_url(name: str, bloc_year: BlocYear, *args) -> str:
    return reverse(name, args=[bloc_year.bloc.code, bloc_year.year, *args])


@dataclass
class Results:
    hits: list[Hit]
    truncated: bool


def search(accesses: list[Access], q: str, *, kind: str = "", order: str = "newest") -> Results:
    """What these accesses (one per year, the user's standing in it) find for q, sorted by `order`
    ("newest": year, period, unit; "relevance": rank, then newest)."""
    words = words_of(q)
    if not words or not accesses:
        return Results([], False)
    pattern = _pattern(words)
    full_text = uses_full_text()
    reports = functools.reduce(operator.or_, (visible_reports(a) for a in accesses))
    hits: list[Hit] = []
    truncated = False

    def _rank(obj, texts: list[str]) -> float:
        # PostgreSQL's rank; on SQLite how often the words occur.
        return float(obj.rank) if full_text else float(_occurrences(texts, pattern))

    def ranked(qs: QuerySet, fields: list[str], contains: tuple[str, ...] = ()) -> QuerySet:
        if full_text:
            qs = _full_text(qs, fields, words, list(contains))
            return qs.order_by("-rank", "-pk") if order == "relevance" else qs
        return qs.filter(_text_filter(fields, words))

    if kind in ("", "report"):
        sections = ranked(
            ReportSection.objects.filter(report__in=reports).select_related(
                "report__period__bloc_year__bloc", "report__unit", "content"
            ),
            list(SECTION_FIELDS),
        )
        if order != "relevance" or not full_text:
            sections = sections.order_by("-report__period__bloc_year__year", "-report__period__order", "-pk")
        found = list(sections[: LIMIT + 1])
        truncated |= len(found) > LIMIT
        for s in found[:LIMIT]:
            name, label = _first_field(s, SECTION_FIELDS, pattern)
            r = s.report
            hits.append(
                Hit(
                    kind="report",
                    bloc_year=r.period.bloc_year,
                    unit=r.unit,
                    period=r.period,
                    content=s.content,
                    field_label=label,
                    snippet=snippet(getattr(s, name), pattern),
                    url=_year_url("reports:report", r.period.bloc_year, r.pk) + f"#section-{s.content.order}",
                    rank=_rank(s, [s.done, s.difficulties, s.next_steps]),
                    title=str(r.period.name),
                    status_label=r.get_status_display(),
                )
            )
        proposals = ranked(
            ProgressReport.objects.filter(pk__in=reports.values("pk")).select_related(
                "period__bloc_year__bloc", "unit"
            ),
            ["general_proposals"],
        )
        if order != "relevance" or not full_text:
            proposals = proposals.order_by("-period__bloc_year__year", "-period__order", "-pk")
        found = list(proposals[: LIMIT + 1])
        truncated |= len(found) > LIMIT
        for r in found[:LIMIT]:
            hits.append(
                Hit(
                    kind="report",
                    bloc_year=r.period.bloc_year,
                    unit=r.unit,
                    period=r.period,
                    content=None,
                    field_label=str(_("Đề xuất, kiến nghị chung")),
                    snippet=snippet(r.general_proposals, pattern),
                    url=_year_url("reports:report", r.period.bloc_year, r.pk),
                    rank=_rank(r, [r.general_proposals]),
                    title=str(r.period.name),
                    status_label=r.get_status_display(),
                )
            )
    if kind in ("", "evidence"):
        files = functools.reduce(operator.or_, (visible_evidence(a) for a in accesses))
        evidence = ranked(
            Evidence.objects.filter(pk__in=files.values("pk")).select_related("bloc_year__bloc", "unit"),
            list(EVIDENCE_FIELDS),
            contains=("original_name",),
        )
        if order != "relevance" or not full_text:
            evidence = evidence.order_by("-bloc_year__year", "-uploaded_at", "-pk")
        found = list(evidence[: LIMIT + 1])
        truncated |= len(found) > LIMIT
        for e in found[:LIMIT]:
            name, label = _first_field(e, EVIDENCE_FIELDS, pattern)
            hits.append(
                Hit(
                    kind="evidence",
                    bloc_year=e.bloc_year,
                    unit=e.unit,
                    period=None,
                    content=None,
                    field_label=label,
                    snippet=snippet(getattr(e, name), pattern),
                    url=_year_url("reports:evidence_download", e.bloc_year, e.pk),
                    rank=_rank(e, [e.summary, e.number_symbol, e.original_name]),
                    title=e.number_symbol or e.original_name,
                )
            )

    def newest(h: Hit) -> tuple:
        return (
            -h.bloc_year.year,
            h.bloc_year.bloc.name,
            0 if h.kind == "report" else 1,
            -(h.period.order if h.period else 0),
            h.unit.name,
            h.content.order if h.content else 0,
        )

    hits.sort(key=(lambda h: (-h.rank, newest(h))) if order == "relevance" else newest)
    return Results(hits, truncated)

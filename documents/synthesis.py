"""The summary report's synthesis, pre-filled from the units' accepted reports for the secretariat to edit: per
content an aggregate of the units' result rows and one line per unit in STT order; for the year strengths,
weaknesses, causes, lessons and next year's direction. No sentence is printed twice."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.models import BlocYear
from reports.models import ProgressReport, ReportSection

# Sentences that point at a table of the unit's own report, which the summary does not reprint.
_POINTS_AT_TABLE = re.compile(r"(như|theo) bảng (dưới|sau|kèm)|bảng dưới đây", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ỹ0-9(“\"-])")
_NUMBER = re.compile(r"-?\d[\d.]*(,\d+)?")


def number(text: str) -> Decimal | None:
    """ "1.200" → 1200, "83,5" → 83.5, "100%" → 100; None when the cell holds no figure."""
    m = _NUMBER.search(text or "")
    if m is None:
        return None
    try:
        return Decimal(m.group(0).replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None


def sentences(text: str) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        for s in _SENTENCE.split(line.strip().lstrip("-–•+ ").strip()):
            s = s.strip()
            if s and not _POINTS_AT_TABLE.search(s):
                out.append(s if s[-1] in ".;!?:" else s + ".")
    return out


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower()).strip()


class Once:
    """Hands out each sentence once: the same sentence from two units (or two parts) is printed the first time."""

    def __init__(self):
        self.seen: set[str] = set()

    def take(self, items: list[str], limit: int | None = None) -> list[str]:
        kept = []
        for s in items:
            k = _key(s)
            if k and k not in self.seen:
                self.seen.add(k)
                kept.append(s)
                if limit is not None and len(kept) >= limit:
                    break
        return kept


@dataclass
class ContentFacts:
    units: list = field(default_factory=list)  # (order, unit, section) in STT order
    rows: list = field(default_factory=list)  # {"unit", "indicator", "target", "result", "met"}


def latest_sections(bloc_year: BlocYear) -> dict[int, ContentFacts]:
    """Per content, each unit's section of its latest accepted report, in STT order (three queries)."""
    order = {m.unit_id: m.order for m in bloc_year.memberships.all()}
    rank = {p.pk: i for i, p in enumerate(bloc_year.periods.order_by("-order"))}
    latest: dict[tuple[int, int], ReportSection] = {}
    for s in (
        ReportSection.objects.filter(report__period__bloc_year=bloc_year, report__status=ProgressReport.Status.ACCEPTED)
        .select_related("report__unit")
        .prefetch_related("results")
    ):
        key = (s.content_id, s.report.unit_id)
        if key not in latest or rank[s.report.period_id] < rank[latest[key].report.period_id]:
            latest[key] = s
    facts: dict[int, ContentFacts] = {}
    for (content_id, unit_id), s in sorted(latest.items(), key=lambda kv: order.get(kv[0][1], 999)):
        f = facts.setdefault(content_id, ContentFacts())
        f.units.append((order.get(unit_id, 0), s.report.unit, s))
        for r in s.results.all():
            target, result = number(r.target), number(r.result)
            f.rows.append(
                {
                    "unit": s.report.unit.short_name,
                    "indicator": r.indicator,
                    "target": r.target,
                    "result": r.result,
                    "met": None if target is None or result is None else result >= target,
                }
            )
    return facts


def aggregate_line(f: ContentFacts, members: int) -> str:
    measured = [r for r in f.rows if r["met"] is not None]
    met = sum(1 for r in measured if r["met"])
    line = _("%(n)s/%(members)s đơn vị có báo cáo về nội dung này") % {"n": len(f.units), "members": members}
    if measured:
        line += _(
            "; %(total)s chỉ tiêu được theo dõi: %(met)s chỉ tiêu đạt và vượt kế hoạch, %(missed)s chỉ tiêu chưa đạt"
        ) % {
            "total": len(measured),
            "met": met,
            "missed": len(measured) - met,
        }
    return line + "."


def content_texts(
    bloc_year: BlocYear, facts: dict[int, ContentFacts] | None = None, once: Once | None = None
) -> dict[int, str]:
    """Per content: the aggregate, then one line per unit in STT order with what it did (sentences not
    already said by an earlier unit)."""
    facts = latest_sections(bloc_year) if facts is None else facts
    once = once or Once()
    members = bloc_year.memberships.count()
    out = {}
    for content_id, f in facts.items():
        lines = [aggregate_line(f, members)]
        for _order, unit, s in f.units:
            said = once.take(sentences(s.done), limit=2)
            if said:
                lines.append(f"- {unit.name}: {' '.join(said)}")
        out[content_id] = "\n".join(lines)
    return out


# A difficulty that says why (… do …, … nên …) reads as a cause; "Không có." says nothing.
CAUSE = re.compile(r"\b(do|vì|bởi|nguyên nhân|nên|phụ thuộc|ảnh hưởng)\b", re.I)
NOTHING = re.compile(r"^\s*không có\b[^.]{0,30}\.?\s*$", re.I)


def year_texts(
    bloc_year: BlocYear, facts: dict[int, ContentFacts] | None = None, titles: dict[int, str] | None = None
) -> dict[str, str]:
    """Strengths, weaknesses, causes, lessons and direction, pre-filled from the reports."""
    facts = latest_sections(bloc_year) if facts is None else facts
    titles = titles or {}
    once = Once()
    year = bloc_year.year
    all_met = [
        titles.get(cid, "")
        for cid, f in facts.items()
        if f.rows and all(r["met"] for r in f.rows if r["met"] is not None)
    ]
    missed = [r for f in facts.values() for r in f.rows if r["met"] is False]
    strengths = [
        _(
            "Các đơn vị thành viên đã tích cực triển khai Giao ước thi đua năm %(year)s; %(n)s/%(members)s đơn vị "
            "báo cáo đầy đủ kết quả thực hiện các nội dung giao ước."
        )
        % {
            "year": year,
            "n": len({u.pk for f in facts.values() for _o, u, _s in f.units}),
            "members": bloc_year.memberships.count(),
        }
    ]
    if all_met:
        strengths.append(
            _("Các chỉ tiêu được giao đều đạt và vượt kế hoạch ở các nội dung: %(titles)s.")
            % {"titles": "; ".join(t for t in all_met if t)}
        )
    weaknesses, causes, direction = [], [], []
    if missed:
        weaknesses.append(
            _("Còn %(n)s chỉ tiêu chưa đạt kế hoạch: %(items)s.")
            % {
                "n": len(missed),
                "items": "; ".join(f"{r['unit']} – {r['indicator']} ({r['result']}/{r['target']})" for r in missed[:6]),
            }
        )
    # Unit by unit in STT order, whatever content the sentence was written under.
    by_unit: dict[int, tuple[int, object, list[str], list[str]]] = {}
    for f in facts.values():
        for order, unit, s in f.units:
            entry = by_unit.setdefault(unit.pk, (order, unit, [], []))
            entry[2].extend(x for x in sentences(s.difficulties) if not NOTHING.match(x))
            entry[3].extend(sentences(s.next_steps))
    for _order, unit, difficult, steps in sorted(by_unit.values(), key=lambda e: e[0]):
        for sentence in once.take([x for x in difficult if CAUSE.search(x)], limit=1):
            causes.append(f"- {unit.short_name}: {sentence}")
        said = once.take([x for x in difficult if not CAUSE.search(x)], limit=2)
        if said:
            weaknesses.append(f"- {unit.short_name}: {' '.join(said)}")
        for sentence in once.take(steps, limit=1):
            direction.append(f"- {unit.short_name}: {sentence}")
    lessons = [
        _(
            "Bám sát nội dung Giao ước ngay từ đầu năm, phân công cán bộ theo dõi và báo cáo đúng hạn là điều kiện "
            "để kết quả chấm điểm, bình xét được khách quan, chính xác."
        ),
        _("Minh chứng kèm theo từng kết quả giúp việc chấm chéo, thẩm định nhanh và ít phải giải trình lại."),
    ]
    return {
        "strengths": "\n".join(strengths),
        "weaknesses": "\n".join(weaknesses),
        "causes": "\n".join(causes),
        "lessons": "\n".join(lessons),
        "direction": "\n".join(direction[:12]),
    }

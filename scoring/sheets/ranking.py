"""From the database to the ranking engine and back: the year's ranking in a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.formatting import plain
from core.models import BlocYear, Membership, Unit
from reports.board import reporting_record
from reports.models import ReportingPeriod
from scoring.scoreboard.models import Criterion, Scoreboard, TieBreak
from scoring.sheets import engine
from scoring.sheets.models import (
    ApprovedRecord,
    BonusClaim,
    Deduction,
    ItemScore,
    RankSnapshot,
    ScoreSheet,
    ScoringRound,
)

ZERO = Decimal(0)


def rules_for(board: Scoreboard, criteria: list[Criterion]) -> list[engine.Rule]:
    index = {c.pk: i for i, c in enumerate(criteria)}
    rules = []
    for t in board.tie_breaks.all():
        if t.kind == TieBreak.Kind.CRITERION:
            if t.criterion_id in index:
                rules.append(engine.Rule(f"criterion:{index[t.criterion_id]}", str(t)))
        else:
            key = {
                TieBreak.Kind.FEWER_LATE: "late",
                TieBreak.Kind.FEWER_MISSING: "missing",
                TieBreak.Kind.FEWER_DEDUCTIONS: "deductions",
                TieBreak.Kind.HIGHER_BONUS: "bonus",
            }[t.kind]
            rules.append(engine.Rule(key, str(t)))
    return rules


def counts(bonus: BonusClaim) -> bool:
    """A claim counts once accepted; before its review it counts provisionally, as claimed."""
    return bonus.review != BonusClaim.Review.REJECTED


@dataclass(frozen=True)
class FrozenCriterion:
    """A criterion as the approved record names it."""

    pk: int
    order: int
    title: str
    maximum: Decimal | None = None  # its sub-items' points, as they were (records before the charts lack it)


@dataclass(frozen=True)
class FrozenBonus:
    label: str
    points: Decimal


@dataclass
class UnitScores:
    membership: Membership
    sheet: ScoreSheet | None
    criteria: list[Decimal]
    self_criteria: list[Decimal]
    bonus_lines: list  # BonusClaim, or FrozenBonus from an approved record
    deduction_lines: list[engine.DeductionLine]
    late: list
    missing: list


@dataclass
class Ranking:
    bloc_year: BlocYear
    board: Scoreboard
    criteria: list  # Criterion, or FrozenCriterion from an approved record
    rules: list[engine.Rule]
    rows: list[engine.Row]
    units: dict[int, UnitScores]
    approved: bool
    earlier: dict[int, list[tuple[int, int]]]  # unit id → [(year, rank)]
    record: ApprovedRecord | None = None  # the approved record it was read from

    def lines(self):
        for row in self.rows:
            yield row, self.units[row.entry.unit_id]


@dataclass(frozen=True)
class AutoDeduction(engine.DeductionLine):
    """A deduction from the reporting record: which period, late or missing (the approved record keeps both)."""

    kind: str = ""
    period_id: int | None = None
    period_name: str = ""


def late_label(name: str) -> str:
    return _("Báo cáo trễ hạn: %(p)s") % {"p": name}


def missing_label(name: str) -> str:
    return _("Không nộp báo cáo: %(p)s") % {"p": name}


def automatic_deductions(board: Scoreboard, record: dict, waivers: set[tuple[str, int]]) -> list[engine.DeductionLine]:
    lines: list[engine.DeductionLine] = []
    for period in record["late"]:
        if ("waive_late", period.pk) not in waivers:
            lines.append(
                AutoDeduction(late_label(period.name), board.late_report_points, "late", period.pk, period.name)
            )
    for period in record["missing"]:
        if ("waive_missing", period.pk) not in waivers:
            lines.append(
                AutoDeduction(
                    missing_label(period.name), board.missing_report_points, "missing", period.pk, period.name
                )
            )
    return lines


def compute(bloc_year: BlocYear, now: datetime.datetime | None = None, *, live: bool = False) -> Ranking:
    """The year's ranking: once approved, the approved record as it was decided; before (or with live=True, which
    only the approval itself uses) computed from the scores and the reporting record as of ``now``."""
    if not live:
        record = ApprovedRecord.objects.filter(bloc_year=bloc_year, reopened_at__isnull=True).first()
        if record is not None:
            return from_record(bloc_year, record)
    board = Scoreboard.objects.prefetch_related("tie_breaks__criterion").get(bloc_year=bloc_year)
    criteria = list(_criteria(board))
    crit_index = {c.pk: i for i, c in enumerate(criteria)}
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    sheets = {
        s.unit_id: s
        for s in ScoreSheet.objects.filter(bloc_year=bloc_year).prefetch_related(
            Prefetch("items", ItemScore.objects.select_related("sub_item")),
            Prefetch("bonus_claims", BonusClaim.objects.select_related("bonus_item")),
            Prefetch("deductions", Deduction.objects.select_related("period")),
        )
    }
    record = reporting_record(bloc_year, now)
    units: dict[int, UnitScores] = {}
    entries = []
    for m in members:
        sheet = sheets.get(m.unit_id)
        if sheet is not None and sheet.status == ScoreSheet.Status.DRAFT:
            sheet = None  # nobody but the unit sees a draft: it counts as no sheet yet
        final = [ZERO] * len(criteria)
        own = [ZERO] * len(criteria)
        bonus_lines, manual, waivers = [], [], set()
        if sheet is not None:
            for item in sheet.items.all():
                i = crit_index.get(item.sub_item.criterion_id)
                if i is None:
                    continue
                final[i] += item.final_score or ZERO
                own[i] += item.self_score or ZERO
            bonus_lines = [b for b in sheet.bonus_claims.all() if counts(b)]
            for d in sheet.deductions.all():
                if d.kind == Deduction.Kind.MANUAL:
                    manual.append(engine.DeductionLine(d.reason, d.points))
                else:
                    waivers.add((d.kind, d.period_id))
        unit_record = record.get(m.unit_id, {"late": [], "missing": []})
        deductions = automatic_deductions(board, unit_record, waivers) + manual
        units[m.unit_id] = UnitScores(
            m, sheet, final, own, bonus_lines, deductions, unit_record["late"], unit_record["missing"]
        )
        entries.append(
            engine.Entry(
                unit_id=m.unit_id,
                order=m.order,
                criteria=tuple(final),
                bonus_claimed=sum((b.bonus_item.points for b in bonus_lines), ZERO),
                deductions=tuple(deductions),
                late=len(unit_record["late"]),
                missing=len(unit_record["missing"]),
            )
        )
    rules = rules_for(board, criteria)
    rows = engine.rank(entries, bonus_cap=board.bonus_cap, rules=rules)
    earlier = _earlier(bloc_year)
    approved = ScoringRound.objects.filter(bloc_year=bloc_year, approved_at__isnull=False).exists()
    return Ranking(bloc_year, board, criteria, rules, rows, units, approved=approved, earlier=earlier)


def _criteria(board: Scoreboard):
    """The board's criteria, each with its maximum (the sum of its sub-items' points) as ``maximum``."""
    return Criterion.objects.filter(scoreboard=board).annotate(maximum=Sum("sub_items__max_points")).order_by("order")


def _earlier(bloc_year: BlocYear) -> dict[int, list[tuple[int, int]]]:
    earlier: dict[int, list[tuple[int, int]]] = {}
    for snap in (
        RankSnapshot.objects.filter(bloc_year__bloc_id=bloc_year.bloc_id, bloc_year__year__lt=bloc_year.year)
        .select_related("bloc_year")
        .order_by("-bloc_year__year")
    ):
        earlier.setdefault(snap.unit_id, []).append((snap.bloc_year.year, snap.rank))
    return earlier


@dataclass(frozen=True)
class YearResult:
    year: int
    rank: int
    units: int  # how many units were ranked that year
    total: Decimal


def unit_results(bloc_year: BlocYear, unit_id: int) -> list[YearResult]:
    """A unit's decided ranks and totals in this bloc, up to this year, oldest first, in two queries. Only decided
    years have them: the approval writes the snapshots (a reopening removes them), an imported year comes with its
    own."""
    years = RankSnapshot.objects.filter(bloc_year__bloc_id=bloc_year.bloc_id, bloc_year__year__lte=bloc_year.year)
    sizes = dict(years.values_list("bloc_year__year").annotate(n=Count("id")).order_by())
    return [
        YearResult(year, rank, sizes.get(year, rank), total)
        for year, rank, total in years.filter(unit_id=unit_id)
        .order_by("bloc_year__year")
        .values_list("bloc_year__year", "rank", "total")
    ]


def _d(value) -> str:
    return plain(value)


def record_data(ranking: Ranking, at: datetime.datetime) -> dict:
    """Everything the ranking shows, as the approval keeps it (numbers as strings: Decimal, never float)."""
    rule_keys = {r.label: r.key for r in ranking.rules}
    names = {uid: u.membership.unit.short_name for uid, u in ranking.units.items()}
    rows = []
    for row, u in ranking.lines():
        deductions = []
        for d in row.entry.deductions:
            if isinstance(d, AutoDeduction):
                deductions.append(
                    {"kind": d.kind, "period": d.period_id, "period_name": d.period_name, "points": _d(d.points)}
                )
            else:
                deductions.append({"kind": "manual", "reason": d.label, "points": _d(d.points)})
        with override("vi"):
            note = tie_note(row, names)
        rows.append(
            {
                "unit": row.entry.unit_id,
                "order": row.entry.order,
                "unit_name": u.membership.unit.name,
                "short_name": u.membership.unit.short_name,
                "has_sheet": u.sheet is not None,
                "criteria": [_d(v) for v in row.entry.criteria],
                "self_criteria": [_d(v) for v in u.self_criteria],
                "bonus_claimed": _d(row.entry.bonus_claimed),
                "bonus_lines": [{"label": b.bonus_item.text, "points": _d(b.bonus_item.points)} for b in u.bonus_lines],
                "bonus": _d(row.bonus),
                "deductions": deductions,
                "deductions_total": _d(row.deductions),
                "late": [p.pk for p in u.late],
                "missing": [p.pk for p in u.missing],
                "criteria_total": _d(row.criteria_total),
                "total": _d(row.total),
                "rank": row.rank,
                "tied_with": row.tied_with,
                "separated_by": [rule_keys.get(label, label) for label in row.separated_by],
                "shared": row.shared,
                "tie_note": note,
            }
        )
    with override("vi"):
        rules = [{"key": r.key, "label": str(r.label)} for r in ranking.rules]
    return {
        "as_of": at.isoformat(),
        "board": {
            "bonus_cap": _d(ranking.board.bonus_cap),
            "late_report_points": _d(ranking.board.late_report_points),
            "missing_report_points": _d(ranking.board.missing_report_points),
        },
        "criteria": [{"pk": c.pk, "order": c.order, "title": c.title, "max": _d(c.maximum)} for c in ranking.criteria],
        "rules": rules,
        "rows": rows,
    }


def from_record(bloc_year: BlocYear, record: ApprovedRecord) -> Ranking:
    """The approved ranking read back from its record, in a fixed number of queries."""
    data = record.data
    board = Scoreboard.objects.prefetch_related("tie_breaks__criterion").get(bloc_year=bloc_year)
    # The record's settings, not today's: the board object carries them for the pages (never saved).
    for key, value in data["board"].items():
        setattr(board, key, Decimal(value))
    live = list(_criteria(board))
    live_max = {c.pk: c.maximum for c in live}
    criteria = [
        FrozenCriterion(c["pk"], c["order"], c["title"], Decimal(c["max"]) if c.get("max") else live_max.get(c["pk"]))
        for c in data["criteria"]
    ]
    # Rule labels in the page's language when the rule still exists, else as the record wrote them.
    live_labels = {r.key: r.label for r in rules_for(board, live)}
    rules = [engine.Rule(r["key"], live_labels.get(r["key"], r["label"])) for r in data["rules"]]
    labels = {r.key: r.label for r in rules}
    members = {m.unit_id: m for m in bloc_year.memberships.select_related("unit")}
    missing_units = [r["unit"] for r in data["rows"] if r["unit"] not in members]
    gone = {u.pk: u for u in Unit.objects.filter(pk__in=missing_units)} if missing_units else {}
    sheets = {s.unit_id: s for s in ScoreSheet.objects.filter(bloc_year=bloc_year)}
    period_ids = {p for r in data["rows"] for p in [*r["late"], *r["missing"]]}
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(pk__in=period_ids)} if period_ids else {}
    rows, units = [], {}
    for r in data["rows"]:
        lines: list[engine.DeductionLine] = []
        for d in r["deductions"]:
            points = Decimal(d["points"])
            if d["kind"] == "late":
                lines.append(AutoDeduction(late_label(d["period_name"]), points, "late", d["period"], d["period_name"]))
            elif d["kind"] == "missing":
                lines.append(
                    AutoDeduction(missing_label(d["period_name"]), points, "missing", d["period"], d["period_name"])
                )
            else:
                lines.append(engine.DeductionLine(d["reason"], points))
        entry = engine.Entry(
            unit_id=r["unit"],
            order=r["order"],
            criteria=tuple(Decimal(v) for v in r["criteria"]),
            bonus_claimed=Decimal(r["bonus_claimed"]),
            deductions=tuple(lines),
            late=len(r["late"]),
            missing=len(r["missing"]),
        )
        rows.append(
            engine.Row(
                entry=entry,
                criteria_total=Decimal(r["criteria_total"]),
                bonus=Decimal(r["bonus"]),
                deductions=Decimal(r["deductions_total"]),
                total=Decimal(r["total"]),
                rank=r["rank"],
                tied_with=list(r["tied_with"]),
                separated_by=[labels.get(k, k) for k in r["separated_by"]],
                shared=r["shared"],
            )
        )
        membership = members.get(r["unit"])
        if membership is None:
            unit = gone.get(r["unit"]) or Unit(pk=r["unit"], name=r["unit_name"], short_name=r["short_name"])
            membership = Membership(bloc_year=bloc_year, unit=unit, order=r["order"], year=bloc_year.year)
        units[r["unit"]] = UnitScores(
            membership,
            sheets.get(r["unit"]) if r["has_sheet"] else None,
            list(entry.criteria),
            [Decimal(v) for v in r["self_criteria"]],
            [FrozenBonus(b["label"], Decimal(b["points"])) for b in r["bonus_lines"]],
            lines,
            [periods[p] for p in r["late"] if p in periods],
            [periods[p] for p in r["missing"] if p in periods],
        )
    return Ranking(
        bloc_year, board, criteria, rules, rows, units, approved=True, earlier=_earlier(bloc_year), record=record
    )


NAMED_IN_TIE_NOTE = 3


def tie_note(row: engine.Row, names: dict[int, str]) -> str:
    """Why a unit that shares its total with others stands where it does, in one sentence."""
    if not row.tied_with:
        return ""
    others = ", ".join(names.get(i, "?") for i in row.tied_with[:NAMED_IN_TIE_NOTE])
    if len(row.tied_with) > NAMED_IN_TIE_NOTE:
        # A large bloc can have dozens of units on one total: the note names a few, the ranks show the rest.
        others = _("%(units)s và %(count)s đơn vị khác") % {
            "units": others,
            "count": len(row.tied_with) - NAMED_IN_TIE_NOTE,
        }
    if row.shared and not row.separated_by:
        return _("Bằng tổng điểm với %(units)s; các quy tắc phân định không tách được: đồng hạng.") % {"units": others}
    rules = ", ".join(row.separated_by)
    if row.shared:
        return _("Bằng tổng điểm với %(units)s; phân định theo: %(rules)s; vẫn đồng hạng với một số đơn vị.") % {
            "units": others,
            "rules": rules,
        }
    return _("Bằng tổng điểm với %(units)s; phân định theo: %(rules)s.") % {"units": others, "rules": rules}

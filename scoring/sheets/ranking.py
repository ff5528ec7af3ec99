"""From the database to the ranking engine and back: the year's ranking in a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core.models import BlocYear, Membership
from reports.board import reporting_record
from scoring.scoreboard.models import Criterion, Scoreboard, TieBreak
from scoring.sheets import engine
from scoring.sheets.models import BonusClaim, Deduction, ItemScore, RankSnapshot, ScoreSheet, ScoringRound

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


@dataclass
class UnitScores:
    membership: Membership
    sheet: ScoreSheet | None
    criteria: list[Decimal]
    self_criteria: list[Decimal]
    bonus_lines: list[BonusClaim]
    deduction_lines: list[engine.DeductionLine]
    late: list
    missing: list


@dataclass
class Ranking:
    bloc_year: BlocYear
    board: Scoreboard
    criteria: list[Criterion]
    rules: list[engine.Rule]
    rows: list[engine.Row]
    units: dict[int, UnitScores]
    approved: bool
    earlier: dict[int, list[tuple[int, int]]]  # unit id → [(year, rank)]

    def lines(self):
        for row in self.rows:
            yield row, self.units[row.entry.unit_id]


def automatic_deductions(board: Scoreboard, record: dict, waivers: set[tuple[str, int]]) -> list[engine.DeductionLine]:
    lines = []
    for period in record["late"]:
        if ("waive_late", period.pk) not in waivers:
            lines.append(
                engine.DeductionLine(_("Báo cáo trễ hạn: %(p)s") % {"p": period.name}, board.late_report_points)
            )
    for period in record["missing"]:
        if ("waive_missing", period.pk) not in waivers:
            lines.append(
                engine.DeductionLine(_("Không nộp báo cáo: %(p)s") % {"p": period.name}, board.missing_report_points)
            )
    return lines


def compute(bloc_year: BlocYear, now: datetime.datetime | None = None) -> Ranking:
    board = Scoreboard.objects.prefetch_related("tie_breaks__criterion").get(bloc_year=bloc_year)
    criteria = list(Criterion.objects.filter(scoreboard=board).order_by("order"))
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
    earlier: dict[int, list[tuple[int, int]]] = {}
    for snap in (
        RankSnapshot.objects.filter(bloc_year__bloc_id=bloc_year.bloc_id, bloc_year__year__lt=bloc_year.year)
        .select_related("bloc_year")
        .order_by("-bloc_year__year")
    ):
        earlier.setdefault(snap.unit_id, []).append((snap.bloc_year.year, snap.rank))
    approved = ScoringRound.objects.filter(bloc_year=bloc_year, approved_at__isnull=False).exists()
    return Ranking(bloc_year, board, criteria, rules, rows, units, approved=approved, earlier=earlier)


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

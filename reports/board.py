"""The read side of reporting: the completeness board (units × periods), the reporting record the scoring
deductions are computed from, and what a year's dashboard shows about reporting."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import ngettext

from core.models import BlocYear, Membership, Unit
from reports.models import Extension, ProgressReport, ReportingPeriod
from reports.services.periods import TIMELINESS_LABELS, Timeliness, timeliness

Status = ProgressReport.Status


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Board --------------------------------------------------------------------------------------------


@dataclass
class Cell:
    period: ReportingPeriod
    unit: Unit
    report: ProgressReport | None
    timeliness: Timeliness
    extension: Extension | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""

    @property
    def timeliness_label(self) -> str:
        return str(TIMELINESS_LABELS[self.timeliness])


@dataclass
class Board:
    periods: list[ReportingPeriod]
    members: list[Membership]
    cells: dict[tuple[int, int], Cell]

    def row(self, unit_id: int) -> list[Cell]:
        return [self.cells[(unit_id, p.pk)] for p in self.periods]

    def rows(self) -> list[tuple[Membership, list[Cell], dict]]:
        return [(m, (cells := self.row(m.unit_id)), rates(cells)) for m in self.members]

    def period_rates(self) -> list[dict]:
        return [rates([self.cells[(m.unit_id, p.pk)] for m in self.members]) for p in self.periods]


def rates(cells: Sequence[Cell]) -> dict:
    """Counts for a row or column of the board.

    `units` cells in all; `received` reports submitted (early ones included); `due` cells whose deadline
    has passed or that were submitted anyway; rates are taken among the due cells.
    """
    received = [c for c in cells if c.timeliness in (Timeliness.ON_TIME, Timeliness.LATE)]
    due = [
        c
        for c in cells
        if c.timeliness in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.OVERDUE)
    ]
    on_time = [c for c in received if c.timeliness == Timeliness.ON_TIME]
    n = len(due)
    return {
        "units": len(cells),
        "expected": n,
        "received": len(received),
        "on_time": len(on_time),
        "late": sum(1 for c in received if c.timeliness == Timeliness.LATE),
        "missing": sum(1 for c in due if c.timeliness == Timeliness.MISSING),
        "overdue": sum(1 for c in due if c.timeliness == Timeliness.OVERDUE),
        "received_rate": round(100 * len(received) / n) if n else None,
        "on_time_rate": round(100 * len(on_time) / n) if n else None,
    }


def completeness_board(bloc_year: BlocYear, now: datetime.datetime | None = None) -> Board:
    """Units × periods in three queries, whatever the number of units."""
    now = _now(now)
    periods = list(bloc_year.periods.order_by("order"))
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    reports = {
        (r.unit_id, r.period_id): r
        for r in ProgressReport.objects.filter(period__bloc_year=bloc_year).only(
            "id", "unit_id", "period_id", "status", "first_submitted_at", "submitted_at", "resubmit_due", "version"
        )
    }
    extensions = {(e.unit_id, e.period_id): e for e in Extension.objects.filter(period__bloc_year=bloc_year)}
    cells = {}
    for m in members:
        for p in periods:
            report = reports.get((m.unit_id, p.pk))
            ext = extensions.get((m.unit_id, p.pk))
            cells[(m.unit_id, p.pk)] = Cell(p, m.unit, report, timeliness(p, report, ext, now), ext)
    return Board(periods=periods, members=members, cells=cells)


def reporting_record(bloc_year: BlocYear, now: datetime.datetime | None = None) -> dict[int, dict]:
    """Per unit: the late and missing reports (what the scoring deductions are computed from)."""
    board = completeness_board(bloc_year, now)
    return {
        m.unit_id: {
            "late": [c.period for c in board.row(m.unit_id) if c.timeliness == Timeliness.LATE],
            "missing": [c.period for c in board.row(m.unit_id) if c.timeliness == Timeliness.MISSING],
        }
        for m in board.members
    }


def dashboard_summary(bloc_year: BlocYear, unit: Unit | None, now: datetime.datetime | None = None) -> dict:
    """What the year's home page shows about reporting: the board's totals, the unit's own row and what it still
    has to send (the to-do list's reports), the review queue oldest first, and per period the units overdue."""
    now = _now(now)
    board = completeness_board(bloc_year, now)
    own = board.row(unit.pk) if unit is not None and any(m.unit_id == unit.pk for m in board.members) else []
    awaiting = [
        (c.report.submitted_at, c)
        for c in board.cells.values()
        if c.report and c.report.submitted_at and c.report.status in (Status.SUBMITTED, Status.RESUBMITTED)
    ]
    awaiting.sort(key=lambda pair: pair[0])
    return {
        "periods": list(zip(board.periods, board.period_rates(), strict=True)),
        "own": own,
        "own_todo": [
            c
            for c in own
            if (
                (c.report is None or c.report.status in (Status.DRAFT, Status.RETURNED))
                and c.timeliness in (Timeliness.NOT_DUE, Timeliness.OVERDUE)
            )
            or (c.report is not None and c.report.status == Status.RETURNED)
        ],
        "awaiting": [c for _at, c in awaiting],
        "overdue": [
            (p, r["overdue"]) for p, r in zip(board.periods, board.period_rates(), strict=True) if r["overdue"]
        ],
    }


def open_reporting_work(bloc_year: BlocYear) -> list[str]:
    """What a phase step out of reporting would leave behind: reports never submitted (or returned and not sent
    back) and reports still waiting for the secretariat's review."""
    if bloc_year.phase != BlocYear.Phase.REPORTING:
        return []
    members = bloc_year.memberships.count()
    periods = bloc_year.periods.count()
    counts = dict.fromkeys(Status.values, 0)
    for status in ProgressReport.objects.filter(
        period__bloc_year=bloc_year, unit__memberships__bloc_year=bloc_year
    ).values_list("status", flat=True):
        counts[status] += 1
    in_hand = counts[Status.SUBMITTED] + counts[Status.RESUBMITTED] + counts[Status.ACCEPTED]
    not_in = members * periods - in_hand
    work = []
    if not_in:
        work.append(ngettext("%(n)s báo cáo chưa nộp", "%(n)s báo cáo chưa nộp", not_in) % {"n": not_in})
    waiting = counts[Status.SUBMITTED] + counts[Status.RESUBMITTED]
    if waiting:
        work.append(ngettext("%(n)s báo cáo chờ xem xét", "%(n)s báo cáo chờ xem xét", waiting) % {"n": waiting})
    return work

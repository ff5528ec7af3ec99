"""The read side of the province: every bloc of a year at a glance (phase, members, reporting completeness and
timeliness, ranking head, proposals, dossier and decision), and a unit's years. A fixed number of queries whatever
the number of blocs and units."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from awards.models import Award
from core.models import BlocYear, Membership, Province, Unit
from council.models import Dossier, UnitEvent
from reports.board import rates
from reports.models import Extension, ProgressReport, ReportingPeriod
from reports.services.periods import timeliness
from scoring.meeting.models import AwardProposal
from scoring.sheets.models import RankSnapshot


@dataclass
class Cell:
    """What reports.board.rates needs of a board cell."""

    timeliness: str


@dataclass
class BlocRow:
    bloc_year: BlocYear
    head: Unit | None = None
    members: int = 0
    reporting: dict = field(default_factory=dict)
    leaders: list[RankSnapshot] = field(default_factory=list)
    proposals: list[AwardProposal] = field(default_factory=list)
    dossier: Dossier | None = None

    @property
    def flags(self) -> int:
        return sum(1 for p in self.proposals if p.award == AwardProposal.Award.FLAG)

    @property
    def certificates(self) -> int:
        return sum(1 for p in self.proposals if p.award == AwardProposal.Award.CERTIFICATE)


def province_years(province: Province) -> list[int]:
    return list(
        BlocYear.objects.filter(bloc__province=province).order_by("-year").values_list("year", flat=True).distinct()
    )


def bloc_rows(province: Province, year: int, now: datetime.datetime | None = None, head_size: int = 3) -> list[BlocRow]:
    """Every bloc of the province in the year, in eight queries."""
    now = now or timezone.now()
    years = list(
        BlocYear.objects.filter(bloc__province=province, year=year)
        .select_related("bloc")
        .annotate(member_count=Count("memberships"))
        .order_by("bloc__name")
    )
    rows = {by.pk: BlocRow(bloc_year=by, members=by.member_count) for by in years}
    ids = list(rows)
    members: dict[int, list[int]] = defaultdict(list)
    for m in Membership.objects.filter(bloc_year_id__in=ids).select_related("unit"):
        members[m.bloc_year_id].append(m.unit_id)
        if m.role == Membership.Role.HEAD:
            rows[m.bloc_year_id].head = m.unit
    periods: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for p in ReportingPeriod.objects.filter(bloc_year_id__in=ids).order_by("order"):
        periods[p.bloc_year_id].append(p)
    reports = {
        (r.unit_id, r.period_id): r
        for r in ProgressReport.objects.filter(period__bloc_year_id__in=ids).only(
            "id", "unit_id", "period_id", "status", "first_submitted_at"
        )
    }
    extensions = {(e.unit_id, e.period_id): e for e in Extension.objects.filter(period__bloc_year_id__in=ids)}
    for pk, row in rows.items():
        cells = [
            Cell(timeliness(p, reports.get((u, p.pk)), extensions.get((u, p.pk)), now))
            for u in members[pk]
            for p in periods[pk]
        ]
        row.reporting = rates(cells)
    for snap in (
        RankSnapshot.objects.filter(bloc_year_id__in=ids, rank__lte=head_size).select_related("unit").order_by("rank")
    ):
        rows[snap.bloc_year_id].leaders.append(snap)
    for p in AwardProposal.objects.filter(bloc_year_id__in=ids).select_related("unit").order_by("award", "order"):
        rows[p.bloc_year_id].proposals.append(p)
    for d in Dossier.objects.filter(bloc_year_id__in=ids):
        rows[d.bloc_year_id].dossier = d
    return list(rows.values())


@dataclass
class UnitYear:
    year: int
    membership: Membership
    rank: RankSnapshot | None = None
    awards: list = field(default_factory=list)
    unit: Unit | None = None  # the unit of the row when it is one the unit absorbed


def lineage(unit: Unit) -> list[Unit]:
    """The unit and the units merged into it (their history is the unit's own from the merge on)."""
    absorbed = list(Unit.objects.filter(events__kind=UnitEvent.Kind.MERGE, events__into=unit))
    return [unit, *absorbed]


def unit_years(units: list[Unit]) -> list[UnitYear]:
    """A unit's (and its absorbed units') bloc, rank and awards, year by year, in three queries."""
    by_id = {u.pk: u for u in units}
    rows = {
        (m.unit_id, m.year): UnitYear(year=m.year, membership=m, unit=by_id[m.unit_id])
        for m in Membership.objects.filter(unit__in=units).select_related("bloc_year__bloc")
    }
    for snap in RankSnapshot.objects.filter(unit__in=units).select_related("bloc_year"):
        row = rows.get((snap.unit_id, snap.bloc_year.year))
        if row is not None:
            row.rank = snap
    return sorted(rows.values(), key=lambda r: (-r.year, r.unit.pk != units[0].pk))


def unit_awards(units: list[Unit]) -> list[Award]:
    """The awards of a unit and of the units merged into it, newest first, in one query."""
    return list(Award.objects.filter(unit__in=units).select_related("unit").order_by("-year", "-decision_date"))


@dataclass
class UnitHistory:
    """Every unit of the province × every year: its rank in its bloc and the awards it received."""

    units: list[Unit]
    years: list[int]
    ranks: dict[tuple[int, int], RankSnapshot]
    awards: dict[tuple[int, int], list]

    def cell_text(self, unit_id: int, year: int) -> str:
        snap = self.ranks.get((unit_id, year))
        parts = [f"#{snap.rank}"] if snap else []
        parts += [a.label for a in self.awards.get((unit_id, year), [])]
        return ", ".join(parts)

    def rows(self) -> list[tuple[Unit, list[tuple[RankSnapshot | None, list]]]]:
        return [
            (u, [(self.ranks.get((u.pk, y)), self.awards.get((u.pk, y), [])) for y in self.years]) for u in self.units
        ]


def unit_history(province: Province) -> UnitHistory:
    """In three queries whatever the number of units and years."""
    units = list(Unit.objects.filter(province=province).order_by("name"))
    ranks = {
        (s.unit_id, s.bloc_year.year): s
        for s in RankSnapshot.objects.filter(unit__province=province).select_related("bloc_year")
    }
    awards: dict[tuple[int, int], list] = defaultdict(list)
    for a in province_awards(province):
        awards[(a.unit_id, a.year)].append(a)
    years = sorted({y for _u, y in ranks} | {y for _u, y in awards}, reverse=True)
    return UnitHistory(units=units, years=years, ranks=ranks, awards=dict(awards))


def province_awards(province: Province) -> list[Award]:
    return list(Award.objects.filter(unit__province=province).order_by("year", "kind"))


@dataclass
class Bar:
    label: str
    value: int | None
    y: int
    width: float

    @property
    def text_x(self) -> float:
        return 285 + self.width


def bars(rows: list[BlocRow], key: str, width: int = 300, step: int = 22) -> list[Bar]:
    """A horizontal bar a bloc for the SVG chart (percentages)."""
    return [
        Bar(r.bloc_year.bloc.name, r.reporting.get(key), i * step, width * (r.reporting.get(key) or 0) / 100)
        for i, r in enumerate(rows)
    ]

"""Charts of the scores, drawn on the server as SVG (readable without JavaScript or colour, printable).

Positions are percentages of the plot's width, so that the same drawing fits a laptop, a phone and an A4 page
without the text being scaled with it. The figures are the ranking's own (`ranking.compute`: the approved record
once approved), never recomputed here.
"""

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
# The plot keeps this share of its width free at each end, so that a dot on 0 or on the maximum is drawn whole.
PAD = Decimal(3)
DOT_STEP = 9  # px between dots of the same value, stacked upwards
MAX_STACK_HEIGHT = 54  # px: a large bloc's equal scores are packed closer rather than growing the row


def _x(value: Decimal, lo: Decimal, maximum: Decimal) -> float:
    if maximum <= lo:
        return float(PAD)
    share = min(max((value - lo) / (maximum - lo), ZERO), Decimal(1))
    return float(round(PAD + (100 - 2 * PAD) * share, 2))


TICK_STEPS = [Decimal(s) for s in ("0.5", "1", "2", "2.5", "5", "10", "20", "25", "50")]


def _scale_start(low: Decimal, high: Decimal, maximum: Decimal) -> Decimal:
    """Where the axis starts: 0, unless every unit scored above half the maximum; then a round number below the
    lowest score, four round steps under the maximum (the units' differences would otherwise be a few pixels)."""
    if maximum <= 0 or low <= maximum / 2:
        return ZERO
    margin = max((high - low) * Decimal("0.3"), Decimal("0.5"))
    for step in TICK_STEPS:
        start = maximum - 4 * step
        if start <= low - margin:
            return start if start > maximum / 4 else ZERO
    return ZERO


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    value: Decimal
    unit: str
    own: bool


@dataclass(frozen=True)
class Tick:
    x: float
    value: Decimal
    anchor: str


@dataclass
class Spread:
    """One criterion: every unit's score as a dot, the middle half as a box, the median as a line."""

    order: int
    title: str
    maximum: Decimal
    count: int
    low: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    high: Decimal
    own: Decimal | None
    height: int
    baseline: int
    dots: list[Dot] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)

    start: Decimal = ZERO  # the axis's first value (see _scale_start)

    @property
    def box_x(self) -> float:
        return _x(self.q1, self.start, self.maximum)

    @property
    def box_width(self) -> float:
        return round(_x(self.q3, self.start, self.maximum) - self.box_x, 2)

    @property
    def median_x(self) -> float:
        return _x(self.median, self.start, self.maximum)

    def as_data(self) -> dict:
        """What a printed document keeps of it: plain values (its digest is taken over them)."""
        return {
            **{k: getattr(self, k) for k in ("order", "title", "maximum", "count", "low", "q1", "median", "q3")},
            **{k: getattr(self, k) for k in ("high", "own", "height", "baseline", "start", "axis_y", "box_top")},
            **{k: getattr(self, k) for k in ("box_x", "box_width", "median_x")},
            "dots": [{"x": d.x, "y": d.y, "own": d.own} for d in self.dots],
            "ticks": [{"x": t.x, "value": t.value, "anchor": t.anchor} for t in self.ticks],
        }

    @property
    def axis_y(self) -> int:
        return self.baseline + 9

    @property
    def box_top(self) -> int:
        return self.baseline - 7


def _quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Decimal(q1).quantize(Decimal("0.01")), Decimal(median), Decimal(q3).quantize(Decimal("0.01"))


def criterion_spread(ranking, own_unit_id: int | None = None) -> list[Spread]:
    """Per criterion of the ranking, the scores of the units that have a (submitted) sheet, on the criterion's
    maximum as the scale; the viewer's own unit marked."""
    lines = [(row, u) for row, u in ranking.lines() if u.sheet is not None]
    if not lines:
        return []
    spreads = []
    for i, criterion in enumerate(ranking.criteria):
        values = [row.entry.criteria[i] for row, _u in lines]
        ordered = sorted(values)
        top = max(ordered)
        # The scale is the criterion's maximum (a score above it, from a board changed since, still shows).
        maximum = max(getattr(criterion, "maximum", None) or ZERO, top)
        q1, median, q3 = _quartiles(ordered)
        start = _scale_start(ordered[0], top, maximum)
        stacks: dict[Decimal, int] = {}
        for v in values:
            stacks[v] = stacks.get(v, 0) + 1
        deepest = max(stacks.values())
        step = min(DOT_STEP, MAX_STACK_HEIGHT / max(deepest - 1, 1))
        baseline = 12 + round(step * (deepest - 1))
        seen: dict[Decimal, int] = {}
        dots = []
        own_value = None
        # The own unit is drawn last, on top of the others.
        for row, u in sorted(lines, key=lambda line: line[0].entry.unit_id == own_unit_id):
            v = row.entry.criteria[i]
            level = seen.get(v, 0)
            seen[v] = level + 1
            own = row.entry.unit_id == own_unit_id
            if own:
                own_value = v
            y = round(baseline - level * step, 1)
            dots.append(Dot(_x(v, start, maximum), y, v, u.membership.unit.short_name, own))
        ticks = []
        for k, anchor in ((0, "start"), (1, "middle"), (2, "middle"), (3, "middle"), (4, "end")):
            value = start + (maximum - start) * k / 4
            ticks.append(Tick(_x(value, start, maximum), value.quantize(Decimal("0.1")), anchor))
        spreads.append(
            Spread(
                order=criterion.order,
                title=criterion.title,
                maximum=maximum,
                count=len(values),
                low=ordered[0],
                q1=q1,
                median=median,
                q3=q3,
                high=top,
                own=own_value,
                height=baseline + 28,
                baseline=baseline,
                dots=dots,
                ticks=ticks,
                start=start,
            )
        )
    return spreads


# A unit across the years: rank (1 at the top) and total, one column a year ---------------------------------------

PLOT_TOP = 22  # px: room for the value written above the highest point
PLOT_HEIGHT = 90
YEAR_LABEL_Y = PLOT_TOP + PLOT_HEIGHT + 24
YEARS_HEIGHT = YEAR_LABEL_Y + 8


@dataclass(frozen=True)
class YearColumn:
    year: int
    rank: int
    units: int
    total: Decimal
    x: float  # the column's middle, % of the width
    rank_y: float
    bar_x: float
    bar_width: float
    bar_y: float
    bar_height: float


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    gap: bool  # years between the two without a decided result: drawn dashed


@dataclass
class UnitYears:
    columns: list[YearColumn]
    segments: list[Segment]
    most_units: int
    scale: Decimal  # the total that reaches the top of the plot
    top: int = PLOT_TOP
    bottom: int = PLOT_TOP + PLOT_HEIGHT
    year_y: int = YEAR_LABEL_Y
    height: int = YEARS_HEIGHT

    @property
    def mid(self) -> int:
        return self.top + PLOT_HEIGHT // 2


def unit_years(results: Sequence) -> UnitYears | None:
    """The chart of `ranking.unit_results`: nothing to draw without a decided year."""
    if not results:
        return None
    most = max(max(r.units for r in results), 2)
    highest = max(r.total for r in results)
    # Bars start at 0 (a total is read against nothing else); the top is the next ten above the highest total.
    scale = max(Decimal(10), ((highest / 10).to_integral_value(rounding="ROUND_CEILING")) * 10)
    slot = 100 / len(results)
    columns = []
    for i, r in enumerate(results):
        x = round(slot * (i + 0.5), 2)
        height = float(round(Decimal(PLOT_HEIGHT) * min(r.total, scale) / scale, 1))
        width = round(min(slot * 0.5, 14), 2)
        columns.append(
            YearColumn(
                year=r.year,
                rank=r.rank,
                units=r.units,
                total=r.total,
                x=x,
                rank_y=round(PLOT_TOP + PLOT_HEIGHT * (r.rank - 1) / (most - 1), 1),
                bar_x=round(x - width / 2, 2),
                bar_width=width,
                bar_y=round(PLOT_TOP + PLOT_HEIGHT - height, 1),
                bar_height=height,
            )
        )
    segments = [Segment(a.x, a.rank_y, b.x, b.rank_y, b.year - a.year > 1) for a, b in itertools.pairwise(columns)]
    return UnitYears(columns, segments, most, scale)

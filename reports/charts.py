"""Charts of the reporting record, drawn on the server as SVG (readable without JavaScript, printable)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# (key in rates(), CSS class of the segment, legend) in the order the segments are stacked.
SEGMENTS = (
    ("on_time", "seg-on-time", _("Đúng hạn")),
    ("late", "seg-late", _("Trễ hạn")),
    ("overdue", "seg-overdue", _("Quá hạn, chưa nộp")),
    ("missing", "seg-missing", _("Không nộp")),
)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    count: int
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    units: int
    segments: list[Segment]


def completion_bars(periods: Sequence, period_rates: Sequence[dict]) -> list[Bar]:
    """One stacked bar per period: on time, late, overdue and missing as shares of the units (the rest not due)."""
    bars = []
    for period, r in zip(periods, period_rates, strict=True):
        x, segments = 0.0, []
        for key, css, label in SEGMENTS:
            width = 100 * r[key] / r["units"] if r["units"] else 0
            if r[key]:
                segments.append(Segment(round(x, 2), round(width, 2), css, r[key], str(label)))
            x += width
        bars.append(Bar(period.name, r["units"], segments))
    return bars

"""The ranking, computed exactly as DOMAIN.md "Scoreboard rules" states. Pure: no database, Decimal only.

total = sum of criteria + min(bonus, cap) − deductions, never below 0.
Units are ranked by total, descending; equal totals are separated by the configured tie-breaks in
order; units still equal after every rule share a rank (competition ranking: 1, 2, 2, 4).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Rule:
    """A tie-break: `key` names what is compared, `higher_wins` its direction, `label` what the printout says."""

    key: str  # "criterion:<index>", "late", "missing", "deductions", "bonus"
    label: str

    @property
    def higher_wins(self) -> bool:
        return self.key.startswith("criterion:") or self.key == "bonus"


@dataclass(frozen=True)
class DeductionLine:
    label: str
    points: Decimal


@dataclass(frozen=True)
class Entry:
    unit_id: int
    order: int  # STT, only used to list units that share a rank in a stable, official order
    criteria: tuple[Decimal, ...]
    bonus_claimed: Decimal = ZERO
    deductions: tuple[DeductionLine, ...] = ()
    late: int = 0
    missing: int = 0


@dataclass
class Row:
    entry: Entry
    criteria_total: Decimal
    bonus: Decimal  # after the cap
    deductions: Decimal
    total: Decimal
    rank: int = 0
    tied_with: list[int] = field(default_factory=list)  # unit ids that had the same total
    separated_by: list[str] = field(default_factory=list)  # rules that placed this unit among equal totals
    shared: bool = False  # still equal after every rule: the rank is shared


def compute_row(entry: Entry, bonus_cap: Decimal) -> Row:
    criteria_total = sum(entry.criteria, ZERO)
    bonus = min(entry.bonus_claimed, bonus_cap)
    deductions = sum((d.points for d in entry.deductions), ZERO)
    total = max(ZERO, criteria_total + bonus - deductions)
    return Row(entry=entry, criteria_total=criteria_total, bonus=bonus, deductions=deductions, total=total)


def _value(row: Row, rule: Rule) -> Decimal | int:
    if rule.key.startswith("criterion:"):
        return row.entry.criteria[int(rule.key.split(":")[1])]
    return {"late": row.entry.late, "missing": row.entry.missing, "deductions": row.deductions, "bonus": row.bonus}[
        rule.key
    ]


def _sort_key(row: Row, rules: Sequence[Rule]) -> tuple:
    key: list = [-row.total]
    for rule in rules:
        v = _value(row, rule)
        key.append(-v if rule.higher_wins else v)
    return tuple(key)


def rank(entries: Sequence[Entry], *, bonus_cap: Decimal, rules: Sequence[Rule]) -> list[Row]:
    """Rows in rank order. The result does not depend on the order of `entries`."""
    rows = [compute_row(e, bonus_cap) for e in entries]
    rows.sort(key=lambda r: (_sort_key(r, rules), r.entry.order, r.entry.unit_id))
    position = 0
    previous_key = None
    for index, row in enumerate(rows, start=1):
        key = _sort_key(row, rules)
        if key != previous_key:
            position = index
            previous_key = key
        row.rank = position
    by_total: dict[Decimal, list[Row]] = {}
    for row in rows:
        by_total.setdefault(row.total, []).append(row)
    for group in by_total.values():
        if len(group) < 2:
            continue
        ids = [r.entry.unit_id for r in group]
        for index, row in enumerate(group):
            row.tied_with = [i for i in ids if i != row.entry.unit_id]
            row.shared = any(other.rank == row.rank for other in group if other is not row)
            for other in (group[i] for i in (index - 1, index + 1) if 0 <= i < len(group)):
                label = _first_difference(row, other, rules)
                if label and label not in row.separated_by:
                    row.separated_by.append(label)
    return rows


def _first_difference(a: Row, b: Row, rules: Sequence[Rule]) -> str | None:
    """The first tie-break rule on which two units with the same total differ."""
    for rule in rules:
        if _value(a, rule) != _value(b, rule):
            return rule.label
    return None

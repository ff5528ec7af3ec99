"""The ranking engine, by hand-computed cases and by properties over random scoreboards (DOMAIN.md rules)."""

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.sheets.engine import DeductionLine, Entry, Rule, rank

CRIT1 = Rule("criterion:0", "Điểm tiêu chí 1 cao hơn")
LATE = Rule("late", "Ít báo cáo trễ hạn hơn")
DEFAULT = [CRIT1, LATE]


def e(unit, crits, *, order=None, bonus="0", deductions=(), late=0, missing=0):
    return Entry(
        unit_id=unit,
        order=order or unit,
        criteria=tuple(D(c) for c in crits),
        bonus_claimed=D(bonus),
        deductions=tuple(DeductionLine("x", D(p)) for p in deductions),
        late=late,
        missing=missing,
    )


def by_unit(rows):
    return {r.entry.unit_id: r for r in rows}


def test_a_tie_on_total_is_broken_by_criterion_1():
    rows = rank(
        [e(1, ["30", "40", "20"]), e(2, ["35", "35", "20"]), e(3, ["20", "20", "20"])], bonus_cap=D(10), rules=DEFAULT
    )
    assert [(r.entry.unit_id, r.rank, r.total) for r in rows] == [(2, 1, D(90)), (1, 2, D(90)), (3, 3, D(60))]
    assert rows[0].separated_by == ["Điểm tiêu chí 1 cao hơn"] and not rows[0].shared
    assert rows[0].tied_with == [1]


def test_a_three_way_tie_is_left_shared_and_the_next_rank_skips():
    rows = rank(
        [e(1, ["30", "30"]), e(2, ["30", "30"]), e(3, ["30", "30"]), e(4, ["50", "20"]), e(5, ["10", "10"])],
        bonus_cap=D(10),
        rules=DEFAULT,
    )
    ranks = {r.entry.unit_id: r.rank for r in rows}
    # 50+20 = 70 > 60: unit 4 is first alone; the three units on 60 share rank 2; unit 5 is 5th.
    assert ranks == {4: 1, 1: 2, 2: 2, 3: 2, 5: 5}
    assert all(by_unit(rows)[u].shared for u in (1, 2, 3))
    assert by_unit(rows)[1].separated_by == []


def test_bonus_is_capped():
    row = rank([e(1, ["90"], bonus="15")], bonus_cap=D(10), rules=DEFAULT)[0]
    assert (row.bonus, row.total) == (D(10), D(100))
    row = rank([e(1, ["97"], bonus="10")], bonus_cap=D(10), rules=DEFAULT)[0]
    assert row.total == D(107)  # the HCMC example: totals can exceed 100


def test_total_never_falls_below_zero():
    row = rank([e(1, ["2", "1"], deductions=["2", "2"])], bonus_cap=D(10), rules=DEFAULT)[0]
    assert (row.deductions, row.total) == (D(4), D(0))


def test_late_reports_break_a_tie_after_criterion_1():
    rows = rank([e(1, ["40", "40"], late=2), e(2, ["40", "40"], late=1)], bonus_cap=D(10), rules=DEFAULT)
    assert [r.entry.unit_id for r in rows] == [2, 1]
    assert [r.rank for r in rows] == [1, 2]
    assert rows[0].separated_by == ["Ít báo cáo trễ hạn hơn"]


def test_a_changed_tie_break_order_changes_the_winner():
    entries = [e(1, ["50", "30"], late=2), e(2, ["40", "40"], late=0)]
    assert [r.entry.unit_id for r in rank(entries, bonus_cap=D(10), rules=[CRIT1, LATE])] == [1, 2]
    assert [r.entry.unit_id for r in rank(entries, bonus_cap=D(10), rules=[LATE, CRIT1])] == [2, 1]
    shared = rank(entries, bonus_cap=D(10), rules=[])
    assert [r.rank for r in shared] == [1, 1]


def test_decimal_arithmetic_is_exact():
    row = rank([e(1, ["0.1", "0.2"], bonus="0.5", deductions=["0.3"])], bonus_cap=D(10), rules=DEFAULT)[0]
    assert row.total == D("0.5")


# Properties ----------------------------------------------------------------------------------------

step = st.sampled_from([D("0.5"), D("0.25"), D("1")])


@st.composite
def boards(draw):
    s = draw(step)
    n_criteria = draw(st.integers(1, 4))
    maxima = [draw(st.integers(1, 40)) * s for _ in range(n_criteria)]
    cap = draw(st.integers(0, 20)) * s
    n_units = draw(st.integers(1, 12))
    entries = []
    for unit in range(1, n_units + 1):
        crits = tuple(draw(st.integers(0, int(m / s))) * s for m in maxima)
        entries.append(
            Entry(
                unit_id=unit,
                order=unit,
                criteria=crits,
                bonus_claimed=draw(st.integers(0, 30)) * s,
                deductions=tuple(
                    DeductionLine("d", draw(st.integers(1, 8)) * s) for _ in range(draw(st.integers(0, 2)))
                ),
                late=draw(st.integers(0, 3)),
                missing=draw(st.integers(0, 2)),
            )
        )
    keys = [f"criterion:{i}" for i in range(n_criteria)] + ["late", "missing", "deductions", "bonus"]
    rules = [Rule(k, k) for k in draw(st.permutations(keys))[: draw(st.integers(0, len(keys)))]]
    return entries, cap, rules


@settings(max_examples=200, deadline=None)
@given(boards(), st.randoms(use_true_random=False))
def test_ranking_properties(board, rnd):
    entries, cap, rules = board
    rows = rank(entries, bonus_cap=cap, rules=rules)
    # Totals equal the sum of their parts.
    for r in rows:
        assert r.criteria_total == sum(r.entry.criteria, D(0))
        assert r.bonus == min(r.entry.bonus_claimed, cap)
        assert r.deductions == sum((d.points for d in r.entry.deductions), D(0))
        assert r.total == max(D(0), r.criteria_total + r.bonus - r.deductions)
    # A valid competition ranking, consistent with totals and tie-breaks.
    assert rows[0].rank == 1
    for i, r in enumerate(rows):
        assert r.rank == 1 + sum(1 for other in rows if _better(other, r, rules))
        if i:
            assert rows[i - 1].total >= r.total
    # Independent of the order in which units are stored.
    shuffled = entries[:]
    rnd.shuffle(shuffled)
    again = rank(shuffled, bonus_cap=cap, rules=rules)
    assert {r.entry.unit_id: (r.rank, r.total) for r in again} == {r.entry.unit_id: (r.rank, r.total) for r in rows}


def _key(row, rules):
    values = [row.total]
    for rule in rules:
        if rule.key.startswith("criterion:"):
            v = row.entry.criteria[int(rule.key.split(":")[1])]
        else:
            v = {
                "late": row.entry.late,
                "missing": row.entry.missing,
                "deductions": row.deductions,
                "bonus": row.bonus,
            }[rule.key]
        values.append(v if rule.higher_wins else -v)
    return tuple(values)


def _better(a, b, rules) -> bool:
    return _key(a, rules) > _key(b, rules)


def test_random_orders_give_the_same_ranking():
    rnd = random.Random(7)
    entries = [e(u, [str(rnd.randint(0, 40)), str(rnd.randint(0, 40))], late=rnd.randint(0, 2)) for u in range(1, 30)]
    reference = [(r.entry.unit_id, r.rank) for r in rank(entries, bonus_cap=D(10), rules=DEFAULT)]
    for _ in range(5):
        rnd.shuffle(entries)
        assert [(r.entry.unit_id, r.rank) for r in rank(entries, bonus_cap=D(10), rules=DEFAULT)] == reference


def test_a_tie_note_names_three_units_and_counts_the_others():
    from scoring.sheets.ranking import tie_note

    rows = rank([e(u, ["30", "30", "30"]) for u in range(1, 7)], bonus_cap=D(10), rules=[])
    names = {u: f"Sở {u}" for u in range(1, 7)}
    note = tie_note(by_unit(rows)[1], names)
    assert note.startswith("Bằng tổng điểm với Sở 2, Sở 3, Sở 4 và 2 đơn vị khác;")
    assert "đồng hạng" in note
    assert tie_note(by_unit(rank([e(1, ["1"]), e(2, ["1"])], bonus_cap=D(0), rules=[]))[1], names).startswith(
        "Bằng tổng điểm với Sở 2;"
    )

"""Charts of issue 16 item 8: the criterion spread on the ranking and in the PDFs, a unit's ranks and totals across
the years. They draw the ranking's own figures: the approved record once approved, never a recomputation."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from core.formatting import plain, vn_number
from core.models import BlocYear
from scoring.models import RankSnapshot, ScoreSheet
from scoring.sheets import services as sheets
from scoring.sheets.charts import criterion_spread, unit_years
from scoring.sheets.ranking import YearResult, compute, unit_results
from tests.personas import make_bloc_year
from tests.test_scoring_rules import at, self_score
from tests.test_scoring_rules import year as year
from tests.test_settled_record import clock as clock


def less(points: int):
    """A self-score `points` under the maximum on each sub-item (never below 0)."""
    return lambda item: max(item.sub_item.max_points - points, Decimal(0))


def approved(year):
    # Unit 1 full marks, unit 2 one point under on each sub-item, unit 3 two under.
    for unit, score_of in zip(year.units, (less(0), less(1), less(2)), strict=True):
        self_score(year, unit, None, score_of)
    ScoreSheet.objects.filter(bloc_year=year).update(status=ScoreSheet.Status.REVIEWED, reviewed_at=at(2026, 1, 20))
    sheets.release_review(bloc_year=year, by=None, at=at(2026, 1, 21))
    sheets.approve(bloc_year=year, by=None, reason="Hội nghị thống nhất.")
    return year


def criteria(year) -> list:
    from scoring.models import Criterion

    return list(Criterion.objects.filter(scoreboard__bloc_year=year).prefetch_related("sub_items").order_by("order"))


def spread_figures(html: str) -> list[str]:
    return re.findall(r"Thấp nhất ([\d,]+) · trung vị ([\d,]+) · cao nhất ([\d,]+)", html)


def test_the_spread_gives_each_criterion_its_maximum_median_and_quartiles(year, clock):
    approved(year)
    ranking = compute(year)
    spread = criterion_spread(ranking, own_unit_id=year.units[1].pk)
    assert len(spread) == len(ranking.criteria)
    first = spread[0]
    subs = criteria(year)[0].sub_items.count()
    maximum = sum(s.max_points for s in criteria(year)[0].sub_items.all())
    assert first.maximum == maximum
    assert (first.low, first.median, first.high) == (maximum - 2 * subs, maximum - subs, maximum)
    assert first.q1 == maximum - Decimal("1.5") * subs and first.q3 == maximum - Decimal("0.5") * subs
    # The viewer's unit is the one ringed, and drawn last (on top).
    assert [d.own for d in first.dots] == [False, False, True] and first.own == maximum - subs
    # Dots lie on the scale: the full mark at the right end.
    assert max(d.x for d in first.dots) == 97.0


def test_the_spread_of_an_approved_year_is_the_record_not_a_recomputation(client, year, clock):
    approved(year)
    from tests.test_settled_record import secretariat_client

    client = secretariat_client(client, year)
    url = reverse("scores:ranking", args=[year.bloc.code, year.year])
    before = spread_figures(client.get(url).content.decode())
    assert len(before) == len(criteria(year))
    # A score changed under the approved ranking (as a bug or a hand in the database would): the chart keeps the
    # decided figures, as the table does.
    from scoring.models import ItemScore

    ItemScore.objects.filter(sheet__unit=year.units[2]).update(self_score=0, reviewed_score=0)
    assert compute(year, live=True).rows[-1].total < compute(year).rows[-1].total
    page = client.get(url).content.decode()
    assert spread_figures(page) == before
    assert 'id="criterion-spread"' in page and page.count('class="spread-dot') == 3 * len(criteria(year))


def test_an_officer_sees_the_approved_spread_with_its_own_unit_marked(client, year, clock):
    approved(year)
    officer = year.units[1].profiles.get(role="officer").user
    client.force_login(officer)
    page = client.get(reverse("scores:ranking", args=[year.bloc.code, year.year])).content.decode()
    assert page.count("spread-dot spread-own") == len(criteria(year))
    assert "đơn vị của bạn" in page
    # Accessible: each drawing is an image with a title and a description of its figures.
    assert re.search(r'<svg class="spread-plot"[^>]*role="img"[^>]*aria-labelledby="spread-1-t spread-1-d"', page)
    assert '<desc id="spread-1-d">Số đơn vị: 3; thấp nhất' in page


def test_units_without_a_submitted_sheet_are_not_plotted(year):
    self_score(year, year.units[0], None, less(0))
    ranking = compute(year)
    assert [s.count for s in criterion_spread(ranking)] == [1] * len(ranking.criteria)
    ScoreSheet.objects.filter(bloc_year=year).update(status=ScoreSheet.Status.DRAFT)
    assert criterion_spread(compute(year)) == []


def test_a_unit_across_the_years_reads_the_decided_snapshots_of_its_bloc_only(client, year, clock):
    approved(year)
    unit = year.units[1]
    earlier = BlocYear.objects.create(bloc=year.bloc, year=2023, phase=BlocYear.Phase.PUBLISHED)
    RankSnapshot.objects.create(bloc_year=earlier, unit=unit, rank=3, total=Decimal("88.5"))
    RankSnapshot.objects.create(bloc_year=earlier, unit=year.units[0], rank=1, total=Decimal("95"))
    RankSnapshot.objects.create(bloc_year=earlier, unit=year.units[2], rank=2, total=Decimal("90"))
    # Another bloc's year of the same unit is another competition: not on this chart.
    other = make_bloc_year(units=2, code="khoi-khac", year=2024, phase=BlocYear.Phase.PUBLISHED, officers=False)
    RankSnapshot.objects.create(bloc_year=other, unit=unit, rank=1, total=Decimal("99"))
    results = unit_results(year, unit.pk)
    assert [(r.year, r.rank, r.units) for r in results] == [(2023, 3, 3), (2025, 2, 3)]

    client.force_login(year.units[2].profiles.get(role="officer").user)
    page = client.get(reverse("scores:unit_history", args=[year.bloc.code, year.year, unit.pk])).content.decode()
    assert "3/3" in page and "2/3" in page and "88,5" in page
    assert 'stroke-dasharray="4 4"' in page  # 2024 has no decided result: the line between is dashed

    # Reopened, the year has no decided rank any more.
    sheets.reopen(bloc_year=year, reason="Sai sót", by=None)
    assert [r.year for r in unit_results(year, unit.pk)] == [2023]


def test_a_unit_of_another_bloc_is_not_found(client, year, other_bloc_year):
    client.force_login(year.units[1].profiles.get(role="officer").user)
    foreign = other_bloc_year.units[0]
    response = client.get(reverse("scores:unit_history", args=[year.bloc.code, year.year, foreign.pk]))
    assert response.status_code == 404


def test_rank_one_is_drawn_at_the_top():
    chart = unit_years([YearResult(2023, 1, 10, Decimal(95)), YearResult(2024, 10, 10, Decimal(80))])
    top, bottom = chart.columns
    assert top.rank_y == chart.top and bottom.rank_y == chart.bottom
    assert top.bar_height > bottom.bar_height and chart.scale == Decimal(100)
    assert unit_years([]) is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("kind", ["ranking", "summary"])
def test_the_year_end_pdfs_print_the_spread_in_the_documents_font(year, clock, kind, tmp_path):
    from documents.pdf import write_pdf
    from documents.render import html_for, prepare

    approved(year)
    pdf, _pages = write_pdf(html_for(prepare(kind, BlocYear.objects.get(pk=year.pk))))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Phân bố điểm theo tiêu chí" in text
    maximum = sum(s.max_points for s in criteria(year)[0].sub_items.all())
    assert f"Tiêu chí 1 (tối đa {vn_number(maximum)} điểm)" in text
    if kind == "summary":
        assert "Hình 1. Tình hình nộp báo cáo theo kỳ" in text and "Hình 2. Phân bố điểm" in text
    # The drawings' text too is in the embedded KTTimes (SVG text does not inherit the page's font by itself).
    (tmp_path / "doc.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "doc.pdf")], capture_output=True, check=True).stdout.decode()
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("KTTimes" in n for n in names), names


def test_a_record_approved_before_the_charts_takes_the_maximum_from_the_board(year, clock):
    from scoring.models import ApprovedRecord

    approved(year)
    record = ApprovedRecord.objects.get(bloc_year=year, reopened_at__isnull=True)
    assert [c["max"] for c in record.data["criteria"]] == [
        plain(sum(s.max_points for s in c.sub_items.all())) for c in criteria(year)
    ]
    for c in record.data["criteria"]:
        del c["max"]
    record.save(update_fields=["data"])
    spread = criterion_spread(compute(year))
    assert [s.maximum for s in spread] == [sum(s.max_points for s in c.sub_items.all()) for c in criteria(year)]

"""The approved record is the record (issue 13 items 1 and 2): once approved, the ranking page, its PDF and its Excel
read what the approval stored, whatever the calendar or the settings do afterwards; reopening keeps the former
version; an approval does not wait silently for lock dates or the contest window."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core import lifecycle
from core.errors import ServiceError
from core.models import AuditEntry, BlocYear, Profile
from reports.models import ProgressReport
from reports.services import periods as period_services
from scoring.models import (
    ApprovedRecord,
    Criterion,
    ItemScore,
    RankSnapshot,
    Scoreboard,
    ScoreSheet,
    ScoringRound,
    SubItem,
    TieBreak,
)
from scoring.sheets import services as sheets
from scoring.sheets.ranking import compute
from tests.personas import make_user
from tests.test_scoring_rules import at, full, self_score
from tests.test_scoring_rules import year as year


@pytest.fixture
def clock(monkeypatch):
    """The time every `timezone.now()` answers, moved by the test."""

    class Clock:
        now = at(2026, 1, 25)

        def set(self, when):
            self.now = when

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def approved_year(year, clock, reason="Hội nghị tổng kết họp ngày 25/01/2026 thống nhất phê duyệt."):
    # Unit 3 sends no Q4 report: on 25/01 it is overdue, not yet missing (Q4 locks on 30/01).
    ProgressReport.objects.filter(period=year.period_by_code["nam"], unit=year.units[2]).delete()
    for unit in year.units:
        self_score(year, unit, None, full)
    for s in ScoreSheet.objects.filter(bloc_year=year):
        s.status, s.reviewed_at = ScoreSheet.Status.REVIEWED, clock.now
        s.save()
    sheets.release_review(bloc_year=year, by=None, at=at(2026, 1, 21))
    sheets.approve(bloc_year=year, by=None, reason=reason)
    return year


def secretariat_client(client, year):
    client.force_login(make_user("vp-ghi-nhan", role=Profile.Role.SECRETARIAT, unit=year.units[0]))
    return client


def log_in_again(client):
    # The session cookie expired while the clock moved on.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="vp-ghi-nhan"))


def ranking_table(client, year) -> str:
    response = client.get(reverse("scores:ranking", args=[year.bloc.code, year.year]))
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    # The approval note, the rules applied, the criteria and the table.
    return re.search(r'<div class="alert alert-success py-2">.*?</table>', page, re.S).group(0)


def excel_values(client, year) -> list:
    response = client.get(reverse("documents:ranking_xlsx", args=[year.bloc.code, year.year]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def verification_code(year) -> str:
    from documents.render import prepare

    return prepare("ranking", BlocYear.objects.get(pk=year.pk)).code


def test_an_approved_ranking_does_not_move_with_the_calendar_or_the_settings(client, year, clock):
    q1 = year.period_by_code["q1"]
    approved_year(year, clock)
    client = secretariat_client(client, year)
    before = (ranking_table(client, year), verification_code(year), excel_values(client, year))
    totals = [(r.entry.unit_id, r.rank, r.total) for r in compute(year).rows]
    assert {u: t for u, _r, t in totals}[year.units[2].pk] == Decimal(98)  # Q1 missing only

    # Weeks later: Q4 locked without unit 3's report; unit 2 got a later Q1 deadline (its late report now on time),
    # and the settings changed.
    clock.set(at(2026, 3, 1))
    period_services.grant_extension(
        period=q1,
        unit=year.units[1],
        deadline=q1.deadline + datetime.timedelta(days=5),
        lock_date=datetime.date(2026, 3, 20),
        reason="Đơn vị sáp nhập",
        by=None,
    )
    Scoreboard.objects.filter(bloc_year=year).update(missing_report_points=Decimal(5))
    TieBreak.objects.filter(scoreboard__bloc_year=year).delete()
    live = {r.entry.unit_id: r.total for r in compute(year, live=True).rows}
    assert live[year.units[2].pk] == Decimal(90)  # recomputed today, unit 3 would also lose Q4, at 5 points each
    assert live[year.units[1].pk] == Decimal(100)

    assert [(r.entry.unit_id, r.rank, r.total) for r in compute(year).rows] == totals
    log_in_again(client)
    assert ranking_table(client, year) == before[0]
    assert verification_code(year) == before[1]
    assert excel_values(client, year) == before[2]


def test_approval_waits_for_the_lock_dates_and_the_contest_window_unless_a_reason_is_given(year, clock):
    ProgressReport.objects.filter(period=year.period_by_code["nam"], unit=year.units[2]).delete()
    for unit in year.units:
        self_score(year, unit, None, full)
    ScoreSheet.objects.filter(bloc_year=year).update(status=ScoreSheet.Status.REVIEWED, reviewed_at=clock.now)
    sheets.release_review(bloc_year=year, by=None)
    with pytest.raises(ServiceError) as refused:
        sheets.approve(bloc_year=year, by=None)
    message = refused.value.message
    assert "còn thời hạn phản hồi điểm thẩm định đến" in message and "28/01/2026" in message
    assert "khóa sổ ngày 30/01/2026" in message
    assert refused.value.field == "reason"
    assert not ApprovedRecord.objects.filter(bloc_year=year).exists()

    clock.set(at(2026, 2, 2))  # the window closed and Q4 locked: nothing to wait for
    assert sheets.approval_waits_for(year) == []
    sheets.approve(bloc_year=year, by=None)
    record = ApprovedRecord.objects.get(bloc_year=year)
    assert record.reason == "" and len(record.data["rows"]) == 3
    assert {r["unit"]: r["total"] for r in record.data["rows"]}[year.units[2].pk] == "96"  # Q1 and Q4 missing
    row = next(r for r in record.data["rows"] if r["unit"] == year.units[2].pk)
    assert [d["kind"] for d in row["deductions"]] == ["missing", "missing"] and row["rank"] == 3


def test_reopening_keeps_the_former_version_and_going_back_needs_it(year, clock):
    approved_year(year, clock)
    with pytest.raises(ServiceError, match="mở lại kết quả"):
        lifecycle.revert_phase(bloc_year=BlocYear.objects.get(pk=year.pk), by=None, reason="Sửa bảng điểm")
    sheets.reopen(bloc_year=year, by=None, reason="Sai điểm tiêu chí 2 của đơn vị 3")
    assert not RankSnapshot.objects.filter(bloc_year=year).exists()
    former = ApprovedRecord.objects.get(bloc_year=year)
    assert former.reopened_at is not None and former.reopen_reason == "Sai điểm tiêu chí 2 của đơn vị 3"
    assert compute(year).record is None and not compute(year).approved
    clock.set(at(2026, 2, 2))
    sheets.approve(bloc_year=year, by=None)
    assert ApprovedRecord.objects.filter(bloc_year=year).count() == 2
    assert compute(year).record == ApprovedRecord.objects.get(bloc_year=year, reopened_at__isnull=True)
    assert AuditEntry.objects.filter(bloc_year=year, action="scoring.reopen").get().reason.startswith("Sai điểm")


def test_the_overview_lists_the_approvals_with_the_former_ones(client, year, clock):
    approved_year(year, clock)
    sheets.reopen(bloc_year=year, by=None, reason="Sai điểm tiêu chí 2")
    client = secretariat_client(client, year)
    page = client.get(reverse("scores:overview", args=[year.bloc.code, year.year])).content.decode()
    assert "Các lần phê duyệt kết quả" in page and "Bản trước" in page and "Sai điểm tiêu chí 2" in page
    assert "Hội nghị tổng kết họp ngày 25/01/2026" in page


def test_scores_of_an_approved_year_stay_put_when_reverted_and_unlocked(year, clock):
    """Reopened and stepped back to reporting: the approved record stays as the former version."""
    approved_year(year, clock)
    sheets.reopen(bloc_year=year, by=None, reason="Sửa bảng điểm")
    by = lifecycle.revert_phase(bloc_year=BlocYear.objects.get(pk=year.pk), by=None, reason="Sửa bảng điểm")
    assert by.phase == BlocYear.Phase.REPORTING
    assert ScoringRound.objects.get(bloc_year=year).approved_at is None
    assert ApprovedRecord.objects.filter(bloc_year=year, reopened_at__isnull=False).count() == 1


def test_a_scoreboard_edited_after_scoring_must_still_admit_the_scores(year, clock):
    from scoring.scoreboard import services as board_services

    for unit in year.units:
        self_score(year, unit, None, full)
    by = lifecycle.revert_phase(bloc_year=BlocYear.objects.get(pk=year.pk), by=None, reason="Sửa bảng điểm")
    criterion = Criterion.objects.filter(scoreboard__bloc_year=by).order_by("order").first()
    subs = list(criterion.sub_items.order_by("order"))
    rows = [board_services.SubItemRow(order=s.order, text=s.text, max_points=s.max_points, pk=s.pk) for s in subs]
    # Lowered by one point, moved to the next sub-item so that the maxima still add up.
    first, second = rows[0], rows[1]
    lowered = [
        board_services.SubItemRow(order=first.order, text=first.text, max_points=first.max_points - 1, pk=first.pk),
        board_services.SubItemRow(order=second.order, text=second.text, max_points=second.max_points + 1, pk=second.pk),
        *rows[2:],
    ]
    with pytest.raises(ServiceError) as refused:
        board_services.save_criterion(
            scoreboard=criterion.scoreboard,
            criterion=criterion,
            order=criterion.order,
            title=criterion.title,
            contents=list(criterion.contents.all()),
            sub_items=lowered,
            expected_version=None,
            by=None,
            reason="Giảm điểm mục 1.1",
        )
    assert "3 điểm" in refused.value.message and "mục 1.1" in refused.value.message
    assert SubItem.objects.get(pk=subs[0].pk).max_points == subs[0].max_points  # nothing changed
    # A coarser step that the maxima allow but the entered scores do not.
    SubItem.objects.filter(criterion__scoreboard__bloc_year=by).update(max_points=Decimal(10))
    ItemScore.objects.filter(sheet__bloc_year=by).update(self_score=Decimal("7.5"))
    with pytest.raises(ServiceError, match="không còn phù hợp"):
        board_services.update_settings(
            scoreboard=criterion.scoreboard,
            data={"score_step": Decimal(1)},
            expected_version=None,
            by=None,
            reason="Bước điểm 1",
        )
    assert Scoreboard.objects.get(bloc_year=by).score_step != Decimal(1)
    # Dropping a sub-item that has scores is refused in words, not with a server error.
    with pytest.raises(ServiceError, match="đã có điểm chấm"):
        board_services.save_criterion(
            scoreboard=criterion.scoreboard,
            criterion=criterion,
            order=criterion.order,
            title=criterion.title,
            contents=list(criterion.contents.all()),
            sub_items=rows[1:],
            expected_version=None,
            by=None,
            reason="Bỏ mục 1.1",
        )


def test_advancing_again_rechecks_the_setup_rules(year):
    """Stepped back to reporting, the maxima no longer add up to the total: scoring cannot open again."""
    by = lifecycle.revert_phase(bloc_year=BlocYear.objects.get(pk=year.pk), by=None, reason="Sửa bảng điểm")
    Scoreboard.objects.filter(bloc_year=by).update(total_points=Decimal(120))
    with pytest.raises(ServiceError, match="chưa bằng tổng điểm chuẩn 120"):
        lifecycle.advance_phase(bloc_year=by, by=None, reason="Hết hạn")

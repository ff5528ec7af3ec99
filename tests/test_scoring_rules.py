"""Scoring rules on stored data: deductions from the reporting record, waivers, manual deductions, bad scores,
the lock after approval, and the ranking command."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from core.errors import ServiceError
from core.models import BlocYear
from reports import services as report_services
from reports.services import SectionData
from scoring.models import Deduction, ItemScore, Scoreboard, ScoreSheet
from scoring.sheets import services as sheets
from scoring.sheets.ranking import compute
from tests.personas import LEFT_OPEN, make_bloc_year

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=10):
    return datetime.datetime(y, m, d, hh, tzinfo=VN)


def submit_report(period, unit, officer, when):
    report = report_services.start_report(period=period, unit=unit, by=officer, at=when)
    report = report_services.save_report(
        report=report,
        sections={s.content_id: SectionData(done="Đã làm.") for s in report.sections.all()},
        general_proposals="",
        expected_version=None,
        by=officer,
        at=when,
    )
    return report_services.submit_report(report=report, expected_version=None, by=officer, at=when)


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    by = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    report_services.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    periods = {p.code: p for p in by.periods.all()}
    # Unit 1: on time everywhere. Unit 2: Q1 late. Unit 3: Q1 missing, the rest on time.
    for p in periods.values():
        submit_report(p, by.units[0], by.officers[0], at(p.deadline.year, p.deadline.month, p.deadline.day))
        if p.code != "q1":
            submit_report(p, by.units[1], by.officers[1], at(p.deadline.year, p.deadline.month, p.deadline.day))
            submit_report(p, by.units[2], by.officers[2], at(p.deadline.year, p.deadline.month, p.deadline.day))
    late = periods["q1"].deadline + datetime.timedelta(days=2)
    submit_report(periods["q1"], by.units[1], by.officers[1], at(late.year, late.month, late.day))
    from core.lifecycle import advance_phase

    by = advance_phase(bloc_year=by, by=None, at=at(2026, 1, 20), reason=LEFT_OPEN)
    by.units = [m.unit for m in by.memberships.select_related("unit").order_by("order")]
    by.period_by_code = periods
    return by


def self_score(year, unit, officer, score_of):
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=officer)
    rows = {i.sub_item_id: sheets.SelfRow(score=score_of(i)) for i in sheet.items.select_related("sub_item")}
    sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer)
    # Submitting would ask for evidence on some sub-items; these rules do not depend on it.
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=at(2026, 1, 22))
    return ScoreSheet.objects.get(pk=sheet.pk)


def full(item):
    return item.sub_item.max_points


def test_deductions_come_from_the_reporting_record_with_the_configured_points(year):
    for unit in year.units:
        self_score(year, unit, None, full)
    ranking = compute(year)
    by_unit = {row.entry.unit_id: row for row in ranking.rows}
    assert by_unit[year.units[0].pk].total == Decimal(100)
    assert by_unit[year.units[1].pk].deductions == Decimal(1)  # one late report, 1 point
    assert by_unit[year.units[2].pk].deductions == Decimal(2)  # one missing report, 2 points
    lines = ranking.units[year.units[2].pk].deduction_lines
    assert len(lines) == 1 and "Không nộp báo cáo" in lines[0].label
    Scoreboard.objects.filter(bloc_year=year).update(late_report_points=Decimal("1.5"))
    assert {r.entry.unit_id: r.total for r in compute(year).rows}[year.units[1].pk] == Decimal("98.5")


def test_a_waived_and_a_manual_deduction(year):
    sheet = self_score(year, year.units[2], None, full)
    sheets.waive_deduction(
        sheet=sheet,
        kind=Deduction.Kind.WAIVE_MISSING,
        period=year.period_by_code["q1"],
        reason="Đơn vị mới sáp nhập",
        by=None,
    )
    assert {r.entry.unit_id: r.total for r in compute(year).rows}[year.units[2].pk] == Decimal(100)
    sheets.add_manual_deduction(sheet=sheet, points="3,5", reason="Vi phạm quy chế (văn bản số 12)", by=None)
    row = {r.entry.unit_id: r for r in compute(year).rows}[year.units[2].pk]
    assert (row.deductions, row.total) == (Decimal("3.5"), Decimal("96.5"))
    with pytest.raises(ServiceError, match="lý do"):
        sheets.add_manual_deduction(sheet=sheet, points="1", reason=" ", by=None)
    with pytest.raises(ServiceError, match="đã được miễn"):
        sheets.waive_deduction(
            sheet=sheet, kind=Deduction.Kind.WAIVE_MISSING, period=year.period_by_code["q1"], reason="lần hai", by=None
        )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11", "vượt điểm tối đa"),
        ("-1", "không được âm"),
        ("7,3", "không đúng bước điểm"),
        ("mười", "không phải là số"),
        ("NaN", "không phải là số"),
    ],
)
def test_bad_self_scores_are_refused_and_nothing_is_stored(year, raw, message):
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[0], by=None)
    first = sheet.items.select_related("sub_item").order_by("sub_item__criterion__order", "sub_item__order").first()
    assert first.sub_item.max_points == Decimal(10)
    with pytest.raises(ServiceError, match=message):
        sheets.save_self_score(
            sheet=sheet, rows={first.sub_item_id: sheets.SelfRow(score=raw)}, claims={}, expected_version=None, by=None
        )
    assert ItemScore.objects.get(pk=first.pk).self_score is None


def test_another_score_step_changes_what_is_valid(year):
    Scoreboard.objects.filter(bloc_year=year).update(score_step=Decimal("0.25"))
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[0], by=None)
    first = sheet.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    sheets.save_self_score(
        sheet=sheet, rows={first.sub_item_id: sheets.SelfRow(score="7,25")}, claims={}, expected_version=None, by=None
    )
    assert ItemScore.objects.get(pk=first.pk).self_score == Decimal("7.25")


def test_a_reviewed_score_that_differs_needs_a_reason_and_nothing_changes_after_approval(year):
    sheet = self_score(year, year.units[1], None, full)
    first = sheet.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    with pytest.raises(ServiceError, match="phải ghi lý do"):
        sheets.save_review(
            sheet=sheet, rows={first.sub_item_id: sheets.ReviewRow(score="8")}, expected_version=None, by=None
        )
    assert ItemScore.objects.get(pk=first.pk).reviewed_score is None
    for unit in (year.units[0], year.units[2]):
        self_score(year, unit, None, full)
    for s in ScoreSheet.objects.filter(bloc_year=year):
        rows = {i.sub_item_id: sheets.ReviewRow(score=i.self_score) for i in s.items.all()}
        if s.pk == sheet.pk:
            rows[first.sub_item_id] = sheets.ReviewRow(score="8", reason="Thiếu minh chứng")
        sheets.save_review(sheet=s, rows=rows, expected_version=None, by=None)
    sheets.release_review(bloc_year=year, by=None)
    sheets.approve(bloc_year=year, by=None, reason="Phê duyệt tại hội nghị (thử nghiệm).")
    with pytest.raises(ServiceError, match="phê duyệt"):
        sheets.add_manual_deduction(sheet=sheet, points="1", reason="muộn", by=None)
    with pytest.raises(ServiceError, match=r"phê duyệt|công bố"):
        sheets.save_review(
            sheet=sheet, rows={first.sub_item_id: sheets.ReviewRow(score="10")}, expected_version=None, by=None
        )
    assert ItemScore.objects.get(pk=first.pk).reviewed_score == Decimal(8)
    out = io.StringIO()
    call_command("ranking", "--bloc", year.bloc.code, "--year", "2025", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "rank,unit_code,unit_name,criterion_1,criterion_2,criterion_3,bonus,deductions,total,status"
    assert len(lines) == 4 and all(line.endswith(",approved") for line in lines[1:])
    first_row = lines[1].split(",")
    assert first_row[0] == "1" and first_row[1] == year.units[0].code and first_row[-2] == "100"
    # Unit 3: 100 − 2 (missing report) = 98; unit 2: 98 reviewed − 1 (late report) = 97.
    assert lines[2].split(",")[1] == year.units[2].code and lines[2].split(",")[-2] == "98"
    assert lines[3].split(",")[1] == year.units[1].code and lines[3].split(",")[-3:-1] == ["1", "97"]


def test_the_ranking_command_fails_cleanly_without_scores(year, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("ranking", "--bloc", year.bloc.code, "--year", "2025")
    assert exit_info.value.code == 1
    assert "chưa có điểm" in capsys.readouterr().err


def test_attaching_evidence_to_a_bonus_claim_is_recorded(year):
    from core.models import AuditEntry, Bloc
    from reports.models import Evidence

    unit = year.units[0]
    officer = unit.profiles.get(role="officer").user
    bonus = Scoreboard.objects.get(bloc_year=year).bonus_items.order_by("order").first()
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=officer)
    claim = {bonus.pk: sheets.ClaimRow(explanation="Được tặng cờ thi đua")}
    sheet = sheets.save_self_score(sheet=sheet, rows={}, claims=claim, expected_version=None, by=officer)
    evidence = Evidence.objects.create(
        bloc_year=year, unit=unit, summary="Quyết định tặng cờ", file="evidence/co.pdf", original_name="co.pdf",
        content_type="application/pdf", size=40, sha256="0" * 64, uploaded_by=officer, uploaded_at=at(2026, 1, 21),
    )
    version = Bloc.objects.get(pk=year.bloc_id).data_version
    claim = {bonus.pk: sheets.ClaimRow(explanation="Được tặng cờ thi đua", evidence_ids=[evidence.pk])}
    sheets.save_self_score(sheet=sheet, rows={}, claims=claim, expected_version=sheet.version, by=officer)
    entry = AuditEntry.objects.filter(action="sheet.self_score").latest("id")
    assert entry.before == {f"bonus.{bonus.pk}.evidence": []}
    assert entry.after == {f"bonus.{bonus.pk}.evidence": [evidence.pk]}
    assert Bloc.objects.get(pk=year.bloc_id).data_version == version + 1  # the kept pages show the evidence

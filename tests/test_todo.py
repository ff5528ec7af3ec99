"""The dashboard's to-do list: what each role has to do next, with "còn N ngày" / "hôm nay" / "quá hạn N ngày"."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.access import access_for
from core.models import BlocYear, Profile
from reports import services as reports
from reports.board import dashboard_summary
from scoring.meeting import services as voting
from scoring.models import Ballot, ScoringRound
from scoring.sheets import services as sheets
from tests.personas import make_bloc_year, make_user
from workspace.todo import todo_list

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=10):
    return datetime.datetime(y, m, d, hh, 0, tzinfo=VN)


def todo(by, user, now):
    access = access_for(user, BlocYear.objects.get(pk=by.pk))
    return todo_list(access.bloc_year, access, dashboard_summary(access.bloc_year, access.unit, now), None,
                     today=now.date())


def texts(todos) -> list[tuple[str, str]]:
    return [(t.text, t.countdown) for t in todos.items]


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, code="khoi-td", year=2025, phase=BlocYear.Phase.REPORTING)
    by.secretariat = make_user("vp-td", role=Profile.Role.SECRETARIAT, unit=by.units[0])
    reports.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    by.q1 = by.periods.get(code="q1")
    return by


def submit(by, unit_index, when):
    officer, unit = by.officers[unit_index], by.units[unit_index]
    report = reports.start_report(period=by.q1, unit=unit, by=officer, at=when)
    sections = {s.content_id: reports.SectionData(done="Đã thực hiện.") for s in report.sections.all()}
    report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                 by=officer, at=when)
    return reports.submit_report(report=report, expected_version=report.version, by=officer, at=when)


@pytest.mark.parametrize(("day", "countdown"), [(5, "còn 5 ngày"), (10, "hôm nay"), (12, "quá hạn 2 ngày")])
def test_an_officer_sees_the_report_due_with_its_countdown(year, day, countdown):
    todos = todo(year, year.officers[1], at(2025, 4, day))
    assert ("Nộp Báo cáo quý I", countdown) in texts(todos)
    assert todos.title == f"Việc cần làm của {year.units[1].short_name}"


def test_an_extension_moves_the_unit_s_own_countdown(year):
    reports.grant_extension(period=year.q1, unit=year.units[1], deadline=datetime.date(2025, 4, 20),
                            lock_date=datetime.date(2025, 5, 5), reason="Sự cố", by=year.secretariat, at=at(2025, 4, 1))
    assert ("Nộp Báo cáo quý I", "còn 15 ngày") in texts(todo(year, year.officers[1], at(2025, 4, 5)))
    assert ("Nộp Báo cáo quý I", "còn 5 ngày") in texts(todo(year, year.officers[2], at(2025, 4, 5)))


def test_a_returned_report_shows_its_resubmission_date_and_the_secretariat_its_queue(year):
    report = submit(year, 1, at(2025, 4, 3))
    submit(year, 2, at(2025, 4, 4))
    queue = todo(year, year.secretariat, at(2025, 4, 5))
    assert [t for t, _c in texts(queue) if t.startswith("Xem xét")] == [
        f"Xem xét Báo cáo quý I của {year.units[1].short_name}",
        f"Xem xét Báo cáo quý I của {year.units[2].short_name}",
    ]
    review = next(t for t in queue.items if t.text.startswith("Xem xét"))
    assert review.url == reverse("reports:review", args=[year.bloc.code, year.year, report.pk])

    reports.return_report(report=report, reason="Thiếu số liệu", due=datetime.date(2025, 4, 15), by=year.secretariat,
                          at=at(2025, 4, 5))
    mine = todo(year, year.officers[1], at(2025, 4, 7))
    [back] = [t for t in mine.items if t.text == "Sửa và nộp lại Báo cáo quý I"]
    assert back.countdown == "còn 8 ngày" and back.due == datetime.date(2025, 4, 15)
    assert back.url == reverse("reports:edit", args=[year.bloc.code, year.year, report.pk])
    assert "Nộp Báo cáo quý I" not in [t for t, _c in texts(todo(year, year.officers[2], at(2025, 4, 7)))]


def test_the_secretariat_sees_units_overdue_per_period(year):
    submit(year, 1, at(2025, 4, 3))
    queue = texts(todo(year, year.secretariat, at(2025, 4, 12)))
    assert ("2 đơn vị quá hạn chưa nộp Báo cáo quý I", "quá hạn 2 ngày") in queue


def test_a_leader_sees_the_year_s_milestones(year):
    leader = make_user("ld-td", role=Profile.Role.LEADER, bloc=year.bloc)
    todos = todo(year, leader, at(2025, 4, 5))
    assert todos.milestones and todos.title == "Mốc thời gian của năm"
    assert texts(todos)[0] == ("Hạn nộp Báo cáo quý I", "còn 5 ngày")


@pytest.fixture
def scoring(db):
    by = make_bloc_year(units=3, code="khoi-cd", year=2025, phase=BlocYear.Phase.SCORING)
    by.secretariat = make_user("vp-cd", role=Profile.Role.SECRETARIAT, unit=by.units[0])
    return by


def test_self_scoring_then_the_contest_window_for_officers(scoring):
    by = scoring
    now = at(2026, 1, 10)
    assert ("Tự chấm điểm và nộp bảng điểm của đơn vị", "") in texts(todo(by, by.officers[1], now))
    assert ("3 đơn vị chưa nộp bảng tự chấm", "") in texts(todo(by, by.secretariat, now))
    for unit, officer in zip(by.units, by.officers, strict=True):
        sheet = sheets.get_or_create_sheet(bloc_year=by, unit=unit, by=officer)
        items = sheet.items.select_related("sub_item")
        rows = {i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points) for i in items}
        for i in sheet.items.select_related("sub_item"):
            if i.sub_item.evidence_required:
                i.sub_item.evidence_required = False
                i.sub_item.save(update_fields=["evidence_required"])
        sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer)
        sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer)
    assert "Tự chấm điểm và nộp bảng điểm của đơn vị" not in [t for t, _c in texts(todo(by, by.officers[1], now))]
    sheets.assign_reviewers(bloc_year=by, mode=ScoringRound.Mode.CROSS, by=by.secretariat)
    reviewer_tasks = [t for t, _c in texts(todo(by, by.officers[1], now)) if t.startswith("Thẩm định bảng điểm của")]
    assert len(reviewer_tasks) == 1
    for sheet in by.score_sheets.select_related("unit"):
        rows = {i.sub_item_id: sheets.ReviewRow(score=i.self_score) for i in sheet.items.all()}
        reviewer = next(o for u, o in zip(by.units, by.officers, strict=True) if u.pk == sheet.reviewer_unit_id)
        sheets.save_review(sheet=sheet, rows=rows, expected_version=None, by=reviewer)
    assert ("Công bố kết quả thẩm định cho các đơn vị", "") in texts(todo(by, by.secretariat, now))
    sheets.release_review(bloc_year=by, by=by.secretariat, at=at(2026, 1, 10, 9))
    officer = texts(todo(by, by.officers[1], now))
    assert ("Xem điểm thẩm định: đồng ý hoặc đề nghị xem lại", "còn 3 ngày") in officer
    assert ("Phê duyệt kết quả chấm điểm", "còn 3 ngày") in texts(todo(by, by.secretariat, now))
    later = at(2026, 1, 14)
    assert "Xem điểm thẩm định: đồng ý hoặc đề nghị xem lại" not in [t for t, _c in texts(todo(by, by.officers[1],
                                                                                              later))]


@pytest.fixture
def review(db):
    by = make_bloc_year(units=3, code="khoi-rv", year=2025, phase=BlocYear.Phase.REVIEW)
    by.secretariat = make_user("vp-rv", role=Profile.Role.SECRETARIAT, unit=by.units[0])
    flag = voting.create_default_ballots(bloc_year=by, by=None)[0]
    assert flag.kind == Ballot.Kind.FLAG
    voting.save_ballot(bloc_year=by, ballot=flag, by=None, data={
        "kind": flag.kind, "max_choices": 1, "candidates_from": "all", "mode": "online",
        "closes_at": datetime.datetime(2030, 1, 15, 17, 0, tzinfo=VN)})
    by.flag = voting.open_ballot(ballot=Ballot.objects.get(pk=flag.pk), by=None)
    return by


def test_an_open_ballot_is_an_officer_s_to_do_until_the_unit_votes(review):
    by = review
    now = at(2030, 1, 10)
    [vote] = [t for t in todo(by, by.officers[1], now).items if t.text.startswith("Bỏ phiếu")]
    assert vote.countdown == "còn 5 ngày" and "17:00 15/01/2030" in vote.detail
    assert vote.url == reverse("review:vote", args=[by.bloc.code, by.year, by.flag.pk])
    first = by.flag.candidates.order_by("order").first()
    voting.cast_vote(ballot=by.flag, unit=by.units[1], candidate_ids=[first.pk], by=by.officers[1], at=now)
    assert not [t for t in todo(by, by.officers[1], now).items if t.text.startswith("Bỏ phiếu")]
    assert [t for t in todo(by, by.officers[2], now).items if t.text.startswith("Bỏ phiếu")]
    [close] = [t for t in todo(by, by.secretariat, now).items if t.text.startswith("Kết thúc bỏ phiếu")]
    assert close.detail.startswith("1/3 đơn vị đã bỏ phiếu")


def test_the_dashboard_shows_the_list_with_links(client, year):
    client.force_login(year.officers[1])
    page = client.get(reverse("workspace:dashboard", args=[year.bloc.code, year.year])).content.decode()
    assert "todo-card" in page and f"Việc cần làm của {year.units[1].short_name}" in page


def test_the_secretariat_is_offered_the_phase_step_once_nothing_is_left(db):
    by = make_bloc_year(units=3, code="khoi-gd", year=2025)  # setup complete, nothing open
    secretariat = make_user("vp-gd", role=Profile.Role.SECRETARIAT, unit=by.units[0])
    [step] = [t for t in todo(by, secretariat, at(2025, 2, 1)).items if t.text.startswith("Sẵn sàng")]
    assert step.text == "Sẵn sàng sang giai đoạn Báo cáo định kỳ"
    assert step.url == reverse("covenant:phase_advance", args=[by.bloc.code, by.year])
    assert not [t for t in todo(by, by.officers[1], at(2025, 2, 1)).items if t.text.startswith("Sẵn sàng")]

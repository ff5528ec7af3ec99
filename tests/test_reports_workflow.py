"""Periodic reports: deadlines at the end of the day in Asia/Ho_Chi_Minh, the workflow, evidence, bad input."""

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from core.errors import ConflictError, ServiceError
from core.models import BlocYear
from reports import services
from reports.models import Evidence, ProgressReport, ReminderLog
from reports.services import SectionData, Timeliness
from tests.personas import make_bloc_year, make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(y, m, d, hh=10, mm=0, ss=0):
    return datetime.datetime(y, m, d, hh, mm, ss, tzinfo=VN)


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    services.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    return by


@pytest.fixture
def q1(year):
    return year.periods.get(code="q1")


def filled(report) -> dict[int, SectionData]:
    return {s.content_id: SectionData(done=f"Đã thực hiện nội dung {s.content.order}.") for s in report.sections.all()}


def write_and_submit(period, unit, officer, when):
    report = services.start_report(period=period, unit=unit, by=officer, at=when)
    report = services.save_report(
        report=report, sections=filled(report), general_proposals="", expected_version=None, by=officer, at=when
    )
    return services.submit_report(report=report, expected_version=report.version, by=officer, at=when)


def test_default_periods_follow_the_quarters(year):
    periods = list(year.periods.order_by("order"))
    assert [p.code for p in periods] == ["q1", "6t", "q3", "nam"]
    assert [p.deadline for p in periods] == [
        datetime.date(2025, 4, 10),
        datetime.date(2025, 7, 10),
        datetime.date(2025, 10, 10),
        datetime.date(2026, 1, 10),
    ]
    assert all(p.lock_date == p.deadline + datetime.timedelta(days=20) for p in periods)


def test_first_submission_on_the_deadline_day_is_on_time_up_to_its_last_second(year, q1):
    report = write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 10, 23, 59, 59))
    assert services.timeliness(q1, report, None, at(2025, 6, 1)) == Timeliness.ON_TIME


def test_first_submission_just_after_midnight_is_late(year, q1):
    report = write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 11, 0, 0, 0))
    assert services.timeliness(q1, report, None, at(2025, 6, 1)) == Timeliness.LATE


def test_deadline_is_the_end_of_day_in_vietnam_not_utc(year, q1):
    # 23:30 on 10/04 in Hanoi is 16:30 UTC the same day; 00:30 on 11/04 in Hanoi is still 10/04 in UTC.
    utc = datetime.UTC
    late = write_and_submit(q1, year.units[1], year.officers[1], datetime.datetime(2025, 4, 10, 17, 30, tzinfo=utc))
    assert services.timeliness(q1, late, None, at(2025, 6, 1)) == Timeliness.LATE


def test_lock_date_bars_a_first_submission_after_its_last_second(year, q1):
    unit, officer = year.units[1], year.officers[1]
    report = services.start_report(period=q1, unit=unit, by=officer, at=at(2025, 4, 1))
    services.save_report(
        report=report,
        sections=filled(report),
        general_proposals="",
        expected_version=None,
        by=officer,
        at=at(2025, 4, 1),
    )
    with pytest.raises(ServiceError, match="khóa sổ"):
        services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 5, 1, 0, 0, 1))
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.DRAFT
    assert services.timeliness(q1, report, None, at(2025, 5, 1, 0, 0, 1)) == Timeliness.MISSING
    assert services.timeliness(q1, report, None, at(2025, 4, 30, 23, 59, 59)) == Timeliness.OVERDUE
    submitted = services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 4, 30, 23, 59))
    assert services.timeliness(q1, submitted, None, at(2025, 6, 1)) == Timeliness.LATE


def test_extension_moves_the_units_deadline_and_lock_date(year, q1):
    unit, officer = year.units[1], year.officers[1]
    ext = services.grant_extension(
        period=q1,
        unit=unit,
        deadline=datetime.date(2025, 4, 20),
        lock_date=datetime.date(2025, 5, 15),
        reason="Đơn vị sáp nhập",
        by=None,
    )
    report = write_and_submit(q1, unit, officer, at(2025, 4, 20, 23, 59, 59))
    assert services.timeliness(q1, report, ext, at(2025, 6, 1)) == Timeliness.ON_TIME
    other = year.units[2]
    assert services.timeliness(q1, None, None, at(2025, 5, 2)) == Timeliness.MISSING
    with pytest.raises(ServiceError, match="lý do"):
        services.grant_extension(
            period=q1,
            unit=other,
            deadline=datetime.date(2025, 4, 20),
            lock_date=datetime.date(2025, 5, 15),
            reason=" ",
            by=None,
        )


def test_a_returned_report_may_be_resubmitted_after_the_lock_date_until_its_own_due_date(year, q1):
    unit, officer = year.units[1], year.officers[1]
    report = write_and_submit(q1, unit, officer, at(2025, 4, 9))
    report = services.return_report(
        report=report, reason="Thiếu số liệu quý", due=datetime.date(2025, 5, 10), by=None, at=at(2025, 4, 29)
    )
    services.save_report(
        report=report,
        sections=filled(report),
        general_proposals="Bổ sung",
        expected_version=None,
        by=officer,
        at=at(2025, 5, 5),
    )
    report = services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 5, 10, 23, 59))
    assert report.status == ProgressReport.Status.RESUBMITTED
    assert services.timeliness(q1, report, None, at(2025, 6, 1)) == Timeliness.ON_TIME
    report = services.return_report(
        report=report, reason="Còn thiếu", due=datetime.date(2025, 5, 12), by=None, at=at(2025, 5, 11)
    )
    with pytest.raises(ServiceError, match="hạn nộp lại"):
        services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 5, 13, 0, 0, 1))
    assert services.timeliness(q1, report, None, at(2025, 6, 1)) == Timeliness.ON_TIME


def test_a_return_never_gives_an_earlier_resubmission_date_than_the_units_own_deadline(year, q1):
    unit, officer = year.units[1], year.officers[1]
    services.grant_extension(period=q1, unit=unit, deadline=datetime.date(2025, 4, 25),
                             lock_date=datetime.date(2025, 5, 15), reason="Đơn vị sáp nhập", by=None)
    report = write_and_submit(q1, unit, officer, at(2025, 4, 2))
    # Returned on 03/04 with the default 5 days (08/04): the unit keeps its extended deadline 25/04.
    report = services.return_report(report=report, reason="Thiếu số liệu", by=None, at=at(2025, 4, 3))
    assert report.resubmit_due == datetime.date(2025, 4, 25)
    services.save_report(report=report, sections=filled(report), general_proposals="", expected_version=None,
                         by=officer, at=at(2025, 4, 20))
    report = services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 4, 24))
    with pytest.raises(ServiceError, match="sớm hơn hạn nộp của đơn vị \\(25/04/2025\\)") as refused:
        services.return_report(report=report, reason="Còn thiếu", due=datetime.date(2025, 4, 24), by=None,
                               at=at(2025, 4, 24, 15))
    assert refused.value.field == "due"
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.RESUBMITTED
    # Later than the deadline, the default days after the return apply.
    report = services.return_report(report=report, reason="Còn thiếu", by=None, at=at(2025, 4, 24, 16))
    assert report.resubmit_due == datetime.date(2025, 4, 29)


def test_the_review_form_states_the_earliest_resubmission_date_and_marks_an_earlier_one(client, year, q1):
    from django.urls import reverse
    from django.utils import timezone

    from core.models import Profile
    from reports.models import ReportingPeriod

    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=q1.pk).update(opens_on=today - datetime.timedelta(days=5),
                                                     deadline=today + datetime.timedelta(days=20),
                                                     lock_date=today + datetime.timedelta(days=30))
    q1.refresh_from_db()
    report = write_and_submit(q1, year.units[1], year.officers[1], None)
    client.force_login(make_user("vp", role=Profile.Role.SECRETARIAT, unit=year.units[0]))
    url = reverse("reports:review", args=[year.bloc.code, year.year, report.pk])
    deadline = q1.deadline.strftime("%d/%m/%Y")
    assert f"Không sớm hơn hạn nộp của đơn vị ({deadline})" in client.get(url).content.decode()
    early = (today + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    response = client.post(url, {"version": report.version, "decision": "return", "reason": "Thiếu", "due": early})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"sớm hơn hạn nộp của đơn vị ({deadline})" in page and "is-invalid" in page
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED


def test_returning_needs_a_reason_and_marks_what_changed_since(year, q1):
    unit, officer = year.units[1], year.officers[1]
    report = write_and_submit(q1, unit, officer, at(2025, 4, 9))
    with pytest.raises(ServiceError, match="lý do"):
        services.return_report(report=report, reason="  ", by=None, at=at(2025, 4, 12))
    report = services.return_report(report=report, reason="Nội dung 2 sơ sài", by=None, at=at(2025, 4, 12))
    sections = filled(report)
    second = year.contents[1]
    sections[second.pk] = SectionData(done="Bổ sung chi tiết nội dung 2.")
    services.save_report(
        report=report, sections=sections, general_proposals="", expected_version=None, by=officer, at=at(2025, 4, 13)
    )
    from core.models import AuditEntry

    history = list(AuditEntry.objects.filter(target_type="reports.progressreport", target_id=str(report.pk)))
    assert services.changed_since_return(report, history) == {"2.done"}
    actions = [e.action for e in history]
    assert {"report.start", "report.save", "report.submit", "report.return"} <= set(actions)
    returned = next(e for e in history if e.action == "report.return")
    assert returned.reason == "Nội dung 2 sơ sài"


def test_submitting_twice_is_refused_and_changes_nothing(year, q1):
    report = write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 9))
    first = report.first_submitted_at
    with pytest.raises(ServiceError, match="đã được nộp"):
        services.submit_report(report=report, expected_version=None, by=year.officers[1], at=at(2025, 4, 10))
    report.refresh_from_db()
    assert report.first_submitted_at == first


def test_an_empty_required_section_blocks_submission(year, q1):
    officer = year.officers[1]
    report = services.start_report(period=q1, unit=year.units[1], by=officer, at=at(2025, 4, 1))
    sections = filled(report)
    sections[year.contents[6].pk] = SectionData(done="   ")
    report = services.save_report(
        report=report, sections=sections, general_proposals="", expected_version=None, by=officer, at=at(2025, 4, 1)
    )
    with pytest.raises(ServiceError, match="Nội dung 7"):
        services.submit_report(report=report, expected_version=None, by=officer, at=at(2025, 4, 2))
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.DRAFT and report.first_submitted_at is None


def test_accepted_reports_are_locked_for_the_unit_and_reopening_needs_a_reason(year, q1):
    officer = year.officers[1]
    report = write_and_submit(q1, year.units[1], officer, at(2025, 4, 9))
    report = services.accept_report(report=report, by=None, at=at(2025, 4, 15))
    with pytest.raises(ServiceError, match="không thể sửa"):
        services.save_report(
            report=report,
            sections=filled(report),
            general_proposals="x",
            expected_version=None,
            by=officer,
            at=at(2025, 4, 16),
        )
    with pytest.raises(ServiceError, match="lý do"):
        services.reopen_report(report=report, reason="", by=None, at=at(2025, 4, 16))
    report = services.reopen_report(report=report, reason="Sai số liệu", by=None, at=at(2025, 4, 16))
    assert report.status == ProgressReport.Status.RETURNED
    assert report.resubmit_due == datetime.date(2025, 4, 21)


def test_a_stale_save_is_refused_and_names_who_saved_first(year, q1):
    unit = year.units[1]
    first = year.officers[1]
    second = make_user("dong-nghiep", role="officer", unit=unit, first_name="Lê", last_name="Thị Hoa")
    report = services.start_report(period=q1, unit=unit, by=first, at=at(2025, 4, 1))
    opened = report.version
    services.save_report(
        report=report,
        sections=filled(report),
        general_proposals="bản của Hoa",
        expected_version=opened,
        by=second,
        at=at(2025, 4, 1, 11),
    )
    with pytest.raises(ConflictError, match="Lê Thị Hoa"):
        services.save_report(
            report=report,
            sections=filled(report),
            general_proposals="bản của tôi",
            expected_version=opened,
            by=first,
            at=at(2025, 4, 1, 12),
        )
    report.refresh_from_db()
    assert report.general_proposals == "bản của Hoa"


def test_evidence_of_another_unit_cannot_be_linked(year, q1):
    officer_a, officer_b = year.officers[1], year.officers[2]
    foreign = services.add_evidence(
        bloc_year=year,
        unit=year.units[2],
        upload=SimpleUploadedFile("a.pdf", PDF),
        summary="Của đơn vị khác",
        by=officer_b,
    )
    report = services.start_report(period=q1, unit=year.units[1], by=officer_a, at=at(2025, 4, 1))
    sections = filled(report)
    sections[year.contents[0].pk].evidence_ids = [foreign.pk]
    with pytest.raises(ServiceError, match="chính đơn vị"):
        services.save_report(
            report=report,
            sections=sections,
            general_proposals="",
            expected_version=None,
            by=officer_a,
            at=at(2025, 4, 2),
        )
    assert not report.sections.filter(evidence__isnull=False).exists()


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "không phải PDF"),
        ("ghi-chu.pdf", b"chi la van ban thuong", "không phải PDF"),
        ("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "không khớp"),
        ("rong.pdf", b"", "rỗng"),
    ],
)
def test_evidence_is_checked_by_content_not_by_name(year, settings, name, payload, message):
    with pytest.raises(ServiceError, match=message):
        services.add_evidence(
            bloc_year=year,
            unit=year.units[1],
            upload=SimpleUploadedFile(name, payload),
            summary="Minh chứng",
            by=year.officers[1],
        )
    assert Evidence.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "evidence").exists() or not any((settings.MEDIA_ROOT / "evidence").rglob("*.*"))


def test_oversized_evidence_is_refused(year, settings):
    settings.EVIDENCE_MAX_MB = 1
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ServiceError, match="vượt giới hạn 1 MB"):
        services.add_evidence(bloc_year=year, unit=year.units[1], upload=big, summary="Lớn", by=year.officers[1])
    assert Evidence.objects.count() == 0


def test_accepted_evidence_types(year):
    import struct
    import zlib

    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    png += struct.pack(">I", zlib.crc32(png[12:29]))
    for name, payload in [("bc.pdf", PDF), ("anh.png", png), ("ANH.PNG", png)]:
        ev = services.add_evidence(
            bloc_year=year,
            unit=year.units[1],
            upload=SimpleUploadedFile(name, payload),
            summary=name,
            number_symbol="12/BC-STC",
            by=year.officers[1],
        )
        assert ev.file.name.startswith(f"evidence/{year.pk}/") and ev.size == len(payload)


def test_reminders_are_sent_once_however_often_the_command_runs(year, q1):
    year.officers[1].email = "canbo@example.vn"
    year.officers[1].save()
    call_command("send_reminders", today=datetime.date(2025, 4, 8), stdout=io.StringIO())
    first = len(mail.outbox)
    assert first >= 2  # "opened" and "due soon" for every unit that has an officer with an email
    assert ReminderLog.objects.filter(kind="due_soon", period=q1).count() == 3
    call_command("send_reminders", today=datetime.date(2025, 4, 8), stdout=io.StringIO())
    call_command("send_reminders", today=datetime.date(2025, 4, 9), stdout=io.StringIO())
    assert len(mail.outbox) == first
    subjects = " ".join(m.subject for m in mail.outbox)
    assert "Sắp đến hạn nộp" in subjects and "Đã mở" in subjects


def test_no_due_soon_reminder_after_the_unit_submitted(year, q1):
    write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 5))
    call_command("send_reminders", today=datetime.date(2025, 4, 8), stdout=io.StringIO())
    assert not ReminderLog.objects.filter(kind="due_soon", unit=year.units[1]).exists()
    assert ReminderLog.objects.filter(kind="due_soon", unit=year.units[2]).exists()


def test_submission_and_return_notify_by_email(year, q1, django_capture_on_commit_callbacks):
    secretariat = make_user("vp", role="secretariat", unit=year.units[0], email="vp@example.vn")
    assert secretariat
    with django_capture_on_commit_callbacks(execute=True):
        report = write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 9))
    assert [m.to for m in mail.outbox] == [["vp@example.vn"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(report=report, reason="Bổ sung minh chứng", by=secretariat, at=at(2025, 4, 11))
    assert "Bổ sung minh chứng" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [year.officers[1].email]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_submit_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    by = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    services.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    q1 = by.periods.get(code="q1")
    officer = by.officers[1]
    report = services.start_report(period=q1, unit=by.units[1], by=officer, at=at(2025, 4, 1))
    report = services.save_report(
        report=report,
        sections=filled(report),
        general_proposals="",
        expected_version=None,
        by=officer,
        at=at(2025, 4, 1),
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.submit_report(report=report, expected_version=report.version, by=officer, at=at(2025, 4, 2))
            outcomes.append("ok")
        except ServiceError as e:
            outcomes.append(e.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="report.submit", target_id=str(report.pk)).count() == 1


def test_a_new_year_copies_the_periods_one_year_on(year):
    from core.lifecycle import start_next_year

    new = start_next_year(previous=year, by=None)
    assert [(p.code, p.deadline, p.lock_date) for p in new.periods.order_by("order")] == [
        (p.code, p.deadline.replace(year=p.deadline.year + 1), p.lock_date.replace(year=p.lock_date.year + 1))
        for p in year.periods.order_by("order")
    ]


def test_the_board_filters_by_unit_state_and_period_without_more_queries(client, year, q1,
                                                                         django_assert_max_num_queries):
    from django.urls import reverse

    from core.models import Profile

    write_and_submit(q1, year.units[1], year.officers[1], at(2025, 4, 9))
    client.force_login(make_user("vp", role=Profile.Role.SECRETARIAT, unit=year.units[0]))
    url = reverse("reports:board", args=[year.bloc.code, year.year])
    whole = client.get(url).content.decode()
    assert all(u.short_name in whole for u in year.units) and 'id="completion-chart"' in whole

    def units_shown(**query):
        page = client.get(url, query).content.decode()
        return [u.short_name for u in year.units if f'title="{u.name}">{u.short_name}</td>' in page]

    assert units_shown(status="waiting", period=q1.pk) == [year.units[1].short_name]
    # Q1 is long past its lock date: the two others never reported.
    assert units_shown(status="missing", period=q1.pk) == [year.units[0].short_name, year.units[2].short_name]
    assert units_shown(q=year.units[2].short_name.lower()) == [year.units[2].short_name]
    assert units_shown(status="returned") == []
    assert units_shown(status="bogus", period="x") == [u.short_name for u in year.units]
    from django.core.cache import caches

    caches["pages"].clear()
    with django_assert_max_num_queries(12):
        client.get(url, {"status": "missing", "q": "s"})

"""In-app notifications: written with the event they tell of, to the right people, read per user, never another's."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from core import lifecycle, notifications
from core.errors import ServiceError
from core.models import BlocYear, Notification, Profile
from reports import services as reports
from scoring.meeting import services as voting
from scoring.models import Ballot
from tests.personas import LEFT_OPEN, make_bloc_year, make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WHEN = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=VN)


def unread(user) -> int:
    return Profile.objects.get(user=user).unread_notifications


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk"))


@pytest.fixture
def reporting(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, code="khoi-tb", year=2025, phase=BlocYear.Phase.REPORTING)
    by.secretariat = make_user("vp-tb", role=Profile.Role.SECRETARIAT, unit=by.units[0])
    reports.create_default_periods(bloc_year=by, by=None, at=WHEN)
    return by


def submitted_q1(by):
    officer, unit = by.officers[1], by.units[1]
    report = reports.start_report(period=by.periods.get(code="q1"), unit=unit, by=officer, at=WHEN)
    sections = {s.content_id: reports.SectionData(done="Đã thực hiện.") for s in report.sections.all()}
    report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                 by=officer, at=WHEN)
    return reports.submit_report(report=report, expected_version=report.version, by=officer, at=WHEN)


def test_a_submitted_report_tells_the_secretariat_and_a_returned_one_tells_its_unit_officers(reporting):
    by = reporting
    report = submitted_q1(by)
    [note] = inbox(by.secretariat)
    assert by.units[1].short_name in note.message and "Báo cáo quý I" in note.message
    assert note.url == reverse("reports:review", args=[by.bloc.code, by.year, report.pk])
    assert unread(by.secretariat) == 1

    reports.return_report(report=report, reason="Thiếu số liệu quý.", due=datetime.date(2025, 4, 20), by=by.secretariat,
                          at=WHEN)
    [back] = inbox(by.officers[1])
    assert "bị trả lại" in back.message and "20/04/2025" in back.message and "Thiếu số liệu quý." in back.message
    assert back.url == reverse("reports:edit", args=[by.bloc.code, by.year, report.pk])
    assert back.bloc_year_id == by.pk and back.read_at is None
    assert unread(by.officers[1]) == 1
    assert inbox(by.officers[2]) == [] and inbox(by.officers[0]) == []  # other units hear nothing


def test_an_accepted_report_and_an_extension_tell_the_unit_though_no_email_goes(reporting, mailoutbox):
    by = reporting
    report = submitted_q1(by)
    sent = len(mailoutbox)
    reports.accept_report(report=report, by=by.secretariat, at=WHEN)
    q3 = by.periods.get(code="q3")
    reports.grant_extension(period=q3, unit=by.units[2], deadline=datetime.date(2025, 10, 20),
                            lock_date=datetime.date(2025, 11, 5), reason="Sáp nhập đơn vị", by=by.secretariat, at=WHEN)
    assert len(mailoutbox) == sent
    assert ["tiếp nhận" in n.message for n in inbox(by.officers[1])] == [True]
    [ext] = inbox(by.officers[2])
    assert "gia hạn" in ext.message and "20/10/2025" in ext.message


def test_a_refused_step_writes_no_notification(reporting):
    by = reporting
    report = submitted_q1(by)
    with pytest.raises(ServiceError):
        reports.return_report(report=report, reason="   ", by=by.secretariat, at=WHEN)
    assert inbox(by.officers[1]) == [] and unread(by.officers[1]) == 0


def test_a_notification_rolls_back_with_its_event(reporting):
    officer = reporting.officers[1]
    with transaction.atomic():
        notifications.notify([officer], "Thử %(x)s", params={"x": "1"})
        assert unread(officer) == 1
        transaction.set_rollback(True)
    assert inbox(officer) == [] and unread(officer) == 0


def test_officers_are_told_when_self_scoring_opens(reporting):
    by = reporting
    lifecycle.advance_phase(bloc_year=by, by=by.secretariat, reason=LEFT_OPEN, at=WHEN)
    for officer in by.officers:
        [note] = inbox(officer)
        assert "tự chấm điểm" in note.message
        assert note.url == reverse("scores:overview", args=[by.bloc.code, by.year])
    assert inbox(by.secretariat) == []


@pytest.fixture
def review(db):
    by = make_bloc_year(units=3, code="khoi-bp", year=2025, phase=BlocYear.Phase.REVIEW)
    by.made_ballots = {b.kind: b for b in voting.create_default_ballots(bloc_year=by, by=None)}
    return by


def test_officers_are_told_when_an_online_ballot_opens_and_nobody_when_a_unit_votes(review):
    by = review
    flag = by.made_ballots[Ballot.Kind.FLAG]
    voting.save_ballot(bloc_year=by, ballot=flag, by=None, data={
        "kind": flag.kind, "max_choices": 1, "candidates_from": "all", "mode": "online",
        "closes_at": datetime.datetime(2030, 1, 15, 17, 0, tzinfo=VN)})
    earlier = set(Notification.objects.values_list("pk", flat=True))  # the year's earlier steps told of their own
    flag = voting.open_ballot(ballot=Ballot.objects.get(pk=flag.pk), by=None)
    for officer in by.officers:
        [note] = [n for n in inbox(officer) if n.pk not in earlier]
        assert "Cờ thi đua" in note.message and "17:00 15/01/2030" in note.message
        assert note.url == reverse("review:vote", args=[by.bloc.code, by.year, flag.pk])
    before = Notification.objects.count()
    first = flag.candidates.order_by("order").first()
    voting.cast_vote(ballot=flag, unit=by.units[1], candidate_ids=[first.pk], by=by.officers[1])
    assert Notification.objects.count() == before  # a vote's time is never written anywhere


def test_a_paper_ballot_opening_tells_nobody(review):
    by = review
    head = by.made_ballots[Ballot.Kind.HEAD]
    voting.save_ballot(bloc_year=by, ballot=head, by=None,
                       data={"kind": head.kind, "max_choices": 1, "candidates_from": "all", "mode": "paper"})
    before = Notification.objects.count()
    voting.open_ballot(ballot=Ballot.objects.get(pk=head.pk), by=None)
    assert Notification.objects.count() == before


def test_the_badge_shows_the_unread_count_and_kept_pages_follow_it(client, reporting):
    by = reporting
    officer = by.officers[1]
    notifications.notify([officer], "Một %(x)s", params={"x": "1"})
    notifications.notify([officer], "Hai %(x)s", params={"x": "2"})
    client.force_login(officer)
    url = reverse("workspace:dashboard", args=[by.bloc.code, by.year])
    client.get(url)  # the CSRF cookie
    page = client.get(url).content.decode()
    assert 'class="badge rounded-pill text-bg-warning">2<' in page
    assert client.get(url)["X-Page-Cache"] == "hit"
    notifications.mark_read(officer, inbox(officer)[0].pk)
    response = client.get(url)
    assert "X-Page-Cache" not in response  # a new key: the count is part of it
    assert 'class="badge rounded-pill text-bg-warning">1<' in response.content.decode()
    notifications.mark_read(officer)
    assert "text-bg-warning" not in client.get(url).content.decode()


def test_reading_is_per_user(client, reporting):
    by = reporting
    a, b = by.officers[1], by.officers[2]
    notifications.notify([a, b], "Cho cả hai %(x)s", url="/", params={"x": "!"})
    note_a = inbox(a)[0]
    client.force_login(a)
    response = client.post(reverse("notification_read", args=[note_a.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    assert unread(a) == 0 and unread(b) == 1
    assert inbox(b)[0].read_at is None
    # Marked twice (two tabs): counted once, never below zero.
    assert notifications.mark_read(a, note_a.pk) == 0 and unread(a) == 0


def test_another_users_notification_is_a_404_and_stays_unread(client, reporting):
    by = reporting
    a, b = by.officers[1], by.officers[2]
    notifications.notify([a], "Riêng %(x)s", url="/", params={"x": "A"})
    note = inbox(a)[0]
    client.force_login(b)
    assert client.post(reverse("notification_read", args=[note.pk])).status_code == 404
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    assert client.post(reverse("notifications_read_all")).status_code == 302
    note.refresh_from_db()
    assert note.read_at is None and unread(a) == 1
    assert "Riêng" not in client.get(reverse("notifications")).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_only_to_this_site(client, reporting):
    by = reporting
    officer = by.officers[1]
    target = reverse("reports:index", args=[by.bloc.code, by.year])
    notifications.notify([officer], "Đến trang %(x)s", url=target, params={"x": "báo cáo"})
    notifications.notify([officer], "Đi nơi khác %(x)s", url="https://evil.example/phish", params={"x": "!"})
    inside, outside = inbox(officer)
    client.force_login(officer)
    response = client.get(reverse("notification_open", args=[inside.pk]))
    assert (response.status_code, response["Location"]) == (302, target)
    response = client.get(reverse("notification_open", args=[outside.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("notifications"))
    assert unread(officer) == 0


def test_the_inbox_lists_unread_first_and_marks_all_read(client, reporting):
    by = reporting
    officer = by.officers[1]
    for i in range(3):
        notifications.notify([officer], "Tin %(i)s", params={"i": str(i)},
                             at=WHEN + datetime.timedelta(minutes=i))
    notifications.mark_read(officer, inbox(officer)[2].pk)  # the newest, read
    client.force_login(officer)
    page = client.get(reverse("notifications")).content.decode()
    assert page.index("Tin 1") < page.index("Tin 0") < page.index("Tin 2")
    assert "Đánh dấu tất cả đã đọc" in page
    response = client.post(reverse("notifications_read_all"), {"page": "1"})
    assert response.status_code == 302 and unread(officer) == 0
    assert Notification.objects.filter(user=officer, read_at__isnull=True).count() == 0
    assert "Đánh dấu tất cả đã đọc" not in client.get(reverse("notifications")).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_inbox_costs_the_same_queries_whatever_its_size(client, reporting, django_assert_num_queries, count):
    by = reporting
    officer = by.officers[1]
    for i in range(count):
        notifications.notify([officer], "Tin %(i)s", params={"i": str(i)}, bloc_year=by)
    client.force_login(officer)
    url = reverse("notifications")
    client.get(url)
    # The session, the user with the profile, the count, the page (with each row's bloc year and bloc).
    with django_assert_num_queries(4):
        response = client.get(url + "?page=2" if count > 20 else url)
    assert response.status_code == 200


def test_the_inbox_needs_a_login(client, db):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_reminder_command_leaves_an_in_app_copy_once(reporting):
    by = reporting
    for _run in range(2):
        call_command("send_reminders", today=datetime.date(2025, 4, 8), stdout=io.StringIO())
    texts = [n.message for n in inbox(by.officers[1])]
    assert len(texts) == 2 and any("đã mở" in t for t in texts) and any("sắp đến hạn" in t for t in texts)


def test_whoever_acts_is_not_told_of_their_own_act(reporting):
    by = reporting
    unit = by.units[0]  # the head unit: its report is written by the secretariat here
    report = reports.start_report(period=by.periods.get(code="q1"), unit=unit, by=by.secretariat, at=WHEN)
    sections = {s.content_id: reports.SectionData(done="Đã thực hiện.") for s in report.sections.all()}
    report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                 by=by.secretariat, at=WHEN)
    reports.submit_report(report=report, expected_version=report.version, by=by.secretariat, at=WHEN)
    assert inbox(by.secretariat) == []


@pytest.mark.parametrize("pk", [0, 2**31, 2**63, 10**30])
def test_ids_nobody_has_are_a_404_never_a_500(client, reporting, pk):
    client.force_login(reporting.officers[1])
    assert client.get(f"/notifications/{pk}/open/").status_code == 404
    assert client.post(f"/notifications/{pk}/read/", {"page": "x" * 50}).status_code == 404
    assert client.get(reverse("notifications") + "?page=" + "9" * 40).status_code == 200
    response = client.post(reverse("notifications_read_all"), {"page": "-1"})
    assert (response.status_code, response["Location"]) == (302, reverse("notifications"))

"""Find and act (issue 16, item 6): filters, sort and Excel exports on the change log, the accounts and the evidence;
the board's bulk actions (accept the selected reports, remind the overdue units)."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, BlocYear, Profile
from reports import services
from reports.models import ProgressReport, ReminderLog, ReportingPeriod
from reports.services import SectionData
from tests.personas import make_bloc_year, make_user
from tests.test_foreign_post_matrix import SKIPPED
from tests.test_permissions import ROUTE_KINDS, named_routes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(y, m, d, hh=10):
    return datetime.datetime(y, m, d, hh, 0, tzinfo=VN)


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.REPORTING)
    services.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    by.vp = make_user("vp", role=Profile.Role.SECRETARIAT, unit=by.units[0], first_name="Văn", last_name="Phòng")
    return by


@pytest.fixture
def q1(year):
    return year.periods.get(code="q1")


def write(period, unit, officer, when, text="Đã thực hiện.", submit=True):
    report = services.start_report(period=period, unit=unit, by=officer, at=when)
    sections = {s.content_id: SectionData(done=text) for s in report.sections.all()}
    report = services.save_report(
        report=report, sections=sections, general_proposals="", expected_version=None, by=officer, at=when
    )
    if submit:
        report = services.submit_report(report=report, expected_version=report.version, by=officer, at=when)
    return report


def url(name, year, query=None):
    return reverse(name, args=[year.bloc.code, year.year]) + (f"?{query}" if query else "")


def cells(response) -> list[list]:
    assert response["Content-Type"] == XLSX
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4)]


# The change log -----------------------------------------------------------------------------------------------


def test_the_change_log_filters_by_who_what_when_and_text_and_sorts_both_ways(client, year, q1):
    a, b = year.officers[1], year.officers[2]
    write(q1, year.units[1], a, at(2025, 4, 2))
    write(q1, year.units[2], b, at(2025, 4, 5))
    client.force_login(year.vp)

    def shown(query):
        page = client.get(url("covenant:history", year, query))
        assert page.status_code == 200
        entries = list(page.context["page_obj"].object_list)
        return entries, page.content.decode()

    entries, _ = shown(f"actor={a.pk}")
    assert entries and {e.actor_id for e in entries} == {a.pk}
    entries, _ = shown("actor=system")
    assert entries and all(e.actor_id is None for e in entries)
    entries, _ = shown("action=report.submit")
    assert [e.target_repr for e in entries] == [str(ProgressReport.objects.get(unit=year.units[2])),
                                                str(ProgressReport.objects.get(unit=year.units[1]))]
    entries, _ = shown("action=report.submit&sort=oldest")
    assert entries[0].actor_id == a.pk
    entries, _ = shown("target_type=reports.progressreport&date_from=05/04/2025&date_to=05/04/2025")
    assert entries and {e.actor_id for e in entries} == {b.pk}
    entries, _ = shown(f"q={year.units[2].short_name}&action=report.submit")
    assert [e.actor_id for e in entries] == [b.pk]
    # The form keeps its values.
    _, page = shown(f"actor={a.pk}&sort=oldest")
    assert f'<option value="{a.pk}" selected>' in page and '<option value="oldest" selected>' in page
    # Each person who acted is offered once, however many entries they made.
    assert page.count(f'<option value="{b.pk}"') == 1


def test_a_masked_draft_is_not_findable_by_its_words_in_the_change_log(client, year, q1):
    # The secretariat's own unit (the head) drafts too: its own draft is findable by its own people.
    write(q1, year.units[2], year.officers[2], at(2025, 4, 2), submit=False)
    services.add_evidence(bloc_year=year, unit=year.units[2], upload=SimpleUploadedFile("a.pdf", PDF),
                          summary="Zq9GhostSummary", by=year.officers[2], at=at(2025, 4, 2))
    AuditEntry.objects.filter(action="report.save").update(reason="Zq9DraftReason")
    client.force_login(year.vp)
    for word in ("Zq9GhostSummary", "Zq9DraftReason"):
        response = client.get(url("covenant:history", year, f"q={word}"))
        assert list(response.context["page_obj"].object_list) == [], word
        page = response.content.decode()
        # Only the query itself, echoed back (the search box, the language switch's return address, the export link).
        assert page.count(word) == page.count(f"q={word}") + page.count(f'value="{word}"')
        exported = cells(client.get(url("covenant:history", year, f"q={word}&export=xlsx")))
        assert exported == []
    # Unfiltered, the entries are listed, masked, and the export masks them as the page does.
    rows = cells(client.get(url("covenant:history", year, "export=xlsx")))
    text = repr(rows)
    assert "(bản nháp)" in text and "Zq9GhostSummary" not in text and "Zq9DraftReason" not in text


def test_bad_filter_values_are_marked_in_vietnamese_and_the_others_still_apply(client, year, q1):
    write(q1, year.units[1], year.officers[1], at(2025, 4, 2))
    client.force_login(year.vp)
    response = client.get(url("covenant:history", year,
                              "actor=99999999999999999999&date_from=31/02/2025&date_to=x&action=report.submit&"
                              "q=" + "x" * 5000))
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page and "Hãy chọn" in page and "Từ khóa tìm kiếm dài tối đa 200 ký tự" in page
    assert all(e.action == "report.submit" for e in response.context["page_obj"].object_list)
    response = client.get(url("covenant:history", year, "date_from=10/04/2025&date_to=01/04/2025"))
    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in response.content.decode()


def test_the_change_log_export_holds_every_filtered_entry_not_one_page(client, year, q1):
    for i in range(60):
        AuditEntry.objects.create(bloc_year=year, actor=year.vp, at=at(2025, 3, 1), action="period.change",
                                  target_type="reports.reportingperiod", target_id=str(q1.pk),
                                  target_repr=f"=HYPERLINK(\"x\") {i}", reason="Đổi hạn")
    client.force_login(year.vp)
    rows = cells(client.get(url("covenant:history", year, "action=period.change&page=2&export=xlsx")))
    assert len(rows) == 60
    assert all(r[2] == "Sửa kỳ báo cáo" and r[5] == "Đổi hạn" for r in rows)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(
        url("covenant:history", year, "action=period.change&export=xlsx")).content)).active
    assert ws["D4"].data_type == "s"  # a formula-like name stays text
    page = client.get(url("covenant:history", year, "action=period.change")).content.decode()
    assert "action=period.change&amp;export=xlsx" in page


# Accounts -----------------------------------------------------------------------------------------------------


def test_accounts_filter_by_name_role_unit_and_state_and_export(client, year):
    leader = make_user("lanh-dao-khoi", role=Profile.Role.LEADER, bloc=year.bloc, first_name="Trần", last_name="Lãnh")
    locked = year.officers[3]
    locked.is_active = False
    locked.save()
    client.force_login(year.vp)

    def listed(query):
        response = client.get(url("covenant:accounts", year, query))
        assert response.status_code == 200
        return {u.username for u in response.context["officers"]}

    everyone = listed("")
    assert leader.username in everyone and year.officers[1].username in everyone
    assert listed("q=Lãnh") == {leader.username}
    assert listed(f"q={year.officers[2].username.upper()}") == {year.officers[2].username}
    assert listed("role=leader") == {leader.username}
    assert listed(f"unit={year.units[1].pk}") == {year.officers[1].username}
    assert listed("state=inactive") == {locked.username}
    assert locked.username not in listed("state=active")
    assert listed("state=locked_out") == set()
    # Tampered values: marked, ignored.
    response = client.get(url("covenant:accounts", year, "role=superuser&unit=abc&state=x"))
    assert response.status_code == 200 and response.content.decode().count("is-invalid") == 3
    assert {u.username for u in response.context["officers"]} == everyone
    rows = cells(client.get(url("covenant:accounts", year, "role=leader&export=xlsx")))
    assert [r[2] for r in rows] == [leader.username] and rows[0][0] == "Lãnh đạo khối"


# Evidence -----------------------------------------------------------------------------------------------------


@pytest.fixture
def files(year, q1):
    """Unit 2: a PDF linked to content 1 of its submitted Q1 report and an unlinked image; unit 3: a PDF linked
    to its submitted report and a draft-only file (linked to nothing submitted)."""
    PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    a, b = year.units[1], year.units[2]
    made = {
        "a_pdf": services.add_evidence(bloc_year=year, unit=a, upload=SimpleUploadedFile("quyet-dinh.pdf", PDF),
                                       summary="Quyết định khen thưởng", number_symbol="12/QĐ", by=year.officers[1],
                                       at=at(2025, 4, 1)),
        "b_pdf": services.add_evidence(bloc_year=year, unit=b, upload=SimpleUploadedFile("ke-hoach.pdf", PDF),
                                       summary="Kế hoạch chuyển đổi số", by=year.officers[2], at=at(2025, 4, 1)),
        "b_draft": services.add_evidence(bloc_year=year, unit=b, upload=SimpleUploadedFile("nhap.pdf", PDF),
                                         summary="Zq9DraftOnlyFile", by=year.officers[2], at=at(2025, 4, 1)),
    }
    made["a_png"] = services.add_evidence(bloc_year=year, unit=a, upload=SimpleUploadedFile("anh.png", PNG),
                                          summary="Ảnh hội nghị", by=year.officers[1], at=at(2025, 4, 1))
    for unit, officer, key in ((a, year.officers[1], "a_pdf"), (b, year.officers[2], "b_pdf")):
        report = services.start_report(period=q1, unit=unit, by=officer, at=at(2025, 4, 2))
        sections = {s.content_id: SectionData(done="Đã làm.") for s in report.sections.all()}
        sections[year.contents[0].pk].evidence_ids = [made[key].pk]
        report = services.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                      by=officer, at=at(2025, 4, 2))
        services.submit_report(report=report, expected_version=report.version, by=officer, at=at(2025, 4, 2))
    return made


def test_an_officer_filters_their_own_evidence_by_content_type_and_words(client, year, files):
    client.force_login(year.officers[1])

    def listed(query):
        response = client.get(url("reports:evidence", year, query))
        assert response.status_code == 200
        return {e.pk for e in response.context["page_obj"].object_list}

    own = {files["a_pdf"].pk, files["a_png"].pk}
    assert listed("") == own
    assert listed("q=khen") == {files["a_pdf"].pk}
    assert listed("q=12/QĐ") == {files["a_pdf"].pk}
    assert listed(f"content={year.contents[0].pk}") == {files["a_pdf"].pk}
    assert listed(f"content={year.contents[1].pk}") == set()
    assert listed("kind=pdf") == {files["a_pdf"].pk}
    assert listed("content=none") == {files["a_png"].pk}
    assert listed("kind=image") == {files["a_png"].pk}
    # An officer has no unit choice: asking for another unit's files changes nothing.
    assert listed(f"unit={year.units[2].pk}") == own
    assert "Kế hoạch chuyển đổi số" not in client.get(url("reports:evidence", year, "unit=all")).content.decode()


def test_the_secretariat_lists_other_units_submitted_evidence_never_a_draft_only_file(client, year, files):
    client.force_login(year.vp)
    response = client.get(url("reports:evidence", year, "unit=all"))
    listed = {e.pk for e in response.context["page_obj"].object_list}
    assert files["a_pdf"].pk in listed and files["b_pdf"].pk in listed
    assert files["b_draft"].pk not in listed and "Zq9DraftOnlyFile" not in response.content.decode()
    assert not client.get(url("reports:evidence", year, "unit=all&q=Zq9DraftOnlyFile")).context["page_obj"].object_list
    response = client.get(url("reports:evidence", year, f"unit={year.units[2].pk}"))
    assert [e.pk for e in response.context["page_obj"].object_list] == [files["b_pdf"].pk]
    assert ">S03</td>" in response.content.decode()  # the unit column shows when other units are listed
    rows = cells(client.get(url("reports:evidence", year, "unit=all&kind=pdf&export=xlsx")))
    assert {r[3] for r in rows} == {"Quyết định khen thưởng", "Kế hoạch chuyển đổi số"}
    response = client.get(url("reports:evidence", year, "unit=999999999999999999999&content=-1&kind=exe"))
    assert response.status_code == 200 and response.content.decode().count("is-invalid") == 3


# The board: accept selected -----------------------------------------------------------------------------------


def picks(*reports):
    return [f"{r.pk}:{r.version}" for r in reports]


def test_accepting_the_selected_reports_accepts_each_and_audits_each(client, year, q1):
    r1 = write(q1, year.units[1], year.officers[1], at(2025, 4, 2))
    r2 = write(q1, year.units[2], year.officers[2], at(2025, 4, 3))
    client.force_login(year.vp)
    board = client.get(url("reports:board", year)).content.decode()
    assert f'value="{r1.pk}:{r1.version}"' in board and 'id="bulk-accept"' in board
    response = client.post(url("reports:board_accept", year), {"pick": picks(r1, r2), "query": "status=waiting"})
    assert response.status_code == 302 and response["Location"].endswith("/reports/board/?status=waiting")
    assert set(ProgressReport.objects.filter(pk__in=[r1.pk, r2.pk]).values_list("status", flat=True)) == {"accepted"}
    accepts = AuditEntry.objects.filter(action="report.accept", actor=year.vp)
    assert sorted(e.target_id for e in accepts) == sorted([str(r1.pk), str(r2.pk)])
    assert all(e.before == {"status": "submitted"} and e.after == {"status": "accepted"} for e in accepts)
    assert "Đã tiếp nhận 2 báo cáo" in client.get(response["Location"]).content.decode()


def test_accepting_refuses_the_whole_batch_when_one_report_changed_or_is_not_waiting(client, year, q1):
    r1 = write(q1, year.units[1], year.officers[1], at(2025, 4, 2))
    r2 = write(q1, year.units[2], year.officers[2], at(2025, 4, 3))
    r3 = write(q1, year.units[3], year.officers[3], at(2025, 4, 3))
    stale = picks(r1, r2, r3)
    services.return_report(report=r2, reason="Bổ sung", by=year.vp, at=at(2025, 4, 4))
    r3.refresh_from_db()
    ProgressReport.objects.filter(pk=r3.pk).update(version=r3.version + 1)  # changed meanwhile
    client.force_login(year.vp)
    response = client.post(url("reports:board_accept", year), {"pick": stale}, follow=True)
    page = response.content.decode()
    assert "Chưa tiếp nhận báo cáo nào" in page
    assert f"{year.units[2].short_name} – {q1.name}: đang ở trạng thái “Bị trả lại”" in page
    assert f"{year.units[3].short_name} – {q1.name}: vừa được thay đổi" in page
    assert ProgressReport.objects.get(pk=r1.pk).status == "submitted"  # nothing accepted
    assert not AuditEntry.objects.filter(action="report.accept").exists()


def test_bulk_accept_refuses_tampered_and_foreign_ids_with_a_message(client, year, q1, other_bloc_year):
    mine = write(q1, year.units[1], year.officers[1], at(2025, 4, 2))
    other_q1 = services.create_default_periods(bloc_year=other_bloc_year, by=None, at=at(2025, 2, 1))[0]
    BlocYear.objects.filter(pk=other_bloc_year.pk).update(phase=BlocYear.Phase.REPORTING)
    other_q1 = ReportingPeriod.objects.select_related("bloc_year").get(pk=other_q1.pk)
    theirs = write(other_q1, other_bloc_year.units[1], other_bloc_year.officers[1], at(2025, 4, 2))
    client.force_login(year.vp)
    for body, message in (
        ({"pick": picks(mine, theirs)}, "không thuộc năm thi đua này"),
        ({"pick": ["1;DROP", "x:y"]}, "Lựa chọn gửi lên không hợp lệ"),
        ({"pick": [f"{mine.pk}:99999999999999999999"]}, "Lựa chọn gửi lên không hợp lệ"),
        ({}, "Chưa chọn báo cáo nào"),
    ):
        response = client.post(url("reports:board_accept", year), body, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), body
    assert ProgressReport.objects.get(pk=theirs.pk).status == "submitted"
    assert ProgressReport.objects.get(pk=mine.pk).status == "submitted"
    # Officers and readers may not; the other bloc's URL is a 404 (tests/test_foreign_post_matrix.py covers it).
    client.force_login(year.officers[1])
    assert client.post(url("reports:board_accept", year), {"pick": picks(mine)}).status_code == 403


def test_the_foreign_post_matrix_covers_the_bulk_actions():
    # foreign_urls() POSTs every bloc-year route listed in the permission matrix to the other bloc's URL.
    routes = named_routes()
    for name in ("reports:board_accept", "reports:board_remind"):
        assert name in ROUTE_KINDS and name not in SKIPPED and {"code", "year"} <= set(routes[name])


# The board: remind the overdue units --------------------------------------------------------------------------


@pytest.fixture
def overdue_q1(year, q1):
    """Q1 past its deadline and before its lock date today; unit 2 submitted, the others overdue."""
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=q1.pk).update(
        opens_on=today - datetime.timedelta(days=20), deadline=today - datetime.timedelta(days=2),
        lock_date=today + datetime.timedelta(days=10),
    )
    q1.refresh_from_db()
    write(q1, year.units[1], year.officers[1], timezone.now() - datetime.timedelta(days=3))
    return q1


def test_reminding_the_overdue_units_asks_first_then_sends_one_reminder_each(client, year, overdue_q1,
                                                                             django_capture_on_commit_callbacks):
    client.force_login(year.vp)
    page = client.get(url("reports:board_remind", year, f"period={overdue_q1.pk}"))
    assert page.status_code == 200
    overdue = [year.units[0], year.units[2], year.units[3]]
    assert [u.pk for u in page.context["units"]] == [u.pk for u in overdue]
    html = page.content.decode()
    assert "Gửi thư nhắc (3 đơn vị)" in html and "data-confirm=" in html and year.units[1].name not in html
    board = client.get(url("reports:board", year)).content.decode()
    assert f"board/remind/?period={overdue_q1.pk}" in board
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reports:board_remind", year),
                               {"period": overdue_q1.pk, "unit": [year.units[2].pk, year.units[3].pk]}, follow=True)
    assert "Đã gửi thư nhắc" in response.content.decode() and "tới 2 đơn vị" in response.content.decode()
    logs = ReminderLog.objects.filter(period=overdue_q1, kind="overdue")
    assert sorted(logs.values_list("unit_id", flat=True)) == sorted([year.units[2].pk, year.units[3].pk])
    assert all(log.requested_by_id == year.vp.pk for log in logs)
    assert {log.status for log in logs} == {"sent"}
    sent = [m for m in mail.outbox if "quá hạn" in m.subject]
    assert sorted(m.to[0] for m in sent) == sorted([year.officers[2].email, year.officers[3].email])
    assert "hạn nộp đã hết ngày" in sent[0].body
    entry = AuditEntry.objects.get(action="period.remind_overdue")
    assert entry.actor == year.vp and sorted(entry.after["reminded"]) == sorted([year.units[2].name,
                                                                                 year.units[3].name])
    # The same day again: not reminded twice; a unit that submitted meanwhile is left out, said so.
    write(overdue_q1, year.units[3], year.officers[3], timezone.now())
    response = client.post(url("reports:board_remind", year),
                           {"period": overdue_q1.pk, "unit": [year.units[2].pk, year.units[3].pk]}, follow=True)
    page = response.content.decode()
    assert "đã được nhắc hôm nay" in page and "không còn quá hạn" in page
    assert logs.count() == 2


def test_remind_refuses_foreign_units_bad_ids_and_bad_periods_with_a_message(client, year, overdue_q1,
                                                                            other_bloc_year):
    client.force_login(year.vp)
    for body, message in (
        ({"period": overdue_q1.pk, "unit": [other_bloc_year.units[0].pk]}, "không thuộc khối"),
        ({"period": overdue_q1.pk, "unit": ["abc"]}, "không thuộc khối"),
        ({"period": overdue_q1.pk, "unit": ["9" * 40]}, "Chưa chọn đơn vị nào"),
        ({"period": overdue_q1.pk}, "Chưa chọn đơn vị nào"),
        ({"period": "x", "unit": [year.units[2].pk]}, "Kỳ báo cáo không hợp lệ"),
    ):
        response = client.post(url("reports:board_remind", year), body, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), body
    assert not ReminderLog.objects.filter(kind="overdue").exists()
    assert client.get(url("reports:board_remind", year, "period=bogus")).status_code == 200
    client.force_login(year.officers[2])
    assert client.get(url("reports:board_remind", year)).status_code == 403


def test_a_failed_overdue_reminder_shows_on_the_board_with_its_reason(client, year, overdue_q1):
    User = year.officers[2].__class__
    User.objects.filter(pk=year.officers[2].pk).update(email="")
    services.remind_overdue(period=overdue_q1, unit_ids=[year.units[2].pk], by=year.vp)
    log = ReminderLog.objects.get(kind="overdue", unit=year.units[2])
    assert log.status == "failed" and "địa chỉ thư điện tử" in log.error
    client.force_login(year.vp)
    board = client.get(url("reports:board", year)).content.decode()
    assert 'id="failed-reminders"' in board and "Quá hạn, chưa nộp" in board

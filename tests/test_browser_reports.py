"""Acceptance: a periodic report goes round the whole workflow through the real pages, in Chromium.

An officer writes the Q1 report (every content, a result row, one evidence file) and submits it; the
secretariat returns it with a reason and a comment on one section; the officer corrects that section
and resubmits; the secretariat sees what changed and accepts it; the board shows it accepted on time.

The data is built with tests/personas.py (through the project's services). Dates are relative to
today in the project's time zone, so the period is always open. Run with the test environment of
`make test`, e.g. `make test ARGS=tests/test_browser_reports.py WORKERS=0`. Screenshots of the edit
form, the review page and the board go to /tmp/shots/reports-*.png (or $SHOTS_DIR).
"""

import datetime
import os
import re
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there without this.
# conftest.py sets it too; repeated here so the file also works on its own.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from core.models import BlocYear, Profile
from reports import services
from reports.models import Evidence, ProgressReport, ReportingPeriod, ReportSection
from tests.personas import PASSWORD, make_bloc_year, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A Vietnamese official's browser: without it Chromium asks for English (Accept-Language: en-US).
    pytest.mark.browser_context_args(locale="vi-VN"),
]

TIMEOUT_MS = 15_000
# Screenshots of the main pages, to look at after a run: /tmp/shots/reports-*.png unless SHOTS_DIR says otherwise.
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASON = "Bổ sung số liệu quý I"
COMMENT = "Chưa nêu số hồ sơ đã giải quyết trực tuyến; đề nghị bổ sung."
CORRECTED = "Đã giải quyết 1.245 hồ sơ trực tuyến toàn trình (đạt 86%); số hóa 100% kết quả giải quyết."


@pytest.fixture(autouse=True)
def patient_expect():
    """Give assertions on the page the same patience as actions (a busy CI machine); reset afterwards."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def year(settings, tmp_path):
    """This year's bloc year in its reporting phase, with a Q1 period open today; evidence stored in tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()  # the project's day (Asia/Ho_Chi_Minh), not the machine's
    by = make_bloc_year(units=3, year=today.year, phase=BlocYear.Phase.REPORTING)
    by.secretariat = make_user(
        "van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=by.units[0], first_name="Văn phòng", last_name="khối"
    )
    by.q1 = services.save_period(
        bloc_year=by,
        period=None,
        data={
            "code": "q1",
            "name": "Báo cáo quý I",
            "kind": ReportingPeriod.Kind.QUARTER,
            "order": 1,
            "opens_on": today - datetime.timedelta(days=5),
            "deadline": today + datetime.timedelta(days=5),
            "lock_date": today + datetime.timedelta(days=20),
        },
        expected_version=None,
        by=by.secretariat,
    )
    return by


@pytest.fixture
def pdf_file(tmp_path) -> Path:
    path = tmp_path / "bao-cao-quy-1.pdf"
    path.write_bytes(PDF)
    return path


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reports-{name}.png"), full_page=True)


def log_in(page: Page, live_server, user, bloc_year: BlocYear) -> None:
    """Log in and land on the year's dashboard (the only bloc year the user sees)."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/blocs/{bloc_year.bloc.code}/{bloc_year.year}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def log_out(page: Page) -> None:
    page.locator("nav.navbar .dropdown-toggle").click()
    page.locator("nav.navbar .dropdown-menu").get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator('input[name="username"]')).to_be_visible()


def sidebar(page: Page, name: str) -> None:
    page.locator("nav.sidebar").get_by_role("link", name=name).click()


def status_badge(page: Page) -> Locator:
    """The status shown in the summary card at the top of the report page."""
    return page.locator("main .card-body > div").filter(has_text="Trạng thái").locator(".badge")


def section(page: Page, order: int) -> Locator:
    return page.locator(f"#section-{order}")


def open_report_from_board(page: Page, unit_short_name: str, status: str) -> None:
    row = page.locator("main table tbody tr").filter(has=page.get_by_role("cell", name=unit_short_name, exact=True))
    row.get_by_role("link", name=status, exact=True).click()
    # The secretariat goes straight to the review page of a report that waits for its decision.
    expect(page).to_have_url(re.compile(r"/reports/\d+/review/$"))


def test_report_goes_round_the_workflow(page: Page, live_server, year, pdf_file):
    officer, secretariat = year.officers[1], year.secretariat
    unit = year.units[1]
    first, second = year.contents[0], year.contents[1]
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    confirmations = []

    def confirm(dialog):  # "Nộp báo cáo? ..." before every submission
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)

    # --- The officer writes the Q1 report and submits it ------------------------------------------------
    log_in(page, live_server, officer, year)
    sidebar(page, "Báo cáo của đơn vị")
    expect(page).to_have_url(f"{base}/reports/")
    q1_row = page.locator("main table tbody tr").filter(has_text="Báo cáo quý I")
    expect(q1_row).to_contain_text("Chưa lập")
    q1_row.get_by_role("button", name="Lập báo cáo").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/reports/\d+/edit/$"))
    report = ProgressReport.objects.get(period=year.q1, unit=unit)

    for content in year.contents:
        page.locator(f'textarea[name="s{content.pk}-done"]').fill(
            f"Nội dung {content.order}: đơn vị đã triển khai đầy đủ trong quý I."
        )
    section(page, 1).get_by_role("button", name="Thêm chỉ tiêu").click()
    page.locator(f'input[name="s{first.pk}-r0-indicator"]').fill("Tỷ lệ hồ sơ giải quyết đúng hạn")
    page.locator(f'input[name="s{first.pk}-r0-target"]').fill("95%")
    page.locator(f'input[name="s{first.pk}-r0-result"]').fill("97,5%")
    page.locator(f'input[name="s{first.pk}-upload"]').set_input_files(pdf_file)
    page.locator(f'input[name="s{first.pk}-upload_summary"]').fill("Báo cáo kết quả thực hiện nhiệm vụ quý I")
    page.locator(f'input[name="s{first.pk}-upload_number"]').fill("45/BC-S02")
    shot(page, "1-edit-form")

    page.get_by_role("button", name="Lưu và nộp", exact=True).click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã nộp báo cáo.")
    expect(status_badge(page)).to_have_text("Đã nộp")
    expect(section(page, 1).locator("table")).to_contain_text("Tỷ lệ hồ sơ giải quyết đúng hạn")
    download = section(page, 1).get_by_role("link", name=re.compile("Báo cáo kết quả thực hiện nhiệm vụ quý I"))
    expect(download).to_be_visible()
    # The officer's own evidence downloads, as the PDF it was.
    response = page.request.get(f"{live_server.url}{download.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == PDF
    log_out(page)

    # --- The secretariat returns it with a reason and a comment on section 2 ---------------------------
    log_in(page, live_server, secretariat, year)
    sidebar(page, "Theo dõi tình hình nộp")
    expect(page).to_have_url(f"{base}/reports/board/")
    open_report_from_board(page, unit.short_name, "Đã nộp")
    expect(page).to_have_url(f"{base}/reports/{report.pk}/review/")
    page.locator(f'textarea[name="c{second.pk}"]').fill(COMMENT)
    page.locator('textarea[name="reason"]').fill(REASON)
    shot(page, "2-review-return")
    page.get_by_role("button", name="Trả lại").click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã trả lại báo cáo cho đơn vị.")
    expect(status_badge(page)).to_have_text("Bị trả lại")
    log_out(page)

    # --- The officer sees why, corrects section 2 and resubmits ----------------------------------------
    log_in(page, live_server, officer, year)
    sidebar(page, "Báo cáo của đơn vị")
    q1_row = page.locator("main table tbody tr").filter(has_text="Báo cáo quý I")
    expect(q1_row).to_contain_text("Bị trả lại")
    q1_row.get_by_role("link", name="Xem", exact=True).click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator(".alert-warning")).to_contain_text(REASON)
    expect(section(page, 2).locator(".alert-secondary")).to_contain_text(COMMENT)
    page.get_by_role("link", name="Sửa báo cáo").click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/edit/")
    expect(page.locator(".alert-warning")).to_contain_text(REASON)
    expect(section(page, 2).locator(".alert-secondary")).to_contain_text(COMMENT)
    # What was saved comes back: the result row and the evidence, still ticked for section 1.
    expect(page.locator(f'input[name="s{first.pk}-r0-indicator"]')).to_have_value("Tỷ lệ hồ sơ giải quyết đúng hạn")
    expect(section(page, 1).get_by_role("checkbox", name=re.compile("Báo cáo kết quả thực hiện"))).to_be_checked()
    page.locator(f'textarea[name="s{second.pk}-done"]').fill(CORRECTED)
    shot(page, "3-edit-returned")
    page.get_by_role("button", name="Lưu và nộp lại", exact=True).click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã nộp báo cáo.")
    expect(status_badge(page)).to_have_text("Đã nộp lại")
    expect(section(page, 2)).to_contain_text(CORRECTED)
    history = page.locator(".card").filter(has=page.locator(".card-header", has_text="Lịch sử báo cáo"))
    # Started, saved, submitted, returned (with its reason), saved, resubmitted: newest first. The action
    # reads as a code (report.submit) or in words (Nộp báo cáo), whichever the history list shows.
    entries = history.locator(".list-group-item")
    expect(entries).to_have_count(6)
    expect(entries.nth(0)).to_contain_text(re.compile(r"report\.submit|Nộp báo cáo"))
    expect(entries.nth(2)).to_contain_text(re.compile(r"report\.return|Trả lại báo cáo"))
    expect(entries.nth(2)).to_contain_text(REASON)
    expect(entries.nth(2)).to_contain_text("Văn phòng khối")
    expect(entries.nth(3)).to_contain_text(re.compile(r"report\.submit|Nộp báo cáo"))
    log_out(page)

    # --- The secretariat sees what changed and accepts it ----------------------------------------------
    log_in(page, live_server, secretariat, year)
    sidebar(page, "Theo dõi tình hình nộp")
    open_report_from_board(page, unit.short_name, "Đã nộp lại")
    expect(page).to_have_url(f"{base}/reports/{report.pk}/review/")
    expect(section(page, 2).locator(".card-header .badge")).to_have_text("Đã sửa sau khi trả lại")
    expect(section(page, 1).locator(".card-header .badge")).to_have_count(0)
    expect(section(page, 2)).to_contain_text(CORRECTED)
    expect(page.locator(f'textarea[name="c{second.pk}"]')).to_have_value(COMMENT)
    shot(page, "4-review-resubmitted")
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã tiếp nhận báo cáo.")
    expect(status_badge(page)).to_have_text("Đã tiếp nhận")

    sidebar(page, "Theo dõi tình hình nộp")
    expect(page).to_have_url(f"{base}/reports/board/")
    row = page.locator("main table tbody tr").filter(has=page.get_by_role("cell", name=unit.short_name, exact=True))
    q1_cell = row.locator("td").nth(2)  # STT, unit, then the periods in order: Q1 is the only one
    expect(q1_cell).to_contain_text("Đã tiếp nhận")
    expect(q1_cell).to_contain_text("Đúng hạn")
    shot(page, "5-board")

    assert len(confirmations) == 2  # submitted, then resubmitted: each time after the confirmation
    assert all(m.startswith("Nộp báo cáo?") for m in confirmations)

    # --- What was stored --------------------------------------------------------------------------------
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.first_submitted_at is not None
    assert report.submitted_at > report.first_submitted_at  # the resubmission does not move the first one
    assert report.accepted_at is not None
    assert report.return_reason == REASON
    evidence = Evidence.objects.get(bloc_year=year, unit=unit)
    assert evidence.original_name == "bao-cao-quy-1.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.summary == "Báo cáo kết quả thực hiện nhiệm vụ quý I"
    assert evidence.uploaded_by == officer
    assert list(evidence.sections.all()) == [ReportSection.objects.get(report=report, content=first)]
    sections = {s.content_id: s for s in report.sections.all()}
    assert sections[second.pk].done == CORRECTED
    assert sections[second.pk].reviewer_comment == COMMENT
    assert [(r.indicator, r.target, r.result) for r in sections[first.pk].results.all()] == [
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", "95%", "97,5%")
    ]
    assert services.timeliness(year.q1, report, None, timezone.now()) == services.Timeliness.ON_TIME

"""Acceptance: everyday use on a phone (390×844) and a laptop (1366×768), in Chromium.

The year's sections are reachable from an off-canvas menu on the phone and from the sidebar on the laptop;
wide tables keep the unit in view. Screenshots go to /tmp/shots/everyday-*.png (or $SHOTS_DIR).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import BlocYear, Profile
from tests.personas import PASSWORD, make_bloc_year, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="vi-VN"),
]

TIMEOUT_MS = 15_000
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"phone": PHONE, "laptop": LAPTOP}


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def year():
    from reports import services as reports

    by = make_bloc_year(units=4, year=timezone.localdate().year, phase=BlocYear.Phase.REPORTING)
    reports.create_default_periods(bloc_year=by, by=None)
    by.secretariat = make_user("van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=by.units[0],
                               first_name="Văn phòng", last_name="khối")
    return by


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"everyday-{name}.png"), full_page=True)


def log_in(page: Page, live_server, user, viewport: dict) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_every_section_of_the_role_is_reachable_on_a_phone_and_a_laptop(page: Page, live_server, year, viewport):
    log_in(page, live_server, year.secretariat, VIEWPORTS[viewport])
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    expect(page).to_have_url(f"{base}/")
    sections = ["Tổng quan", "Đơn vị thành viên", "Báo cáo của đơn vị", "Theo dõi tình hình nộp", "Chấm điểm",
                "Bình xét, bỏ phiếu", "Văn bản, in ấn", "Tài khoản đơn vị", "Nhật ký thay đổi"]
    menu = page.locator("#sidenav")
    toggle = page.get_by_role("button", name="Mục")
    if viewport == "phone":
        expect(menu.get_by_role("link", name="Theo dõi tình hình nộp")).to_be_hidden()
        toggle.click()
        expect(menu).to_have_class(re.compile(r"\bshow\b"))
        shot(page, "offcanvas-phone")
    else:
        expect(toggle).to_be_hidden()
    for name in sections:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    menu.get_by_role("link", name="Theo dõi tình hình nộp", exact=True).click()
    expect(page).to_have_url(f"{base}/reports/board/")
    expect(page.locator("h1")).to_contain_text("Tình hình nộp báo cáo")
    # The completion chart: one SVG bar a period, drawn by the server (no script needed), with its numbers.
    chart = page.locator("#completion-chart")
    expect(chart.locator("svg.chart-bar")).to_have_count(4)
    expect(chart.locator("svg.chart-bar").first.locator("rect.seg-missing")).to_have_count(1)
    assert chart.locator("svg.chart-bar").first.bounding_box()["width"] > 150
    expect(chart.locator("svg.chart-bar").first).to_have_attribute("aria-label", re.compile("Không nộp 4/4"))
    # Scrolled sideways, the unit column stays where it was.
    unit_cell = page.locator(".board-table tbody tr").first.locator("td").nth(1)
    before = unit_cell.bounding_box()
    page.locator(".board-table").evaluate("t => t.parentElement.scrollLeft = 400")
    assert unit_cell.bounding_box()["x"] == pytest.approx(before["x"], abs=1)
    shot(page, f"board-{viewport}")


def test_an_officer_sees_only_the_sections_of_the_role_in_the_phone_menu(page: Page, live_server, year):
    log_in(page, live_server, year.officers[1], PHONE)
    page.get_by_role("button", name="Mục").click()
    menu = page.locator("#sidenav")
    expect(menu.get_by_role("link", name="Báo cáo của đơn vị", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Minh chứng", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Tài khoản đơn vị")).to_have_count(0)
    menu.get_by_role("link", name="Báo cáo của đơn vị", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/blocs/{year.bloc.code}/{year.year}/reports/")
    expect(page.locator("#sidenav")).not_to_have_class(re.compile(r"\bshow\b"))


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_leaving_the_report_form_with_unsaved_text_asks_first_and_the_text_can_be_restored(
        page: Page, live_server, year, viewport):
    from reports import services as reports

    officer = year.officers[1]
    period = year.periods.order_by("order").first()
    report = reports.start_report(period=period, unit=year.units[1], by=officer)
    log_in(page, live_server, officer, VIEWPORTS[viewport])
    edit = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}/reports/{report.pk}/edit/"
    page.goto(edit)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    done = page.locator("textarea[name$='-done']").first
    done.click()
    page.keyboard.type("Đã tổ chức 3 hội nghị quán triệt.")
    page.wait_for_timeout(600)  # the draft is written 0.4 s after the last key
    # Following a link: the browser asks; staying keeps the text.
    page.locator("a.navbar-brand").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(edit)
    expect(done).to_have_value("Đã tổ chức 3 hội nghị quán triệt.")
    shot(page, f"guard-{viewport}")
    # Leaving anyway and coming back: the text kept in this browser is offered back.
    page.goto(f"{live_server.url}/")
    assert dialogs == ["beforeunload", "beforeunload"]
    page.goto(edit)
    banner = page.locator(".draft-banner")
    expect(banner).to_contain_text("Trình duyệt này còn giữ nội dung bạn gõ mà chưa lưu")
    shot(page, f"draft-{viewport}")
    banner.get_by_role("button", name="Khôi phục nội dung đó").click()
    expect(page.locator("textarea[name$='-done']").first).to_have_value("Đã tổ chức 3 hội nghị quán triệt.")
    # Saving leaves without a question and drops the draft.
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_load_state()
    assert dialogs == ["beforeunload", "beforeunload"]
    report.refresh_from_db()
    assert report.sections.order_by("content__order").first().done == "Đã tổ chức 3 hội nghị quán triệt."
    page.goto(edit)
    expect(page.locator(".draft-banner")).to_have_count(0)


@pytest.fixture
def approved_year():
    """Four units' sheets reviewed as self-scored (full marks, then 1, 2 and 3 points under on each sub-item),
    released and approved."""
    from scoring.models import ScoreSheet
    from scoring.sheets import services as sheets
    from tests.test_charts import less
    from tests.test_scoring_rules import self_score

    by = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)
    by.units = list(by.units)
    for unit, points in zip(by.units, range(4), strict=True):
        self_score(by, unit, None, less(points))
    ScoreSheet.objects.filter(bloc_year=by).update(status=ScoreSheet.Status.REVIEWED, reviewed_at=timezone.now())
    sheets.release_review(bloc_year=by, by=None)
    sheets.approve(bloc_year=by, by=None, reason="Hội nghị thống nhất phê duyệt.")
    return by


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_the_ranking_draws_the_criterion_spread_with_the_officers_unit_on_a_phone_and_a_laptop(
    page: Page, live_server, approved_year, viewport
):
    log_in(page, live_server, approved_year.officers[1], VIEWPORTS[viewport])
    page.goto(f"{live_server.url}/blocs/{approved_year.bloc.code}/2025/scores/ranking/")
    chart = page.locator("#criterion-spread")
    expect(chart).to_be_visible()
    plots = chart.locator("svg.spread-plot")
    expect(plots).to_have_count(3)
    # Every unit a dot on each criterion, the officer's own ringed; the median drawn; the figures written beside.
    expect(plots.first.locator("circle.spread-dot")).to_have_count(4)
    expect(plots.first.locator("circle.spread-own")).to_have_count(1)
    expect(plots.first.locator("line.spread-median")).to_have_count(1)
    expect(chart).to_contain_text("đơn vị của bạn")
    box = plots.first.bounding_box()
    assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]
    own = plots.first.locator("circle.spread-own").bounding_box()
    assert own["width"] > 10 and box["x"] <= own["x"] <= box["x"] + box["width"]
    # Without the drawing, the figures are in a table.
    chart.locator("details summary").click()
    expect(chart.locator("details table tbody tr")).to_have_count(3)
    shot(page, f"ranking-spread-{viewport}")

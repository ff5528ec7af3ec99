"""Find and act in Chromium, on a phone (390×844) and a laptop (1366×768): the board's bulk accept asks with the
number of reports ticked, the overdue reminder asks with the number of units, the filtered lists and the search
page render. Screenshots go to /tmp/shots/find-*.png (or $SHOTS_DIR)."""

import datetime
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import BlocYear, Profile
from reports.models import ProgressReport, ReportingPeriod
from tests.personas import make_bloc_year, make_user
from tests.test_browser_everyday import SHOTS, VIEWPORTS, log_in, patient_expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="vi-VN"),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"find-{name}.png"), full_page=True)


@pytest.fixture
def year(settings, tmp_path):
    """This year's first period past its deadline, before its lock date: units 2 and 3 submitted (with a file),
    units 1, 4 and 5 overdue."""
    from reports import services as reports

    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=5, year=timezone.localdate().year, phase=BlocYear.Phase.REPORTING)
    reports.create_default_periods(bloc_year=by, by=None)
    first = by.periods.order_by("order").first()
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=first.pk).update(
        opens_on=today - datetime.timedelta(days=30), deadline=today - datetime.timedelta(days=3),
        lock_date=today + datetime.timedelta(days=15))
    first.refresh_from_db()
    by.secretariat = make_user("van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=by.units[0],
                               first_name="Văn phòng", last_name="khối")
    when = timezone.now() - datetime.timedelta(days=5)
    for unit, officer in zip(by.units[1:3], by.officers[1:3], strict=True):
        file = reports.add_evidence(bloc_year=by, unit=unit, upload=SimpleUploadedFile("ke-hoach.pdf", PDF),
                                    summary=f"Kế hoạch chuyển đổi số của {unit.short_name}", by=officer, at=when)
        report = reports.start_report(period=first, unit=unit, by=officer, at=when)
        sections = {s.content_id: reports.SectionData(done="Hoàn thành kế hoạch chuyển đổi số năm nay.",
                                                      evidence_ids=[file.pk]) for s in report.sections.all()}
        report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                     by=officer, at=when)
        reports.submit_report(report=report, expected_version=report.version, by=officer, at=when)
    by.first = first
    return by


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_the_secretariat_accepts_the_ticked_reports_and_reminds_the_overdue_units(page: Page, live_server, year,
                                                                                  viewport):
    log_in(page, live_server, year.secretariat, VIEWPORTS[viewport])
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    page.goto(f"{base}/reports/board/")
    boxes = page.locator("input[name=pick]")
    expect(boxes).to_have_count(2)
    shot(page, f"board-{viewport}")
    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    boxes.first.check()
    boxes.nth(1).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp nhận các báo cáo đã chọn").click()
    assert dialogs and dialogs[0].startswith("Tiếp nhận 2 báo cáo đã chọn?")
    expect(page.locator(".alert-success")).to_contain_text("Đã tiếp nhận 2 báo cáo")
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"accepted"}

    page.get_by_role("link", name="Nhắc đơn vị quá hạn").click()
    expect(page.locator("h1")).to_contain_text("Nhắc đơn vị quá hạn")
    expect(page.locator("input[name=unit]:checked")).to_have_count(3)
    page.locator("input[name=unit]").first.uncheck()
    shot(page, f"remind-{viewport}")
    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi thư nhắc").click()
    assert "Gửi thư nhắc" in dialogs[-1] and "tới 2 đơn vị" in dialogs[-1]  # the boxes ticked, not the list
    expect(page.locator(".alert-success")).to_contain_text("tới 2 đơn vị")
    shot(page, f"board-after-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_the_filtered_lists_and_the_search_page_render(page: Page, live_server, year, viewport):
    log_in(page, live_server, year.secretariat, VIEWPORTS[viewport])
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    page.goto(f"{base}/history/?action=report.submit&sort=oldest")
    expect(page.locator("#history-count")).to_contain_text("2 mục")
    expect(page.locator("#id_action")).to_have_value("report.submit")
    shot(page, f"history-{viewport}")
    page.goto(f"{base}/history/?date_from=31/02/2025")
    expect(page.locator("#id_date_from.is-invalid")).to_have_count(1)
    page.goto(f"{base}/accounts/?role=officer&q=S0")
    expect(page.locator(".accounts-table tbody tr")).to_have_count(5)
    shot(page, f"accounts-{viewport}")
    page.goto(f"{base}/reports/evidence/?unit=all&kind=pdf")
    expect(page.locator("table tbody tr")).to_have_count(2)
    shot(page, f"evidence-{viewport}")
    if viewport == "phone":
        page.get_by_role("button", name="Mở menu").click()
    page.locator("#topbar-q").fill("chuyển đổi")
    with page.expect_navigation():
        page.locator("#topbar-q").press("Enter")
    expect(page.locator("#search-count")).to_contain_text("kết quả")
    expect(page.locator(".search-snippet mark").first).to_have_text("chuyển")
    shot(page, f"search-{viewport}")

"""Acceptance (issue 17): the provincial council creates a bloc and its secretariat account; the bloc runs a short
year and submits its dossier; the council returns it with a reason, the bloc submits it again, the council accepts it
and records the decision; the next year, the unit's award history shows the award. Through the real pages, in
Chromium (the bloc's own year in between is run through the services: other browser tests cover those pages)."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from core import lifecycle
from core.models import AuditEntry, BlocYear, Profile, Province
from council.models import Dossier
from covenant import services as covenant
from tests.council_year import run_short_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-thu-nghiem-2025"
TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def province():
    province = Province.objects.create(code="kon-tum", name="Kon Tum")
    for code, name, short in (("so-tai-chinh", "Sở Tài chính", "STC"), ("cuc-thue", "Cục Thuế tỉnh", "CT"),
                              ("kho-bac", "Kho bạc Nhà nước tỉnh", "KBNN")):
        covenant.create_unit(code=code, name=name, short_name=short, province=province, by=None)
    return province


@pytest.fixture
def council(province):
    user = get_user_model().objects.create_user(username="hoidong", password=PASSWORD, first_name="Ban Thi đua",
                                                last_name="tỉnh")
    Profile.objects.create(user=user, role=Profile.Role.COUNCIL, province=province)
    return user


def log_in(page: Page, live_server, username: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()


def test_council_sets_up_a_bloc_receives_its_dossier_and_records_the_decision(page: Page, live_server, province,
                                                                              council):
    from council import services

    services.set_quota(province=province, year=2025, flags=2, certificates=5, by=council)
    base = f"{live_server.url}/council/{province.code}"

    # The council creates the bloc with its first year, lists its members and creates the secretariat's account.
    log_in(page, live_server, "hoidong")
    expect(page).to_have_url(f"{base}/")
    page.get_by_role("link", name="Tạo khối thi đua").click()
    page.locator('input[name="code"]').fill("khoi-tckt")
    page.locator('input[name="name"]').fill("Khối Tài chính – Kinh tế")
    page.locator('input[name="y-year"]').fill("2025")
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(f"{base}/blocs/khoi-tckt/2025/")
    page.get_by_role("link", name="Sửa danh sách").click()
    for i, (name, role) in enumerate((("Sở Tài chính", "Trưởng khối"), ("Cục Thuế tỉnh", "Phó trưởng khối"),
                                      ("Kho bạc Nhà nước tỉnh", "Thành viên"))):
        page.locator("#add-member").click()
        row = page.locator("#member-rows tbody tr").nth(i)
        row.locator("input[type=number]").fill(str(i + 1))
        row.locator("select").first.select_option(label=name)
        row.locator("select").nth(1).select_option(label=role)
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#members")).to_contain_text("Kho bạc Nhà nước tỉnh")
    page.get_by_role("link", name="Tạo tài khoản").click()
    page.locator('input[name="username"]').fill("thuky")
    page.locator('input[name="full_name"]').fill("Nguyễn Thị Thư")
    page.locator('input[name="email"]').fill("thuky@example.vn")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#accounts")).to_contain_text("thuky")

    # The bloc runs its (short) year and submits its dossier.
    secretary = get_user_model().objects.get(username="thuky")
    bloc_year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2025)
    run_short_year(bloc_year, secretary)
    log_in(page, live_server, "thuky")
    page.locator("nav.sidebar").get_by_role("link", name="Hồ sơ gửi tỉnh").click()
    page.get_by_role("button", name="Gửi hồ sơ lên tỉnh").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã gửi tỉnh")

    # The council returns it with a reason.
    log_in(page, live_server, "hoidong")
    page.goto(f"{base}/dossiers/")
    page.get_by_role("link", name="Khối Tài chính – Kinh tế").click()
    expect(page.locator("#checklist")).not_to_contain_text("chưa đạt")
    page.locator("#id_reason").fill("Bổ sung biên bản kiểm phiếu có chữ ký của tổ kiểm phiếu")
    page.get_by_role("button", name="Trả lại hồ sơ").click()
    expect(page.locator("#dossier-status")).to_have_text("Bị trả lại")

    # The bloc reads the reason and submits again.
    log_in(page, live_server, "thuky")
    page.goto(f"{live_server.url}/blocs/khoi-tckt/2025/dossier/")
    expect(page.locator("#return-reason")).to_contain_text("Bổ sung biên bản kiểm phiếu")
    page.get_by_role("button", name="Gửi lại hồ sơ lên tỉnh").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã gửi tỉnh")

    # The council accepts it and records the decision.
    log_in(page, live_server, "hoidong")
    page.goto(f"{base}/dossiers/khoi-tckt/2025/")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã tiếp nhận")
    page.get_by_role("link", name="Ghi nhận quyết định khen thưởng").click()
    page.locator('input[name="number"]').fill("245/QĐ-UBND")
    page.locator('input[name="signed_on"]').fill("15/03/2026")
    page.locator('input[name="signer"]').fill("Chủ tịch UBND tỉnh Nguyễn Văn Hòa")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã có quyết định")
    expect(page.locator("#decided-awards")).to_contain_text("Cờ thi đua của UBND tỉnh: Sở Tài chính")

    dossier = Dossier.objects.get(bloc_year=bloc_year)
    assert (dossier.status, dossier.submissions, dossier.decision_number) == ("decided", 2, "245/QĐ-UBND")
    assert list(AuditEntry.objects.filter(bloc_year=bloc_year, action__startswith="dossier.").order_by("at", "id")
                .values_list("action", flat=True)) == [
        "dossier.submit", "dossier.return", "dossier.submit", "dossier.accept", "dossier.decide"]

    # The next year: the unit's page shows the award in its history.
    lifecycle.start_next_year(previous=BlocYear.objects.get(pk=bloc_year.pk), by=secretary)
    page.goto(f"{base}/blocs/khoi-tckt/2026/")
    page.locator("#members").get_by_role("link", name="Sở Tài chính").click()
    expect(page).to_have_url(re.compile(rf"{base}/units/\d+/$"))
    awards = page.locator("#awards")
    expect(awards).to_contain_text("2025")
    expect(awards).to_contain_text("Cờ thi đua của UBND tỉnh")
    expect(awards).to_contain_text("245/QĐ-UBND, 15/03/2026")

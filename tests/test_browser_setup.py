"""Acceptance: the secretariat edits a covenant content through the real pages, in Chromium.

The data is built here with the services (not with tests/personas.py) so that this test only
depends on the workflow it checks. Run with the test environment of `make test`, e.g.
`make test ARGS=tests/test_browser_setup.py WORKERS=0`.
"""

import os
import re

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there without this.
# conftest.py sets it too; repeated here so the file also works on its own.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from core import lifecycle
from core.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Province
from covenant import services
from covenant.models import CovenantContent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-thu-nghiem-2025"  # a throwaway password that passes the validators
TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True)
def patient_expect():
    """Give assertions on the page the same patience as actions (a busy CI machine); reset afterwards."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def bloc_year():
    """A bloc year in its setup phase: three members (the first heads it) and a covenant with two contents."""
    province = Province.objects.create(code="tinh-thu", name="Tỉnh Thử nghiệm")
    bloc = Bloc.objects.create(code="khoi-tckt", name="Khối Tài chính – Kinh tế", province=province)
    units = [
        services.create_unit(code="so-tai-chinh", name="Sở Tài chính", short_name="STC", province=province, by=None),
        services.create_unit(code="cuc-thue", name="Cục Thuế tỉnh", short_name="CT", province=province, by=None),
        services.create_unit(code="kho-bac", name="Kho bạc Nhà nước tỉnh", short_name="KBNN", province=province,
                             by=None),
    ]
    by = lifecycle.create_bloc_year(bloc=bloc, year=2025, by=None)
    services.save_members(
        bloc_year=by,
        rows=[
            services.MemberRow(unit=units[0], order=1, role=Membership.Role.HEAD),
            services.MemberRow(unit=units[1], order=2, role=Membership.Role.DEPUTY),
            services.MemberRow(unit=units[2], order=3, role=Membership.Role.MEMBER),
        ],
        expected_version=by.version,
        by=None,
    )
    covenant = by.covenant
    services.save_content(
        covenant=covenant, content=None, order=1, title="Thực hiện nhiệm vụ chuyên môn",
        body="Hoàn thành các chỉ tiêu, nhiệm vụ chuyên môn được giao trong năm.", expected_version=None, by=None,
    )
    services.save_content(
        covenant=covenant, content=None, order=2, title="Cải cách hành chính",
        body="Đẩy mạnh cải cách thủ tục hành chính, chuyển đổi số.", expected_version=None, by=None,
    )
    return BlocYear.objects.get(pk=by.pk)


@pytest.fixture
def secretariat(bloc_year):
    """The secretariat: a login of the head unit."""
    head = bloc_year.memberships.get(role=Membership.Role.HEAD).unit
    user = get_user_model().objects.create_user(
        username="thuky", password=PASSWORD, first_name="Nguyễn Thị", last_name="Thư"
    )
    Profile.objects.create(user=user, role=Profile.Role.SECRETARIAT, unit=head)
    return user


def content_one(bloc_year: BlocYear) -> CovenantContent:
    return CovenantContent.objects.get(covenant__bloc_year=bloc_year, order=1)


def log_in(page: Page, live_server, user) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()


def open_content_one_form(page: Page, live_server, user, bloc_year: BlocYear) -> None:
    """Log in, land on the year's dashboard, go to the covenant through the sidebar and open content 1."""
    log_in(page, live_server, user)
    dashboard = f"{live_server.url}/blocs/{bloc_year.bloc.code}/{bloc_year.year}/"
    expect(page).to_have_url(dashboard)
    page.locator("nav.sidebar").get_by_role("link", name="Giao ước thi đua").click()
    expect(page).to_have_url(f"{dashboard}covenant/")
    card = page.locator("#content-1")
    expect(card).to_contain_text("Thực hiện nhiệm vụ chuyên môn")
    card.get_by_role("link", name="Sửa", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/covenant/contents/{content_one(bloc_year).pk}/edit/$"))
    expect(page.locator('input[name="title"]')).to_have_value("Thực hiện nhiệm vụ chuyên môn")


def save(page: Page) -> None:
    page.locator("main form").get_by_role("button", name="Lưu").click()


def test_secretariat_edits_covenant_content(page: Page, live_server, bloc_year, secretariat):
    open_content_one_form(page, live_server, secretariat, bloc_year)

    new_title = "Thực hiện nhiệm vụ chuyên môn và chuyển đổi số"
    new_body = "Hoàn thành 100% chỉ tiêu được giao; số hóa hồ sơ, thủ tục hành chính đúng lộ trình."
    page.locator('input[name="title"]').fill(new_title)
    page.locator('textarea[name="body"]').fill(new_body)
    save(page)

    expect(page).to_have_url(f"{live_server.url}/blocs/{bloc_year.bloc.code}/{bloc_year.year}/covenant/")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu nội dung giao ước.")
    card = page.locator("#content-1")
    expect(card).to_contain_text(new_title)
    expect(card).to_contain_text(new_body)

    content = content_one(bloc_year)
    assert content.title == new_title
    assert content.body == new_body
    assert content.version == 2
    entry = AuditEntry.objects.filter(
        action="content.change", target_type="covenant.covenantcontent", target_id=str(content.pk)
    ).get()
    assert entry.actor == secretariat
    assert entry.bloc_year_id == bloc_year.pk
    assert entry.before["title"] == "Thực hiện nhiệm vụ chuyên môn"
    assert entry.after["title"] == new_title
    assert entry.after["body"] == new_body


def test_after_setup_a_change_needs_a_reason(page: Page, live_server, bloc_year, secretariat):
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.REPORTING)
    open_content_one_form(page, live_server, secretariat, bloc_year)

    new_title = "Thực hiện nhiệm vụ chuyên môn (điều chỉnh)"
    page.locator('input[name="title"]').fill(new_title)
    save(page)

    # Refused: the form comes back with the error on the reason field, and nothing changed.
    expect(page).to_have_url(re.compile(r"/covenant/contents/\d+/edit/$"))
    error = page.locator(".invalid-feedback, .alert-danger").filter(has_text="lý do")
    expect(error.first).to_be_visible()
    expect(error.first).to_contain_text("giai đoạn thiết lập")
    expect(page.locator('input[name="title"]')).to_have_value(new_title)  # what the user typed is kept
    assert content_one(bloc_year).title == "Thực hiện nhiệm vụ chuyên môn"
    assert not AuditEntry.objects.filter(action="content.change").exists()

    reason = "Điều chỉnh theo Kế hoạch số 12/KH-BQLKKT của Ban Quản lý."
    page.locator('textarea[name="reason"]').fill(reason)
    save(page)

    expect(page).to_have_url(f"{live_server.url}/blocs/{bloc_year.bloc.code}/{bloc_year.year}/covenant/")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu nội dung giao ước.")
    expect(page.locator("#content-1")).to_contain_text(new_title)
    history = page.locator(".card").filter(has=page.locator(".card-header", has_text="Thay đổi gần đây"))
    expect(history).to_contain_text(reason)
    expect(history).to_contain_text(new_title)

    content = content_one(bloc_year)
    assert content.title == new_title
    entry = AuditEntry.objects.get(action="content.change", target_id=str(content.pk))
    assert entry.reason == reason
    assert entry.actor == secretariat

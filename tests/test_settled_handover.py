"""Handover to the new head (issue 13 item 5): the next year opened with a new head unit is run at once by that
unit's secretariat (named by the outgoing one); the outgoing secretariat keeps its years; the secretariat makes and
locks the bloc's secretariat, officer and leader accounts."""

import os

import pytest
from django.test import Client
from django.urls import reverse

from core import lifecycle
from core.errors import ServiceError
from core.models import AuditEntry, BlocYear, Membership, Profile
from covenant import services
from scoring.models import ReviewMeeting
from tests.personas import PASSWORD, make_bloc_year, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def rotated(phase=BlocYear.Phase.REVIEW):
    """Year 2025 headed by unit 1, whose meeting elected unit 2 head of 2026; 2026 opened."""
    year = make_bloc_year(units=3, year=2025, phase=phase)
    ReviewMeeting.objects.create(bloc_year=year, elected_head=year.units[1], elected_deputy=year.units[2])
    outgoing = make_user("vp-cu", role=Profile.Role.SECRETARIAT, unit=year.units[0])
    return year, outgoing


def test_the_outgoing_secretariat_hands_the_next_year_to_the_new_heads_officer(db):
    year, outgoing = rotated()
    new = lifecycle.start_next_year(previous=year, by=outgoing)
    assert Membership.objects.get(bloc_year=new, role="head").unit == year.units[1]
    officer = year.officers[1]
    c = Client()
    c.force_login(officer)
    members_edit = reverse("covenant:members_edit", args=[new.bloc.code, new.year])
    assert c.get(members_edit).status_code == 403  # an officer, not yet the secretariat

    with pytest.raises(ServiceError, match="Chỉ bàn giao"):
        services.hand_over(bloc_year=year, users=[year.officers[2]], by=outgoing)
    services.hand_over(bloc_year=year, users=[officer], by=outgoing)
    officer.profile.refresh_from_db()
    assert officer.profile.role == Profile.Role.SECRETARIAT
    assert c.get(members_edit).status_code == 200
    assert AuditEntry.objects.filter(action="secretariat.handover", bloc_year=new).exists()

    # The outgoing secretariat keeps the year it ran and reads the new one.
    out = Client()
    out.force_login(outgoing)
    assert out.get(reverse("covenant:accounts", args=[year.bloc.code, year.year])).status_code == 200
    assert out.get(reverse("workspace:dashboard", args=[new.bloc.code, new.year])).status_code == 200
    assert out.get(members_edit).status_code == 403


def test_the_secretariat_makes_secretariat_and_leader_accounts_and_locks_them(db):
    year, outgoing = rotated()
    lifecycle.start_next_year(previous=year, by=outgoing)
    # A secretariat account for next year's head unit; not for a plain member.
    new_head = services.create_officer(
        bloc_year=year,
        unit=year.units[1],
        username="vp-moi",
        full_name="Văn phòng mới",
        email="vp@moi.vn",
        password=PASSWORD,
        by=outgoing,
        role=Profile.Role.SECRETARIAT,
    )
    assert new_head.profile.role == Profile.Role.SECRETARIAT
    with pytest.raises(ServiceError, match="Trưởng khối"):
        services.create_officer(
            bloc_year=year,
            unit=year.units[2],
            username="vp-sai",
            full_name="Sai",
            email="s@s.vn",
            password=PASSWORD,
            by=outgoing,
            role=Profile.Role.SECRETARIAT,
        )
    leader = services.create_officer(
        bloc_year=year,
        unit=None,
        username="lanh-dao-khoi",
        full_name="Lãnh đạo",
        email="ld@khoi.vn",
        password=PASSWORD,
        by=outgoing,
        role=Profile.Role.LEADER,
    )
    assert (leader.profile.role, leader.profile.bloc_id, leader.profile.unit_id) == ("leader", year.bloc_id, None)
    with pytest.raises(ServiceError, match="chỉ tạo"):
        services.create_officer(
            bloc_year=year,
            unit=None,
            username="tinh",
            full_name="Tỉnh",
            email="t@t.vn",
            password=PASSWORD,
            by=outgoing,
            role=Profile.Role.PROVINCIAL,
        )
    for account in (new_head, leader):
        services.set_account_active(bloc_year=year, user=account, active=False, by=outgoing)
        account.refresh_from_db()
        assert not account.is_active


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_new_heads_secretariat_manages_the_next_year_in_the_browser(page, live_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    year, outgoing = rotated()
    officer = year.officers[1]
    base = f"{live_server.url}/blocs/{year.bloc.code}"

    def log_in(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator('input[name="username"]').fill(user.username)
        page.locator('input[name="password"]').fill(PASSWORD)
        with page.expect_navigation():
            page.locator('form button[type="submit"]').click()

    # The outgoing secretariat opens 2026 from 2025 (the meeting elected unit 2) and hands it over.
    log_in(outgoing)
    page.goto(f"{base}/2025/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Thao tác khác").click()
    page.get_by_role("button", name="Mở năm 2026 từ thiết lập năm nay").click()
    expect(page).to_have_url(f"{base}/2026/")
    page.goto(f"{base}/2025/accounts/")
    expect(page.locator("#handover-note")).to_contain_text(year.units[1].name)
    page.get_by_role("link", name="Bàn giao Văn phòng khối").click()
    page.get_by_label(officer.username).check()
    page.locator("main form").get_by_role("button", name="Bàn giao").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã bàn giao")
    page.goto(f"{base}/2026/members/edit/")
    assert "403" in page.title() or page.locator("main form").count() == 0
    page.context.clear_cookies()

    # The new head's officer, now its secretariat, runs 2026 at once: the member list saves.
    log_in(officer)
    page.goto(f"{base}/2026/members/edit/")
    page.locator("main form").get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(f"{base}/2026/members/")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{base}/2026/phase/advance/")
    expect(page.locator("main")).to_contain_text("Chuyển sang giai đoạn Báo cáo định kỳ")

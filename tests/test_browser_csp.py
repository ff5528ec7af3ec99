"""The pages work under the Content-Security-Policy (issue 11, item 4): the main pages of every role load in
Chromium without a single CSP violation, and the behaviours moved out of inline scripts still work."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, expect

from core.models import BlocYear
from reports import services as reports
from tests.personas import PASSWORD, make_bloc_year, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 15_000

# Records every violation the page reports, before any of its own scripts run.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def year():
    year = make_bloc_year(units=3, code="khoi-csp", year=2025, phase=BlocYear.Phase.REPORTING)
    period = reports.create_default_periods(bloc_year=year, by=None)[0]
    year.report = reports.start_report(period=period, unit=year.units[1], by=year.officers[1])
    return year


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()


def visit(page: Page, url: str, console: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__csp")
    assert violations == [], (url, violations)
    assert [m for m in console if "Content Security Policy" in m] == [], (url, console)


def test_main_pages_of_every_role_load_without_a_csp_violation(page: Page, live_server, year):
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    base = live_server.url
    y = f"{base}/blocs/{year.bloc.code}/{year.year}"
    secretariat = make_user("vp-csp", role="secretariat", unit=year.units[0])
    leader = make_user("ld-csp", role="leader", bloc=year.bloc)
    provincial = make_user("tinh-csp", role="provincial", province=year.bloc.province)
    pages = {
        secretariat.username: [
            "/", "/members/", "/members/edit/", "/covenant/", "/covenant/edit/", "/scoreboard/",
            "/scoreboard/bonus/", "/scoreboard/tie-breaks/", f"/scoreboard/criteria/{year.criteria[0].pk}/edit/",
            "/reports/board/", "/reports/periods/", "/accounts/", "/accounts/new/", "/history/", "/scores/",
            "/review/", "/documents/",
        ],
        year.officers[1].username: ["/", "/reports/", f"/reports/{year.report.pk}/edit/", "/reports/evidence/",
                                    "/covenant/", "/documents/"],
        leader.username: ["/", "/reports/board/", "/scores/", "/review/"],
        provincial.username: ["/", "/reports/board/"],
    }  # fmt: skip
    for username, paths in pages.items():
        log_in(page, base, username)
        visit(page, f"{base}/", console)
        for path in paths:
            visit(page, f"{y}{path}", console)
    # The behaviours that were inline scripts: a formset row added, a confirmation asked, the language switched.
    log_in(page, base, secretariat.username)
    page.goto(f"{y}/scoreboard/bonus/")
    rows = page.locator("#bonus-rows tbody tr")
    before = rows.count()
    page.locator("#add-bonus").click()
    expect(rows).to_have_count(before + 1)
    page.goto(f"{y}/accounts/")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator("form[data-confirm] button[type=submit]").first.click()
    expect(page.locator("body")).to_contain_text(year.officers[0].username)
    assert asked and "Khóa tài khoản" in asked[0]
    with page.expect_navigation():
        page.locator("select#lang-select").select_option("en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("window.__csp") == []

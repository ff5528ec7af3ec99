"""Vietnamese by default, English on request; Vietnamese number and date formats (83,5 and 16/05/2017)."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import AuditEntry
from covenant.models import Covenant
from scoring.models import Scoreboard


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def year_url(bloc_year, name: str, *args) -> str:
    namespace = "scoring" if name in ("scoreboard", "settings_edit", "criterion_edit") else "covenant"
    return reverse(f"{namespace}:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


@pytest.fixture
def as_secretariat(client, secretariat):
    client.force_login(secretariat)
    return client


def choose_language(client, code: str, next_url: str):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return client.get(next_url)


def english(text: str) -> str:
    with translation.override("en"):
        return translation.gettext(text)


def test_pages_are_in_vietnamese_by_default(as_secretariat, bloc_year):
    page = page_text(as_secretariat.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])))
    assert '<html lang="vi"' in page
    for text in ["Tổng quan năm thi đua", "Đơn vị thành viên", "Giao ước thi đua", "Trưởng khối", "Đăng xuất"]:
        assert text in page


def test_english_is_chosen_through_set_language_and_kept(as_secretariat, bloc_year):
    url = reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])
    page = page_text(choose_language(as_secretariat, "en", url))
    assert '<html lang="en"' in page
    assert english("Tổng quan năm thi đua") != "Tổng quan năm thi đua", "the English catalogue is not loaded"
    assert english("Tổng quan năm thi đua") in page
    # The choice sticks for the next pages, and switching back works.
    assert '<html lang="en"' in page_text(as_secretariat.get(year_url(bloc_year, "members")))
    assert '<html lang="vi"' in page_text(choose_language(as_secretariat, "vi", url))


def test_english_is_offered_on_the_login_page(client, db):
    page = page_text(client.get(reverse("login")))
    assert 'name="language"' in page and 'value="en"' in page
    assert '<html lang="en"' in page_text(choose_language(client, "en", reverse("login")))


def test_decimal_is_written_with_a_comma_in_vietnamese_and_a_point_in_english(as_secretariat, bloc_year):
    Scoreboard.objects.filter(bloc_year=bloc_year).update(bonus_cap=Decimal("83.5"))
    url = year_url(bloc_year, "scoreboard")
    page = page_text(as_secretariat.get(url))
    assert "83,5" in page and "83.5" not in page
    assert "7,5" in page  # a sub-item's maximum
    page = page_text(choose_language(as_secretariat, "en", url))
    assert "83.5" in page and "83,5" not in page


def test_decimal_form_fields_show_and_accept_a_comma(as_secretariat, bloc_year):
    url = year_url(bloc_year, "criterion_edit", bloc_year.criteria[2].pk)
    assert 'value="7,5' in page_text(as_secretariat.get(url))
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    response = as_secretariat.post(year_url(bloc_year, "settings_edit"), {
        "title": board.title, "total_points": "100", "score_step": "0,5", "bonus_cap": "83,5",
        "late_report_points": "1,5", "missing_report_points": "2", "version": board.version, "reason": "",
    })
    assert response.status_code == 302
    board.refresh_from_db()
    assert (board.bonus_cap, board.late_report_points) == (Decimal("83.5"), Decimal("1.5"))
    assert 'value="83,5' in page_text(as_secretariat.get(year_url(bloc_year, "settings_edit")))


def covenant_data(bloc_year, **change) -> dict:
    covenant = Covenant.objects.get(bloc_year=bloc_year)
    return {"title": covenant.title, "signed_on": "", "signed_place": "Đà Lạt", "plan_number": "05/KH-KTĐ",
            "plan_date": "", "legal_bases": "Căn cứ 1", "version": covenant.version, "reason": "", **change}


def test_date_typed_day_first_is_accepted_and_shown_day_first(as_secretariat, bloc_year):
    response = as_secretariat.post(year_url(bloc_year, "covenant_edit"),
                                   covenant_data(bloc_year, signed_on="16/05/2017", plan_date="02/01/2017"))
    assert response.status_code == 302
    covenant = Covenant.objects.get(bloc_year=bloc_year)
    assert (covenant.signed_on, covenant.plan_date) == (datetime.date(2017, 5, 16), datetime.date(2017, 1, 2))
    detail = page_text(as_secretariat.get(year_url(bloc_year, "covenant")))
    assert "16/05/2017" in detail and "02/01/2017" in detail
    dashboard = reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])
    assert "16/05/2017" in page_text(as_secretariat.get(dashboard))
    assert 'value="16/05/2017"' in page_text(as_secretariat.get(year_url(bloc_year, "covenant_edit")))


def test_dates_stay_day_first_in_english(as_secretariat, bloc_year):
    as_secretariat.post(year_url(bloc_year, "covenant_edit"), covenant_data(bloc_year, signed_on="16/05/2017"))
    page = page_text(choose_language(as_secretariat, "en", year_url(bloc_year, "covenant")))
    assert "16/05/2017" in page


@pytest.mark.parametrize("typed", ["31/02/2017", "2017-02-31", "16.05.2017", "05/16/2017"])
def test_impossible_or_month_first_dates_are_refused(as_secretariat, bloc_year, typed):
    response = as_secretariat.post(year_url(bloc_year, "covenant_edit"), covenant_data(bloc_year, signed_on=typed))
    assert response.status_code == 200 and "Nhập một ngày hợp lệ" in page_text(response)
    assert Covenant.objects.get(bloc_year=bloc_year).signed_on is None


def test_times_in_the_history_are_shown_in_vietnam_time(as_secretariat, bloc_year):
    AuditEntry.objects.filter(bloc_year=bloc_year).update(
        at=datetime.datetime(2025, 3, 14, 17, 30, tzinfo=datetime.UTC))
    page = page_text(as_secretariat.get(year_url(bloc_year, "history")))
    assert "00:30 15/03/2025" in page

"""Bad input gets a Vietnamese answer, never a 500 (issue 11, item 5): a covenant content with report sections,
numbers a person would not type, the same creation sent three times at once."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.forms import NumberInputError, parse_decimal
from core.models import BlocYear, Unit
from covenant.models import CovenantContent
from reports import services as reports
from scoring.models import Deduction, ScoreSheet
from scoring.sheets import services as sheets
from tests.personas import PASSWORD, make_bloc_year, make_user

NASTY = ["0.001", "1e-400", "1E-999999999", "1E+999999999", "NaN", "-NaN", "sNaN", "Infinity", "-inf", "1,2,3",
         "99999999", "0x10", "１２", "", " ", "1" * 500]  # fmt: skip


@pytest.mark.parametrize("raw", NASTY)
def test_numbers_nobody_types_are_refused_with_a_reason(raw):
    with pytest.raises(NumberInputError) as e:
        parse_decimal(raw)
    assert str(e.value)


@pytest.mark.parametrize(("raw", "value"), [("8,5", "8.5"), ("8.5", "8.5"), (" 10 ", "10"), (".5", "0.5"),
                                            ("-0", "0"), ("0,50", "0.5"), (Decimal("7.00"), "7")])  # fmt: skip
def test_numbers_as_people_type_them(raw, value):
    assert parse_decimal(raw) == Decimal(value)


@pytest.fixture
def scoring_year(db):
    return make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SCORING)


@pytest.mark.parametrize("raw", ["0.001", "1e-400", "1E-999999999", "NaN", "Infinity", "0,004"])
def test_a_deduction_nobody_could_mean_is_a_message_not_a_500(client, scoring_year, raw):
    year = scoring_year
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[1], by=None)
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    url = reverse("scores:deduction_add", args=[year.bloc.code, year.year, sheet.pk])
    response = client.post(url, {"points": raw, "reason": "Vi phạm"}, follow=True)
    assert response.status_code == 200
    assert "Điểm trừ" in response.content.decode()
    assert not Deduction.objects.filter(sheet=sheet, kind=Deduction.Kind.MANUAL).exists()


@pytest.mark.parametrize("raw", ["0.001", "1e-400", "1E-999999999", "NaN", "Infinity"])
def test_a_self_score_nobody_could_mean_is_refused(scoring_year, raw):
    year = scoring_year
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[1], by=None)
    item = sheet.items.first()
    with pytest.raises(sheets.ServiceError, match="Mục"):
        sheets.save_self_score(
            sheet=sheet, rows={item.sub_item_id: sheets.SelfRow(score=raw)}, claims={}, expected_version=None, by=None
        )


@pytest.mark.parametrize("raw", ["0.001", "1e-400", "1E-999999999", "NaN", "Infinity", "1E+999"])
def test_scoreboard_points_nobody_could_mean_are_form_errors(client, db, raw):
    year = make_bloc_year(units=3, year=2025)
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    url = reverse("scoring:settings_edit", args=[year.bloc.code, year.year])
    board = year.scoreboard
    data = {"title": "", "total_points": "100", "score_step": raw, "bonus_cap": raw, "late_report_points": raw,
            "missing_report_points": "1", "version": board.version, "reason": ""}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_deleting_a_content_units_have_reported_on_is_refused_in_vietnamese(client, db):
    year = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    period = reports.create_default_periods(bloc_year=year, by=None)[0]
    reports.start_report(period=period, unit=year.units[1], by=year.officers[1])
    content = year.contents[0]
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    url = reverse("covenant:content_delete", args=[year.bloc.code, year.year, content.pk])
    response = client.post(url, {"reason": "Gộp nội dung"})
    assert response.status_code == 200
    assert "các đơn vị đã báo cáo về nội dung này" in response.content.decode()
    assert CovenantContent.objects.filter(pk=content.pk).exists()


def _three_at_once(user, url, data) -> list[int]:
    barrier, statuses = threading.Barrier(3), []

    def post():
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_identical_creations_at_once_create_one_and_answer_the_others(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    year = make_bloc_year(units=3, year=2025)
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    args = [year.bloc.code, year.year]
    statuses = _three_at_once(
        secretariat,
        reverse("covenant:content_create", args=args),
        {"order": 8, "title": "Nội dung mới", "body": "Toàn văn", "reason": "", "version": 1},
    )
    assert sorted(statuses) == [200, 200, 302], statuses  # one saved (redirect), two forms with the message
    assert CovenantContent.objects.filter(covenant__bloc_year=year, order=8).count() == 1
    statuses = _three_at_once(
        secretariat,
        reverse("covenant:unit_create", args=args),
        {"code": "so-moi", "name": "Sở Mới", "short_name": "SM", "head_name": "", "address": "", "phone": "",
         "email": ""},
    )  # fmt: skip
    assert all(s < 500 for s in statuses), statuses
    assert Unit.objects.filter(code="so-moi").count() == 1
    statuses = _three_at_once(
        secretariat,
        reverse("covenant:account_create", args=args),
        {"unit": year.units[1].pk, "username": "can-bo-moi", "full_name": "Nguyễn Văn A", "email": "a@example.vn",
         "password": PASSWORD},
    )  # fmt: skip
    assert all(s < 500 for s in statuses), statuses
    assert get_user_model().objects.filter(username="can-bo-moi").count() == 1

"""Logins and sessions (issue 11, item 4): brute force throttled per user name and per address with a Vietnamese
page, unlocked by the bloc's secretariat or a superuser; password-reset requests limited; a locked account's
sessions end; sessions end when idle and after a maximum age; the CSP and Permissions-Policy headers."""

import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.models import BlocYear
from tests.personas import PASSWORD, make_bloc_year, make_user


@pytest.fixture
def year(db):
    return make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_right_password_after_five_wrong_ones_is_refused_with_a_vietnamese_page(client, year, settings):
    officer = year.officers[1]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, officer.username, "sai-mat-khau").status_code == 200
    assert login(client, officer.username, "sai-mat-khau").status_code == 429  # the fifth
    response = login(client, officer.username, PASSWORD, ip="10.0.0.2")  # another address: the name is locked
    assert response.status_code == 429
    text = response.content.decode()
    assert "Tạm khóa đăng nhập" in text and "sai mật khẩu 5 lần" in text and "15 phút" in text
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_names_is_locked_out(client, year, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"khong-co-{i}", "sai", ip="10.9.9.9")
    assert login(client, year.officers[2].username, PASSWORD, ip="10.9.9.9").status_code == 429
    assert login(Client(), year.officers[2].username, PASSWORD, ip="10.1.1.1").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, year, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"x{i}", "password": "sai"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")  # fmt: skip
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    # Another client behind the same proxy is not locked out.
    response = Client().post(reverse("login"), {"username": year.officers[0].username, "password": PASSWORD},
                             REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")  # fmt: skip
    assert response.status_code == 302


def test_the_secretariat_unlocks_its_officer_on_the_accounts_page(client, year, settings):
    officer = year.officers[1]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), officer.username, "sai")
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    client.force_login(secretariat)
    page = client.get(reverse("covenant:accounts", args=[year.bloc.code, year.year])).content.decode()
    unlock = reverse("covenant:account_unlock", args=[year.bloc.code, year.year, officer.pk])
    assert "Tạm khóa do sai mật khẩu nhiều lần" in page and unlock in page
    response = client.post(unlock, follow=True)
    assert "Đã mở khóa đăng nhập" in response.content.decode()
    assert login(Client(), officer.username, PASSWORD, ip="10.0.0.3").status_code == 302


def test_another_blocs_secretariat_cannot_unlock(client, year, other_secretariat):
    officer = year.officers[1]
    client.force_login(other_secretariat)
    assert (
        client.post(reverse("covenant:account_unlock", args=[year.bloc.code, year.year, officer.pk])).status_code == 404
    )


def test_a_superuser_unlocks_anyone_in_the_admin(client, year, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), year.officers[2].username, "sai")
    attempt = AccessAttempt.objects.get(username=year.officers[2].username)
    client.force_login(make_user("admin", is_superuser=True))
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert login(Client(), year.officers[2].username, PASSWORD, ip="10.0.0.4").status_code == 302


def test_password_reset_requests_are_limited_per_address_and_email(client, year, settings):
    cache.clear()  # counts left by other tests in this process
    officer = year.officers[1]
    url = reverse("password_reset")
    statuses = [
        client.post(url, {"email": officer.email}).status_code for _ in range(settings.PASSWORD_RESET_LIMIT + 2)
    ]
    assert statuses[: settings.PASSWORD_RESET_LIMIT] == [302] * settings.PASSWORD_RESET_LIMIT
    assert statuses[settings.PASSWORD_RESET_LIMIT :] == [429, 429]
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT
    response = client.post(url, {"email": officer.email})
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in response.content.decode()


def test_locking_an_account_ends_its_sessions_for_good(year):
    officer = year.officers[1]
    own = Client()
    assert login(own, officer.username, PASSWORD).status_code == 302
    dashboard = reverse("workspace:dashboard", args=[year.bloc.code, year.year])
    assert own.get(dashboard).status_code == 200
    secretariat = Client()
    secretariat.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    toggle = reverse("covenant:account_toggle", args=[year.bloc.code, year.year, officer.pk])
    secretariat.post(toggle)  # locked
    assert own.get(dashboard).status_code == 302
    secretariat.post(toggle)  # open again: the old session stays ended
    assert own.get(dashboard).status_code == 302


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_ends_after_the_idle_time_and_after_the_maximum_age(client, year, settings):
    dashboard = reverse("workspace:dashboard", args=[year.bloc.code, year.year])
    assert settings.SESSION_IDLE_SECONDS == 8 * 3600
    login(client, year.officers[1].username, PASSWORD)
    assert client.get(dashboard).status_code == 200
    _age_session(client, _seen=settings.SESSION_IDLE_SECONDS - 120)
    assert client.get(dashboard).status_code == 200  # active again: the idle clock restarts
    _age_session(client, _seen=settings.SESSION_IDLE_SECONDS + 1)
    assert client.get(dashboard).status_code == 302
    login(client, year.officers[1].username, PASSWORD)
    _age_session(client, _started=settings.SESSION_MAX_SECONDS + 1, _seen=10)
    assert client.get(dashboard).status_code == 302


def test_pages_carry_the_content_security_and_permissions_policies(client, year):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]

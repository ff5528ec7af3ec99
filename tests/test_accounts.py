"""Accounts: the secretariat manages its units' officers; login, logout, password change and reset in
Vietnamese; the Django admin is for superusers only."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry, Membership, Profile
from tests.personas import make_user

User = get_user_model()

NEW_PASSWORD = "Thi-dua-khoi-moi-2026"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """New passwords are hashed with MD5 here (fast); the personas' PBKDF2 hash still checks."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def with_password(user, password: str = NEW_PASSWORD):
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def can_log_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


def year_url(bloc_year, name: str, *args) -> str:
    return reverse(f"covenant:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


@pytest.fixture
def as_secretariat(client, secretariat):
    client.force_login(secretariat)
    return client


def officer_data(bloc_year, **change) -> dict:
    return {"unit": bloc_year.units[2].pk, "username": "nguyen.an", "full_name": "Nguyễn Văn An",
            "email": "an@so3.example.vn", "password": NEW_PASSWORD, **change}


# The secretariat and the officer accounts ------------------------------------------------------------


def test_secretariat_creates_an_officer_account_for_a_member_unit(as_secretariat, bloc_year, secretariat):
    response = as_secretariat.post(year_url(bloc_year, "account_create"), officer_data(bloc_year))
    assert response.status_code == 302 and response["Location"] == year_url(bloc_year, "accounts")
    user = User.objects.get(username="nguyen.an")
    assert (user.profile.role, user.profile.unit, user.first_name, user.last_name, user.is_active) == (
        Profile.Role.OFFICER, bloc_year.units[2], "Nguyễn Văn", "An", True)
    assert AuditEntry.objects.filter(action="account.create", actor=secretariat, bloc_year=bloc_year).exists()
    assert can_log_in("nguyen.an", NEW_PASSWORD)
    listing = page_text(as_secretariat.get(year_url(bloc_year, "accounts")))
    assert "nguyen.an" in listing and "Đang hoạt động" in listing


def test_officer_account_for_a_unit_outside_the_bloc_is_refused(as_secretariat, bloc_year, other_bloc_year):
    users = User.objects.count()
    response = as_secretariat.post(year_url(bloc_year, "account_create"),
                                   officer_data(bloc_year, unit=other_bloc_year.units[1].pk))
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in page_text(response)
    assert User.objects.count() == users


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"username": "KHOI-TCKT-DV02-CANBO"}, "đã có người dùng", id="username taken, any case"),
    pytest.param({"username": "tên có dấu cách"}, "Tên đăng nhập chỉ gồm", id="bad username"),
    pytest.param({"username": ""}, "Trường này là bắt buộc", id="empty username"),
    pytest.param({"full_name": ""}, "Trường này là bắt buộc", id="empty name"),
    pytest.param({"email": "khong-phai-thu"}, "Nhập địa chỉ email", id="bad email"),
    pytest.param({"password": "abc"}, "Mật khẩu quá ngắn", id="short password"),
    pytest.param({"password": "password123"}, "quá phổ biến", id="common password"),
    pytest.param({"unit": ""}, "Trường này là bắt buộc", id="no unit"),
])
def test_bad_officer_account_is_refused_in_vietnamese(as_secretariat, bloc_year, change, message):
    users = User.objects.count()
    response = as_secretariat.post(year_url(bloc_year, "account_create"), officer_data(bloc_year, **change))
    assert response.status_code == 200
    assert message in page_text(response)
    assert User.objects.count() == users


def test_deactivated_officer_cannot_log_in_until_reactivated(as_secretariat, bloc_year, officer_a, secretariat):
    with_password(officer_a)
    officer_client = Client()
    officer_client.force_login(officer_a)
    toggle = year_url(bloc_year, "account_toggle", officer_a.pk)

    assert as_secretariat.post(toggle).status_code == 302
    officer_a.refresh_from_db()
    assert not officer_a.is_active
    assert not can_log_in(officer_a.username, NEW_PASSWORD)
    # The open session ends too.
    response = officer_client.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    refused = Client().post(reverse("login"), {"username": officer_a.username, "password": NEW_PASSWORD})
    assert refused.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng." in page_text(refused)
    assert "Đã khóa" in page_text(as_secretariat.get(year_url(bloc_year, "accounts")))

    assert as_secretariat.post(toggle).status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.is_active and can_log_in(officer_a.username, NEW_PASSWORD)
    actions = list(AuditEntry.objects.filter(target_id=str(officer_a.pk), actor=secretariat)
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["account.deactivate", "account.activate"]


def test_secretariat_cannot_lock_their_own_account(as_secretariat, bloc_year, secretariat):
    # The secretariat's own account is not among the officer accounts it manages at all.
    response = as_secretariat.post(year_url(bloc_year, "account_toggle", secretariat.pk))
    assert response.status_code == 404
    secretariat.refresh_from_db()
    assert secretariat.is_active


def test_secretariat_sets_a_new_password_for_an_officer(as_secretariat, bloc_year, officer_b):
    url = year_url(bloc_year, "account_password", officer_b.pk)
    page = as_secretariat.get(url)
    assert page.status_code == 200 and "Đặt mật khẩu mới cho" in page_text(page)
    weak = as_secretariat.post(url, {"password": "password123"})
    assert weak.status_code == 200 and "Mật khẩu này quá phổ biến" in page_text(weak)
    response = as_secretariat.post(url, {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert can_log_in(officer_b.username, NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="account.password_reset", target_id=str(officer_b.pk)).exists()


def test_too_short_new_password_is_refused_in_vietnamese(as_secretariat, bloc_year, officer_b):
    before = User.objects.get(pk=officer_b.pk).password
    response = as_secretariat.post(year_url(bloc_year, "account_password", officer_b.pk), {"password": "Ab1!"})
    assert response.status_code == 200 and "Mật khẩu quá ngắn" in page_text(response)
    assert User.objects.get(pk=officer_b.pk).password == before


@pytest.mark.parametrize("name", ["account_password", "account_toggle"])
def test_officers_of_another_bloc_are_not_found(as_secretariat, bloc_year, other_bloc_year, name):
    stranger = other_bloc_year.officers[1]
    url = year_url(bloc_year, name, stranger.pk)
    assert (as_secretariat.post(url) if name == "account_toggle" else as_secretariat.get(url)).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


@pytest.mark.parametrize("who", ["secretariat of another bloc", "superuser"])
@pytest.mark.parametrize("name", ["account_password", "account_toggle"])
def test_secretariat_manages_officer_accounts_only(as_secretariat, bloc_year, other_bloc_year, other_secretariat,
                                                  who, name):
    """A unit can belong to two blocs over the years. The head unit of another bloc last year, a plain member here
    now, has that bloc's secretariat account; a superuser may have a profile on a member unit. Resetting their
    password or locking them would hand this secretariat their powers."""
    if who == "superuser":
        target = make_user("quan-tri-don-vi", role=Profile.Role.OFFICER, unit=bloc_year.units[2], is_superuser=True)
    else:
        type(other_bloc_year).objects.filter(pk=other_bloc_year.pk).update(year=bloc_year.year - 1)
        Membership.objects.filter(bloc_year=other_bloc_year).update(year=bloc_year.year - 1)
        Membership.objects.create(bloc_year=bloc_year, unit=other_bloc_year.units[0], order=4)
        target = other_secretariat
    before = User.objects.filter(pk=target.pk).values("password", "is_active").get()
    url = year_url(bloc_year, name, target.pk)
    if name == "account_toggle":
        response = as_secretariat.post(url)
    else:
        response = as_secretariat.post(url, {"password": NEW_PASSWORD})
    assert response.status_code == 404
    assert User.objects.filter(pk=target.pk).values("password", "is_active").get() == before
    assert target.username not in page_text(as_secretariat.get(year_url(bloc_year, "accounts")))


# Login, logout, password change and reset -----------------------------------------------------------


def test_login_page_is_in_vietnamese(client, db):
    page = page_text(client.get(reverse("login")))
    assert '<html lang="vi"' in page
    for text in ["Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Quên mật khẩu?"]:
        assert text in page


def test_login_with_a_wrong_password_is_refused_in_vietnamese(client, officer_a):
    with_password(officer_a)
    response = client.post(reverse("login"), {"username": officer_a.username, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page_text(response)


def test_login_then_logout(client, officer_a, bloc_year):
    with_password(officer_a)
    response = client.post(reverse("login"), {"username": officer_a.username, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    dashboard = reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])
    assert client.get(dashboard)["Location"].startswith(reverse("login"))


def test_password_change(client, officer_a):
    with_password(officer_a, "Mat-khau-cu-2025")
    client.force_login(officer_a)
    url = reverse("password_change")
    page = page_text(client.get(url))
    assert "Đổi mật khẩu" in page and "Mật khẩu cũ" in page
    wrong = client.post(url, {"old_password": "khong-dung", "new_password1": NEW_PASSWORD,
                              "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "Mật khẩu cũ không chính xác" in page_text(wrong)
    mismatch = client.post(url, {"old_password": "Mat-khau-cu-2025", "new_password1": NEW_PASSWORD,
                                 "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 200 and "Hai trường mật khẩu không giống nhau" in page_text(mismatch)
    response = client.post(url, {"old_password": "Mat-khau-cu-2025", "new_password1": NEW_PASSWORD,
                                 "new_password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Mật khẩu của bạn đã được thay đổi" in page_text(response)  # and the session survives
    assert can_log_in(officer_a.username, NEW_PASSWORD) and not can_log_in(officer_a.username, "Mat-khau-cu-2025")


def test_password_reset_by_email(client, officer_a):
    officer_a.email = "an@so2.example.vn"
    officer_a.save(update_fields=["email"])
    page = page_text(client.get(reverse("password_reset")))
    assert "Đặt lại mật khẩu" in page and "Gửi đường dẫn" in page

    response = client.post(reverse("password_reset"), {"email": "an@so2.example.vn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Hãy kiểm tra hộp thư" in page_text(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["an@so2.example.vn"]
    assert "Đặt lại mật khẩu" in message.subject
    assert "Kính gửi" in message.body and f"Tên đăng nhập của bạn: {officer_a.username}" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)

    form_url = client.get(link)["Location"]  # Django swaps the token for a session and redirects
    assert "Đặt mật khẩu mới" in page_text(client.get(form_url))
    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "khac-han"})
    assert "Hai trường mật khẩu không giống nhau" in page_text(mismatch)
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Đã đặt mật khẩu mới" in page_text(done)
    assert can_log_in(officer_a.username, NEW_PASSWORD)
    # The link works once.
    assert "không hợp lệ hoặc đã được dùng" in page_text(client.get(link, follow=True))


@pytest.mark.parametrize("case", ["unknown address", "locked account"])
def test_password_reset_sends_nothing_but_says_the_same(client, officer_a, case):
    officer_a.email = "an@so2.example.vn"
    officer_a.is_active = case != "locked account"
    officer_a.save(update_fields=["email", "is_active"])
    address = "ai-do@example.vn" if case == "unknown address" else "an@so2.example.vn"
    response = client.post(reverse("password_reset"), {"email": address})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# Django admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/user/", "/admin/auth/group/"])
def test_staff_without_superuser_cannot_use_the_admin(client, bloc_year, path):
    staff = make_user("nhan-vien", role=Profile.Role.SECRETARIAT, unit=bloc_year.units[0], is_staff=True)
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
        # The admin login page says who is signed in, and never shows the index.
        login_page = client.get(response["Location"])
        assert login_page.status_code == 200
        assert "app-auth" not in page_text(login_page) and "model-user" not in page_text(login_page)


def test_staff_cannot_sign_in_to_the_admin_with_a_password(client, bloc_year):
    staff = with_password(make_user("nhan-vien", role=Profile.Role.OFFICER, unit=bloc_year.units[1], is_staff=True))
    response = client.post("/admin/login/?next=/admin/", {"username": staff.username, "password": NEW_PASSWORD,
                                                           "next": "/admin/"})
    if response.status_code == 302:
        assert client.get("/admin/")["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 200 and "app-auth" not in page_text(response)


def test_superuser_uses_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    page = page_text(response)
    assert "Khối thi đua – quản trị hệ thống" in page and "app-auth" in page
    assert client.get("/admin/auth/user/").status_code == 200

"""The error pages (403, 404, 500, an expired form) and the login error: Vietnamese, in the site's layout, with
a way back. The tests run with DEBUG off (khoithidua/test_settings.py), as in production."""

import pytest
from django.test import Client
from django.urls import path, reverse

from khoithidua.urls import urlpatterns as site_urls


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-boom/", boom), *site_urls]


def in_layout(page: str) -> None:
    assert '<html lang="vi"' in page
    assert 'class="navbar navbar-expand-lg navbar-kt' in page  # the site's navbar
    assert 'href="/"' in page and "Về trang chính" in page  # the way back
    assert "Not Found" not in page and "Forbidden" not in page and "Server Error" not in page


def test_debug_is_off_in_the_tests(settings):
    assert settings.DEBUG is False


def test_an_unknown_page_is_a_vietnamese_404_in_the_layout(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404
    in_layout(page)
    assert "Không tìm thấy trang" in page and "Lỗi 404" in page


def test_a_missing_role_is_a_vietnamese_403_in_the_layout(client, officer_a, bloc_year):
    client.force_login(officer_a)
    response = client.get(reverse("covenant:members_edit", args=[bloc_year.bloc.code, bloc_year.year]))
    page = response.content.decode()
    assert response.status_code == 403
    in_layout(page)
    assert "Bạn không có quyền mở trang này" in page and "Lỗi 403" in page


@pytest.mark.urls("tests.test_error_pages")
def test_a_bug_is_a_vietnamese_500_in_the_layout(client, officer_a):
    client.raise_request_exception = False
    client.force_login(officer_a)
    response = client.get("/test-boom/")
    page = response.content.decode()
    assert response.status_code == 500
    in_layout(page)
    assert "Hệ thống gặp lỗi" in page and "Lỗi 500" in page and "a bug" not in page


def test_an_expired_form_is_a_vietnamese_csrf_page_in_the_layout(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    in_layout(page)
    assert "Biểu mẫu đã hết hạn, chưa lưu được" in page and "Đăng nhập lại" in page


def test_a_wrong_password_gets_a_vietnamese_error_at_the_form(client, officer_a):
    response = client.post(reverse("login"), {"username": officer_a.username, "password": "sai-mat-khau"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert "Please enter" not in page and "Vui lòng nhập" not in page

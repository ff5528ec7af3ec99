"""The interface is Vietnamese unless the user picks English, whatever the browser asks for."""


def test_an_english_browser_still_gets_vietnamese(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi"' in page.content.decode()
    assert "Đăng nhập" in page.content.decode()


def test_the_language_selector_switches_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert '<html lang="en"' in page.content.decode()


def test_the_health_check_answers_without_login_or_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"

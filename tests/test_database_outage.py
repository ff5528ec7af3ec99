"""A database restart costs a pause, not an error page: new connections wait for it; if it stays away, the user gets a
Vietnamese "try again in a moment" page (503), never a 500."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import path

from core.decorators import bloc_year_view


@bloc_year_view()
def _database_down(request, bloc_year):
    raise OperationalError("connection to server failed: the database system is shutting down")


urlpatterns = [path("blocs/<slug:code>/<int:year>/down/", _database_down)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_that_stays_away_gets_a_vietnamese_503_not_a_500(client, bloc_year, officer_a):
    client.force_login(officer_a)
    response = client.get(f"/blocs/{bloc_year.bloc.code}/{bloc_year.year}/down/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    page = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in page and "tải lại trang" in page.lower()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_waits_for_a_restarting_database(monkeypatch, settings):
    from psycopg2 import OperationalError as PsycopgError

    from khoithidua.postgresql import base

    settings.DATABASE_CONNECT_RETRY_SECONDS = 5
    real = base.base.DatabaseWrapper.get_new_connection
    attempts = []

    def restarting(self, conn_params):
        attempts.append(1)
        if len(attempts) < 3:
            raise PsycopgError("the database system is starting up")
        return real(self, conn_params)

    monkeypatch.setattr(base.base.DatabaseWrapper, "get_new_connection", restarting)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("select 1")
        assert cursor.fetchone() == (1,)
    assert len(attempts) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_come_back_is_given_up_after_the_wait(monkeypatch, settings):
    from psycopg2 import OperationalError as PsycopgError

    from khoithidua.postgresql import base

    settings.DATABASE_CONNECT_RETRY_SECONDS = 1

    def down(self, conn_params):
        raise PsycopgError("connection refused")

    monkeypatch.setattr(base.base.DatabaseWrapper, "get_new_connection", down)
    connection.close()
    with pytest.raises(OperationalError):
        connection.ensure_connection()
    monkeypatch.undo()
    connection.close()

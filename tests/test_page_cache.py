"""Read pages are kept until the bloc's data changes, per user and browser, and never bypass permissions."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from core import audit, dataversion
from core.models import Bloc, Profile, Province
from core.pagecache import kept_view_names
from covenant import services
from covenant.models import Covenant
from tests.personas import make_bloc_year

AT = datetime.datetime(2025, 1, 15, 9, 0, tzinfo=datetime.UTC)


def covenant_url(bloc_year) -> str:
    return reverse("covenant:covenant", args=[bloc_year.bloc.code, bloc_year.year])


def opened(client, url):
    """The page as a browser sees it from its second visit on (the first one gets the CSRF cookie)."""
    client.get(url)
    return client.get(url)


def rename_first_content(bloc_year, by, title: str) -> None:
    content = bloc_year.contents[0]
    content.refresh_from_db()
    services.save_content(
        covenant=Covenant.objects.get(bloc_year=bloc_year), content=content, order=1, title=title,
        body=content.body, expected_version=content.version, by=by, at=AT,
    )


def test_a_read_page_is_kept_and_served_again_while_nothing_changes(client, bloc_year, officer_a):
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    first = opened(client, url)
    assert first.status_code == 200 and "X-Page-Cache" not in first
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert bloc_year.contents[0].title in again.content.decode()


def test_a_change_through_the_services_shows_on_the_next_visit(client, bloc_year, officer_a, secretariat):
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    rename_first_content(bloc_year, secretariat, "Nội dung đã đổi tên")
    fresh = client.get(url)
    assert "X-Page-Cache" not in fresh
    assert "Nội dung đã đổi tên" in fresh.content.decode()


def test_a_unit_renamed_in_the_admin_shows_on_the_next_visit(client, bloc_year, officer_a):
    client.force_login(officer_a)
    url = reverse("covenant:members", args=[bloc_year.bloc.code, bloc_year.year])
    opened(client, url)
    unit = bloc_year.units[2]
    unit.name = "Sở Tên Mới Hoàn Toàn"
    unit.save()
    assert "Sở Tên Mới Hoàn Toàn" in client.get(url).content.decode()


def test_each_user_gets_their_own_page(client, bloc_year, officer_a, officer_b, leader):
    url = covenant_url(bloc_year)
    for user in (officer_a, officer_b, leader):
        client.force_login(user)
        opened(client, url)
    for user in (officer_a, officer_b, leader):
        client.force_login(user)
        page = opened(client, url).content.decode()
        assert (user.get_full_name() or user.get_username()) in page
        others = {officer_a, officer_b, leader} - {user}
        assert not any(f">{o.get_username()}<" in page for o in others)


def test_another_browser_of_the_same_user_does_not_get_the_kept_page(client, bloc_year, officer_a):
    from django.test import Client

    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    other_browser = Client()
    other_browser.force_login(officer_a)
    assert "X-Page-Cache" not in other_browser.get(url)
    # The form tokens of the kept page are the first browser's own: its posts still pass the CSRF check.
    assert client.cookies["csrftoken"].value != other_browser.cookies["csrftoken"].value


def test_permission_is_checked_before_the_cache(client, bloc_year, officer_a):
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    officer_a.is_active = False
    officer_a.save()
    assert client.get(url).status_code == 302  # back to the login page, not the kept page

    officer_a.is_active = True
    officer_a.save()
    client.force_login(officer_a)
    opened(client, url)
    Profile.objects.filter(user=officer_a).update(role=Profile.Role.PROVINCIAL, unit=None,
                                                  province=Province.objects.create(code="tinh-khac", name="Tỉnh khác"))
    assert client.get(url).status_code == 404


def test_a_page_with_a_one_time_message_is_not_kept(client, bloc_year, secretariat):
    client.force_login(secretariat)
    url = covenant_url(bloc_year)
    opened(client, url)
    content = bloc_year.contents[0]
    edit = reverse("covenant:content_edit", args=[bloc_year.bloc.code, bloc_year.year, content.pk])
    response = client.post(edit, {"order": 1, "title": "Tên mới của nội dung", "body": content.body,
                                  "version": content.version, "reason": ""}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == url
    assert "Tên mới của nội dung" in page and "Đã lưu nội dung giao ước." in page
    again = client.get(url)
    assert "X-Page-Cache" not in again  # the page shown with the message was not kept
    assert "Đã lưu nội dung giao ước." not in again.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_pages_turn_over_at_midnight(client, bloc_year, officer_a, monkeypatch):
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    from core import pagecache

    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda *a, **k: tomorrow)
    assert "X-Page-Cache" not in client.get(url)


def test_the_page_cache_can_be_switched_off(client, bloc_year, officer_a, settings):
    settings.PAGE_CACHE = False
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    assert "X-Page-Cache" not in client.get(url)


def test_forms_that_post_are_never_answered_from_the_cache(client, bloc_year, secretariat):
    client.force_login(secretariat)
    url = reverse("covenant:content_edit", args=[bloc_year.bloc.code, bloc_year.year, bloc_year.contents[0].pk])
    assert "covenant:content_edit" not in kept_view_names()
    opened(client, url)
    assert "X-Page-Cache" not in client.get(url)


def test_the_kept_pages_are_the_read_pages_people_open_again_and_again():
    """Each view says whether it is kept (bloc_year_view(kept=True)); this is the list they make."""
    assert kept_view_names() == {
        "workspace:dashboard",
        "covenant:members",
        "covenant:covenant",
        "covenant:history",
        "scoring:scoreboard",
        "reports:index",
        "reports:board",
        "reports:report",
        "reports:edit",
        "scores:overview",
        "scores:ranking",
        "scores:sheet",
        "province",
    }


# --- the data version itself -----------------------------------------------------------------------------


def version_of(bloc_year) -> int:
    return Bloc.objects.get(pk=bloc_year.bloc_id).data_version


@pytest.mark.django_db(transaction=True)
def test_the_version_is_raised_in_the_changes_transaction_and_not_by_a_rolled_back_change(bloc_year, secretariat):
    before = version_of(bloc_year)
    province = Province.objects.get(pk=bloc_year.bloc.province_id)
    province_before = dataversion.province_version(province)
    with transaction.atomic():
        rename_first_content(bloc_year, secretariat, "Tên một")
        assert version_of(bloc_year) > before  # with the data, in the same transaction
        rename_first_content(bloc_year, secretariat, "Tên hai")
    committed = version_of(bloc_year)
    assert committed > before
    assert dataversion.province_version(province) != province_before  # the province overview follows its blocs
    assert Province.objects.get(pk=province.pk).data_version == province.data_version  # without its row being locked

    with pytest.raises(RuntimeError), transaction.atomic():
        rename_first_content(bloc_year, secretariat, "Tên ba")
        raise RuntimeError
    assert version_of(bloc_year) == committed


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_commit_loses_neither_the_version_nor_the_notification(settings, tmp_path, monkeypatch):
    """What runs after a commit is lost when the process dies there; the version and the queued email are not: they
    are written inside the transaction, and the worker's queue is a table of the same database."""
    from django_tasks_db.models import DBTaskResult

    from reports import services as report_services
    from tests.test_reports_workflow import at, filled

    settings.MEDIA_ROOT = tmp_path
    bloc_year = make_bloc_year(units=2, year=2025, phase="reporting")
    period = report_services.create_default_periods(bloc_year=bloc_year, by=None, at=at(2025, 2, 1))[0]
    officer = bloc_year.officers[1]
    report = report_services.start_report(period=period, unit=bloc_year.units[1], by=officer, at=at(2025, 4, 2))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(transaction, "on_commit", lambda *args, **kwargs: None)  # the process dies at the commit
    before = version_of(bloc_year)

    report_services.save_and_submit_report(
        report=report, sections=filled(report), general_proposals="", expected_version=None, by=officer,
        at=at(2025, 4, 3),
    )

    assert version_of(bloc_year) > before
    queued = DBTaskResult.objects.filter(task_path="reports.tasks.notify_report", status="READY")
    assert list(queued.values_list("args_kwargs", flat=True)) == [{"args": ["submitted", report.pk], "kwargs": {}}]


def test_every_recorded_change_raises_the_version(bloc_year, secretariat):
    before = version_of(bloc_year)
    audit.record(bloc_year=bloc_year, by=secretariat, action="test.change", target=bloc_year)
    assert version_of(bloc_year) == before + 1


def test_a_province_edit_raises_its_blocs(bloc_year, other_bloc_year):
    before, other_before = version_of(bloc_year), version_of(other_bloc_year)
    province = bloc_year.bloc.province
    province.name = "Tỉnh đổi tên"
    province.save()
    assert version_of(bloc_year) == before + 1
    assert version_of(other_bloc_year) == other_before  # another province


def test_the_kept_page_does_not_survive_its_blocs_change_in_another_worker(client, bloc_year, officer_a, secretariat):
    """Workers share nothing but the database: the version read with the bloc year decides."""
    client.force_login(officer_a)
    url = covenant_url(bloc_year)
    opened(client, url)
    dataversion.raise_versions([bloc_year.bloc_id])  # what another process's commit does
    assert "X-Page-Cache" not in client.get(url)


def test_the_ballot_overview_is_never_kept(client, bloc_year, secretariat):
    """Ballots close at a time of day, which the key does not hold."""
    assert "review:overview" not in kept_view_names()


def test_a_recorded_change_raises_its_year_and_an_admin_edit_every_year(bloc_year, secretariat):
    from core.models import BlocYear

    later = BlocYear.objects.create(bloc=bloc_year.bloc, year=bloc_year.year + 1)

    def years():
        return dict(BlocYear.objects.filter(bloc=bloc_year.bloc).values_list("year", "data_version"))

    before = years()
    audit.record(bloc_year=later, by=secretariat, action="test.change", target=later)
    assert years() == {bloc_year.year: before[bloc_year.year], later.year: before[later.year] + 1}
    unit = bloc_year.units[0]
    unit.short_name = "Tên tắt mới"
    unit.save()  # printed by every year of the bloc
    assert years() == {bloc_year.year: before[bloc_year.year] + 1, later.year: before[later.year] + 2}

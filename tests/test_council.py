"""The provincial council's own pages: blocs, members and secretariat accounts, units between years, and who may
see them (tests/test_permissions.py has the full matrix)."""

import pytest
from django.urls import reverse

from core.errors import ServiceError
from core.models import Bloc, BlocYear, Membership, Profile
from council import services
from council.models import UnitEvent
from covenant import services as covenant
from tests.personas import PASSWORD, make_bloc_year, make_user


@pytest.fixture
def province(bloc_year):
    return bloc_year.bloc.province


def test_the_council_creates_a_bloc_with_its_first_year_through_the_pages(client, council, province):
    client.force_login(council)
    response = client.post(reverse("council:bloc_create", args=[province.code]), {
        "code": "khoi-van-hoa", "name": "Khối Văn hóa – Xã hội", "parent_body": "UBND TỈNH", "description": "",
        "y-year": "2025",
    })
    assert response.status_code == 302
    bloc = Bloc.objects.get(code="khoi-van-hoa")
    assert bloc.province == province
    assert BlocYear.objects.filter(bloc=bloc, year=2025).exists()
    page = client.get(reverse("council:index", args=[province.code]) + "?year=2025").content.decode()
    assert "Khối Văn hóa – Xã hội" in page


def test_a_taken_bloc_code_is_refused_in_vietnamese(client, council, province, bloc_year):
    client.force_login(council)
    response = client.post(reverse("council:bloc_create", args=[province.code]), {
        "code": bloc_year.bloc.code, "name": "Trùng mã", "y-year": "2025",
    })
    assert response.status_code == 200
    assert "đã được dùng" in response.content.decode()


def test_the_council_lists_members_and_creates_the_secretariat_of_the_head_unit(client, council, province,
                                                                                   bloc_year):
    bloc = services.save_bloc(province=province, bloc=None, data={"code": "khoi-moi", "name": "Khối mới"}, by=council)
    by = services.open_year(bloc=bloc, year=2025, by=council)
    extra = [covenant.create_unit(code=f"dv-moi-{i}", name=f"Đơn vị mới {i}", short_name=f"M{i}", province=province,
                                  by=council) for i in (1, 2)]
    client.force_login(council)
    url = reverse("council:members_edit", args=[province.code, bloc.code, 2025])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0", "version": str(by.version), "reason": "",
        "m-0-unit": str(extra[0].pk), "m-0-order": "1", "m-0-role": "head",
        "m-1-unit": str(extra[1].pk), "m-1-order": "2", "m-1-role": "member",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("council:secretariat_create", args=[province.code, bloc.code, 2025]), {
        "username": "vp-khoi-moi", "full_name": "Nguyễn Văn An", "email": "vp@example.vn", "password": PASSWORD,
    })
    assert response.status_code == 302
    profile = Profile.objects.get(user__username="vp-khoi-moi")
    assert (profile.role, profile.unit) == (Profile.Role.SECRETARIAT, extra[0])
    client.force_login(profile.user)
    assert client.get(reverse("covenant:members_edit", args=[bloc.code, 2025])).status_code == 200


def test_units_of_another_bloc_that_year_are_not_offered(council, province, bloc_year):
    bloc = services.save_bloc(province=province, bloc=None, data={"code": "khoi-b", "name": "Khối B"}, by=council)
    by = services.open_year(bloc=bloc, year=2025, by=council)
    assert not set(services.units_offered(by)) & set(bloc_year.units)
    with pytest.raises(ServiceError, match="đã là thành viên"):
        services.save_members(bloc_year=by, rows=[covenant.MemberRow(unit=bloc_year.units[2], order=1, role="head")],
                              expected_version=None, by=council)


def test_a_unit_moves_to_another_bloc_next_year_keeping_its_history(council, province, bloc_year):
    from core import lifecycle
    from scoring.models import RankSnapshot

    RankSnapshot.objects.create(bloc_year=bloc_year, unit=bloc_year.units[2], rank=2, total="91.5")
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.PUBLISHED)
    next_year = lifecycle.start_next_year(previous=BlocYear.objects.get(pk=bloc_year.pk), by=None)
    other = make_bloc_year(units=2, code="khoi-dich", year=2026, province=province, officers=False)
    unit = bloc_year.units[2]
    services.move_unit(unit=unit, to=other, by=council, note="Theo quyết định sắp xếp khối năm 2026")
    assert not Membership.objects.filter(bloc_year=next_year, unit=unit).exists()
    assert Membership.objects.get(unit=unit, year=2026).bloc_year == other
    assert Membership.objects.get(unit=unit, year=2025).bloc_year_id == bloc_year.pk
    event = UnitEvent.objects.get(unit=unit)
    assert (event.kind, event.from_bloc, event.to_bloc, event.year) == ("move", bloc_year.bloc, other.bloc, 2026)


def test_the_head_unit_cannot_be_moved_away_before_another_head_is_chosen(council, province, bloc_year):
    other = make_bloc_year(units=2, code="khoi-dich", year=2026, province=province, officers=False)
    from core import lifecycle

    lifecycle.start_next_year(previous=bloc_year, by=None)
    with pytest.raises(ServiceError, match="Trưởng khối"):
        services.move_unit(unit=bloc_year.units[0], to=other, by=council)


def test_a_renamed_unit_keeps_its_old_name_in_its_history(client, council, province, bloc_year):
    unit = bloc_year.units[1]
    old = unit.name
    services.rename_unit(unit=unit, name="Sở Nội vụ (mới)", short_name="SNV", year=2026, by=council)
    unit.refresh_from_db()
    assert unit.name == "Sở Nội vụ (mới)"
    client.force_login(council)
    page = client.get(reverse("council:unit", args=[province.code, unit.pk])).content.decode()
    assert old in page and "Sở Nội vụ (mới)" in page


def test_a_merged_unit_leaves_next_years_list_and_its_years_show_with_the_absorbing_unit(client, council, province,
                                                                                          bloc_year):
    from core import lifecycle

    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.PUBLISHED)
    next_year = lifecycle.start_next_year(previous=BlocYear.objects.get(pk=bloc_year.pk), by=None)
    absorbed, into = bloc_year.units[2], bloc_year.units[1]
    services.merge_unit(unit=absorbed, into=into, year=2026, by=council)
    assert not Membership.objects.filter(bloc_year=next_year, unit=absorbed).exists()
    assert absorbed not in services.units_offered(next_year)
    with pytest.raises(ServiceError, match="sáp nhập"):
        services.merge_unit(unit=absorbed, into=bloc_year.units[0], year=2027, by=council)
    client.force_login(council)
    page = client.get(reverse("council:unit", args=[province.code, into.pk])).content.decode()
    assert absorbed.short_name in page  # its 2025 row is listed with the absorbing unit


def test_a_published_year_cannot_lose_a_merged_unit(council, bloc_year):
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.PUBLISHED)
    with pytest.raises(ServiceError, match="đã công bố"):
        services.merge_unit(unit=bloc_year.units[2], into=bloc_year.units[1], year=2025, by=council)


def test_the_council_of_another_province_sees_none_of_this_province(client, bloc_year, other_bloc_year):
    elsewhere = make_user("hoi-dong-khac", role=Profile.Role.COUNCIL, province=other_bloc_year.bloc.province)
    client.force_login(elsewhere)
    province = bloc_year.bloc.province
    unit = bloc_year.units[0]
    for url in (
        reverse("council:index", args=[province.code]),
        reverse("council:bloc_year", args=[province.code, bloc_year.bloc.code, 2025]),
        reverse("council:unit", args=[province.code, unit.pk]),
        # This province's bloc and unit under the council's own province: still not found.
        reverse("council:bloc_year", args=[other_bloc_year.bloc.province.code, bloc_year.bloc.code, 2025]),
        reverse("council:unit", args=[other_bloc_year.bloc.province.code, unit.pk]),
        reverse("workspace:dashboard", args=[bloc_year.bloc.code, 2025]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("council:index", args=[other_bloc_year.bloc.province.code])).status_code == 200


def test_the_council_is_sent_home_to_its_province_and_reads_its_blocs_pages(client, council, bloc_year):
    client.force_login(council)
    response = client.get("/")
    assert response["Location"] == reverse("council:index", args=[bloc_year.bloc.province.code])
    assert client.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, 2025])).status_code == 200
    assert client.get(reverse("covenant:members_edit", args=[bloc_year.bloc.code, 2025])).status_code == 403


def test_a_council_profile_needs_a_province(db):
    from django.db import IntegrityError, transaction

    user = make_user("khong-tinh")
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=user, role=Profile.Role.COUNCIL)
    assert not Profile.objects.filter(user=user).exists()

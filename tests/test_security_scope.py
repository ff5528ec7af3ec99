"""No bloc reaches into another: the cross-bloc account takeover, and the scope checks that close it.

The takeover as it was found: the secretariat of one bloc put a unit of another bloc (in another province) on its
member list, then reset that unit's officer's password and created a hidden officer account for it, and removed the
unit again; the hidden account kept officer access to the other bloc.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.errors import ServiceError
from core.models import AuditEntry, Membership, Unit
from covenant import services
from tests.personas import make_bloc_year

User = get_user_model()

NEW_PASSWORD = "Mat-khau-chiem-quyen-2025"


@pytest.fixture
def as_secretariat(client, secretariat):
    client.force_login(secretariat)
    return client


def members_post(bloc_year, extra_units=()) -> dict:
    rows = [(m.unit_id, m.order, m.role) for m in bloc_year.memberships.order_by("order")]
    top = max(r[1] for r in rows)
    rows += [(unit.pk, top + i, Membership.Role.MEMBER) for i, unit in enumerate(extra_units, start=1)]
    data = {"m-TOTAL_FORMS": len(rows), "m-INITIAL_FORMS": len(rows), "m-MIN_NUM_FORMS": 0,
            "m-MAX_NUM_FORMS": 200, "version": bloc_year.__class__.objects.get(pk=bloc_year.pk).version,
            "reason": ""}
    for i, (unit_id, order, role) in enumerate(rows):
        data.update({f"m-{i}-unit": unit_id, f"m-{i}-order": order, f"m-{i}-role": role})
    return data


def year_url(bloc_year, name: str, *args) -> str:
    return reverse(f"covenant:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


def test_the_cross_bloc_takeover_is_refused_at_every_step(as_secretariat, bloc_year, other_bloc_year):
    """The whole attack, step by step, through the browser's forms: nothing of the other bloc changes."""
    foreign_unit = other_bloc_year.units[1]
    foreign_officer = other_bloc_year.officers[1]
    password_before = User.objects.get(pk=foreign_officer.pk).password
    audit_before = AuditEntry.objects.count()

    # 1. The members editor neither offers nor accepts the other bloc's unit.
    page = as_secretariat.get(year_url(bloc_year, "members_edit")).content.decode()
    assert f'value="{foreign_unit.pk}"' not in page
    response = as_secretariat.post(year_url(bloc_year, "members_edit"), members_post(bloc_year, [foreign_unit]))
    assert response.status_code == 200
    assert not Membership.objects.filter(bloc_year=bloc_year, unit=foreign_unit).exists()

    # 2. Its officers are not the secretariat's to manage: not listed, no password reset, no new account.
    assert foreign_officer.username not in as_secretariat.get(year_url(bloc_year, "accounts")).content.decode()
    response = as_secretariat.post(year_url(bloc_year, "account_password", foreign_officer.pk),
                                   {"password": NEW_PASSWORD})
    assert response.status_code == 404
    response = as_secretariat.post(year_url(bloc_year, "account_create"), {
        "unit": foreign_unit.pk, "username": "an-danh", "full_name": "Tài khoản ẩn",
        "email": "an@example.vn", "password": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert not User.objects.filter(username="an-danh").exists()

    assert User.objects.get(pk=foreign_officer.pk).password == password_before
    assert not AuditEntry.objects.filter(target_id=str(foreign_officer.pk), action__startswith="account.").exists()
    assert AuditEntry.objects.count() == audit_before


def test_save_members_refuses_a_unit_of_another_province(bloc_year, other_bloc_year, secretariat):
    rows = [services.MemberRow(unit=m.unit, order=m.order, role=m.role) for m in bloc_year.memberships.all()]
    rows.append(services.MemberRow(unit=other_bloc_year.units[1], order=99, role=Membership.Role.MEMBER))
    with pytest.raises(ServiceError, match="tỉnh"):
        services.save_members(bloc_year=bloc_year, rows=rows, expected_version=None, by=secretariat)
    assert not Membership.objects.filter(bloc_year=bloc_year, unit=other_bloc_year.units[1]).exists()


def test_save_members_refuses_a_unit_already_in_another_bloc_that_year(bloc_year, secretariat):
    """Same province, another bloc: a unit belongs to one bloc a year, so its accounts stay with that bloc."""
    neighbour = make_bloc_year(units=2, code="khoi-ben", year=bloc_year.year, province=bloc_year.bloc.province)
    rows = [services.MemberRow(unit=m.unit, order=m.order, role=m.role) for m in bloc_year.memberships.all()]
    rows.append(services.MemberRow(unit=neighbour.units[1], order=99, role=Membership.Role.MEMBER))
    with pytest.raises(ServiceError, match=neighbour.bloc.name):
        services.save_members(bloc_year=bloc_year, rows=rows, expected_version=None, by=secretariat)


def test_a_unit_of_the_same_province_free_that_year_can_join(bloc_year, secretariat):
    unit = services.create_unit(code="so-moi", name="Sở Mới", short_name="SM", province=bloc_year.bloc.province,
                                by=secretariat)
    rows = [services.MemberRow(unit=m.unit, order=m.order, role=m.role) for m in bloc_year.memberships.all()]
    rows.append(services.MemberRow(unit=unit, order=99, role=Membership.Role.MEMBER))
    services.save_members(bloc_year=bloc_year, rows=rows, expected_version=None, by=secretariat)
    assert Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists()


def test_a_unit_created_by_the_secretariat_belongs_to_the_blocs_province(as_secretariat, bloc_year):
    response = as_secretariat.post(year_url(bloc_year, "unit_create"), {
        "code": "so-van-hoa", "name": "Sở Văn hóa", "short_name": "SVH",
    })
    assert response.status_code == 302
    assert Unit.objects.get(code="so-van-hoa").province == bloc_year.bloc.province


def test_create_officer_refuses_a_unit_outside_the_year(bloc_year, other_bloc_year, secretariat):
    with pytest.raises(ServiceError):
        services.create_officer(bloc_year=bloc_year, unit=other_bloc_year.units[1], username="x1",
                                full_name="X", email="x@example.vn", password=NEW_PASSWORD, by=secretariat)


def test_account_services_refuse_an_officer_of_another_bloc(bloc_year, other_bloc_year, secretariat):
    foreign_officer = other_bloc_year.officers[1]
    with pytest.raises(ServiceError):
        services.set_account_password(bloc_year=bloc_year, user=foreign_officer, password=NEW_PASSWORD,
                                      by=secretariat)
    with pytest.raises(ServiceError):
        services.set_account_active(bloc_year=bloc_year, user=foreign_officer, active=False, by=secretariat)
    foreign_officer.refresh_from_db()
    assert foreign_officer.is_active and not foreign_officer.check_password(NEW_PASSWORD)


def test_accounts_of_a_unit_that_moved_on_stay_with_its_new_bloc(bloc_year, secretariat):
    """A unit that left the bloc for another bloc's later year is no longer managed from here."""
    later = make_bloc_year(units=1, code="khoi-sau", year=bloc_year.year + 1, province=bloc_year.bloc.province)
    moved = bloc_year.units[2]
    Membership.objects.create(bloc_year=later, unit=moved, order=5, role=Membership.Role.MEMBER)
    officer = bloc_year.officers[2]
    with pytest.raises(ServiceError):
        services.set_account_password(bloc_year=bloc_year, user=officer, password=NEW_PASSWORD, by=secretariat)

"""Every page costs a fixed number of SQL queries, whatever the number of units in the bloc.

Each page is requested once to warm up (sessions, lazy caches), then counted. The same exact count
must hold with 3 units and with 30 units, every unit with its membership and officer account, the
covenant with its 7 contents and the scoreboard with its criteria and sub-items. A page whose count
grows with the units does a query per row (an N+1): fix the view, not the number.
"""

import pytest
from django.urls import reverse

from covenant.models import Profile
from tests.personas import make_bloc_year, make_user

CODE, YEAR = "khoi-dem", 2025

# route name: (persona, expected number of queries for the warmed-up GET)
PAGES = {
    "home": ("secretariat", 4),
    "home (superuser)": ("superuser", 4),
    "province": ("provincial", 6),
    "covenant:dashboard": ("secretariat", 25),
    "covenant:dashboard (officer)": ("officer", 18),
    "covenant:members": ("secretariat", 8),
    "covenant:members (officer)": ("officer", 8),
    # Fails with 30 units (70 queries): members_edit.html loops over `f.unit.field.choices` in every row
    # (and the empty row), and each loop re-runs the Unit query plus a COUNT. Build the choices once.
    "covenant:members_edit": ("secretariat", 16),
    "covenant:unit_create": ("secretariat", 7),
    "covenant:covenant": ("secretariat", 11),
    "covenant:covenant (officer)": ("officer", 11),
    "covenant:covenant_edit": ("secretariat", 9),
    "covenant:content_create": ("secretariat", 9),
    "covenant:content_edit": ("secretariat", 9),
    "covenant:content_delete": ("secretariat", 8),
    "scoring:scoreboard": ("secretariat", 15),
    "scoring:scoreboard (officer)": ("officer", 15),
    "scoring:settings_edit": ("secretariat", 8),
    "scoring:criterion_create": ("secretariat", 10),
    "scoring:criterion_edit": ("secretariat", 12),
    "scoring:criterion_delete": ("secretariat", 8),
    "scoring:bonus_edit": ("secretariat", 9),
    # One choice list per tie-break rule (3 here): bounded by the rules (at most 10), not by the units.
    "scoring:tie_breaks_edit": ("secretariat", 17),
    "covenant:accounts": ("secretariat", 8),
    "covenant:account_create": ("secretariat", 8),
    "covenant:account_password": ("secretariat", 8),
    "covenant:history": ("secretariat", 8),
}


def build(units: int) -> dict:
    bloc_year = make_bloc_year(units=units, code=CODE, year=YEAR)
    people = {
        "secretariat": make_user("van-phong", role=Profile.Role.SECRETARIAT, unit=bloc_year.units[0]),
        "officer": bloc_year.officers[1],
        "provincial": make_user("tinh", role=Profile.Role.PROVINCIAL, province=bloc_year.bloc.province),
        "superuser": make_user("quan-tri", is_superuser=True),
    }
    # A second bloc in the same province, so that the province page and the superuser's home list several.
    make_bloc_year(units=units, code="khoi-dem-2", year=YEAR, province=bloc_year.bloc.province)
    return {"bloc_year": bloc_year, "people": people}


def url_of(page: str, bloc_year) -> str:
    name = page.split(" ")[0]
    if name == "home":
        return reverse("home")
    if name == "province":
        return reverse("province", args=[bloc_year.bloc.province.code])
    kwargs = {"code": CODE, "year": YEAR}
    if name in ("covenant:content_edit", "covenant:content_delete"):
        kwargs["content_pk"] = bloc_year.contents[-1].pk
    if name in ("scoring:criterion_edit", "scoring:criterion_delete"):
        kwargs["criterion_pk"] = bloc_year.criteria[-1].pk
    if name == "covenant:account_password":
        kwargs["account_pk"] = bloc_year.officers[-1].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("units", [3, 30])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_query_count_does_not_grow_with_the_units(client, db, django_assert_num_queries, page, units):
    world = build(units)
    persona, expected = PAGES[page]
    client.force_login(world["people"][persona])
    url = url_of(page, world["bloc_year"])
    warm = client.get(url)
    assert warm.status_code in (200, 302), f"{page}: {warm.status_code}"
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == warm.status_code


def test_every_bloc_year_page_is_counted():
    from tests.test_permissions import ACTION, ROUTE_KINDS

    counted = {page.split(" ")[0] for page in PAGES}
    pages = {name for name, kind in ROUTE_KINDS.items() if kind != ACTION}
    assert pages - counted == set()

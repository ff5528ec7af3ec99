"""The council's pages cost the same number of queries whatever the size of the province (bench's
generate_scale_data, grown from 2 blocs × 3 units × 2 years to 4 blocs × 6 units × 3 years)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import BlocYear, Profile, Province, Unit
from council import services
from council.models import Dossier
from tests.personas import make_user

SMALL = {"provinces": 1, "blocs_per_province": 2, "units_per_bloc": 3, "years": 2, "stress_units": 4}
LARGE = {"provinces": 1, "blocs_per_province": 4, "units_per_bloc": 6, "years": 3, "stress_units": 4}
PAGES = ["index", "dashboard", "dashboard_xlsx blocs", "dashboard_xlsx units", "units", "unit", "bloc_year",
         "dossiers", "dossier", "quota", "bloc dossier"]


def world(size: dict):
    call_command("generate_scale_data", stdout=StringIO(), stderr=StringIO(), **size)
    province = Province.objects.exclude(code="bench-tinh").order_by("code").first()
    user = make_user(f"hd-{province.code}-{size['units_per_bloc']}", role=Profile.Role.COUNCIL, province=province)
    published = list(BlocYear.objects.filter(bloc__province=province, phase=BlocYear.Phase.PUBLISHED))
    year = max(b.year for b in published)
    services.set_quota(province=province, year=year, flags=99, certificates=99, by=user)
    Dossier.objects.bulk_create(Dossier(bloc_year=b, status=Dossier.Status.SUBMITTED, submitted_at=b.created_at)
                                for b in published)
    return province, user, published[0], Unit.objects.filter(province=province).order_by("pk").first()


def url(page: str, province, bloc_year, unit) -> str:
    args = [province.code]
    if page == "bloc dossier":
        return reverse("dossier:status", args=[bloc_year.bloc.code, bloc_year.year])
    name, _sep, table = page.partition(" ")
    if table:
        return reverse(f"council:{name}", args=[*args, table]) + f"?year={bloc_year.year}"
    if name in ("bloc_year", "dossier"):
        args += [bloc_year.bloc.code, bloc_year.year]
    if name == "unit":
        args.append(unit.pk)
    return reverse(f"council:{name}", args=args) + (f"?year={bloc_year.year}" if name in ("index", "dashboard") else "")


def counts(client, size) -> dict[str, int]:
    province, user, bloc_year, unit = world(size)
    client.force_login(user)
    found = {}
    for page in PAGES:
        address = url(page, province, bloc_year, unit)
        assert client.get(address).status_code == 200, address  # warm-up (session, content types)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        found[page] = len(captured)
    return found


@pytest.mark.django_db
def test_council_pages_query_count_does_not_grow_with_the_province(client, settings, django_assert_num_queries):
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    small = counts(client, SMALL)
    province, user, bloc_year, unit = world(LARGE)
    client.force_login(user)
    for page in PAGES:
        address = url(page, province, bloc_year, unit)
        client.get(address)
        with django_assert_num_queries(small[page]):
            assert client.get(address).status_code == 200

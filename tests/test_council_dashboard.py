"""The province's dashboards: every bloc of a year, every unit across the years, their Excel exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Profile, Unit
from council import exports
from tests.council_year import published_year
from tests.personas import make_user


@pytest.fixture
def year(db):
    return published_year(code="khoi-bang")


@pytest.fixture
def viewer(year):
    return make_user("xem-tinh", role=Profile.Role.PROVINCIAL, province=year.bloc.province)


def test_the_dashboard_shows_each_bloc_with_its_reporting_head_and_proposals(client, year, viewer):
    client.force_login(viewer)
    page = client.get(reverse("council:dashboard", args=[year.bloc.province.code]) + "?year=2025").content.decode()
    assert year.bloc.name in page
    assert "<svg" in page and 'role="img"' in page  # the chart, with the table as its fallback
    assert f"1. {year.units[0].short_name}" in page
    assert "Cờ thi đua của UBND tỉnh: " + year.units[0].short_name in page
    assert "hạng 2" in page


def test_the_blocs_table_exports_to_excel_with_numbers_as_numbers(client, year, viewer):
    client.force_login(viewer)
    response = client.get(reverse("council:dashboard_xlsx", args=[year.bloc.province.code, "blocs"]) + "?year=2025")
    assert response["Content-Type"] == exports.XLSX
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(row=4, column=1).value == year.bloc.name
    assert ws.cell(row=4, column=4).value == 3
    assert "1. " + year.units[0].short_name in ws.cell(row=4, column=9).value


def test_text_that_looks_like_a_formula_is_written_as_text(client, year, viewer):
    Unit.objects.filter(pk=year.units[1].pk).update(name='=HYPERLINK("http://x.example","bấm")')
    Unit.objects.filter(pk=year.units[2].pk).update(name="@SUM(A1)")
    client.force_login(viewer)
    response = client.get(reverse("council:dashboard_xlsx", args=[year.bloc.province.code, "units"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    names = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=1).data_type for r in range(4, ws.max_row + 1)}
    assert names['=HYPERLINK("http://x.example","bấm")'] == "s"
    assert names["@SUM(A1)"] == "s"


def test_an_unknown_table_is_404(client, year, viewer):
    client.force_login(viewer)
    assert client.get(reverse("council:dashboard_xlsx", args=[year.bloc.province.code, "khac"])).status_code == 404

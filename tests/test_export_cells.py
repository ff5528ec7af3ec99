"""Exports write text that a spreadsheet would run as a formula (= + - @, tab, CR) as text (issue 11, item 6)."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import BlocYear
from core.spreadsheet import csv_row
from reports.models import ReportingPeriod
from tests.personas import make_bloc_year, make_user

PAYLOADS = ['=HYPERLINK("http://evil.example/","Bấm")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def year(db):
    return make_bloc_year(units=len(PAYLOADS), year=2025, phase=BlocYear.Phase.SCORING)


def _text_cells(content: bytes) -> dict[str, tuple[object, str]]:
    ws = load_workbook(io.BytesIO(content)).active
    return {c.value: (c.data_type, c.quotePrefix) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_unit_and_period_names_that_look_like_formulas_are_written_as_text(client, year):
    for unit, payload in zip(year.units, PAYLOADS, strict=True):
        unit.name = payload
        unit.save(update_fields=["name"])
    ReportingPeriod.objects.create(
        bloc_year=year, code="q1", name="=1+1", kind="quarter", order=1, opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 4, 10), lock_date=datetime.date(2025, 4, 30),
    )  # fmt: skip
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    for name in ("ranking_xlsx", "board_xlsx"):
        response = client.get(reverse(f"documents:{name}", args=[year.bloc.code, year.year]))
        assert response.status_code == 200
        sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet_xml  # no formula anywhere in the file
        cells = _text_cells(response.content)
        for payload in PAYLOADS:
            # openpyxl reads a stored "\r" back as "\n"
            found = cells.get(payload) or cells.get(payload.replace("\r", "\n"))
            assert found == ("s", True), (name, payload)
    assert _text_cells(response.content)["=1+1"] == ("s", True)


def test_csv_cells_that_look_like_formulas_get_the_text_prefix_and_numbers_stay_numbers():
    assert csv_row(["=1+1", "+A1", "-A1", "@A1", "\tx", "\rx", "Sở Tài chính", "-2.5", "10", 3, None]) == [
        "'=1+1", "'+A1", "'-A1", "'@A1", "'\tx", "'\rx", "Sở Tài chính", "-2.5", "10", 3, None,
    ]  # fmt: skip

"""Cells of the Excel and CSV exports: text a spreadsheet would run as a formula stays text.

A unit or period named `=HYPERLINK(…)` (or starting with + - @, a tab or a carriage return, which Excel and
LibreOffice also read as the start of a formula or use to shift it past a check) must not become a live formula
in the file a secretariat opens. Every export writes its cells through this module.
"""

import io
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number printed by core.formatting.plain ("-1.5"): a spreadsheet reads it as a number, not a formula.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value)


def csv_row(values: Iterable[Any]) -> list[Any]:
    """The row for csv.writer: formula-like text gets the apostrophe prefix spreadsheets show as text."""
    return [f"'{v}" if is_formula_like(v) else v for v in values]


def xlsx_append(ws, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every string stored as a string, never as a formula."""
    values = list(values)
    ws.append(values)
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        if isinstance(value, str) and cell.data_type != "s":
            cell.value = value
            cell.data_type = "s"
        if is_formula_like(value):
            # Keeps it text when someone edits the cell in Excel, too.
            cell.quotePrefix = True


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    filename: str, title: str, heading: str, headers: list[str], rows: Iterable[list], widths: list[int]
) -> HttpResponse:
    """A one-sheet workbook of a page's table (a heading line, bold headers, the rows) as a download."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    xlsx_append(ws, [heading])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    xlsx_append(ws, headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        xlsx_append(ws, row)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

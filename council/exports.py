"""Excel exports of the province's tables: one sheet each, Vietnamese headers, numbers as numbers, and text that
looks like a formula (= + - @ at the start) kept as text, so that a unit name can never run in the reader's Excel."""

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.models import Province
from council.board import BlocRow, UnitHistory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")


def put(ws, row: int, column: int, value) -> None:
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def table_workbook(title: str, heading: str, headers: list[str], rows: list[list], widths: list[int]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    put(ws, 1, 1, heading)
    ws["A1"].font = Font(bold=True, size=13)
    for c, header in enumerate(headers, start=1):
        put(ws, 3, c, header)
        ws.cell(row=3, column=c).font = Font(bold=True)
        ws.cell(row=3, column=c).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "B4"
    return wb


def bloc_rows_table(rows: list[BlocRow]) -> tuple[list[str], list[list]]:
    headers = [
        _("Khối thi đua"), _("Giai đoạn"), _("Trưởng khối"), _("Số đơn vị"), _("Báo cáo đã nộp (%)"),
        _("Đúng hạn (%)"), _("Trễ hạn"), _("Không nộp"), _("Dẫn đầu bảng xếp hạng"), _("Đề nghị Cờ thi đua"),
        _("Đề nghị Bằng khen"), _("Hồ sơ"), _("Quyết định"),
    ]
    table = []
    for r in rows:
        d = r.dossier
        table.append([
            r.bloc_year.bloc.name,
            str(r.bloc_year.get_phase_display()),
            r.head.name if r.head else "",
            r.members,
            r.reporting.get("received_rate"),
            r.reporting.get("on_time_rate"),
            r.reporting.get("late", 0),
            r.reporting.get("missing", 0),
            "; ".join(f"{s.rank}. {s.unit.short_name}" for s in r.leaders),
            "; ".join(p.unit.short_name for p in r.proposals if p.award == "flag"),
            "; ".join(p.unit.short_name for p in r.proposals if p.award == "certificate"),
            str(d.get_status_display()) if d else "",
            f"{d.decision_number} ({d.decision_date:%d/%m/%Y})" if d and d.decision_date else "",
        ])
    return headers, table


def unit_history_table(history: UnitHistory) -> tuple[list[str], list[list]]:
    headers = [_("Đơn vị"), *[str(y) for y in history.years]]
    table = [[unit.name, *[history.cell_text(unit.pk, y) for y in history.years]] for unit in history.units]
    return headers, table


def response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    wb.save(buffer)
    answer = HttpResponse(buffer.getvalue(), content_type=XLSX)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer


def blocs_workbook(province: Province, year: int, rows: list[BlocRow]) -> Workbook:
    headers, table = bloc_rows_table(rows)
    return table_workbook(
        _("Các khối"), _("Các khối thi đua năm %(year)s – %(province)s") % {"year": year, "province": province.name},
        headers, table, [40, 14, 30, 9, 11, 11, 9, 9, 30, 20, 30, 16, 24],
    )


def units_workbook(province: Province, history: UnitHistory) -> Workbook:
    headers, table = unit_history_table(history)
    return table_workbook(
        _("Đơn vị qua các năm"),
        _("Thứ hạng và khen thưởng của các đơn vị – %(province)s") % {"province": province.name},
        headers, table, [45, *[18] * len(history.years)],
    )

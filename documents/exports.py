"""Excel exports (.xlsx): Vietnamese headers, numbers stored as numbers, text never as a formula (core.spreadsheet)."""

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.models import BlocYear
from core.spreadsheet import xlsx_append
from reports.board import completeness_board
from scoring.sheets.ranking import compute

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(wb: Workbook, title: str, heading: str, headers: list[str], rows: list[list], widths: list[int]):
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
    ws.freeze_panes = "C4"
    return ws


def ranking_workbook(bloc_year: BlocYear) -> Workbook:
    ranking = compute(bloc_year)
    wb = Workbook()
    headers = [
        _("Hạng"),
        _("Đơn vị"),
        *[_("Tiêu chí %(n)s") % {"n": c.order} for c in ranking.criteria],
        _("Điểm thưởng"),
        _("Điểm trừ"),
        _("Tổng điểm"),
        _("Trạng thái"),
    ]
    status = _("Đã phê duyệt") if ranking.approved else _("Tạm tính")
    rows = [
        [
            row.rank,
            u.membership.unit.name,
            *[float(v) for v in row.entry.criteria],
            float(row.bonus),
            float(row.deductions),
            float(row.total),
            status,
        ]
        for row, u in ranking.lines()
    ]
    ws = _sheet(
        wb,
        _("Xếp hạng"),
        _("Kết quả chấm điểm và xếp hạng thi đua năm %(year)s – %(bloc)s")
        % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
        headers,
        rows,
        [7, 45, *[11] * len(ranking.criteria), 11, 11, 11, 14],
    )
    for row in ws.iter_rows(min_row=4, min_col=3, max_col=5 + len(ranking.criteria)):
        for cell in row:
            cell.number_format = "0.0#"
    return wb


def board_workbook(bloc_year: BlocYear) -> Workbook:
    board = completeness_board(bloc_year)
    wb = Workbook()
    headers = [_("STT"), _("Đơn vị"), *[p.name for p in board.periods], _("Đã nộp"), _("Đúng hạn"), _("Đến hạn")]
    rows = []
    for m, cells, r in board.rows():
        labels = [
            f"{c.report.get_status_display()} – {c.timeliness_label}" if c.report else str(c.timeliness_label)
            for c in cells
        ]
        rows.append([m.order, m.unit.name, *labels, r["received"], r["on_time"], r["expected"]])
    _sheet(
        wb,
        _("Tình hình nộp"),
        _("Tình hình nộp báo cáo định kỳ năm %(year)s – %(bloc)s")
        % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
        headers,
        rows,
        [6, 45, *[26] * len(board.periods), 10, 10, 10],
    )
    return wb


def xlsx_response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

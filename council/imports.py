"""Past years and a province's units and accounts from Excel workbooks (openpyxl reads them).

Every row is checked first, and every error is reported with its sheet, row and column; only a workbook without a
single error is written, in one transaction. A year comes in published, with its ranking snapshot, the scores per
criterion as the sheet gave them and the awards it lists (into the units' award history).
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import lifecycle
from core.audit import Actor, record
from core.models import Bloc, BlocYear, Membership, Profile, Province, Unit
from council import services
from council.models import ImportedResult, ImportedYear
from covenant import services as covenant
from scoring.sheets.models import RankSnapshot

User = get_user_model()

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500

BLOC_SHEET, RESULTS_SHEET = "Khối", "Kết quả"
UNITS_SHEET, ACCOUNTS_SHEET = "Đơn vị", "Tài khoản"

ROLE_WORDS = {
    "trưởng khối": Membership.Role.HEAD,
    "phó trưởng khối": Membership.Role.DEPUTY,
    "thành viên": Membership.Role.MEMBER,
    "": Membership.Role.MEMBER,
}
LEAD_COLUMNS = ["STT", "Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Vai trò"]
TAIL_COLUMNS = ["Điểm thưởng", "Điểm trừ", "Tổng điểm", "Hạng", "Khen thưởng", "Số quyết định", "Ngày quyết định",
                "Cơ quan ban hành"]
UNIT_COLUMNS = ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Thủ trưởng", "Địa chỉ", "Điện thoại", "Thư điện tử"]
ACCOUNT_COLUMNS = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Vai trò", "Mã đơn vị"]
ACCOUNT_ROLES = {
    "cán bộ đơn vị": Profile.Role.OFFICER,
    "văn phòng khối": Profile.Role.SECRETARIAT,
    "theo dõi cấp tỉnh": Profile.Role.PROVINCIAL,
    "hội đồng thi đua - khen thưởng tỉnh": Profile.Role.COUNCIL,
}
CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
USERNAME = re.compile(r"^[\w.@+-]+$")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str


class Invalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} lỗi")
        self.problems = problems


@dataclass
class Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, sheet: str, row: int, column: int | str, message: str) -> None:
        letter = get_column_letter(column) if isinstance(column, int) else column
        self.problems.append(Problem(sheet, row, letter, message))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    try:
        if isinstance(value, int | float):
            return Decimal(str(value)).quantize(Decimal("0.01"))
        return Decimal(_text(value).replace(".", "").replace(",", ".") if "," in _text(value) else _text(value)
                       ).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError from None


def _date(value) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.datetime.strptime(_text(value), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError from None


def _open(data: bytes, sheets: list[str]):
    if len(data) > MAX_BYTES:
        raise Invalid([Problem("", 0, "", _("Tệp lớn hơn 5 MB."))])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise Invalid([Problem("", 0, "", _("Tệp không đọc được: hãy dùng tệp Excel (.xlsx) theo mẫu."))]) from None
    missing = [s for s in sheets if s not in wb.sheetnames]
    if missing:
        raise Invalid([Problem(s, 0, "", _("Thiếu trang tính “%(sheet)s” của mẫu.") % {"sheet": s}) for s in missing])
    return wb


def _rows(ws) -> list[tuple[int, tuple]]:
    rows = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if any(_text(v) for v in values):
            rows.append((number, values))
    return rows


# A past year ----------------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    row: int
    order: int
    code: str
    name: str
    short_name: str
    role: str
    scores: list[Decimal]
    bonus: Decimal
    deductions: Decimal
    total: Decimal
    rank: int
    award: str
    decision_number: str
    decision_date: datetime.date | None
    issuer: str
    unit: Unit | None = None


@dataclass
class YearPlan:
    province: Province
    bloc_code: str
    bloc_name: str
    bloc: Bloc | None
    year: int
    criteria: list[str]
    rows: list[ResultRow]


def year_template() -> Workbook:
    """The workbook to fill in: the bloc and the year, then a row a unit."""
    wb = Workbook()
    ws = wb.active
    ws.title = BLOC_SHEET
    ws["A1"] = _("Kết quả thi đua của một khối trong một năm đã qua")
    ws["A1"].font = Font(bold=True, size=13)
    for row, (label, example) in enumerate(
        [("Mã khối", "khoi-kinh-te"), ("Tên khối", "Khối thi đua các cơ quan kinh tế"), ("Năm thi đua", 2016)],
        start=3,
    ):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=2, value=example)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 50
    ws["A7"] = _("Khối đã có thì chỉ cần mã khối; năm thi đua phải là năm khối chưa có.")
    results = wb.create_sheet(RESULTS_SHEET)
    headers = [*LEAD_COLUMNS, "Tiêu chí 1", "Tiêu chí 2", "Tiêu chí 3", *TAIL_COLUMNS]
    results.append(headers)
    for cell in results[1]:
        cell.font = Font(bold=True)
    results.append([1, "so-tai-chinh", "Sở Tài chính", "STC", "Trưởng khối", 28, 47.5, 19, 2, 0, 96.5, 1,
                    "Cờ thi đua của UBND tỉnh", "125/QĐ-UBND", "15/03/2017", "UBND tỉnh"])
    results.append([2, "cuc-thue", "Cục Thuế tỉnh", "CT", "Phó trưởng khối", 27, 46, 18.5, 0, 1, 90.5, 2,
                    "Bằng khen của Chủ tịch UBND tỉnh", "125/QĐ-UBND", "15/03/2017", "UBND tỉnh"])
    roles = DataValidation(type="list", formula1='"Trưởng khối,Phó trưởng khối,Thành viên"', allow_blank=True)
    awards = DataValidation(
        type="list", formula1='"Cờ thi đua của UBND tỉnh,Bằng khen của Chủ tịch UBND tỉnh"', allow_blank=True
    )
    results.add_data_validation(roles)
    results.add_data_validation(awards)
    roles.add("E2:E500")
    awards.add(f"{get_column_letter(len(headers) - 3)}2:{get_column_letter(len(headers) - 3)}500")
    for i, width in enumerate([6, 22, 40, 12, 16, 12, 12, 12, 12, 10, 11, 8, 32, 16, 16, 20], start=1):
        results.column_dimensions[get_column_letter(i)].width = width
    results.freeze_panes = "C2"
    return wb


def _header_index(headers: list[str], collector: Collector) -> tuple[list[int], dict[str, int]] | None:
    """The criteria columns (between "Vai trò" and "Điểm thưởng") and where each named column is."""
    lower = [h.lower() for h in headers]
    where = {}
    for name in LEAD_COLUMNS + TAIL_COLUMNS:
        if name.lower() not in lower:
            collector.add(RESULTS_SHEET, 1, len(headers) + 1, _("Thiếu cột “%(name)s”.") % {"name": name})
        else:
            where[name] = lower.index(name.lower())
    if len(where) != len(LEAD_COLUMNS) + len(TAIL_COLUMNS):
        return None
    criteria = list(range(where["Vai trò"] + 1, where["Điểm thưởng"]))
    if not criteria:
        collector.add(RESULTS_SHEET, 1, where["Điểm thưởng"] + 1,
                      _("Cần ít nhất một cột điểm tiêu chí giữa cột “Vai trò” và cột “Điểm thưởng”."))
        return None
    return criteria, where


def _decimal_cell(
    c: Collector, number: int, values: tuple, name: str, column: int, *, required: bool = True
) -> Decimal:
    try:
        value = _number(values[column - 1])
    except ValueError:
        c.add(RESULTS_SHEET, number, column, _("“%(name)s” phải là một số.") % {"name": name})
        return Decimal(0)
    if value is None:
        if required:
            c.add(RESULTS_SHEET, number, column, _("Thiếu “%(name)s”.") % {"name": name})
        return Decimal(0)
    if value < 0:
        c.add(RESULTS_SHEET, number, column, _("“%(name)s” không được âm.") % {"name": name})
    return value


def check_year(data: bytes, province: Province) -> YearPlan:
    """Read and check a year's workbook; raise Invalid with every problem found."""
    wb = _open(data, [BLOC_SHEET, RESULTS_SHEET])
    c = Collector()
    meta = {_text(r[0]).lower(): (n, r[1] if len(r) > 1 else None) for n, r in _rows(wb[BLOC_SHEET])}
    code = _text(meta.get("mã khối", (3, None))[1])
    name = _text(meta.get("tên khối", (4, None))[1])
    bloc = Bloc.objects.filter(code=code).first() if code else None
    if not code:
        c.add(BLOC_SHEET, meta.get("mã khối", (3,))[0], "B", _("Thiếu mã khối."))
    elif not CODE.match(code):
        c.add(BLOC_SHEET, meta["mã khối"][0], "B", _("Mã khối chỉ gồm chữ không dấu, số và gạch ngang."))
    elif bloc is not None and bloc.province_id != province.pk:
        c.add(BLOC_SHEET, meta["mã khối"][0], "B", _("Mã khối “%(code)s” đã được dùng.") % {"code": code})
        bloc = None
    if bloc is None and not name:
        c.add(BLOC_SHEET, meta.get("tên khối", (4,))[0], "B", _("Khối mới: phải có tên khối."))
    year_row, year_value = meta.get("năm thi đua", (5, None))
    try:
        year = int(_text(year_value))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = 0
        c.add(BLOC_SHEET, year_row, "B", _("Năm thi đua phải là một năm từ 2000 đến 2100."))
    if bloc is not None and year and BlocYear.objects.filter(bloc=bloc, year=year).exists():
        c.add(BLOC_SHEET, year_row, "B", _("Khối đã có năm thi đua %(year)s.") % {"year": year})

    rows = _rows(wb[RESULTS_SHEET])
    if not rows:
        c.add(RESULTS_SHEET, 1, "A", _("Trang tính trống."))
        raise Invalid(c.problems)
    headers = [_text(h) for h in rows[0][1]]
    found = _header_index(headers, c)
    if found is None:
        raise Invalid(c.problems)
    criteria_cols, where = found
    if len(rows) - 1 > MAX_ROWS:
        c.add(RESULTS_SHEET, rows[MAX_ROWS + 1][0], "A", _("Tối đa %(n)s đơn vị một khối.") % {"n": MAX_ROWS})
        raise Invalid(c.problems)

    units = {u.code: u for u in Unit.objects.filter(code__in=[_text(r[where["Mã đơn vị"]]) for _n, r in rows[1:]])}
    taken = {
        m.unit_id: m
        for m in Membership.objects.filter(unit__in=units.values(), year=year).select_related("bloc_year__bloc")
    } if year else {}
    result: list[ResultRow] = []
    seen: dict[str, int] = {}
    for number, values in rows[1:]:
        values = tuple(values) + (None,) * (len(headers) - len(values))

        def cell(name: str, values: tuple = values) -> object:
            return values[where[name]]

        def col(name: str) -> int:
            return where[name] + 1

        unit_code = _text(cell("Mã đơn vị"))
        unit = units.get(unit_code)
        if not unit_code:
            c.add(RESULTS_SHEET, number, col("Mã đơn vị"), _("Thiếu mã đơn vị."))
        elif not CODE.match(unit_code):
            c.add(RESULTS_SHEET, number, col("Mã đơn vị"), _("Mã đơn vị chỉ gồm chữ không dấu, số và gạch ngang."))
        elif unit_code in seen:
            c.add(RESULTS_SHEET, number, col("Mã đơn vị"),
                  _("Đơn vị đã có ở dòng %(row)s.") % {"row": seen[unit_code]})
        elif unit is not None and unit.province_id != province.pk:
            c.add(RESULTS_SHEET, number, col("Mã đơn vị"), _("Mã đơn vị thuộc tỉnh khác."))
        elif unit is not None and unit.pk in taken:
            c.add(RESULTS_SHEET, number, col("Mã đơn vị"),
                  _("Đơn vị đã thuộc %(bloc)s năm %(year)s.") % {"bloc": taken[unit.pk].bloc_year.bloc.name,
                                                               "year": year})
        seen.setdefault(unit_code, number)
        name_, short = _text(cell("Tên đơn vị")), _text(cell("Tên viết tắt"))
        if unit is None and not name_:
            c.add(RESULTS_SHEET, number, col("Tên đơn vị"), _("Đơn vị mới: phải có tên đơn vị."))
        if unit is None and not short:
            c.add(RESULTS_SHEET, number, col("Tên viết tắt"), _("Đơn vị mới: phải có tên viết tắt."))
        role = ROLE_WORDS.get(_text(cell("Vai trò")).lower())
        if role is None:
            c.add(RESULTS_SHEET, number, col("Vai trò"),
                  _("Vai trò phải là “Trưởng khối”, “Phó trưởng khối” hoặc “Thành viên”."))

        scores = [_decimal_cell(c, number, values, headers[i], i + 1) for i in criteria_cols]
        bonus = _decimal_cell(c, number, values, "Điểm thưởng", col("Điểm thưởng"), required=False)
        deductions = _decimal_cell(c, number, values, "Điểm trừ", col("Điểm trừ"), required=False)
        total = _decimal_cell(c, number, values, "Tổng điểm", col("Tổng điểm"))
        expected = max(sum(scores, Decimal(0)) + bonus - deductions, Decimal(0))
        if total and abs(total - expected) > Decimal("0.01"):
            c.add(RESULTS_SHEET, number, col("Tổng điểm"),
                  _("Tổng điểm %(total)s khác tổng các tiêu chí cộng điểm thưởng trừ điểm trừ (%(expected)s).")
                  % {"total": total, "expected": expected})
        rank_text = _text(cell("Hạng"))
        rank = int(rank_text) if rank_text.isdigit() and int(rank_text) >= 1 else 0
        if not rank:
            c.add(RESULTS_SHEET, number, col("Hạng"), _("Hạng phải là số nguyên dương."))
        award_text = _text(cell("Khen thưởng"))
        award = services.AWARD_WORDS.get(award_text.lower(), None) if award_text else ""
        if award is None:
            c.add(RESULTS_SHEET, number, col("Khen thưởng"),
                  _("Hình thức khen thưởng không có trong danh sách của mẫu."))
            award = ""
        decision_number = _text(cell("Số quyết định"))
        try:
            decision_date = _date(cell("Ngày quyết định"))
        except ValueError:
            decision_date = None
            c.add(RESULTS_SHEET, number, col("Ngày quyết định"), _("Ngày quyết định ghi theo dạng dd/mm/yyyy."))
        issuer = _text(cell("Cơ quan ban hành"))
        if award:
            if not decision_number:
                c.add(RESULTS_SHEET, number, col("Số quyết định"), _("Có khen thưởng thì phải có số quyết định."))
            if decision_date is None:
                c.add(RESULTS_SHEET, number, col("Ngày quyết định"), _("Có khen thưởng thì phải có ngày quyết định."))
            elif year and decision_date.year < year:
                c.add(RESULTS_SHEET, number, col("Ngày quyết định"), _("Ngày quyết định không thể trước năm thi đua."))
        order_text = _text(cell("STT"))
        result.append(ResultRow(
            row=number, order=int(order_text) if order_text.isdigit() else len(result) + 1, code=unit_code,
            name=name_, short_name=short, role=role or Membership.Role.MEMBER, scores=scores, bonus=bonus,
            deductions=deductions, total=total, rank=rank, award=award, decision_number=decision_number,
            decision_date=decision_date, issuer=issuer or _("UBND tỉnh"), unit=unit,
        ))

    heads = [r for r in result if r.role == Membership.Role.HEAD]
    if len(heads) != 1:
        c.add(RESULTS_SHEET, heads[1].row if len(heads) > 1 else 2, where["Vai trò"] + 1,
              _("Phải có đúng một Trưởng khối (có %(n)s).") % {"n": len(heads)})
    if sum(1 for r in result if r.role == Membership.Role.DEPUTY) > 1:
        c.add(RESULTS_SHEET, 2, where["Vai trò"] + 1, _("Nhiều nhất một Phó trưởng khối."))
    orders = [r.order for r in result]
    for r in result:
        if orders.count(r.order) > 1:
            c.add(RESULTS_SHEET, r.row, where["STT"] + 1, _("STT %(n)s trùng.") % {"n": r.order})
    for r in result:
        better = [o for o in result if o.total > r.total and o.rank and r.rank and o.rank >= r.rank]
        if better:
            c.add(RESULTS_SHEET, r.row, where["Hạng"] + 1,
                  _("Hạng %(rank)s không khớp tổng điểm: dòng %(row)s có tổng điểm cao hơn mà hạng không cao hơn.")
                  % {"rank": r.rank, "row": better[0].row})
    if sum(1 for r in result if r.award == services.FLAG) > 1:
        c.add(RESULTS_SHEET, next(r.row for r in result if r.award == services.FLAG), where["Khen thưởng"] + 1,
              _("Mỗi khối một năm chỉ có một Cờ thi đua của UBND tỉnh."))
    if c.problems:
        raise Invalid(sorted(c.problems, key=lambda p: (p.sheet != BLOC_SHEET, p.row, p.column)))
    return YearPlan(province=province, bloc_code=code, bloc_name=name, bloc=bloc, year=year,
                    criteria=[headers[i] for i in criteria_cols], rows=result)


@transaction.atomic
def import_year(
    *, data: bytes, source_name: str, province: Province, by: Actor, at: datetime.datetime | None = None
) -> BlocYear:
    """Check the workbook, then create the year as published with its ranking snapshot and awards."""
    at = at or timezone.now()
    plan = check_year(data, province)
    bloc = plan.bloc or services.save_bloc(province=province, bloc=None, by=by, at=at,
                                           data={"code": plan.bloc_code, "name": plan.bloc_name})
    for r in plan.rows:
        if r.unit is None:
            r.unit = covenant.create_unit(code=r.code, name=r.name, short_name=r.short_name, province=province,
                                          by=by, at=at)
    bloc_year = lifecycle.create_bloc_year(bloc=bloc, year=plan.year, by=by, at=at)
    covenant.save_members(
        bloc_year=bloc_year, expected_version=None, by=by, at=at,
        rows=[covenant.MemberRow(unit=r.unit, order=r.order, role=r.role) for r in plan.rows if r.unit],
    )
    imported = ImportedYear.objects.create(bloc_year=bloc_year, criteria=plan.criteria, source_name=source_name[:255],
                                           imported_at=at, imported_by=by)
    ImportedResult.objects.bulk_create(
        ImportedResult(imported=imported, unit=r.unit, scores=[str(s) for s in r.scores], bonus=r.bonus,
                       deductions=r.deductions, total=r.total, rank=r.rank)
        for r in plan.rows
    )
    RankSnapshot.objects.bulk_create(
        RankSnapshot(bloc_year=bloc_year, unit=r.unit, rank=r.rank, total=r.total) for r in plan.rows
    )
    # An earlier year's results, settled long ago: it comes in published, without walking the phases.
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.PUBLISHED)
    for r in plan.rows:
        if r.award and r.unit is not None and r.decision_date is not None:
            services.enter_award(unit=r.unit, kind=r.award, year=plan.year, decision_number=r.decision_number,
                                 decision_date=r.decision_date, issuer=r.issuer, bloc_year=bloc_year, by=by)
    record(bloc_year=bloc_year, by=by, action="year.import", target=bloc_year, at=at,
           after={"file": source_name, "units": len(plan.rows), "phase": BlocYear.Phase.PUBLISHED})
    bloc_year.refresh_from_db()
    return bloc_year


# A province's units and accounts -----------------------------------------------------------------------------


@dataclass
class UnitRow:
    row: int
    data: dict


@dataclass
class AccountRow:
    row: int
    username: str
    full_name: str
    email: str
    role: str
    unit_code: str


def units_template() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = UNITS_SHEET
    ws.append(UNIT_COLUMNS)
    ws.append(["so-tai-chinh", "Sở Tài chính", "STC", "Nguyễn Văn A", "Số 1 đường Lê Lợi", "0260 3000 000",
               "stc@example.vn"])
    accounts = wb.create_sheet(ACCOUNTS_SHEET)
    accounts.append(ACCOUNT_COLUMNS)
    accounts.append(["vp-stc", "Trần Thị B", "vp@example.vn", "Văn phòng khối", "so-tai-chinh"])
    accounts.append(["canbo-stc", "Lê Văn C", "canbo@example.vn", "Cán bộ đơn vị", "so-tai-chinh"])
    roles = DataValidation(type="list", formula1='"' + ",".join(w.capitalize() for w in ACCOUNT_ROLES) + '"')
    accounts.add_data_validation(roles)
    roles.add("D2:D1000")
    for sheet in (ws, accounts):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i in range(1, 8):
            sheet.column_dimensions[get_column_letter(i)].width = 24
    accounts["G1"] = _("Mật khẩu không ghi trong tệp: người dùng đặt mật khẩu qua “Quên mật khẩu” bằng thư điện tử.")
    return wb


def check_units(data: bytes, province: Province) -> tuple[list[UnitRow], list[AccountRow]]:
    wb = _open(data, [UNITS_SHEET, ACCOUNTS_SHEET])
    c = Collector()
    unit_rows: list[UnitRow] = []
    codes: dict[str, int] = {}
    rows = _rows(wb[UNITS_SHEET])
    existing = set(Unit.objects.filter(code__in=[_text(r[0]) for _n, r in rows[1:]]).values_list("code", flat=True))
    for number, values in rows[1:]:
        values = tuple(values) + (None,) * (len(UNIT_COLUMNS) - len(values))
        code, name, short = _text(values[0]), _text(values[1]), _text(values[2])
        if not code or not CODE.match(code):
            c.add(UNITS_SHEET, number, "A", _("Mã đơn vị chỉ gồm chữ không dấu, số và gạch ngang."))
        elif code in codes:
            c.add(UNITS_SHEET, number, "A", _("Đơn vị đã có ở dòng %(row)s.") % {"row": codes[code]})
        elif code in existing:
            c.add(UNITS_SHEET, number, "A", _("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code})
        codes.setdefault(code, number)
        if not name:
            c.add(UNITS_SHEET, number, "B", _("Thiếu tên đơn vị."))
        if not short:
            c.add(UNITS_SHEET, number, "C", _("Thiếu tên viết tắt."))
        email = _text(values[6])
        if email and "@" not in email:
            c.add(UNITS_SHEET, number, "G", _("Thư điện tử không hợp lệ."))
        unit_rows.append(UnitRow(number, {
            "code": code, "name": name, "short_name": short, "head_name": _text(values[3]),
            "address": _text(values[4]), "phone": _text(values[5]), "email": email,
        }))
    province_units = set(Unit.objects.filter(province=province).values_list("code", flat=True))
    account_rows: list[AccountRow] = []
    names: dict[str, int] = {}
    rows = _rows(wb[ACCOUNTS_SHEET])
    taken = {u.lower() for u in User.objects.filter(
        username__in=[_text(r[0]) for _n, r in rows[1:]]).values_list("username", flat=True)}
    for number, values in rows[1:]:
        values = tuple(values) + (None,) * (len(ACCOUNT_COLUMNS) - len(values))
        if not any(_text(v) for v in values[: len(ACCOUNT_COLUMNS)]):
            continue
        username, full_name, email = _text(values[0]), _text(values[1]), _text(values[2])
        role = ACCOUNT_ROLES.get(_text(values[3]).lower())
        unit_code = _text(values[4])
        if not username or not USERNAME.match(username):
            c.add(ACCOUNTS_SHEET, number, "A", _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _"))
        elif username.lower() in names:
            c.add(ACCOUNTS_SHEET, number, "A",
                  _("Tên đăng nhập đã có ở dòng %(row)s.") % {"row": names[username.lower()]})
        elif username.lower() in taken:
            c.add(ACCOUNTS_SHEET, number, "A", _("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username})
        names.setdefault(username.lower(), number)
        if not full_name:
            c.add(ACCOUNTS_SHEET, number, "B", _("Thiếu họ và tên."))
        if not email or "@" not in email:
            c.add(ACCOUNTS_SHEET, number, "C", _("Cần thư điện tử để người dùng tự đặt mật khẩu."))
        if role is None:
            c.add(ACCOUNTS_SHEET, number, "D", _("Vai trò không có trong danh sách của mẫu."))
        elif role in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT) and (
            unit_code not in codes and unit_code not in province_units
        ):
            c.add(ACCOUNTS_SHEET, number, "E", _("Mã đơn vị không có trong trang “Đơn vị” hay trong tỉnh."))
        account_rows.append(AccountRow(number, username, full_name, email, role or "", unit_code))
    if c.problems:
        raise Invalid(c.problems)
    return unit_rows, account_rows


@transaction.atomic
def import_units(*, data: bytes, province: Province, by: Actor, at: datetime.datetime | None = None) -> tuple[int, int]:
    """Check, then create the units and the accounts (without a password: each sets it by email)."""
    unit_rows, account_rows = check_units(data, province)
    units = {r.data["code"]: covenant.create_unit(province=province, by=by, at=at, **r.data) for r in unit_rows}
    units.update({u.code: u for u in Unit.objects.filter(province=province).exclude(code__in=units)})
    for r in account_rows:
        first, _sep, last = r.full_name.rpartition(" ")
        user = User.objects.create_user(username=r.username, email=r.email, password=None, first_name=first,
                                        last_name=last or r.full_name)
        with_unit = r.role in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT)
        Profile.objects.create(user=user, role=r.role, unit=units[r.unit_code] if with_unit else None,
                               province=None if with_unit else province)
        record(bloc_year=None, by=by, action="account.import", target=user, at=at,
               after={"username": r.username, "role": r.role, "unit": r.unit_code if with_unit else province.code})
    return len(unit_rows), len(account_rows)

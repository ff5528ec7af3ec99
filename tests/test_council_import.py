"""Past years and a province's units and accounts imported from Excel: checked in full before anything is written."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Province, Unit
from council import imports
from council.models import ImportedResult
from scoring.models import RankSnapshot
from tests.personas import make_user

HEADERS = ["STT", "Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Vai trò", "Chỉ đạo, điều hành", "Chuyên môn",
           "Xây dựng Đảng", "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Hạng", "Khen thưởng", "Số quyết định",
           "Ngày quyết định", "Cơ quan ban hành"]
GOOD = [
    [1, "so-tc", "Sở Tài chính", "STC", "Trưởng khối", 28, 47.5, 19, 2, 0, 96.5, 1, "", "", "", ""],
    [2, "cuc-thue", "Cục Thuế tỉnh", "CT", "Phó trưởng khối", 27, 46, 18.5, 0, 1, 90.5, 2, "", "", "", ""],
    [3, "kho-bac", "Kho bạc Nhà nước tỉnh", "KBNN", "Thành viên", "27,5", 45, 18, 0, 0, 90.5, 2, "", "", "", ""],
    [4, "so-xd", "Sở Xây dựng", "SXD", "", 20, 40, 15, 0, 0, 75, 4, "", "", "", ""],
]


def workbook(rows, *, code="khoi-cu", name="Khối thi đua cũ", year=2016, headers=HEADERS) -> bytes:
    wb = imports.year_template()
    ws = wb[imports.BLOC_SHEET]
    ws["B3"], ws["B4"], ws["B5"] = code, name, year
    results = wb[imports.RESULTS_SHEET]
    results.delete_rows(1, results.max_row)
    results.append(headers)
    for row in rows:
        results.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def province(db):
    return Province.objects.create(code="tinh-nhap", name="Tỉnh Nhập liệu")


@pytest.fixture
def staff(province):
    return make_user("hd-nhap", role=Profile.Role.COUNCIL, province=province)


def test_a_valid_workbook_creates_a_published_year_whose_ranking_matches_the_sheet(province, staff):
    by = imports.import_year(data=workbook(GOOD), source_name="2016.xlsx", province=province, by=staff)
    assert (by.bloc.code, by.year, by.phase) == ("khoi-cu", 2016, BlocYear.Phase.PUBLISHED)
    ranking = [(s.unit.code, s.rank, s.total) for s in RankSnapshot.objects.filter(bloc_year=by).order_by("rank",
                                                                                                          "unit__code")]
    assert ranking == [("so-tc", 1, Decimal("96.5")), ("cuc-thue", 2, Decimal("90.5")),
                       ("kho-bac", 2, Decimal("90.5")), ("so-xd", 4, Decimal("75"))]
    head = Membership.objects.get(bloc_year=by, role=Membership.Role.HEAD)
    assert head.unit.code == "so-tc"
    kb = ImportedResult.objects.get(imported__bloc_year=by, unit__code="kho-bac")
    assert kb.scores == ["27.50", "45.00", "18.00"] and by.imported.criteria[0] == "Chỉ đạo, điều hành"
    assert AuditEntry.objects.filter(bloc_year=by, action="year.import", actor=staff).exists()


def test_a_workbook_with_errors_writes_nothing_and_lists_every_error_with_row_and_column(province, staff):
    other = Province.objects.create(code="tinh-khac", name="Tỉnh khác")
    Unit.objects.create(code="don-vi-khac", name="Đơn vị tỉnh khác", short_name="DVK", province=other)
    bad = [
        [1, "so-tc", "Sở Tài chính", "STC", "Trưởng khối", 28, "abc", 19, 2, 0, 96.5, 1, "", "", "", ""],
        [2, "so-tc", "Sở Tài chính", "STC", "Chủ tịch", 27, 46, 18.5, 0, 1, 99, 2, "", "", "", ""],
        [3, "don-vi-khac", "", "", "Thành viên", 10, 10, 10, 0, 0, 30, 0, "Huy chương vàng", "", "", ""],
        [4, "moi", "", "", "Thành viên", 20, 40, 15, 0, 0, 75, 4, "Bằng khen", "", "32/13/2016", ""],
    ]
    before = (Bloc.objects.count(), Unit.objects.count(), BlocYear.objects.count(), AuditEntry.objects.count())
    with pytest.raises(imports.Invalid) as caught:
        imports.import_year(data=workbook(bad), source_name="x.xlsx", province=province, by=staff)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert {
        ("Kết quả", 2, "G"),   # not a number
        ("Kết quả", 3, "B"),   # the same unit twice
        ("Kết quả", 3, "E"),   # unknown role
        ("Kết quả", 3, "K"),   # total is not the sum
        ("Kết quả", 4, "B"),   # another province's unit
        ("Kết quả", 4, "L"),   # rank missing
        ("Kết quả", 4, "M"),   # unknown award
        ("Kết quả", 5, "C"),   # new unit without a name
        ("Kết quả", 5, "D"),   # ... nor a short name
        ("Kết quả", 5, "N"),   # award without a decision number
        ("Kết quả", 5, "O"),   # an impossible date
    } <= found
    assert (Bloc.objects.count(), Unit.objects.count(), BlocYear.objects.count(),
            AuditEntry.objects.count()) == before


def test_ranks_that_contradict_the_totals_and_two_heads_are_errors(province, staff):
    rows = [list(r) for r in GOOD]
    rows[3][11] = 1  # 75 points ranked first
    rows[1][4] = "Trưởng khối"
    with pytest.raises(imports.Invalid) as caught:
        imports.check_year(workbook(rows), province)
    messages = " ".join(p.message for p in caught.value.problems)
    assert "không khớp tổng điểm" in messages and "đúng một Trưởng khối" in messages


def test_a_year_the_bloc_already_has_and_a_missing_column_are_refused(province, staff):
    imports.import_year(data=workbook(GOOD), source_name="a.xlsx", province=province, by=staff)
    with pytest.raises(imports.Invalid) as caught:
        imports.check_year(workbook(GOOD), province)
    assert any(p.sheet == "Khối" and p.row == 5 and "đã có năm" in p.message for p in caught.value.problems)
    with pytest.raises(imports.Invalid) as caught:
        imports.check_year(workbook([], year=2015, headers=HEADERS[:5] + HEADERS[8:11]), province)
    assert any("Hạng" in p.message for p in caught.value.problems)


def test_a_file_that_is_not_a_workbook_is_a_clear_error(client, province, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    url = reverse("council:import_year", args=[province.code])
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a zip")})
    assert response.status_code == 200 and "Tệp không đọc được" in response.content.decode()


def test_the_upload_page_lists_the_errors_and_a_good_file_opens_the_year(client, province, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    url = reverse("council:import_year", args=[province.code])
    bad = [list(r) for r in GOOD]
    bad[0][10] = 50
    page = client.post(url, {"file": SimpleUploadedFile("x.xlsx", workbook(bad))}).content.decode()
    assert 'id="problems"' in page and "Tổng điểm 50" in page
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", workbook(GOOD))})
    assert response.status_code == 302
    assert response["Location"] == reverse("council:bloc_year", args=[province.code, "khoi-cu", 2016])


def test_the_templates_download_and_read_back(client, province, staff):
    client.force_login(staff)
    for name, sheets in (("council:import_year_template", ["Khối", "Kết quả"]),
                         ("council:import_units_template", ["Đơn vị", "Tài khoản"])):
        response = client.get(reverse(name, args=[province.code]))
        assert load_workbook(io.BytesIO(response.content)).sheetnames == sheets


def units_workbook(units, accounts) -> bytes:
    wb = imports.units_template()
    for sheet, rows in ((wb[imports.UNITS_SHEET], units), (wb[imports.ACCOUNTS_SHEET], accounts)):
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_units_and_accounts_of_a_new_province_come_in_without_passwords(province, staff):
    data = units_workbook(
        [["so-a", "Sở A", "SA", "", "", "", "a@example.vn"], ["so-b", "Sở B", "SB", "", "", "", ""]],
        [["vp-a", "Nguyễn Văn A", "vpa@example.vn", "Văn phòng khối", "so-a"],
         ["cb-b", "Lê Thị B", "cbb@example.vn", "Cán bộ đơn vị", "so-b"],
         ["xem", "Trần C", "c@example.vn", "Theo dõi cấp tỉnh", ""]],
    )
    assert imports.import_units(data=data, province=province, by=staff) == (2, 3)
    vp = Profile.objects.select_related("user", "unit").get(user__username="vp-a")
    assert (vp.role, vp.unit.code, vp.user.has_usable_password()) == ("secretariat", "so-a", False)
    assert Profile.objects.get(user__username="xem").province == province


def test_a_units_workbook_with_errors_writes_nothing(province, staff):
    make_user("vp-a")
    data = units_workbook(
        [["so-a", "Sở A", "SA", "", "", "", ""], ["so-a", "", "", "", "", "", "sai"]],
        [["vp-a", "Nguyễn Văn A", "vpa@example.vn", "Văn phòng khối", "so-z"],
         ["cb b", "", "", "Giám đốc", ""]],
    )
    with pytest.raises(imports.Invalid) as caught:
        imports.import_units(data=data, province=province, by=staff)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert {("Đơn vị", 3, "A"), ("Đơn vị", 3, "B"), ("Đơn vị", 3, "G"), ("Tài khoản", 2, "A"),
            ("Tài khoản", 2, "E"), ("Tài khoản", 3, "A"), ("Tài khoản", 3, "C"), ("Tài khoản", 3, "D")} <= found
    assert not Unit.objects.filter(code="so-a").exists()


def test_the_awards_of_an_imported_year_go_into_the_units_history(province, staff):
    from awards.models import Award

    rows = [list(r) for r in GOOD]
    rows[0][12:16] = ["Cờ thi đua của UBND tỉnh", "125/QĐ-UBND", "15/03/2017", "UBND tỉnh"]
    rows[1][12:16] = ["Bằng khen", "125/QĐ-UBND", "15/03/2017", ""]
    imports.import_year(data=workbook(rows), source_name="2016.xlsx", province=province, by=staff)
    got = sorted((a.unit.code, a.kind, a.year, a.decision_number) for a in Award.objects.all())
    assert got == [("cuc-thue", "province_certificate", 2016, "125/QĐ-UBND"),
                   ("so-tc", "province_flag", 2016, "125/QĐ-UBND")]

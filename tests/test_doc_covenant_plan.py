"""The covenant (GIAO ƯỚC THI ĐUA) and the implementation plan (KẾ HOẠCH) as printed PDFs."""

import datetime
import re
import shutil
import subprocess

import pytest

from covenant import services as covenant_services
from covenant.models import Covenant
from documents.layout import vn_date
from documents.models import DocumentSetup
from documents.render import prepare, render_pdf
from reports import services as report_services
from tests.personas import make_bloc_year

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"),
]

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(pdf: bytes, *layout: str) -> str:
    return subprocess.run(["pdftotext", *layout, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdf_fonts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return out.splitlines()[2:]


def assert_only_kttimes(pdf: bytes, tmp_path):
    if shutil.which("pdffonts") is None:
        return
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    for line in fonts:
        name, emb = line.split()[0], line.split()[-5]
        assert re.fullmatch(r"[A-Z]{6}\+KTTimes(-Bold|-Italic|-Bold-Italic)?", name), line
        assert emb == "yes", line


@pytest.fixture
def year(db):
    """Five members (an odd number: the last signature row has one cell), default periods, signing and plan
    dates on the covenant."""
    by = make_bloc_year(units=5, code="khoi-gu", year=2025, officers=False)
    report_services.create_default_periods(bloc_year=by, by=None)
    covenant = Covenant.objects.get(bloc_year=by)
    covenant_services.update_covenant(
        covenant=covenant,
        expected_version=None,
        by=None,
        data={"signed_on": datetime.date(2025, 3, 5), "plan_date": datetime.date(2025, 4, 2)},
    )
    return by


def test_covenant_pdf(year, tmp_path):
    prepared = prepare("covenant", year)
    pdf, _pages = render_pdf(prepared)
    text = flat(pdf_text(pdf))
    for line in MOTTO:
        assert line in text
    assert "ỦY BAN NHÂN DÂN TỈNH" in text
    assert "KHỐI THI ĐUA KHOI-GU" in text
    assert "GIAO ƯỚC THI ĐUA NĂM 2025" in text
    assert "Số: /GUTĐ-KGU" in text
    # The legal bases, in order, each as a "Căn cứ …" line; then the signing date and place.
    bases = [text.index(s) for s in ("Căn cứ Luật Thi đua", "Căn cứ Nghị định số 98/2023", "Căn cứ Kế hoạch tổ chức")]
    assert bases == sorted(bases)
    assert "Hôm nay, ngày 05 tháng 3 năm 2025, tại Đà Lạt" in text
    # Every content's full text, in order.
    positions = [text.index(f"{c.order}. {flat(c.body)[:45]}") for c in year.contents]
    assert positions == sorted(positions)
    assert "Các đơn vị thành viên cam kết thực hiện tốt các nội dung giao ước trên" in text
    # One signature block per member, in STT order; head and deputy labelled.
    assert "ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN KÝ GIAO ƯỚC" in text
    assert "TRƯỞNG KHỐI" in text and "PHÓ TRƯỞNG KHỐI" in text
    assert text.count("(Ký, ghi rõ họ tên, đóng dấu)") == 5
    cells = [c for row in prepared.data["body"]["signature_rows"] for c in row["cells"]]
    assert [c["unit"] for c in cells] == [u.name for u in year.units]
    assert [c["role"] for c in cells] == ["TRƯỞNG KHỐI", "PHÓ TRƯỞNG KHỐI", "", "", ""]
    layout = pdf_text(pdf, "-layout")
    signers = [layout.index(u.head_name) for u in year.units]
    assert signers == sorted(signers)
    for u in year.units:
        # Each name in capitals after "ĐẠI DIỆN" (it may wrap inside its cell: compare without spaces).
        assert f"ĐẠI DIỆN {u.name.upper()}".replace(" ", "") in text.replace(" ", "")
    # No single "TM. KHỐI THI ĐUA" block and, by default, no "Nơi nhận".
    assert "TM. KHỐI THI ĐUA" not in text
    assert "Nơi nhận:" not in text
    assert prepared.code.startswith("GU-")
    assert_only_kttimes(pdf, tmp_path)


def test_covenant_recipients_when_set(year):
    DocumentSetup.objects.create(
        bloc_year=year,
        kind="covenant",
        issuing_body="Khối thi đua khoi-gu",
        symbol="GUTĐ-KGU",
        number="1",
        recipients="Ban Thi đua - Khen thưởng tỉnh\nLưu: VT",
    )
    pdf, _pages = render_pdf(prepare("covenant", year))
    text = flat(pdf_text(pdf))
    assert "Số: 01/GUTĐ-KGU" in text
    assert "Nơi nhận: - Ban Thi đua - Khen thưởng tỉnh; - Lưu: VT." in text


def test_plan_pdf(year, tmp_path):
    prepared = prepare("plan", year)
    pdf, _pages = render_pdf(prepared)
    text = flat(pdf_text(pdf))
    for line in MOTTO:
        assert line in text
    assert "KHỐI THI ĐUA KHOI-GU" in text
    assert "KẾ HOẠCH Tổ chức thực hiện Giao ước thi đua năm 2025" in text
    # A new setup takes the plan's number and date from the covenant (personas: "05/KH-KTĐ").
    assert "Số: 05/KH-KTĐ" in text
    head = year.units[0]
    assert (
        "Nhằm thực hiện tốt các nội dung Giao ước thi đua năm 2025 đã ký kết giữa các đơn vị trong khối "
        "ngày 05/03/2025, ngày 02/04/2025 Khối thi đua khoi-gu (gọi tắt là Khối), "
        f"do {head.name} làm Trưởng khối"
    ) in text
    sections = [text.index(s) for s in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN")]
    assert sections == sorted(sections)
    assert "bám sát 7 nội dung" in text
    positions = [text.index(f"{c.order}. {flat(c.body)[:45]}") for c in year.contents]
    assert positions == sorted(positions)
    assert sections[1] < positions[0] and positions[-1] < sections[2]
    # The reporting regime: every period with its deadline (dd/mm/yyyy), in order.
    periods = list(year.periods.order_by("order"))
    assert len(periods) == 4
    found = [text.index(f"{p.name}: hạn nộp ngày {vn_date(p.deadline)}") for p in periods]
    assert found == sorted(found)
    assert "10/04/2025" in text and "10/01/2026" in text
    assert "mỗi báo cáo trễ hạn bị trừ 1 điểm" in text
    # Scoring: the number of criteria and their titles.
    assert "theo 3 tiêu chí trong Bảng điểm thi đua" in text
    for c in year.criteria:
        assert f"Tiêu chí {c.order}: {c.title}" in text
    assert "Hội nghị tổng kết" in text
    # The covenant's plan reference while the setup has no number of its own.
    assert "Trên đây là Kế hoạch số 05/KH-KTĐ ngày 02/04/2025" in text
    # Signature and recipients.
    assert "TM. KHỐI THI ĐUA" in text and "TRƯỞNG KHỐI" in text
    assert head.head_name in text
    assert "Nơi nhận:" in text
    for r in ("Ban Thi đua - Khen thưởng tỉnh;", "Các đơn vị thành viên Khối;", "Lưu: VT."):
        assert r in text
    assert prepared.code.startswith("KH-")
    assert_only_kttimes(pdf, tmp_path)


def test_plan_cites_the_setup_number_once_set(year):
    DocumentSetup.objects.create(
        bloc_year=year,
        kind="plan",
        issuing_body="Khối thi đua khoi-gu",
        symbol="KH-KGU",
        number="7",
        issued_on=datetime.date(2025, 4, 9),
        place="Đà Lạt",
    )
    body = prepare("plan", year).data["body"]
    assert body["plan_number"] == "07/KH-KGU"
    assert body["plan_date"] == "09/04/2025"
    assert "Trên đây là Kế hoạch số 07/KH-KGU ngày 09/04/2025" in body["closing"]


def test_documents_without_dates_or_periods(db):
    """A fresh year (no signing date, no periods) still prints both documents."""
    by = make_bloc_year(units=2, code="khoi-moi", year=2026, officers=False)
    covenant = prepare("covenant", by).data["body"]
    assert covenant["signing"].startswith("Các đơn vị thành viên Khối thi đua khoi-moi")
    plan = prepare("plan", by).data["body"]
    assert plan["periods"] == []
    assert plan["plan_date"] == ""
    render_pdf(prepare("plan", by))

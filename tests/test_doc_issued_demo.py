"""Issue 14 acceptance on the demo's published year (2017, reviewed and issued in January 2018): every kind passes
the decree 30 checklist (DOMAIN.md) with no blank number, day or month, is dated in the year it was issued, and
cites only the legal texts in force on its own date; the 2017 dossier uses form 01 of decree 91/2017 and a
2024+ dossier form 02 of decree 98/2023."""

import datetime
import re
import shutil
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings

from core.models import BlocYear, Unit
from documents.models import DocumentSetup, IssuedDocument, LegalText
from documents.render import prepare, render_pdf
from reports.models import ProgressReport
from scoring.models import AwardProposal, ScoreSheet
from tests.personas import make_bloc_year

NUMBER = re.compile(r"Số: (\d{2,})/([\wĐ-]+)")
DATE = re.compile(r"Kon Tum, ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})")


def text_of(prepared) -> str:
    pdf, pages = render_pdf(prepared)
    assert pdf.startswith(b"%PDF") and pages >= 1
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestPublishedDemoYear(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp(prefix="issued-media-"))
        cls._settings = override_settings(
            MEDIA_ROOT=cls.media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        )
        cls._settings.enable()
        try:
            super().setUpClass()
        except Exception:
            cls._settings.disable()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls._settings.disable()
            shutil.rmtree(cls.media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO(), stderr=StringIO())

    def setUp(self):
        self.year = BlocYear.objects.select_related("bloc__province").get(bloc__code="khoi-tckt", year=2017)
        assert self.year.is_published

    def check(self, kind: str, unit=None, period=None, *, cites: bool, dated_line: bool = True) -> str:
        """The decree 30 checklist, the issue's number and date, and the legal bases of the document's date."""
        entry = IssuedDocument.objects.get(bloc_year=self.year, kind=kind, unit=unit, period=period)
        prepared = prepare(kind, self.year, unit, period)
        text = text_of(prepared)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert "DỰ THẢO" not in text
        number = NUMBER.search(text)
        assert number and int(number.group(1)) == entry.number and number.group(2) == entry.symbol, kind
        day = entry.issued_on
        if dated_line:
            printed = DATE.search(text)
            assert printed, f"{kind}: no complete date line"
            assert (int(printed.group(1)), int(printed.group(2)), int(printed.group(3))) == (
                day.day,
                day.month,
                day.year,
            )
            month = f"{day.month:02d}" if day.month < 3 else str(day.month)
            assert printed.group(2) == month  # decree 30: months 1 and 2 take a leading zero
        assert "\u2002\u2002\u2002/" not in text and "ngày tháng" not in text
        assert prepared.code in text and "/verify/" + prepared.code in flat(text)
        # Only law in force on the document's own date; every text in force cited where the kind cites bases.
        for legal in LegalText.objects.all():
            cited = flat(legal.citation) in flat(text)
            if legal.in_force(day):
                assert cited == cites, f"{kind} {day}: {legal.number} in force, cited={cited}"
            else:
                assert not cited and legal.number not in text, f"{kind} {day}: {legal.number} not in force"
        return text

    def test_covenant(self):
        text = self.check("covenant", cites=True)
        assert "ngày 15 tháng 3 năm 2017" in text and "42/2010/NĐ-CP" in text and "91/2017" not in text

    def test_plan(self):
        text = self.check("plan", cites=False)
        assert "Số: 05/KH-BQLKKT" in text and "ngày 16 tháng 5 năm 2017" in text

    def test_ranking_dated_at_approval_in_2018(self):
        text = self.check("ranking", cites=False)
        assert "năm 2018" in text.split("BẢNG TỔNG HỢP")[0]

    def test_summary_issued_in_2018_cites_decree_91(self):
        text = self.check("summary", cites=True)
        head = text.split("BÁO CÁO")[0]
        assert "năm 2018" in head and "năm 2017" not in head
        assert "91/2017/NĐ-CP" in text and "42/2010" not in text and "65/2014" not in text

    def test_minutes_with_hours_attendance_and_discussion(self):
        text = self.check("minutes", cites=False, dated_line=False)
        assert "từ 08 giờ 00 đến 11 giờ 15, ngày 26/01/2018" in text
        assert "Hội nghị kết thúc vào hồi 11 giờ 15 cùng ngày" in text and "……" not in text.split("BIÊN BẢN KIỂM")[0]
        assert "IV. Ý KIẾN THẢO LUẬN" in text and "Đại biểu dự họp" in text
        # Four ballots counted compactly: the vote count takes at most two pages after the meeting's own.
        pdf, _pages = render_pdf(prepare("minutes", self.year))
        count_pages = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        tally = count_pages.stdout.decode().split("\f")
        start = next(i for i, p in enumerate(tally) if "BIÊN BẢN KIỂM PHIẾU" in p)
        assert len([p for p in tally[start:] if p.strip()]) <= 2

    def test_submission_and_form_01_of_decree_91(self):
        text = self.check("submission", cites=True)
        assert "91/2017/NĐ-CP" in text and "42/2010" not in text
        letter, _sep, reports = text.partition("Mẫu số 01")
        assert reports and "Mẫu số 02" not in text and "98/2023" not in text
        assert "I. SƠ LƯỢC QUÁ TRÌNH HÌNH THÀNH VÀ PHÁT TRIỂN" in reports
        assert text.count("THỦ TRƯỞNG CƠ QUAN CẤP TRÊN TRỰC TIẾP NHẬN XÉT, XÁC NHẬN") == text.count("Mẫu số 01")
        # Cục Thuế leads: its own parent body and head's title, and its earlier awards from the register.
        flag = reports.split("Mẫu số 01")[0]
        assert "TỔNG CỤC THUẾ" in flag and "CỤC TRƯỞNG" in flag and "UBND TỈNH KON TUM CỤC THUẾ" not in flag
        assert "Quyết định số 198/QĐ-TCT" in flag and "Bằng khen của Bộ trưởng Bộ Tài chính" in flag
        # The tie explained in plain words, no internal jargon.
        assert "phân định theo:" not in letter and "quy tắc phân định thứ hạng khi bằng điểm" in letter

    def test_every_progress_report_and_score_sheet(self):
        unit = Unit.objects.get(code="cuc-thue")
        for report in ProgressReport.objects.filter(period__bloc_year=self.year, unit=unit).exclude(status="draft"):
            text = self.check("progress", unit, report.period, cites=False)
            assert "TỔNG CỤC THUẾ" in text and "CỤC TRƯỞNG" in text and "THỦ TRƯỞNG ĐƠN VỊ" not in text
        sheet = ScoreSheet.objects.get(bloc_year=self.year, unit=unit)
        text = self.check("scoresheet", sheet.unit, cites=False)
        assert "năm 2018" in text.split("BẢNG ĐIỂM")[0]

    def test_every_document_of_the_year_is_in_the_register(self):
        entries = IssuedDocument.objects.filter(bloc_year=self.year)
        assert {e.kind for e in entries} == {
            "covenant",
            "plan",
            "progress",
            "scoresheet",
            "ranking",
            "summary",
            "minutes",
            "submission",
        }
        submitted = ProgressReport.objects.filter(period__bloc_year=self.year).exclude(status="draft").count()
        assert entries.filter(kind="progress").count() == submitted
        assert all(
            e.issued_on.year == (2017 if e.kind in ("covenant", "plan", "progress") else 2018)
            for e in entries
            if not (e.kind == "progress" and e.issued_on.year == 2018)
        )


@pytest.mark.django_db
def test_a_dossier_proposed_from_2024_on_uses_form_02_of_decree_98(tmp_path):
    year = make_bloc_year(units=3, year=2025)
    unit = year.units[1]
    unit.parent_body, unit.head_title = "TỔNG CỤC THUẾ", "Cục trưởng"
    unit.save()
    AwardProposal.objects.create(bloc_year=year, unit=unit, award=AwardProposal.Award.FLAG, order=1)
    DocumentSetup.objects.create(
        bloc_year=year,
        kind="submission",
        issuing_body="KHỐI THI ĐUA",
        symbol="TTr-K",
        place="Kon Tum",
        issued_on=datetime.date(2026, 1, 20),
        sign_form="TM",
        authority="KHỐI THI ĐUA",
        signer_title="TRƯỞNG KHỐI",
    )
    text = text_of(prepare("submission", year))
    reports = text.partition("Mẫu số 02")[2]
    assert reports and "Mẫu số 01" not in text and "Nghị định số 98/2023/NĐ-CP" in reports
    assert "I. THÔNG TIN CHUNG" in reports and "91/2017" not in text
    assert "THỦ TRƯỞNG CƠ QUAN CẤP TRÊN TRỰC TIẾP NHẬN XÉT, XÁC NHẬN" in reports
    assert "TỔNG CỤC THUẾ" in reports and "CỤC TRƯỞNG" in reports

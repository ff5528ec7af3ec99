"""The year-end summary report (Báo cáo tổng kết công tác thi đua năm): a 2017 year walked through reporting,
scoring and the review meeting with the services, rendered, and read back with pdftotext."""

import datetime
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from core import lifecycle
from core.errors import ServiceError
from core.formatting import vn_number
from core.models import AuditEntry, BlocYear
from documents.models import ContentSynthesis, IssuedDocument, LegalText
from documents.render import html_for, prepare, render_pdf
from reports import services as report_services
from scoring.meeting import services as voting
from scoring.models import (
    AwardProposal,
    Ballot,
    BonusClaim,
    BonusItem,
    ItemScore,
    ReviewMeeting,
    ScoreSheet,
    ScoringRound,
)
from scoring.sheets import services as sheets
from tests.personas import CONTENT_TITLES, LEFT_OPEN, LEGAL_BASES, make_bloc_year

# Per unit (STT order), the sub-item scores of criteria 1, 2 and 3 (3 sub-items each, see tests/personas.py).
SCORES = [
    [["10", "9.5", "9"], ["19", "18.5", "9"], ["10", "7", "2"]],  # 94 + 2 bonus = 96
    [["9", "9", "9"], ["18", "18", "9"], ["9", "7", "2.5"]],  # 90.5
    [["9", "9", "8.5"], ["19", "18", "9.5"], ["9", "7", "2.5"]],  # 91.5 − 1 (a late report) = 90.5
    [["8", "8", "8"], ["16", "16", "8"], ["8", "6", "2"]],  # 80 − 2 (a missing report) = 78
]


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def report_all(year: BlocYear) -> None:
    """Unit 3 sends Q1 late, unit 4 never sends Q3, unit 2's annual report waits to be accepted; the rest
    is on time and accepted."""
    periods = report_services.create_default_periods(bloc_year=year, by=None)
    for i, (unit, officer) in enumerate(zip(year.units, year.officers, strict=True), start=1):
        for period in periods:
            if i == 4 and period.code == "q3":
                continue
            day = period.deadline + datetime.timedelta(days=3) if i == 3 and period.code == "q1" else period.deadline
            report = report_services.start_report(period=period, unit=unit, by=officer, at=at(day))
            sections = {
                s.content_id: report_services.SectionData(
                    done=f"{unit.short_name} đã thực hiện nội dung {s.content.order} trong kỳ {period.code}."
                )
                for s in report.sections.select_related("content")
            }
            report = report_services.save_report(
                report=report, sections=sections, general_proposals="", expected_version=None, by=officer, at=at(day)
            )
            report = report_services.submit_report(report=report, expected_version=None, by=officer, at=at(day))
            if not (i == 2 and period.code == "nam"):
                report_services.accept_report(report=report, by=None, at=at(day, 15))


def score_all(year: BlocYear) -> None:
    for unit, criteria in zip(year.units, SCORES, strict=True):
        sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=None)
        for item in sheet.items.select_related("sub_item__criterion"):
            item.self_score = Decimal(criteria[item.sub_item.criterion.order - 1][item.sub_item.order - 1])
            item.save(update_fields=["self_score"])
        ScoreSheet.objects.filter(pk=sheet.pk).update(
            status=ScoreSheet.Status.REVIEWED, submitted_at=timezone.now(), reviewed_at=timezone.now()
        )
        if unit == year.units[0]:
            BonusClaim.objects.create(
                sheet=sheet,
                bonus_item=BonusItem.objects.get(scoreboard__bloc_year=year, order=2),
                explanation="Sáng kiến được công nhận cấp tỉnh",
                review=BonusClaim.Review.ACCEPTED,
            )
    assert ItemScore.objects.filter(sheet__bloc_year=year, self_score__isnull=True).count() == 0
    sheets.release_review(bloc_year=year, by=None)
    sheets.approve(bloc_year=year, by=None, reason="Phê duyệt tại hội nghị (thử nghiệm).")


def vote_all(year: BlocYear) -> None:
    u1, u2, u3, u4 = year.units
    papers = {
        Ballot.Kind.FLAG: [[u1], [u1], [u1], [u3]],
        Ballot.Kind.CERTIFICATE: [[u2, u3], [u2, u3], [u2, u3], [u3, u4]],
        Ballot.Kind.HEAD: [[u2]] * 4,
        Ballot.Kind.DEPUTY: [[u3]] * 4,
    }
    for ballot in voting.create_default_ballots(bloc_year=year, by=None):
        ballot = voting.open_ballot(ballot=ballot, by=None)
        candidates = {c.unit_id: c.pk for c in ballot.candidates.all()}
        for voter, officer, paper in zip(year.units, year.officers, papers[ballot.kind], strict=True):
            voting.cast_vote(ballot=ballot, unit=voter, candidate_ids=[candidates[u.pk] for u in paper], by=officer)
        voting.close_ballot(ballot=ballot, by=None, board_key=ballot.board_key)
    voting.save_meeting(
        bloc_year=year,
        data={"held_on": datetime.date(2018, 1, 19), "place": "Hội trường Ban Quản lý Khu kinh tế tỉnh"},
        present_unit_ids=[u.pk for u in year.units],
        by=None,
    )
    voting.save_outcome(
        bloc_year=year,
        proposals=[
            voting.ProposalRow(u1.pk, AwardProposal.Award.FLAG, 1, 3, "Dẫn đầu Khối thi đua năm 2017"),
            voting.ProposalRow(u3.pk, AwardProposal.Award.CERTIFICATE, 2, 4, ""),
            voting.ProposalRow(u2.pk, AwardProposal.Award.CERTIFICATE, 3, 3, ""),
        ],
        elected_head_id=u2.pk,
        elected_deputy_id=u3.pk,
        by=None,
    )


@pytest.fixture
def year(db) -> BlocYear:
    """A 2017 year of four units, at its review phase, every ballot closed (ready to publish)."""
    year = make_bloc_year(units=4, code="khoi-tk", year=2017, phase=BlocYear.Phase.REPORTING)
    units, officers, contents = year.units, year.officers, year.contents
    report_all(year)
    year = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    year.units = units
    score_all(year)
    year = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    year.units, year.officers = units, officers
    vote_all(year)
    year = BlocYear.objects.select_related("bloc__province").get(pk=year.pk)
    year.units, year.officers, year.contents = units, officers, contents
    return year


def pdf_text(year: BlocYear) -> tuple[str, dict]:
    """The PDF's text, whitespace collapsed, and its data.

    Read without the DỰ THẢO watermark: drawn rotated across the page, it makes pdftotext scatter its letters
    and shuffle the reading order of the tables under it. draft() checks the watermark itself."""
    prepared = prepare("summary", year)
    data = prepared.data
    prepared.data = {**data, "draft": False}
    pdf, pages = render_pdf(prepared)
    prepared.data = data
    assert pdf.startswith(b"%PDF") and pages >= 2
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split()), prepared.data


def draft(year: BlocYear) -> bool:
    prepared = prepare("summary", year)
    marked = '<div class="watermark">DỰ THẢO</div>' in html_for(prepared)
    assert marked == prepared.data["draft"]
    return marked


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_summary_reads_as_a_decree_30_report(year):
    ContentSynthesis.objects.create(
        bloc_year=year,
        content=year.contents[0],
        text="Văn phòng Khối tổng hợp: 4/4 đơn vị quán triệt Chỉ thị 34-CT/TW.\n\nCác đơn vị đăng ký thi đua đầy đủ.",
    )
    text, data = pdf_text(year)
    # Header, title, signature and recipients.
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "KHỐI THI ĐUA KHOI-TK" in text
    assert "Số: /BC-KTK" in text
    assert "BÁO CÁO Tổng kết công tác thi đua năm 2017" in text
    assert "TM. KHỐI THI ĐUA TRƯỞNG KHỐI" in text and "Giám đốc 01" in text
    assert "Nơi nhận:" in text
    for recipient in ("Hội đồng Thi đua - Khen thưởng tỉnh;", "Ban Thi đua - Khen thưởng tỉnh;",
                      "Các đơn vị thành viên Khối;", "Lưu: VT."):
        assert recipient in text
    assert draft(year)  # not published yet
    # Opening: the legal bases, each a "Căn cứ" line, the last ending with a full stop; the covenant.
    assert "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in text
    assert "Căn cứ Kế hoạch tổ chức phong trào thi đua của Ủy ban nhân dân tỉnh." in text
    assert len(data["body"]["opening"]["legal_bases"]) == len(LEGAL_BASES)
    assert "4 đơn vị thành viên Khối đã ký kết Giao ước thi đua năm 2017 gồm 7 nội dung" in text
    assert "Sở thử nghiệm số 01 (khoi-tk) (đơn vị Trưởng khối)" in text
    # I. Every content with its synthesis: the saved one replaces the units' reports, the others are pre-filled
    # from each unit's latest accepted report (unit 2's annual report is not accepted: its Q3 report counts).
    part_1 = between(text, "I. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG GIAO ƯỚC", "II. CÔNG TÁC THÔNG TIN, BÁO CÁO")
    for order, title in enumerate(CONTENT_TITLES, start=1):
        assert f"{order}. {title}" in part_1
    content_1 = between(part_1, f"1. {CONTENT_TITLES[0]}", f"2. {CONTENT_TITLES[1]}")
    assert "Văn phòng Khối tổng hợp: 4/4 đơn vị quán triệt Chỉ thị 34-CT/TW. Các đơn vị đăng ký" in content_1
    assert "đã thực hiện nội dung 1" not in content_1
    content_2 = between(part_1, f"2. {CONTENT_TITLES[1]}", f"3. {CONTENT_TITLES[2]}")
    assert "- Sở thử nghiệm số 01 (khoi-tk): S01 đã thực hiện nội dung 2 trong kỳ nam." in content_2
    assert "- Sở thử nghiệm số 02 (khoi-tk): S02 đã thực hiện nội dung 2 trong kỳ q3." in content_2
    paragraphs = data["body"]["contents"][0]["paragraphs"]
    assert paragraphs == ["Văn phòng Khối tổng hợp: 4/4 đơn vị quán triệt Chỉ thị 34-CT/TW.",
                          "Các đơn vị đăng ký thi đua đầy đủ."]
    # II. The reporting record: one row a unit, a mark a period, the counts.
    part_2 = between(text, "II. CÔNG TÁC THÔNG TIN, BÁO CÁO", "III. KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG")
    assert "16 báo cáo phải nộp: đã nộp 15 báo cáo (đúng hạn 14, trễ hạn 1), không nộp 1" in part_2
    assert "Văn phòng Khối đã tiếp nhận 14 báo cáo" in part_2
    assert "Quý I" in part_2 and "Tổng kết năm" in part_2
    # (Rows are read from the data: a page break may fall inside the table and interleave its repeated header.)
    rows = [
        (r["unit"], [m["text"] + ("*" if m["star"] else "") for m in r["marks"]], r["on_time"], r["late"], r["missing"])
        for r in data["body"]["reporting"]["rows"]
    ]
    on_time = "Đúng hạn"
    assert rows == [
        ("S01", [on_time] * 4, 4, 0, 0),
        ("S02", [on_time] * 3 + ["Đúng hạn*"], 4, 0, 0),
        ("S03", ["Trễ hạn"] + [on_time] * 3, 3, 1, 0),
        ("S04", [on_time, on_time, "Không nộp", on_time], 3, 0, 1),
    ]
    assert "S03 Trễ hạn" in part_2 and "S04 Đúng hạn Đúng hạn Không nộp" in part_2 and "Đúng hạn*" in part_2
    assert "Cộng đúng hạn 3 4 3 4 14 Cộng trễ hạn 1 0 0 0 1 Cộng không nộp 0 0 1 0 1" in part_2
    assert "(*) Báo cáo đã nộp nhưng chưa được Văn phòng Khối tiếp nhận" in part_2
    assert "S01: Sở thử nghiệm số 01 (khoi-tk)" in part_2
    # III. The approved ranking in rank order, decimal commas, the tie broken by criterion 2.
    part_3 = between(text, "III. KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG", "IV. KẾT QUẢ BÌNH XÉT, SUY TÔN")
    assert "đã được phê duyệt" in part_3 and "tạm tính" not in part_3
    rows = re.findall(r"(\d) Sở thử nghiệm số (\d\d) \(khoi-tk\) ([\d,]+) ([\d,]+) ([\d,]+) ([\d,]+) ([\d,]+) ([\d,]+)",
                      part_3)
    assert [(r[0], r[1], r[-1]) for r in rows] == [("1", "01", "96"), ("2", "03", "90,5"), ("3", "02", "90,5"),
                                                   ("4", "04", "78")]
    assert rows[0][2:] == ("28,5", "46,5", "19", "2", "0", "96")
    assert rows[1][2:] == ("26,5", "46,5", "18,5", "0", "1", "90,5")
    assert "1) Điểm tiêu chí 2 cao hơn; 2) Ít báo cáo trễ hạn hơn" in part_3
    assert "S03 (hạng 2): Bằng tổng điểm với S02; phân định theo: Điểm tiêu chí 2 cao hơn." in part_3
    # IV. Votes per candidate with shares, the proposals, next year's head and deputy.
    part_4 = between(text, "IV. KẾT QUẢ BÌNH XÉT, SUY TÔN", "VI. PHƯƠNG HƯỚNG NĂM 2018")
    assert "ngày 19/01/2018 tại Hội trường Ban Quản lý Khu kinh tế tỉnh" in part_4
    flag = between(part_4, "a) Đề nghị tặng Cờ thi đua của UBND tỉnh", "b) Đề nghị tặng Bằng khen")
    assert "4/4 đơn vị đã bỏ phiếu; số phiếu hợp lệ: 4; số phiếu không hợp lệ: 0" in flag
    assert "1 Sở thử nghiệm số 01 (khoi-tk) 3 75 Trúng" in flag
    assert "2 Sở thử nghiệm số 03 (khoi-tk) 1 25 Không trúng" in flag
    assert "(2 đơn vị) không có phiếu" in flag
    certificate = between(part_4, "b) Đề nghị tặng Bằng khen", "c) Bầu Trưởng khối")
    assert "Sở thử nghiệm số 03 (khoi-tk) 4 100 Trúng" in certificate
    assert "Sở thử nghiệm số 02 (khoi-tk) 3 75 Trúng" in certificate
    proposals = between(part_4, "2. Đề nghị khen thưởng", "3. Trưởng khối, Phó trưởng khối năm 2018")
    assert [(p["unit"], p["award"]) for p in data["body"]["review"]["proposals"]] == [
        ("Sở thử nghiệm số 01 (khoi-tk)", "Cờ thi đua của UBND tỉnh"),
        ("Sở thử nghiệm số 03 (khoi-tk)", "Bằng khen của Chủ tịch UBND tỉnh"),
        ("Sở thử nghiệm số 02 (khoi-tk)", "Bằng khen của Chủ tịch UBND tỉnh"),
    ]
    assert proposals.index("Sở thử nghiệm số 01") < proposals.index("Sở thử nghiệm số 03") < proposals.index(
        "Sở thử nghiệm số 02"
    )
    assert "Dẫn đầu Khối thi đua năm 2017." in proposals  # the meeting's wording
    assert "Xếp hạng 2, được 4 phiếu." in proposals  # none written: the rank and the votes
    assert (
        "Hội nghị thống nhất bầu Sở thử nghiệm số 02 (khoi-tk) làm Trưởng khối, Sở thử nghiệm số 03 (khoi-tk) "
        "làm Phó trưởng khối năm 2018." in part_4
    )
    assert "VI. PHƯƠNG HƯỚNG NĂM 2018" in text
    assert "Trên đây là báo cáo tổng kết công tác thi đua năm 2017 của Khối thi đua khoi-tk./." in text


def test_a_blank_synthesis_falls_back_to_the_reports_and_publishing_lifts_the_draft_mark(year):
    ContentSynthesis.objects.create(bloc_year=year, content=year.contents[0], text="  \n ")
    with pytest.raises(ServiceError, match="chưa lưu phần tổng hợp") as refused:
        lifecycle.advance_phase(bloc_year=year, by=None)
    assert refused.value.field == "reason"
    year = lifecycle.advance_phase(bloc_year=year, by=None, reason="Họp gấp, tổng hợp sau")
    entry = AuditEntry.objects.filter(bloc_year=year, action="phase.advance").latest("id")
    assert entry.reason == "Họp gấp, tổng hợp sau" and any("tổng hợp" in w for w in entry.after["open_work"])
    assert year.is_published
    text, _data = pdf_text(year)
    assert not draft(year)
    assert "- Sở thử nghiệm số 04 (khoi-tk): S04 đã thực hiện nội dung 1 trong kỳ nam." in text


def test_a_year_still_reporting_says_what_has_not_happened_yet(db):
    year = make_bloc_year(units=3, year=2017, phase=BlocYear.Phase.REPORTING)
    text, data = pdf_text(year)
    assert "Tổng kết công tác thi đua năm 2017" in text
    assert "Năm thi đua chưa có kỳ báo cáo." in text
    assert "Các đơn vị chưa nộp bảng tự chấm điểm: chưa có kết quả chấm điểm, xếp hạng." in text
    assert "Khối chưa tổ chức bình xét, suy tôn năm 2017." in text
    assert all(c["empty"] for c in data["body"]["contents"])
    assert "Chưa có nội dung tổng hợp." in text
    assert draft(year)


def test_the_data_changes_with_the_synthesis_and_the_ranking_is_provisional_before_approval(db):
    year = make_bloc_year(units=3, year=2017, phase=BlocYear.Phase.SCORING)
    ScoringRound.objects.filter(bloc_year=year).update(approved_at=None)
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[0], by=None)
    ItemScore.objects.filter(sheet=sheet).update(self_score=Decimal("5.5"))
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())
    first = prepare("summary", year)
    ranking = first.data["body"]["ranking"]
    assert ranking["done"] and not ranking["approved"]
    assert ranking["status"] == "Kết quả tạm tính, chưa phê duyệt"
    assert ranking["rows"][0]["total"] == "49,5"  # 9 sub-items × 5,5
    assert [r["no_sheet"] for r in ranking["rows"]] == [False, True, True]
    ContentSynthesis.objects.create(bloc_year=year, content=year.contents[2], text="Đã thực hiện.")
    assert prepare("summary", year).digest != first.digest


class TestDemoSummary(TestCase):
    """The 2017 summary of the demo (python manage.py load_demo), loaded once; expectations read from the data,
    so that the demo's own figures may change."""

    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp(prefix="summary-media-"))
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

    def test_the_2017_summary_of_the_demo(self):
        from scoring.sheets.ranking import compute

        year = BlocYear.objects.select_related("bloc__province").get(bloc__code="khoi-tckt", year=2017)
        text, data = pdf_text(year)
        assert "UBND TỈNH KON TUM" in text and "KHỐI THI ĐUA CÁC CƠ QUAN" in text
        assert "BÁO CÁO Tổng kết công tác thi đua năm 2017" in text
        assert draft(year) == (not year.is_published)
        # Issued in January 2018: it cites the legal frame in force then (decree 91/2017), not the covenant's
        # bases of March 2017 (decrees 42/2010 and 65/2014).
        issued = IssuedDocument.objects.get(bloc_year=year, kind="summary").issued_on
        assert issued.year == 2018 and f"ngày {issued.day:02d} tháng {issued.month:02d} năm 2018" in text
        flat = re.sub(r"\s+", "", text)  # pdftotext may break a line inside "91/2017/NĐ-CP"
        for legal in LegalText.objects.all():
            assert (re.sub(r"\s+", "", legal.citation) in flat) == legal.in_force(issued), legal.number
        for content in year.covenant.contents.all():
            assert f"{content.order}. {content.title}" in text
        assert "Ban Quản lý Khu kinh tế tỉnh Kon Tum (đơn vị Trưởng khối)" in text
        for heading in ("II. CÔNG TÁC THÔNG TIN, BÁO CÁO", "III. KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG",
                        "IV. KẾT QUẢ BÌNH XÉT, SUY TÔN", "VI. PHƯƠNG HƯỚNG NĂM 2018"):
            assert heading in text
        ranking = compute(year)
        if any(u.sheet is not None for u in ranking.units.values()):
            first, unit = next(ranking.lines())
            assert f"1 {unit.membership.unit.name}" in text
            assert data["body"]["ranking"]["rows"][0]["total"] == vn_number(first.total)
        meeting = ReviewMeeting.objects.filter(bloc_year=year, elected_head__isnull=False).first()
        if meeting is not None:
            assert f"bầu {meeting.elected_head.name} làm Trưởng khối" in text
        for proposal in AwardProposal.objects.filter(bloc_year=year).select_related("unit"):
            assert proposal.unit.name in text
        assert "TM. KHỐI THI ĐUA TRƯỞNG KHỐI" in text and "Nơi nhận:" in text

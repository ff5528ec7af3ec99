"""The unit documents: a periodic progress report as submitted, and a unit's year-end score sheet."""

import datetime
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ServiceError
from core.models import BlocYear
from documents.registry import load_all
from documents.render import prepare, render_pdf
from reports import services as report_services
from reports.services import SectionData
from scoring.models import BonusItem, Deduction, ItemScore, ScoringRound, SubItem
from scoring.sheets import services as sheets
from scoring.sheets.services import ClaimReview, ClaimRow, Response, ReviewRow, SelfRow
from tests.personas import make_bloc_year

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2024
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def at(m, d, hh=10):
    return datetime.datetime(YEAR, m, d, hh, 0, tzinfo=VN)


def text_of(pdf: bytes, mode: str = "-layout") -> str:
    """The PDF's text: "-layout" as on the page (a table row on one line), "-raw" in the order it was written."""
    return subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def flat(pdf: bytes) -> str:
    """The text in the order written with every run of white space made one space: a sentence wrapped over
    lines, or inside a table cell, reads whole."""
    return " ".join(text_of(pdf, "-raw").split())


def render(kind, bloc_year, unit=None, period=None) -> tuple[str, str]:
    """(layout text, flat reading-order text) of the document."""
    pdf, pages = render_pdf(prepare(kind, bloc_year, unit, period))
    assert pages >= 1
    return text_of(pdf), flat(pdf)


def evidence(by, unit, officer, number, day, summary):
    upload = SimpleUploadedFile(f"{number.replace('/', '-')}.pdf", PDF, content_type="application/pdf")
    return report_services.add_evidence(
        bloc_year=by, unit=unit, upload=upload, summary=summary, number_symbol=number, issued_on=day, by=officer
    )


DONE = {
    1: "Ban hành kế hoạch thi đua năm, tổ chức phát động phong trào tại 100% phòng chuyên môn.",
    2: "Rút ngắn thời gian giải quyết thủ tục hành chính; 95% hồ sơ được tiếp nhận trực tuyến.",
}


def done_text(order: int) -> str:
    return DONE.get(order, f"Hoàn thành nội dung số {order} theo đúng tiến độ đăng ký.")


def write_report(period, unit, officer, when, *, evidence_ids=(), submit=True):
    report = report_services.start_report(period=period, unit=unit, by=officer, at=when)
    sections = {}
    for s in report.sections.select_related("content"):
        order = s.content.order
        sections[s.content_id] = SectionData(
            done=done_text(order),
            difficulties="Kinh phí còn hạn chế." if order == 1 else "",
            next_steps="Tiếp tục theo dõi, đôn đốc các phòng." if order == 1 else "",
            results=[("Số văn bản chỉ đạo được ban hành", "12", "15")] if order == 1 else [],
            evidence_ids=list(evidence_ids) if order == 2 else [],
        )
    report = report_services.save_report(
        report=report,
        sections=sections,
        general_proposals="Đề nghị Văn phòng khối tổ chức tập huấn chấm điểm thi đua.",
        expected_version=None,
        by=officer,
        at=when,
    )
    if submit:
        report = report_services.submit_report(report=report, expected_version=None, by=officer, at=when)
    return report


@pytest.fixture
def year(db, settings, tmp_path):
    """A bloc year in the scoring phase: unit 2 reported Q1 on time (with evidence) and the mid-year report late,
    did not report Q3 (waived) nor the annual report; unit 3 only drafted Q1."""
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, year=YEAR, phase=BlocYear.Phase.SCORING)
    report_services.create_default_periods(bloc_year=by, by=None, at=at(2, 1))
    unit, officer = by.units[1], by.officers[1]
    by.ev_plan = evidence(by, unit, officer, "12/KH-S02", datetime.date(YEAR, 1, 15), "Kế hoạch thi đua năm")
    by.ev_report = evidence(by, unit, officer, "45/BC-S02", datetime.date(YEAR, 3, 28), "Báo cáo cải cách hành chính")
    periods = {p.code: p for p in by.periods.all()}
    by.q1 = periods["q1"]
    by.q1_report = write_report(by.q1, unit, officer, at(4, 5), evidence_ids=[by.ev_report.pk])
    write_report(periods["6t"], unit, officer, at(7, 15))  # deadline 10/07: late
    by.draft_report = write_report(by.q1, by.units[2], by.officers[2], at(4, 6), submit=False)
    by.periods_by_code = periods
    return by


def test_progress_report_prints_as_the_unit_submitted_it(year):
    unit = year.units[1]
    text, one = render("progress", year, unit, year.q1)
    for line in MOTTO:
        assert line in text
    assert unit.name.upper() in one  # the unit is the issuing body
    assert year.bloc.parent_body.upper() in one
    assert "BÁO CÁO" in text
    assert f"Kết quả thực hiện Giao ước thi đua quý I năm {YEAR}" in one
    assert f"ngày 05 tháng 4 năm {YEAR}" in one  # dated on the submission day
    for content in year.contents:
        assert f"{content.order}. {content.title}" in one
        assert done_text(content.order) in one
    assert re.search(r"Số văn bản chỉ đạo được ban hành\s+12\s+15", text)
    assert "Kinh phí còn hạn chế." in one and "Tiếp tục theo dõi, đôn đốc các phòng." in one
    assert "45/BC-S02" in text and f"28/03/{YEAR}" in text and "Báo cáo cải cách hành chính" in one
    assert "12/KH-S02" not in text  # evidence not linked to the report
    assert "Đề nghị Văn phòng khối tổ chức tập huấn chấm điểm thi đua." in one
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text and unit.head_name in text
    assert "Nơi nhận:" in text
    assert f"Nộp lần đầu ngày 05/04/{YEAR}" in one
    assert "DỰ THẢO" not in one  # not a year-end document


def test_progress_report_shows_acceptance_and_a_fresh_digest(year):
    before = prepare("progress", year, year.units[1], year.q1)
    report_services.accept_report(report=year.q1_report, by=None, at=at(4, 9))
    after = prepare("progress", year, year.units[1], year.q1)
    assert after.digest != before.digest
    assert f"tiếp nhận ngày 09/04/{YEAR}" in flat(render_pdf(after)[0])


def test_a_draft_or_missing_report_cannot_be_printed(year):
    with pytest.raises(ServiceError, match="chỉ in được báo cáo đã nộp"):
        prepare("progress", year, year.units[2], year.q1)  # only a draft
    with pytest.raises(ServiceError):
        prepare("progress", year, year.units[0], year.q1)  # never started
    with pytest.raises(ServiceError):
        prepare("progress", year, year.units[1], None)


# Score sheet --------------------------------------------------------------------------------------


def score_unit(by, unit, officer, scores: dict[str, str], claims=()):
    """Self-score every sub-item (max points unless given by "c.s"), with evidence where it is required."""
    sheet = sheets.get_or_create_sheet(bloc_year=by, unit=unit, by=officer)
    ev = evidence(by, unit, officer, f"01/KH-{unit.short_name}", datetime.date(YEAR, 1, 10), "Kế hoạch năm")
    rows = {}
    for s in SubItem.objects.filter(criterion__scoreboard__bloc_year=by).select_related("criterion"):
        key = f"{s.criterion.order}.{s.order}"
        rows[s.pk] = SelfRow(
            score=scores.get(key, str(s.max_points)),
            explanation="Giải trình",
            evidence_ids=[ev.pk] if s.evidence_required else [],
        )
    bonus = {b.order: b for b in BonusItem.objects.filter(scoreboard__bloc_year=by)}
    sheet = sheets.save_self_score(
        sheet=sheet,
        rows=rows,
        claims={bonus[o].pk: ClaimRow(explanation="Có quyết định khen thưởng") for o in claims},
        expected_version=None,
        by=officer,
    )
    return sheets.submit_sheet(sheet=sheet, expected_version=None, by=officer)


def review(by, sheet, changes: dict[str, tuple[str, str]], claims: dict[int, tuple[str, str]] | None = None):
    rows = {}
    for item in sheet.items.select_related("sub_item__criterion"):
        key = f"{item.sub_item.criterion.order}.{item.sub_item.order}"
        score, reason = changes.get(key, (str(item.self_score), ""))
        rows[item.sub_item_id] = ReviewRow(score=score, reason=reason)
    bonus = {c.bonus_item.order: c.bonus_item_id for c in sheet.bonus_claims.select_related("bonus_item")}
    return sheets.save_review(
        sheet=sheet,
        rows=rows,
        claims={bonus[o]: ClaimReview(review=r, reason=why) for o, (r, why) in (claims or {}).items()},
        expected_version=None,
        by=None,
    )


def comma(value) -> str:
    """10.00 → "10", 7.50 → "7,5": written out here rather than with the code under test."""
    return str(int(value)) if value == int(value) else format(value, "f").rstrip("0").replace(".", ",")


def item(sheet, key: str) -> ItemScore:
    c, s = key.split(".")
    return sheet.items.get(sub_item__criterion__order=int(c), sub_item__order=int(s))


@pytest.fixture
def scored(year):
    """Unit 2 self-scores with halves, is reviewed down on two sub-items, contests one and has it settled."""
    by, unit = year, year.units[1]
    sheet = score_unit(by, unit, year.officers[1], {"1.1": "9.5", "2.3": "8.5", "3.2": "7.5"}, claims=(1, 2))
    sheets.assign_reviewers(bloc_year=by, mode=ScoringRound.Mode.SECRETARIAT, by=None)
    sheet = review(
        by,
        sheet,
        {
            "1.1": ("8", "Kế hoạch ban hành chậm so với quy định"),
            "3.2": ("6.5", "Chưa có minh chứng hoạt động công đoàn quý IV"),
        },
        claims={1: ("rejected", "Chưa có quyết định của Chính phủ"), 2: ("accepted", "")},
    )
    sheets.waive_deduction(
        sheet=sheet,
        kind=Deduction.Kind.WAIVE_MISSING,
        period=year.periods_by_code["q3"],
        reason="Đơn vị đang sáp nhập",
        by=None,
    )
    sheets.add_manual_deduction(sheet=sheet, points="0.5", reason="Vi phạm quy định về chế độ thông tin", by=None)
    year.sheet = sheet
    return by


def finish_scoring(by):
    """Every other unit scores the maximum, the review is released, unit 2's contest settled, results approved."""
    for unit, officer in zip(by.units, by.officers, strict=True):
        if unit.pk == by.units[1].pk:
            continue
        s = score_unit(by, unit, officer, {})
        review(by, s, {})
    sheets.release_review(bloc_year=by, by=None)
    sheet = by.sheet
    contested = item(sheet, "3.2")
    sheets.respond(
        sheet=sheet,
        responses={contested.sub_item_id: Response(contest="contested", comment="Đã gửi biên bản họp công đoàn")},
        by=by.officers[1],
    )
    sheets.settle(item=contested, decision="changed", score="7", reason="Biên bản bổ sung hợp lệ", by=None)
    sheets.approve(bloc_year=by, by=None, reason="Phê duyệt tại hội nghị (thử nghiệm).")


def release(by):
    for unit, officer in zip(by.units, by.officers, strict=True):
        if unit.pk != by.units[1].pk:
            review(by, score_unit(by, unit, officer, {}), {})
    sheets.release_review(bloc_year=by, by=None)


def test_score_sheet_prints_nothing_of_the_review_before_its_release(scored):
    """The sheet page hides the review from the unit until the release; the one printed sheet does too."""
    by, unit = scored, scored.units[1]
    text, one = render("scoresheet", by, unit)
    assert "9,5" in text  # the self-score is there
    for secret in ("Kế hoạch ban hành chậm so với quy định", "Chưa có minh chứng hoạt động công đoàn quý IV",
                   "Chưa có quyết định của Chính phủ", "Không chấp nhận", "Vi phạm quy định về chế độ thông tin"):
        assert secret not in one
    assert "kết quả thẩm định chưa công bố" in one
    assert not re.search(r"Cộng tiêu chí 1\s+30\s+29,5\s+28\b", text)
    release(by)
    text, one = render("scoresheet", by, unit)
    assert "Kế hoạch ban hành chậm so với quy định" in one
    assert re.search(r"Cộng tiêu chí 1\s+30\s+29,5\s+28\b", text)


def test_score_sheet_prints_self_and_reviewed_scores_with_reasons_and_totals(scored):
    by, unit = scored, scored.units[1]
    release(by)
    text, one = render("scoresheet", by, unit)
    for line in MOTTO:
        assert line in text
    assert by.bloc.name.upper() in one  # the bloc issues it (standard header)
    assert f"BẢNG ĐIỂM THI ĐUA NĂM {YEAR}" in text
    assert unit.name in one
    # Every sub-item on its own line: number, max, self score, reviewed score (decimal comma).
    expected = {}
    for s in SubItem.objects.filter(criterion__scoreboard__bloc_year=by).select_related("criterion"):
        expected[f"{s.criterion.order}.{s.order}"] = s
    own = {"1.1": ("9,5", "8"), "2.3": ("8,5", "8,5"), "3.2": ("7,5", "6,5")}
    for key, s in expected.items():
        mx = comma(s.max_points)
        self_score, reviewed = own.get(key, (mx, mx))
        assert re.search(
            rf"^\s*{re.escape(key)}\s+{re.escape(s.text)}\s+{re.escape(mx)}\s+{re.escape(self_score)}\s+"
            rf"{re.escape(reviewed)}\b",
            text,
            re.M,
        ), key
    assert "Kế hoạch ban hành chậm so với quy định" in one
    assert "Chưa có minh chứng hoạt động công đoàn quý IV" in one
    # Criterion subtotals: 9,5 + 10 + 10 = 29,5 self, 28 reviewed; criterion 3: 10 + 7,5 + 2,5 = 20 / 19.
    assert re.search(r"Cộng tiêu chí 1\s+30\s+29,5\s+28\b", text)
    assert re.search(r"Cộng tiêu chí 3\s+20\s+20\s+19\b", text)
    # Bonus: one rejected with its reason, one accepted.
    assert "Không chấp nhận" in one and "Chưa có quyết định của Chính phủ" in one
    assert "2 Chấp nhận" in one
    # Deductions: late mid-year report (automatic), annual report missing, Q3 missing but waived, manual 0,5.
    assert re.search(r"Báo cáo trễ hạn: Báo cáo sơ kết 6 tháng đầu năm\s+1\b", text)
    assert re.search(r"Không nộp báo cáo: Báo cáo tổng kết năm\s+2\b", text)
    assert "Được miễn trừ, không tính: Đơn vị đang sáp nhập" in one
    assert "Vi phạm quy định về chế độ thông tin" in one
    # Totals: reviewed criteria 28 + 48,5 + 19 = 95,5 (self 98); bonus 2 (the rejected 3 not counted);
    # deductions 1 + 2 + 0,5 = 3,5; total 95,5 + 2 − 3,5 = 94.
    assert re.search(r"Tổng điểm các tiêu chí \(tự chấm: 98\)\s+95,5", text)
    assert re.search(r"Điểm thưởng được cộng \(đề nghị 2, tối đa 10\)\s+2\b", text)
    assert re.search(r"^\s*Điểm trừ\s+3,5\s*$", text, re.M)
    assert re.search(r"TỔNG ĐIỂM\s+94\b", text)
    assert "chưa phê duyệt" in text
    # Evidence per sub-item, the signatures, and the draft watermark while the year is not published.
    assert re.search(r"1\.1\s+01/KH-S02\s+10/01/" + str(YEAR) + r"\s+Kế hoạch năm", text)
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text and unit.head_name in text
    assert "TM. KHỐI THI ĐUA" in text and "TRƯỞNG KHỐI" in text and by.units[0].head_name in text
    assert "Nơi nhận:" in text
    assert "DỰ THẢO" in one


def test_score_sheet_after_approval_shows_the_settlement_and_the_rank(scored):
    by, unit = scored, scored.units[1]
    finish_scoring(by)
    text, one = render("scoresheet", by, unit)
    assert re.search(r"^\s*3\.2\s+Công đoàn\s+7,5\s+7,5\s+7\b", text, re.M)
    assert "Đơn vị đề nghị xem lại: Đã gửi biên bản họp công đoàn" in one
    assert "Giải quyết: Điều chỉnh điểm: Biên bản bổ sung hợp lệ" in one
    assert re.search(r"TỔNG ĐIỂM\s+94,5\b", text)
    # The other units scored the maximum but reported nothing: 100 − 4 × 2 = 92 each.
    assert "Xếp thứ 1/3 đơn vị" in one
    assert "DỰ THẢO" in one  # approved, not yet published


def test_a_draft_score_sheet_cannot_be_printed(scored):
    by = scored
    sheets.get_or_create_sheet(bloc_year=by, unit=by.units[2], by=by.officers[2])
    with pytest.raises(ServiceError, match="chỉ in được bảng điểm đã nộp"):
        prepare("scoresheet", by, by.units[2])


def test_both_kinds_are_registered_as_unit_documents():
    kinds = load_all()
    progress, sheet = kinds["progress"], kinds["scoresheet"]
    assert (progress.short, progress.doc_type, progress.needs_unit, progress.needs_period) == ("BC", "BC", True, True)
    assert not progress.year_end and not progress.landscape
    assert (sheet.short, sheet.doc_type, sheet.needs_unit, sheet.year_end, sheet.landscape) == (
        "BD",
        "BC",
        True,
        True,
        False,
    )
    assert str(progress.label) and str(sheet.label)

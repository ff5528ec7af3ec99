"""The minutes of the review meeting (with the vote count) and the submission letter (with the achievement
reports): one PDF each holding two kinds of document, built from a review year made through the services."""

import datetime
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import lifecycle
from core.formatting import vn_number
from core.models import BlocYear
from covenant.models import LegalBasis
from documents.models import DocumentSetup
from documents.render import prepare, render_pdf
from reports import services as reports
from reports.models import ReportingPeriod
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, ScoringRound
from scoring.sheets import services as sheets
from scoring.sheets.ranking import compute
from tests.personas import LEFT_OPEN, make_bloc_year

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHAIR = "Ông Nguyễn Văn Chủ, Giám đốc Sở thử nghiệm số 01 - Trưởng khối"
SECRETARY = "Bà Trần Thị Thư, chuyên viên Văn phòng Sở thử nghiệm số 01"
COMMITTEE = "\n".join(
    [
        "Ông Lê Văn Kiểm, Sở thử nghiệm số 03",
        "Bà Phạm Thị Phiếu, Sở thử nghiệm số 04",
        "Ông Hoàng Văn Đếm, Sở thử nghiệm số 05",
    ]
)
DONE = "Hoàn thành 100% kế hoạch thu ngân sách được giao.\nTriển khai dịch vụ công trực tuyến mức độ 4."


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=VN)


def self_score(year, unit, officer, evidence, minus: Decimal) -> None:
    """The unit scores every sub-item at its maximum, less `minus` on the very first one, and submits."""
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=officer)
    items = list(sheet.items.select_related("sub_item").order_by("sub_item__criterion__order", "sub_item__order"))
    rows = {
        i.sub_item_id: sheets.SelfRow(
            score=i.sub_item.max_points - (minus if n == 0 else 0),
            explanation="Hoàn thành",
            evidence_ids=[evidence.pk] if i.sub_item.evidence_required else [],
        )
        for n, i in enumerate(items)
    }
    sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer)
    sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer)


def cast(ballot, units, officers, picks):
    """picks: one list of candidate units per voting unit (None: the unit does not vote)."""
    for unit, officer, chosen in zip(units, officers, picks, strict=True):
        if chosen is not None:
            ids = [ballot.candidates.get(unit=c).pk for c in chosen]
            voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=ids, by=officer)


def new_ballot(year, kind, mode, max_choices=1):
    ballot = voting.save_ballot(
        bloc_year=year,
        ballot=None,
        by=None,
        data={"kind": kind, "max_choices": max_choices, "candidates_from": "all", "mode": mode},
    )
    return voting.open_ballot(ballot=ballot, by=None)


def review_year() -> BlocYear:
    """A 12-unit bloc year 2017 in its review phase, built through the services:

    - unit 1 has an accepted annual report; units 1-3 submitted self-scores 100, 98,5 and 97 (less the
      deductions for the reports they did not send);
    - flag (online, 1 choice): 11 votes for unit 1, 1 for unit 2 → 91,7%;
    - certificates (paper, 2 choices): 12 issued, 12 received, 11 valid, 1 invalid; units 2: 9,
      3: 6, 4: 6 → units 3 and 4 tie for the second place;
    - head (online): all 12 for unit 3; deputy (paper): 12/11/11/0, unit 4: 7, unit 5: 4;
    - the meeting on 25/01/2018 with 11 of 12 units (unit 12 absent); flag to unit 1, certificates to
      units 2 and 3; unit 3 head and unit 4 deputy for 2018.
    """
    year = make_bloc_year(units=12, year=2017, phase=BlocYear.Phase.REPORTING)
    u, o = year.units, year.officers
    periods = reports.create_default_periods(bloc_year=year, by=None)
    annual = next(p for p in periods if p.kind == ReportingPeriod.Kind.ANNUAL)
    when = at(annual.opens_on + datetime.timedelta(days=2))
    report = reports.start_report(period=annual, unit=u[0], by=o[0], at=when)
    sections = {
        s.content_id: reports.SectionData(done=f"{DONE}\nNội dung {s.content.order}.")
        for s in report.sections.select_related("content")
    }
    first = year.contents[0].pk
    sections[first].results = [("Thu ngân sách (tỷ đồng)", "1.200", "1.350")]
    report = reports.save_report(
        report=report, sections=sections, general_proposals="", expected_version=None, by=o[0], at=when
    )
    report = reports.submit_report(report=report, expected_version=report.version, by=o[0], at=when)
    reports.accept_report(report=report, by=None, at=when)

    year = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    for i, minus in enumerate([Decimal(0), Decimal("1.5"), Decimal(3)]):
        evidence = reports.add_evidence(
            bloc_year=year, unit=u[i], upload=SimpleUploadedFile("qd.pdf", PDF), summary="Quyết định", by=o[i]
        )
        self_score(year, u[i], o[i], evidence, minus)
    now = datetime.datetime.now(tz=VN)
    ScoringRound.objects.update_or_create(bloc_year=year, defaults={"released_at": now, "approved_at": now})
    year = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)

    flag = new_ballot(year, Ballot.Kind.FLAG, Ballot.Mode.ONLINE)
    cast(flag, u, o, [[u[0]]] * 11 + [[u[1]]])
    voting.close_ballot(ballot=flag, by=None, board_key=flag.board_key)

    cert = new_ballot(year, Ballot.Kind.CERTIFICATE, Ballot.Mode.PAPER, max_choices=2)
    votes = {c.pk: 0 for c in cert.candidates.all()}
    for unit, n in ((u[1], 9), (u[2], 6), (u[3], 6)):
        votes[cert.candidates.get(unit=unit).pk] = n
    voting.enter_paper_count(ballot=cert, issued=12, received=12, valid=11, invalid=1, votes=votes, by=None)
    voting.close_ballot(ballot=cert, by=None)

    head = new_ballot(year, Ballot.Kind.HEAD, Ballot.Mode.ONLINE)
    cast(head, u, o, [[u[2]]] * 12)
    voting.close_ballot(ballot=head, by=None, board_key=head.board_key)

    deputy = new_ballot(year, Ballot.Kind.DEPUTY, Ballot.Mode.PAPER)
    votes = {c.pk: 0 for c in deputy.candidates.all()}
    votes[deputy.candidates.get(unit=u[3]).pk] = 7
    votes[deputy.candidates.get(unit=u[4]).pk] = 4
    voting.enter_paper_count(ballot=deputy, issued=12, received=11, valid=11, invalid=0, votes=votes, by=None)
    voting.close_ballot(ballot=deputy, by=None)

    voting.save_meeting(
        bloc_year=year,
        data={
            "held_on": datetime.date(2018, 1, 25),
            "place": "Hội trường Sở thử nghiệm số 01",
            "chair": CHAIR,
            "secretary": SECRETARY,
            "count_committee": COMMITTEE,
            "conclusions": "Hội nghị thông qua kết quả chấm điểm, xếp hạng.\nGiao Trưởng khối hoàn thiện hồ sơ.",
        },
        present_unit_ids=[x.pk for x in u[:11]],
        by=None,
    )
    voting.save_outcome(
        bloc_year=year,
        proposals=[
            voting.ProposalRow(u[0].pk, AwardProposal.Award.FLAG, 1, 11, "Dẫn đầu Khối"),
            voting.ProposalRow(u[1].pk, AwardProposal.Award.CERTIFICATE, 2, 9, ""),
            voting.ProposalRow(u[2].pk, AwardProposal.Award.CERTIFICATE, 3, 6, ""),
        ],
        elected_head_id=u[2].pk,
        elected_deputy_id=u[3].pk,
        by=None,
    )
    year = BlocYear.objects.select_related("bloc__province").get(pk=year.pk)
    year.units, year.officers = u, o
    return year


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return review_year()


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of every page in the order it was written (pdftotext -raw: table rows stay whole, header
    cells one after the other, the rotated DỰ THẢO mark first), whitespace collapsed."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def first_page_with(pages: list[str], needle: str) -> int:
    return next(i for i, page in enumerate(pages) if needle in page)


def test_minutes_print_the_meeting_and_the_vote_count_on_its_own_pages(year, tmp_path):
    prepared = prepare("minutes", year)
    pdf, count = render_pdf(prepared)
    pages = pdf_pages(pdf, tmp_path)
    text = " ".join(pages)
    u = year.units

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0] and "Độc lập - Tự do - Hạnh phúc" in pages[0]
    assert year.bloc.name.upper() in text
    assert "BIÊN BẢN" in pages[0]
    assert f"Hội nghị tổng kết công tác thi đua năm 2017 của {year.bloc.name}" in text
    assert "Số: /BB-" in " ".join(pages[0].split()).replace("\u2002", "")
    # The meeting: date, place, chair, secretary, attendance.
    assert "ngày 25/01/2018" in text and "Hội trường Sở thử nghiệm số 01" in text
    assert CHAIR in text and SECRETARY in text
    assert "Có mặt 11/12 đơn vị thành viên" in text
    assert "Vắng mặt 1 đơn vị: " + u[11].name in text
    assert "Bầu Trưởng khối, Phó trưởng khối năm 2018" in text
    assert f"Trưởng khối năm 2018: {u[2].name}" in text and f"Phó trưởng khối năm 2018: {u[3].name}" in text
    assert "Giao Trưởng khối hoàn thiện hồ sơ." in text
    # Two signatures side by side: the secretary and the chair, names only; then the recipients.
    signs = first_page_with(pages, "THƯ KÝ Trần Thị Thư CHỦ TRÌ Nguyễn Văn Chủ")
    assert "Nơi nhận:" in text

    # The vote count starts on a page of its own, after the meeting's minutes.
    count_page = first_page_with(pages, "BIÊN BẢN KIỂM PHIẾU")
    assert count_page > signs and pages[count_page].index("BIÊN BẢN KIỂM PHIẾU") < 400
    tally = " ".join(pages[count_page:])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[count_page]
    assert "1. Ông Lê Văn Kiểm, Sở thử nghiệm số 03 – Trưởng ban" in tally
    # Flag, online: issued = the 12 member units, received = valid = the 12 that voted.
    flag = tally[tally.index("Đề nghị tặng Cờ thi đua") : tally.index("Đề nghị tặng Bằng khen")]
    assert "Phát ra 12 phiếu, thu về 12, hợp lệ 12, không hợp lệ 0." in flag
    assert f"{u[0].name} 11 91,7% Được đề nghị" in flag
    assert f"{u[1].name} 1 8,3% Không đạt" in flag
    # Certificates, paper: the entered counts; the tie at the last seat is reported as a tie.
    cert = tally[tally.index("Đề nghị tặng Bằng khen") : tally.index("Bầu Trưởng khối")]
    assert "Phát ra 12 phiếu, thu về 12, hợp lệ 11, không hợp lệ 1." in cert
    assert f"{u[1].name} 9 81,8% Được đề nghị" in cert
    assert f"{u[2].name} 6 54,5% Bằng phiếu" in cert and f"{u[3].name} 6 54,5% Bằng phiếu" in cert
    assert "S03, S04 bằng 6 phiếu" in cert
    # Candidates without a vote are counted, not listed: the count stays compact.
    assert f"{u[4].name} 0 0%" not in cert and "không có phiếu" in cert
    head = tally[tally.index("Bầu Trưởng khối") : tally.index("Bầu Phó trưởng khối")]
    assert f"{u[2].name} 12 100% Trúng cử" in head
    deputy = tally[tally.index("Bầu Phó trưởng khối") :]
    assert "Phát ra 12 phiếu, thu về 11, hợp lệ 11, không hợp lệ 0." in deputy
    assert f"{u[3].name} 7 63,6% Trúng cử" in deputy
    # The committee signs on one row, the head of the count committee on the right, names only.
    signs = tally.split("báo cáo Hội nghị./.")[1]
    assert signs.count("THÀNH VIÊN") == 2 and "TRƯỞNG BAN KIỂM" in signs
    assert all(name in signs for name in ("Phạm Thị Phiếu", "Hoàng Văn Đếm", "Lê Văn Kiểm"))
    # Counts only: no unit is printed next to the word "bỏ phiếu cho" another.
    assert "bỏ phiếu cho" not in text
    # Draft until the year is published; the verification code in the margin.
    assert all(page.startswith("DỰ THẢO") for page in pages)
    assert prepared.code in text
    assert count == len(pages)


def test_minutes_without_a_meeting_leave_blanks_to_fill_in(db, tmp_path):
    bare = make_bloc_year(units=3, year=2017, phase=BlocYear.Phase.REVIEW)
    pdf, _pages = render_pdf(prepare("minutes", bare))
    pages = pdf_pages(pdf, tmp_path)
    text = " ".join(pages)
    assert "Có mặt 0/3 đơn vị thành viên" in text
    assert "Chưa có cuộc bỏ phiếu nào kết thúc." in text
    assert "BIÊN BẢN KIỂM PHIẾU" in pages[-1] or "BIÊN BẢN KIỂM PHIẾU" in pages[-2]


def test_submission_proposes_the_units_and_attaches_their_achievement_reports(year, tmp_path):
    LegalBasis.objects.filter(covenant__bloc_year=year, order=2).update(
        text="Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ"
    )
    DocumentSetup.objects.create(
        bloc_year=year,
        kind="submission",
        parent_body="UBND TỈNH THỬ NGHIỆM",
        issuing_body="KHỐI THI ĐUA THỬ NGHIỆM",
        number="3",
        symbol="TTr-KTN",
        place="Kon Tum",
        issued_on=datetime.date(2018, 2, 5),
        sign_form="TM",
        authority="KHỐI THI ĐUA",
        signer_title="TRƯỞNG KHỐI",
        signer_name="Nguyễn Văn Ký",
        recipients="Như trên\nLưu: VT",
    )
    prepared = prepare("submission", year)
    pdf, count = render_pdf(prepared)
    pages = pdf_pages(pdf, tmp_path)
    text = " ".join(pages)
    u = year.units

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0] and "Độc lập - Tự do - Hạnh phúc" in pages[0]
    assert "KHỐI THI ĐUA THỬ NGHIỆM" in pages[0] and "Số: 03/TTr-KTN" in pages[0]
    assert "Kon Tum, ngày 05 tháng 02 năm 2018" in pages[0]
    assert "TỜ TRÌNH" in pages[0]
    assert "Về việc đề nghị tặng Cờ thi đua của UBND tỉnh và Bằng khen của Chủ tịch UBND tỉnh năm 2017" in pages[0]
    province = year.bloc.province.name
    assert "Kính gửi: - Ủy ban nhân dân " in pages[0] and province[1:] in pages[0]
    assert "Hội đồng Thi đua - Khen thưởng tỉnh." in pages[0]
    # The year's legal bases come from the covenant, each read "Căn cứ …;".
    assert "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in text
    assert "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ;" in text
    assert f"Căn cứ Biên bản Hội nghị tổng kết công tác thi đua năm 2017 của {year.bloc.name} ngày 25/01/2018;" in text
    # The proposed units with their award, rank and votes.
    letter = text[: text.index("BÁO CÁO THÀNH TÍCH")]
    assert f"1 {u[0].name} Cờ thi đua của UBND tỉnh 1/12 11/12 phiếu (91,7%) Căn cứ đề nghị: Dẫn đầu Khối" in letter
    assert f"2 {u[1].name} Bằng khen của Chủ tịch UBND tỉnh 2/12 9/11 phiếu (81,8%)" in letter
    assert f"3 {u[2].name} Bằng khen của Chủ tịch UBND tỉnh 3/12 6/11 phiếu (54,5%)" in letter
    assert "Hồ sơ kèm theo gồm:" in letter and "Biên bản kiểm phiếu" in letter
    assert "Báo cáo thành tích của 03 tập thể" in letter
    assert "TM. KHỐI THI ĐUA" in letter and "TRƯỞNG KHỐI" in letter and "Nguyễn Văn Ký" in letter
    assert "Nơi nhận:" in letter and "- Như trên;" in letter

    # One achievement report per proposed unit, the flag first, each on a new page, issued by the unit.
    starts = [i for i, page in enumerate(pages) if "BÁO CÁO THÀNH TÍCH" in page]
    assert len(starts) == 3 and starts[0] > 0
    ranking = compute(year)
    totals = {row.entry.unit_id: row for row in ranking.rows}
    for start, unit, award in zip(
        starts,
        u[:3],
        ["Cờ thi đua của UBND tỉnh", "Bằng khen của Chủ tịch UBND tỉnh", "Bằng khen của Chủ tịch UBND tỉnh"],
        strict=True,
    ):
        page = pages[start]
        assert "UBND TỈNH THỬ NGHIỆM" not in page  # the unit's own header: the bloc's parent body above it
        assert "ỦY BAN NHÂN DÂN TỈNH" in page and unit.name.upper() in page
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        # Proposed on 05/02/2018: form 01 of decree 91/2017 (decree 98/2023 applies from 01/01/2024).
        assert f"BÁO CÁO THÀNH TÍCH ĐỀ NGHỊ TẶNG {award.upper()}" in page and "Năm 2017" in page
        assert "Mẫu số 01" in page and "Nghị định số 91/2017/NĐ-CP" in page and "98/2023" not in page
        assert "I. SƠ LƯỢC QUÁ TRÌNH HÌNH THÀNH VÀ PHÁT TRIỂN" in page
        assert "- Địa chỉ trụ sở:" in page and unit.phone in page and unit.email in page
        part = " ".join(pages[start : ([*starts, len(pages)])[starts.index(start) + 1]])
        assert "II. THÀNH TÍCH ĐẠT ĐƯỢC" in part and "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG" in part
        assert "Năm Hình thức khen thưởng Số, ngày, tháng, năm của quyết định khen thưởng" in part
        row = totals[unit.pk]
        assert f"xếp hạng {row.rank}/12" in part
        assert f"đạt {vn_number(row.total)} điểm" in part
        assert "THỦ TRƯỞNG CƠ QUAN CẤP TRÊN TRỰC TIẾP NHẬN XÉT, XÁC NHẬN" in part
        assert "THỦ TRƯỞNG ĐƠN VỊ (Ký, đóng dấu) " + unit.head_name in part
    # Unit 1's accepted annual report fills section II.1; the others leave it to fill in.
    flag_part = " ".join(pages[starts[0] : starts[1]])
    assert "a) Thực hiện nhiệm vụ chính trị được giao" in flag_part
    assert "Hoàn thành 100% kế hoạch thu ngân sách được giao." in flag_part
    assert "Thu ngân sách (tỷ đồng) 1.200 1.350" in flag_part
    assert "với 11/12 phiếu (91,7%)" in flag_part
    assert "Hoàn thành 100% kế hoạch" not in " ".join(pages[starts[1] :])
    assert all(page.startswith("DỰ THẢO") for page in pages)
    assert count == len(pages)


def test_published_year_prints_no_draft_mark(year, tmp_path):
    lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    year.refresh_from_db()
    for kind in ("minutes", "submission"):
        prepared = prepare(kind, year)
        assert prepared.data["draft"] is False
        text = " ".join(pdf_pages(render_pdf(prepared)[0], tmp_path))
        assert "DỰ THẢO" not in text
    # No date set yet: the office writes day and month in, the year is the meeting's (25/01/2018).
    assert "ngày tháng năm 2018" in text and "năm 2017 " not in text.split("TỜ TRÌNH")[0]


def test_kinds_are_registered_as_year_end_portrait_documents():
    from documents.registry import load_all

    kinds = load_all()
    minutes, submission = kinds["minutes"], kinds["submission"]
    assert (minutes.short, minutes.doc_type, submission.short, submission.doc_type) == ("BB", "BB", "TT", "TTr")
    assert minutes.year_end and submission.year_end and not minutes.landscape and not submission.landscape
    assert str(minutes.label) and str(submission.label)

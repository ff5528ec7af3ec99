"""Acceptance: year-end scoring through the real pages, in Chromium.

Unit 2 (the deputy) scores itself in the browser, every sub-item at its maximum with a PDF wherever
evidence is required, and submits; units 1 and 3 submit lower sheets through the services, so unit 2
leads the provisional ranking. The secretariat assigns the reviewers (secretariat mode), reviews
unit 2's sheet in the browser and cuts one sub-item hard, with a reason; the head unit's sheet is
reviewed by the deputy and unit 3's by the secretariat through the services. The secretariat
releases the review; the officer of unit 2 sees the reviewed score and the reason on its sheet;
the ranking now puts unit 2 below the head unit.

The data is built with tests/personas.py (through the project's services) in this year's bloc year.
Run with the test environment of `make test`, e.g. `make test ARGS=tests/test_browser_scoring.py WORKERS=0`.
Screenshots go to /tmp/shots/scoring-*.png (or $SHOTS_DIR).
"""

import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there without this.
# conftest.py sets it too; repeated here so the file also works on its own.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import number_format
from playwright.sync_api import Locator, Page, expect

from core.models import AuditEntry, BlocYear, Profile
from reports.models import Evidence
from reports.services import add_evidence
from scoring.models import ItemScore, ScoreSheet, ScoringRound
from scoring.sheets import services as sheets
from scoring.sheets.ranking import compute
from tests.personas import PASSWORD, make_bloc_year, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A Vietnamese official's browser: without it Chromium asks for English (Accept-Language: en-US).
    pytest.mark.browser_context_args(locale="vi-VN"),
]

TIMEOUT_MS = 15_000
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Sub-item 2.1 "Hoàn thành chỉ tiêu" (20 points): unit 2 claims 20, the secretariat gives 8.
CUT_SCORE = Decimal("8")
CUT_REASON = "Chỉ đạt 6/10 chỉ tiêu giao; minh chứng không có số liệu cả năm."
# Totals: unit 1 scores 95, unit 2 100 (88 after the review), unit 3 85.
HEAD_LESS, THIRD_LESS = Decimal("5"), Decimal("15")


@pytest.fixture(autouse=True)
def patient_expect():
    """Give assertions on the page the same patience as actions (a busy CI machine); reset afterwards."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def year(settings, tmp_path):
    """This year's bloc year in its scoring phase (3 units, no reporting periods: no deductions)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, year=timezone.localdate().year, phase=BlocYear.Phase.SCORING)
    by.secretariat = make_user(
        "van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=by.units[0], first_name="Văn phòng", last_name="khối"
    )
    return by


@pytest.fixture
def pdf_files(tmp_path) -> list[Path]:
    """Three small valid PDFs (the evidence-required sub-items are 1.1, 2.1 and 3.1)."""
    paths = []
    for n in (1, 2, 3):
        path = tmp_path / f"minh-chung-tieu-chi-{n}.pdf"
        path.write_bytes(PDF)
        paths.append(path)
    return paths


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"scoring-{name}.png"), full_page=True)


def vn(value: Decimal) -> str:
    """A score as a Vietnamese user types it and the pages show it: 7,5 · 20."""
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(value, use_l10n=True)


def log_in(page: Page, live_server, user, bloc_year: BlocYear) -> None:
    """Log in and land on the year's dashboard (the only bloc year the user sees)."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/blocs/{bloc_year.bloc.code}/{bloc_year.year}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def log_out(page: Page) -> None:
    page.locator("nav.navbar .dropdown-toggle").click()
    page.locator("nav.navbar .dropdown-menu").get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator('input[name="username"]')).to_be_visible()


def sidebar(page: Page, name: str) -> None:
    page.locator("nav.sidebar").get_by_role("link", name=name, exact=True).click()


def items_of(sheet: ScoreSheet) -> list[ItemScore]:
    return list(
        sheet.items.select_related("sub_item__criterion").order_by("sub_item__criterion__order", "sub_item__order")
    )


def item_row(page: Page, item: ItemScore) -> Locator:
    """The table row of a sub-item on a sheet page: "2.1" in its first cell."""
    label = f"{item.sub_item.criterion.order}.{item.sub_item.order}"
    return page.locator(f"#criterion-{item.sub_item.criterion.order} tbody tr").filter(
        has=page.get_by_role("cell", name=label, exact=True)
    )


def ranking_rows(page: Page) -> Locator:
    return page.locator("#ranking-table tbody tr")


def self_score_by_service(year: BlocYear, index: int, less: Decimal) -> ScoreSheet:
    """Unit `index` scores every sub-item at its maximum, `less` off 2.2 "Chất lượng công việc", and submits."""
    unit, officer = year.units[index], year.officers[index]
    evidence = add_evidence(
        bloc_year=year, unit=unit, upload=SimpleUploadedFile("ke-hoach.pdf", PDF), summary="Kế hoạch năm", by=officer
    )
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=officer)
    rows = {}
    for item in items_of(sheet):
        sub = item.sub_item
        cut = less if (sub.criterion.order, sub.order) == (2, 2) else Decimal(0)
        rows[sub.pk] = sheets.SelfRow(
            score=sub.max_points - cut,
            explanation="Hoàn thành kế hoạch năm.",
            evidence_ids=[evidence.pk] if sub.evidence_required else [],
        )
    sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer)
    return sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer)


def accept_self_scores(sheet: ScoreSheet, by) -> ScoreSheet:
    """The reviewer keeps every self-score: the sheet counts as reviewed."""
    sheet = ScoreSheet.objects.get(pk=sheet.pk)
    rows = {i.sub_item_id: sheets.ReviewRow(score=i.self_score) for i in sheet.items.all()}
    return sheets.save_review(sheet=sheet, rows=rows, expected_version=sheet.version, by=by)


def test_year_end_scoring_review_changes_the_ranking(page: Page, live_server, year, pdf_files):
    officer, secretariat = year.officers[1], year.secretariat
    head_unit, unit, third_unit = year.units
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    confirmations = []

    def confirm(dialog):  # "Nộp bảng tự chấm? ..." before the submission
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)

    # --- Unit 2's officer scores every sub-item at its maximum and submits ------------------------------
    log_in(page, live_server, officer, year)
    sidebar(page, "Chấm điểm")
    expect(page).to_have_url(f"{base}/scores/")
    page.get_by_role("button", name="Bắt đầu tự chấm điểm").click()
    sheet = ScoreSheet.objects.get(bloc_year=year, unit=unit)
    expect(page).to_have_url(f"{base}/scores/sheets/{sheet.pk}/edit/")
    items = items_of(sheet)
    assert len(items) == 9
    evidence_items = [i for i in items if i.sub_item.evidence_required]
    assert len(evidence_items) == len(pdf_files) == 3

    uploads = iter(pdf_files)
    for item in items:
        p = f"i{item.sub_item_id}"
        page.locator(f'input[name="{p}-score"]').fill(vn(item.sub_item.max_points))
        page.locator(f'textarea[name="{p}-explanation"]').fill(f"Đạt tối đa mục {item.sub_item.text.lower()}.")
        if item.sub_item.evidence_required:
            row = item_row(page, item)
            row.locator("summary").filter(has_text="Tải lên minh chứng mới").click()
            page.locator(f'input[name="{p}-upload"]').set_input_files(next(uploads))
            page.locator(f'input[name="{p}-upload_summary"]').fill(
                f"Báo cáo kết quả tiêu chí {item.sub_item.criterion.order}"
            )
    shot(page, "1-self-score")
    page.get_by_role("button", name="Lưu và nộp", exact=True).click()
    expect(page).to_have_url(f"{base}/scores/sheets/{sheet.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã nộp bảng tự chấm.")
    expect(page.locator("main .card-body").first).to_contain_text("Đã nộp tự chấm")
    # The officer's own evidence is listed on the submitted sheet, one file per evidence-required sub-item.
    for item in evidence_items:
        expect(item_row(page, item).get_by_role("link", name=re.compile("Báo cáo kết quả tiêu chí"))).to_have_count(1)
    assert len(confirmations) == 1 and confirmations[0].startswith("Nộp bảng tự chấm?")

    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED and sheet.submitted_at is not None
    assert all(i.self_score == i.sub_item.max_points for i in items_of(sheet))
    assert Evidence.objects.filter(bloc_year=year, unit=unit).count() == 3
    log_out(page)

    # The two other units submit lower sheets: unit 2 leads the provisional ranking.
    head_sheet = self_score_by_service(year, 0, HEAD_LESS)
    third_sheet = self_score_by_service(year, 2, THIRD_LESS)

    # --- The secretariat sees the provisional ranking, assigns reviewers and cuts one of unit 2's scores --
    log_in(page, live_server, secretariat, year)
    sidebar(page, "Xếp hạng")
    expect(page).to_have_url(f"{base}/scores/ranking/")
    expect(page.locator(".alert-warning")).to_contain_text("TẠM TÍNH")
    rows = ranking_rows(page)
    expect(rows).to_have_count(3)
    for n, (u, total) in enumerate([(unit, "100"), (head_unit, "95"), (third_unit, "85")]):
        expect(rows.nth(n)).to_contain_text(u.name)
        expect(rows.nth(n).locator("td").first).to_have_text(str(n + 1))
        expect(rows.nth(n).locator("td.fw-semibold").last).to_have_text(total)

    sidebar(page, "Chấm điểm")
    expect(page).to_have_url(f"{base}/scores/")
    assign = page.locator(".card").filter(has=page.locator(".card-header", has_text="Phân công thẩm định"))
    assign.get_by_label(re.compile("^Văn phòng khối thẩm định")).check()
    assign.get_by_role("button", name="Phân công", exact=True).click()
    expect(page).to_have_url(f"{base}/scores/")
    expect(page.locator(".alert-success")).to_contain_text("Đã phân công thẩm định.")
    sheets_table = page.locator(".card").filter(has=page.locator(".card-header", has_text="Các bảng điểm")).last
    head_row = sheets_table.locator("tbody tr").filter(has_text=head_unit.name)
    expect(head_row.locator("td").nth(2)).to_have_text(unit.short_name)  # the deputy reviews the head unit
    expect(head_row.get_by_role("link", name="Thẩm định")).to_have_count(0)
    unit_row = sheets_table.locator("tbody tr").filter(has_text=unit.name)
    expect(unit_row.locator("td").nth(2)).to_have_text("Văn phòng khối")
    unit_row.get_by_role("link", name="Thẩm định").click()
    expect(page).to_have_url(f"{base}/scores/sheets/{sheet.pk}/review/")

    cut = next(i for i in items if (i.sub_item.criterion.order, i.sub_item.order) == (2, 1))
    score_input = page.locator(f'input[name="i{cut.sub_item_id}-score"]')
    expect(score_input).to_have_value("20")  # pre-filled with the self-score
    score_input.fill(vn(CUT_SCORE))
    page.locator(f'textarea[name="i{cut.sub_item_id}-reason"]').fill(CUT_REASON)
    shot(page, "2-review")
    page.get_by_role("button", name="Lưu kết quả thẩm định").click()
    expect(page).to_have_url(f"{base}/scores/sheets/{sheet.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu kết quả thẩm định.")
    expect(page.locator("main .card-body").first).to_contain_text("Đã thẩm định")

    # The deputy reviews the head unit's sheet, the secretariat unit 3's: both keep the self-scores.
    accept_self_scores(head_sheet, officer)
    accept_self_scores(third_sheet, secretariat)

    sidebar(page, "Chấm điểm")
    page.get_by_role("button", name="Công bố kết quả thẩm định").click()
    expect(page).to_have_url(f"{base}/scores/")
    expect(page.locator(".alert-success")).to_contain_text("Đã công bố kết quả thẩm định")
    expect(page.get_by_role("button", name="Phê duyệt kết quả")).to_be_visible()
    log_out(page)

    # --- The officer sees the reviewed score and the reason on the unit's sheet --------------------------
    log_in(page, live_server, officer, year)
    expect(page.locator("nav.sidebar").get_by_role("link", name="Xếp hạng")).to_have_count(0)  # not approved yet
    sidebar(page, "Chấm điểm")
    own = page.locator(".card").filter(has=page.locator(".card-header", has_text=f"Bảng tự chấm của {unit.short_name}"))
    expect(own).to_contain_text("Đã thẩm định")
    own.get_by_role("link", name="Xem bảng điểm").click()
    expect(page).to_have_url(f"{base}/scores/sheets/{sheet.pk}/")
    row = item_row(page, cut)
    cells = row.locator("td")
    expect(cells.nth(3)).to_have_text("20")  # self-score
    expect(cells.nth(4)).to_have_text(vn(CUT_SCORE))  # reviewed score, marked as different
    expect(cells.nth(4)).to_have_attribute("title", "Khác điểm tự chấm")
    expect(cells.nth(5)).to_contain_text("Lý do điều chỉnh")
    expect(cells.nth(5)).to_contain_text(CUT_REASON)
    expect(page.locator("main .card-body").first.locator(".fs-5")).to_have_text("88")  # the total (provisional)
    expect(page.get_by_role("link", name="Phản hồi kết quả thẩm định")).to_be_visible()
    shot(page, "3-officer-sheet")
    log_out(page)

    # --- The secretariat's ranking: unit 2 has dropped below the head unit ------------------------------
    log_in(page, live_server, secretariat, year)
    sidebar(page, "Xếp hạng")
    expect(page).to_have_url(f"{base}/scores/ranking/")
    rows = ranking_rows(page)
    expect(rows).to_have_count(3)
    for n, (u, total) in enumerate([(head_unit, "95"), (unit, "88"), (third_unit, "85")]):
        expect(rows.nth(n)).to_contain_text(u.name)
        expect(rows.nth(n).locator("td").first).to_have_text(str(n + 1))
        expect(rows.nth(n).locator("td.fw-semibold").last).to_have_text(total)
    shot(page, "4-ranking")

    # --- What was stored ---------------------------------------------------------------------------------
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.REVIEWED and sheet.reviewer_unit_id is None
    cut.refresh_from_db()
    assert (cut.self_score, cut.reviewed_score, cut.review_reason) == (Decimal(20), CUT_SCORE, CUT_REASON)
    others = [i for i in items_of(sheet) if i.pk != cut.pk]
    assert all(i.reviewed_score == i.self_score and i.review_reason == "" for i in others)
    head_sheet.refresh_from_db()
    assert head_sheet.reviewer_unit_id == unit.pk and head_sheet.status == ScoreSheet.Status.REVIEWED
    third_sheet.refresh_from_db()
    assert third_sheet.reviewer_unit_id is None and third_sheet.status == ScoreSheet.Status.REVIEWED
    r = ScoringRound.objects.get(bloc_year=year)
    assert r.mode == ScoringRound.Mode.SECRETARIAT
    assert r.assigned_at is not None and r.released_at is not None and r.approved_at is None
    ranking = compute(year)
    assert [(row.entry.unit_id, row.rank, row.total) for row in ranking.rows] == [
        (head_unit.pk, 1, Decimal(95)),
        (unit.pk, 2, Decimal(88)),
        (third_unit.pk, 3, Decimal(85)),
    ]
    review = AuditEntry.objects.get(action="sheet.review", target_id=str(sheet.pk), actor=secretariat)
    assert review.reason == f"2.1.reason: {CUT_REASON}"
    assert review.after["2.1.reviewed"] == "8"
    assert AuditEntry.objects.filter(action="review.assign", actor=secretariat).count() == 1
    assert AuditEntry.objects.filter(action="review.release", actor=secretariat).count() == 1
    assert AuditEntry.objects.filter(action="sheet.submit", target_id=str(sheet.pk), actor=officer).count() == 1

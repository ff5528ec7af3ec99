"""Acceptance: the review meeting through the real pages, in Chromium.

A year in its review phase (scoring approved), four units. The secretariat creates the four default
ballots and opens the flag ballot; three unit officers vote online, each once (a second visit shows
the unit has voted and cannot vote again); the secretariat closes the ballot and reads the tally,
records the proposals and next year's head and deputy, and publishes the year from the dashboard.
Once published, the outcome can no longer be changed.

The data is built with tests/personas.py (through the project's services). Run with the test
environment of `make test`, e.g. `make test ARGS=tests/test_browser_voting.py WORKERS=0`.
Screenshots go to /tmp/shots/voting-*.png (or $SHOTS_DIR).
"""

import base64
import os
import re
import tempfile
from pathlib import Path

import nacl.public
import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there without this.
# conftest.py sets it too; repeated here so the file also works on its own.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from core import lifecycle
from core.models import AuditEntry, BlocYear, Profile
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, Choice, ReviewMeeting, ScoringRound, SealedVote, VoterRecord
from tests.personas import LEFT_OPEN, PASSWORD, make_bloc_year, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A Vietnamese official's browser: without it Chromium asks for English (Accept-Language: en-US).
    pytest.mark.browser_context_args(locale="vi-VN"),
]

TIMEOUT_MS = 15_000
SHOTS = Path(os.environ.get("SHOTS_DIR") or Path(tempfile.gettempdir()) / "shots")


@pytest.fixture(autouse=True)
def patient_expect():
    """Give assertions on the page the same patience as actions (a busy CI machine); reset afterwards."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def year():
    """This year's bloc year in its review phase: four units, the scoring approved (no sheets)."""
    scoring = make_bloc_year(units=4, year=timezone.localdate().year, phase=BlocYear.Phase.SCORING)
    now = timezone.now()
    ScoringRound.objects.create(bloc_year=scoring, released_at=now, approved_at=now)
    by = lifecycle.advance_phase(bloc_year=scoring, by=None, reason=LEFT_OPEN)
    by = BlocYear.objects.select_related("bloc").get(pk=by.pk)
    by.units, by.officers = scoring.units, scoring.officers
    by.secretariat = make_user(
        "van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=by.units[0], first_name="Văn phòng", last_name="khối"
    )
    return by


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"voting-{name}.png"), full_page=True)


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


def ballot_card(page: Page, ballot: Ballot) -> Locator:
    return page.locator(f"#ballot-{ballot.pk}")


def open_review(page: Page, base: str) -> None:
    sidebar(page, "Bình xét, bỏ phiếu")
    expect(page).to_have_url(f"{base}/review/")


def test_review_meeting_votes_online_and_publishes_the_year(page: Page, live_server, year):
    secretariat = year.secretariat
    units = year.units
    base = f"{live_server.url}/blocs/{year.bloc.code}/{year.year}"
    confirmations = []

    def confirm(dialog):  # "Gửi phiếu? ..." before every ballot
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)

    # --- The secretariat creates the default ballots and opens the flag ballot --------------------------
    log_in(page, live_server, secretariat, year)
    open_review(page, base)
    page.get_by_role("button", name=re.compile(r"^Tạo bốn cuộc bỏ phiếu")).click()
    expect(page).to_have_url(f"{base}/review/")
    expect(page.locator(".alert-success")).to_contain_text("Đã tạo bốn cuộc bỏ phiếu mặc định")
    expect(page.locator("[id^=ballot-]")).to_have_count(4)
    flag = Ballot.objects.get(bloc_year=year, kind=Ballot.Kind.FLAG)
    card = ballot_card(page, flag)
    expect(card.locator(".card-header")).to_contain_text("Đề nghị tặng Cờ thi đua của UBND tỉnh")
    expect(card.locator(".card-header")).to_contain_text("Chuẩn bị")
    card.get_by_role("button", name="Mở bỏ phiếu").click()
    # The answer hands the counting board its private key, once: the server keeps only the public half.
    expect(page).to_have_url(f"{base}/review/ballots/{flag.pk}/open/")
    expect(page.locator(".alert-success")).to_contain_text("Đã mở bỏ phiếu")
    expect(page.locator("main")).to_contain_text("Khóa chỉ hiện một lần: máy chủ không lưu nó.")
    board_key = page.locator("#board-key").input_value()
    flag.refresh_from_db()
    assert bytes(nacl.public.PrivateKey(base64.b64decode(board_key)).public_key) == bytes(flag.board_public_key)
    expect(page.locator("#board-key-fingerprint")).to_have_text(voting.key_fingerprint(flag.board_public_key))
    with page.expect_download() as download_info:
        page.locator("#board-key-download").click()
    key_file = download_info.value
    assert key_file.suggested_filename == f"khoa-kiem-phieu-{year.bloc.code}-{year.year}-flag.txt"
    key_path = Path(key_file.path())
    assert f"KEY: {board_key}" in key_path.read_text(encoding="utf-8")
    shot(page, "0-board-key")
    page.get_by_role("link", name="Ban kiểm phiếu đã nhận khóa").click()
    expect(page).to_have_url(f"{base}/review/")
    expect(card.locator(".card-header")).to_contain_text("Đang bỏ phiếu")
    expect(card).to_contain_text("Đã có 0/4 đơn vị bỏ phiếu.")
    log_out(page)

    # --- Three unit officers vote online: two for unit 2, one for unit 3 --------------------------------
    votes = [(year.officers[1], units[1]), (year.officers[2], units[1]), (year.officers[3], units[2])]
    for n, (officer, choice) in enumerate(votes, start=1):
        log_in(page, live_server, officer, year)
        open_review(page, base)
        card = ballot_card(page, flag)
        card.get_by_role("link", name="Bỏ phiếu", exact=True).click()
        vote_url = f"{base}/review/ballots/{flag.pk}/vote/"
        expect(page).to_have_url(vote_url)
        # Every member is a candidate; one to choose: radio buttons, each row a tap target.
        expect(page.locator("main .vote-choices input[type=radio]")).to_have_count(4)
        page.get_by_label(choice.name, exact=True).check()
        if n == 1:
            shot(page, "1-vote")
        page.get_by_role("button", name="Gửi phiếu").click()
        expect(page).to_have_url(f"{base}/review/")
        expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận phiếu của đơn vị.")
        expect(card.locator(".card-header")).to_contain_text("Đơn vị đã bỏ phiếu")
        expect(card.get_by_role("link", name="Bỏ phiếu", exact=True)).to_have_count(0)
        expect(card).to_contain_text(f"Đã có {n}/4 đơn vị bỏ phiếu.")
        expect(card).to_contain_text("Kết quả được công bố sau khi kết thúc bỏ phiếu.")
        # A second visit: the unit has voted and cannot vote again.
        page.goto(vote_url)
        expect(page.locator(".alert-info")).to_contain_text("Đơn vị của bạn đã bỏ phiếu cho nội dung này.")
        expect(page.get_by_role("button", name="Gửi phiếu")).to_be_disabled()
        log_out(page)
    assert len(confirmations) == 3
    assert all(m.startswith("Gửi phiếu?") for m in confirmations)
    # While the ballot is open nothing readable is stored: who voted, but no choice.
    assert VoterRecord.objects.filter(ballot=flag).count() == 3
    assert not Choice.objects.filter(ballot=flag).exists()

    # --- The secretariat closes the ballot and reads the tally ------------------------------------------
    log_in(page, live_server, secretariat, year)
    open_review(page, base)
    card = ballot_card(page, flag)
    expect(card).to_contain_text("Đã có 3/4 đơn vị bỏ phiếu.")
    card.get_by_role("link", name="Kết thúc bỏ phiếu").click()
    # Closing asks first and says what closing now means for the quorum.
    expect(page).to_have_url(f"{base}/review/ballots/{flag.pk}/close/")
    expect(page.locator("#close-count")).to_have_text("Đã có 3/4 đơn vị bỏ phiếu; cần tối thiểu 3 để đủ tỷ lệ.")
    expect(page.locator("#close-consequence")).to_contain_text("Đã đủ tỷ lệ.")
    page.locator("main form").get_by_role("button", name="Kết thúc bỏ phiếu").click()
    expect(page.locator(".is-invalid")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Hãy đánh dấu xác nhận trước khi kết thúc bỏ phiếu.")
    page.get_by_label("Tôi xác nhận kết thúc bỏ phiếu").check()
    page.locator("main form").get_by_role("button", name="Kết thúc bỏ phiếu").click()
    expect(page).to_have_url(f"{base}/review/")
    expect(page.locator(".alert-success")).to_contain_text("Ban kiểm phiếu nhập khóa để kiểm phiếu.")
    expect(card.locator(".card-header")).to_contain_text("Đã kết thúc")
    expect(card).to_contain_text("kết quả có sau khi ban kiểm phiếu nhập khóa kiểm phiếu")
    # The board gives its key back in the browser, here as the file it downloaded; a wrong key is refused.
    card.get_by_role("link", name="Kiểm phiếu").click()
    expect(page).to_have_url(f"{base}/review/ballots/{flag.pk}/count/")
    page.get_by_label("Khóa kiểm phiếu").fill(base64.b64encode(bytes(nacl.public.PrivateKey.generate())).decode())
    page.locator("main form").get_by_role("button", name="Kiểm phiếu").click()
    expect(page.locator("main")).to_contain_text("Khóa này không phải khóa kiểm phiếu của cuộc bỏ phiếu này.")
    page.get_by_label("Khóa kiểm phiếu").fill("")
    page.get_by_label("hoặc tệp khóa").set_input_files(str(key_path))
    page.locator("main form").get_by_role("button", name="Kiểm phiếu").click()
    expect(page).to_have_url(f"{base}/review/")
    expect(page.locator(".alert-success")).to_contain_text("Đã kiểm phiếu")
    expect(card).to_contain_text("Phiếu thu về 3 (3 hợp lệ, 0 không hợp lệ) trên 4 đơn vị; cần tối thiểu 3.")
    expect(card).to_contain_text("Đủ tỷ lệ")
    tally = card.locator("table tbody tr")
    expect(tally).to_have_count(2)  # units with at least one vote; the others are listed below
    expect(tally.nth(0).locator("td")).to_have_text([units[1].name, "2", "67%", "Trúng"])
    expect(tally.nth(1).locator("td")).to_have_text([units[2].name, "1", "33%", "Không đạt"])
    expect(card).to_contain_text(f"Không có phiếu: {units[0].short_name}, {units[3].short_name}")
    shot(page, "2-tally")

    # --- The outcome: the flag to the winner, a certificate, next year's head and deputy ----------------
    page.get_by_role("link", name="Đề nghị khen thưởng, bầu Trưởng khối").click()
    expect(page).to_have_url(f"{base}/review/outcome/")
    page.get_by_label("Đề nghị Cờ thi đua của UBND tỉnh").select_option(label=f"2. {units[1].name}")
    page.get_by_label(f"3. {units[2].name}", exact=True).check()  # Bằng khen
    # No certificate ballot was held: the proposal needs the meeting's reason (printed in the minutes).
    page.get_by_label("Lý do đề nghị Bằng khen ngoài kết quả bỏ phiếu").fill("Hội nghị biểu quyết giơ tay")
    page.get_by_label("Trưởng khối năm sau", exact=True).select_option(label=f"2. {units[1].name}")
    page.get_by_label("Phó trưởng khối năm sau", exact=True).select_option(label=f"3. {units[2].name}")
    page.locator("main form").get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(f"{base}/review/")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu đề nghị khen thưởng")
    outcome = page.locator(".card").filter(
        has=page.locator(".card-header", has_text="Đề nghị khen thưởng và Trưởng, Phó trưởng khối năm sau")
    )
    proposals = outcome.locator("li")
    expect(proposals).to_have_count(2)
    flag_line = proposals.filter(has_text="Cờ thi đua của UBND tỉnh")
    expect(flag_line).to_contain_text(f"Cờ thi đua của UBND tỉnh: {units[1].name}")
    expect(flag_line).to_contain_text("2 phiếu bầu")  # the basis, from the tally
    expect(proposals.filter(has_text="Bằng khen của Chủ tịch UBND tỉnh")).to_contain_text(units[2].name)
    expect(outcome.locator("dd").nth(0)).to_have_text(units[1].name)
    expect(outcome.locator("dd").nth(1)).to_have_text(units[2].name)

    # Ballots still being prepared were never put to the vote and do not block publishing; an open one does.
    expect(page.locator(".alert-warning").filter(has_text="Trước khi công bố")).to_have_count(0)
    unused = Ballot.objects.filter(bloc_year=year).exclude(pk=flag.pk).first()
    unused = voting.open_ballot(ballot=unused, by=secretariat)
    page.reload()
    expect(page.locator(".alert-warning")).to_contain_text("Còn cuộc bỏ phiếu chưa kết thúc.")
    voting.close_ballot(ballot=unused, by=secretariat)
    page.reload()
    expect(page.locator(".alert-warning")).to_contain_text("Còn cuộc bỏ phiếu chưa được ban kiểm phiếu kiểm.")
    voting.count_ballot(ballot=unused, board_key=unused.board_key, by=secretariat)
    page.reload()
    expect(page.locator(".alert-warning").filter(has_text="Trước khi công bố")).to_have_count(0)

    # --- Published from the dashboard's phase button -----------------------------------------------------
    sidebar(page, "Tổng quan")
    expect(page).to_have_url(f"{base}/")
    page.get_by_role("link", name="Chuyển sang giai đoạn Đã công bố").click()
    # The step lists what it leaves open (ballots prepared but never held) and asks for a reason and a tick.
    expect(page.locator("#open-work")).to_contain_text("cuộc bỏ phiếu chưa tiến hành")
    page.get_by_label("Lý do chuyển giai đoạn khi còn việc chưa xong").fill("Các nội dung khác biểu quyết tại hội nghị")
    page.get_by_label("Tôi đã xem danh sách trên và xác nhận chuyển giai đoạn.").check()
    page.locator("main form").get_by_role("button", name="Chuyển sang giai đoạn Đã công bố").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".alert-success")).to_contain_text("Năm thi đua đã chuyển sang giai đoạn “Đã công bố”.")
    expect(page.locator("main .badge-phase-published")).to_have_text("Đã công bố")
    expect(page.locator('.phase-steps li[aria-current="step"]')).to_contain_text("Đã công bố")
    expect(page.get_by_role("link", name=re.compile("^Chuyển sang giai đoạn"))).to_have_count(0)
    shot(page, "3-published")

    # --- Once published nothing changes: the actions are gone and a forced save is refused --------------
    open_review(page, base)
    expect(page.get_by_role("link", name="Đề nghị khen thưởng, bầu Trưởng khối")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Mở bỏ phiếu|Kết thúc bỏ phiếu"))).to_have_count(0)
    expect(outcome.locator("dd").nth(0)).to_have_text(units[1].name)  # the result is still shown
    page.goto(f"{base}/review/outcome/")  # the form is no longer offered: back to the overview
    expect(page).to_have_url(f"{base}/review/")
    expect(page.locator(".alert-info")).to_contain_text("Chỉ sửa được trong giai đoạn bình xét")
    shot(page, "4-refused")
    # A forced POST changes nothing either (the service refuses it too: see tests/test_voting.py).
    csrf = page.context.cookies()
    token = next(c["value"] for c in csrf if c["name"] == "csrftoken")
    answer = page.request.post(
        f"{base}/review/outcome/",
        form={"elected_head": str(units[3].pk)},
        headers={"X-CSRFToken": token, "Referer": f"{base}/review/"},
        max_redirects=0,
    )
    assert answer.status == 302

    # --- What was stored ---------------------------------------------------------------------------------
    flag.refresh_from_db()
    assert flag.status == Ballot.Status.CLOSED
    assert flag.is_counted and not SealedVote.objects.filter(ballot=flag).exists()  # counted into Choice rows
    voters = VoterRecord.objects.filter(ballot__bloc_year=year)
    assert voters.count() == 3
    assert {v.unit_id for v in voters} == {units[1].pk, units[2].pk, units[3].pk}
    assert {v.ballot_id for v in voters} == {flag.pk}
    # The choices name a candidate, never a voter (no unit, user or time on the row).
    assert {f.name for f in Choice._meta.get_fields()} == {"id", "ballot", "candidate"}
    choices = list(Choice.objects.filter(ballot__bloc_year=year).select_related("candidate"))
    assert sorted(c.candidate.unit_id for c in choices) == sorted([units[1].pk, units[1].pk, units[2].pk])
    assert {c.ballot_id for c in choices} == {flag.pk}
    proposals = list(AwardProposal.objects.filter(bloc_year=year).order_by("order"))  # as entered: flag first
    assert [(p.award, p.unit_id) for p in proposals] == [
        (AwardProposal.Award.FLAG, units[1].pk),
        (AwardProposal.Award.CERTIFICATE, units[2].pk),
    ]
    assert proposals[0].votes == 2 and proposals[0].basis == "2 phiếu bầu"
    meeting = ReviewMeeting.objects.get(bloc_year=year)
    assert (meeting.elected_head_id, meeting.elected_deputy_id) == (units[1].pk, units[2].pk)  # not unit 4
    year.refresh_from_db()
    assert year.phase == BlocYear.Phase.PUBLISHED and year.is_published
    # The audit trail knows which units voted (one sorted list at the close), never for whom nor in which order.
    assert not AuditEntry.objects.filter(bloc_year=year, action="ballot.voted").exists()
    closed = AuditEntry.objects.get(bloc_year=year, action="ballot.close", target_id=flag.pk)
    assert closed.after == {"voters": 3, "units": sorted(u.short_name for u in units[1:])}
    assert AuditEntry.objects.filter(bloc_year=year, action="phase.advance", actor=secretariat).count() == 1
    assert AuditEntry.objects.filter(bloc_year=year, action="outcome.save").count() == 1

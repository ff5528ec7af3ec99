"""The demo loader (python manage.py load_demo): what it builds, that it builds it through the
services with historical dates, and that running it again duplicates nothing."""

import csv
import datetime
import itertools
import shutil
import struct
import tempfile
import zlib
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from core.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Unit
from demo import builder as demo
from reports import board as report_board
from reports import services as report_services
from reports.models import Evidence, Extension, ProgressReport, ReportSection, ResultRow, end_of_day
from reports.services import Timeliness
from scoring.meeting import services as voting
from scoring.models import (
    AwardProposal,
    Ballot,
    BonusClaim,
    Criterion,
    Deduction,
    ItemScore,
    RankSnapshot,
    ReviewMeeting,
    ScoreSheet,
    ScoringRound,
    SubItem,
    TieBreak,
)
from scoring.sheets.ranking import compute

User = get_user_model()
PASSWORD = "khoithidua2017"
DEMO_USERNAMES = ["thuky", "lanhdao", "tinhkontum", *(f"donvi{n}" for n in range(1, 13))]

# The loader hashes the shared demo password once; the fast hasher still saves that bit of time.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def demo_settings(request, settings, tmp_path) -> None:
    """For the test functions (TestLoadedDemo sets its own): fast hasher, evidence files in a temporary
    MEDIA_ROOT, never in the working tree."""
    if request.cls is not None:
        return
    request.getfixturevalue("db")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"


def load(**kwargs) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        *(m for app in ("core", "covenant", "reports", "scoring", "documents", "awards", "council")
          for m in apps.get_app_config(app).get_models()),
        User,
    ]
    counts = {m._meta.label: m.objects.count() for m in models}
    counts["criterion.contents"] = Criterion.contents.through.objects.count()
    counts["section.evidence"] = ReportSection.evidence.through.objects.count()
    counts["item.evidence"] = ItemScore.evidence.through.objects.count()
    counts["claim.evidence"] = BonusClaim.evidence.through.objects.count()
    counts["meeting.present_units"] = ReviewMeeting.present_units.through.objects.count()
    return counts


def test_a_failing_step_leaves_no_half_made_year(monkeypatch):
    def broken(loader, y):
        raise RuntimeError("boom")

    monkeypatch.setitem(demo.STEPS, "open_reporting", broken)
    with pytest.raises(RuntimeError):
        load()
    # The base data committed; the first year rolled back whole.
    assert Unit.objects.count() == 12
    assert not BlocYear.objects.exists()
    assert not AuditEntry.objects.filter(bloc_year__isnull=False).exists()
    monkeypatch.undo()
    load()
    assert BlocYear.objects.get(bloc__code="khoi-tckt", year=2017).phase == BlocYear.Phase.PUBLISHED
    assert BlocYear.objects.filter(phase=BlocYear.Phase.REPORTING).count() == 1


def test_loading_early_in_january_keeps_dates_in_the_past():
    now = timezone.make_aware(datetime.datetime(2031, 1, 10, 7, 0))
    demo.load_demo(log=lambda _msg: None, now=now)
    year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2031)
    assert year.phase == BlocYear.Phase.REPORTING
    # 15/03 is still ahead: the covenant was signed 30 days before, at the end of the previous year.
    assert year.covenant.signed_on == datetime.date(2030, 12, 11)
    assert year.covenant.plan_date == datetime.date(2031, 1, 10)
    assert all(e.at <= now for e in AuditEntry.objects.filter(bloc_year=year))
    # Nine days of the year are enough for every state of the board, all dates within the year.
    assert_every_live_state(year, now)
    periods = list(year.periods.order_by("order"))
    assert periods[0].opens_on == datetime.date(2031, 1, 1)


# Periodic reports ---------------------------------------------------------------------------------


def board_cells(year: BlocYear, now: datetime.datetime | None = None) -> dict[tuple[str, str], report_board.Cell]:
    board = report_board.completeness_board(year, now=now)
    return {(cell.unit.code, cell.period.code): cell for cell in board.cells.values()}


def pdf_is_valid(data: bytes) -> bool:
    """Header, trailer, and a cross-reference table whose every offset points at its object."""
    if not (data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")):
        return False
    startxref = int(data[data.rindex(b"startxref") + len(b"startxref") :].split()[0])
    lines = data[startxref:].split(b"\n")
    if lines[0] != b"xref":
        return False
    first, count = (int(x) for x in lines[1].split())
    entries = lines[2 : 2 + count]
    for number, entry in enumerate(entries[1:], start=first + 1):
        offset = int(entry[:10])
        if not data[offset:].startswith(b"%d 0 obj" % number):
            return False
    return b"/Type /Catalog" in data and b"/Type /Page " in data


def png_is_valid(data: bytes) -> bool:
    """Signature, chunks with correct CRCs from IHDR to IEND, pixel data of the declared size."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(tag + body) & 0xFFFFFFFF != crc:
            return False
        chunks.setdefault(tag, b"")
        chunks[tag] += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    pixels = zlib.decompress(chunks[b"IDAT"])
    return (
        next(iter(chunks)) == b"IHDR"
        and list(chunks)[-1] == b"IEND"
        and depth == 8
        and colour == 2
        and (len(pixels) == height * (1 + 3 * width))
    )


def assert_every_live_state(year: BlocYear, now: datetime.datetime) -> None:
    today = timezone.localdate(now)
    periods = list(year.periods.order_by("order"))
    assert [p.code for p in periods] == ["q1", "6t", "q3", "nam"]
    for p in periods:
        assert p.opens_on <= p.deadline <= p.lock_date
    for a, b in itertools.pairwise(periods):
        assert a.opens_on < b.opens_on and a.deadline < b.deadline and a.lock_date < b.lock_date
    q1, h1, q3, annual = periods
    assert q1.lock_date < today and h1.lock_date < today
    assert q3.deadline < today <= q3.lock_date
    assert annual.opens_on <= today <= annual.deadline
    reports = ProgressReport.objects.filter(period__bloc_year=year)
    statuses = set(reports.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "resubmitted", "accepted"}
    returned = reports.get(status="returned")
    assert returned.return_reason and returned.resubmit_due > today
    resubmitted = reports.get(status="resubmitted")
    assert AuditEntry.objects.filter(
        action="report.return", target_type="reports.progressreport", target_id=str(resubmitted.pk)
    ).exists()
    cells = board_cells(year, now)
    seen = Counter(c.timeliness for c in cells.values())
    for t in (Timeliness.NOT_DUE, Timeliness.OVERDUE, Timeliness.MISSING, Timeliness.ON_TIME, Timeliness.LATE):
        assert seen[t] >= 1, t
    assert seen[Timeliness.MISSING] == 1 and seen[Timeliness.OVERDUE] == 1
    assert {k[1] for k, c in cells.items() if c.timeliness == Timeliness.OVERDUE} == {"q3"}
    assert {k[1] for k, c in cells.items() if c.timeliness == Timeliness.MISSING} == {"6t"}
    # The annual report: one submitted early, some drafts, the rest not started yet.
    annual_cells = [c for (unit, code), c in cells.items() if code == "nam"]
    assert sum(c.report is None for c in annual_cells) >= 6
    assert any(c.status == "draft" for c in annual_cells)
    late_accepted = [c for c in cells.values() if c.timeliness == Timeliness.LATE and c.status == "accepted"]
    assert late_accepted
    ext = Extension.objects.get(period__bloc_year=year)
    assert ext.reason and cells[(ext.unit.code, ext.period.code)].extension == ext
    assert Evidence.objects.filter(bloc_year=year).count() >= 2
    assert all(e.at <= now for e in AuditEntry.objects.filter(bloc_year=year))
    assert all(r.updated_by is not None for r in reports)


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2031, 3, 2, 23, 30),  # before the plan date: since 1 January
        datetime.datetime(2031, 6, 20, 1, 0),  # under 60 days after the plan date
        datetime.datetime(2031, 12, 31, 16, 0),
    ],
)
def test_current_year_states_on_any_loading_day(now):
    now = timezone.make_aware(now)
    demo.load_demo(log=lambda _msg: None, now=now)
    year = BlocYear.objects.get(bloc__code="khoi-tckt", year=now.year)
    assert_every_live_state(year, now)
    if now.month > 1:
        assert all(p.opens_on.year == now.year for p in year.periods.all())


def test_relative_period_dates_stay_ordered_every_day_of_a_year():
    for offset in range(0, 365):
        today = datetime.date(2031, 1, 1) + datetime.timedelta(days=offset)
        signed = demo._current_year_signed_on(today)
        plan = min(signed + datetime.timedelta(days=45), today)
        dates = demo.relative_period_dates(today, plan)
        flat = [d for triple in dates for d in triple]
        for opens, deadline, lock in dates:
            assert opens <= deadline <= lock
        for i in range(3):
            assert all(dates[i][k] < dates[i + 1][k] for k in range(3)), today
        assert dates[1][2] < today and dates[2][1] < today <= dates[2][2] and dates[3][0] <= today < dates[3][1]
        if today >= datetime.date(2031, 1, 9):
            assert min(flat).year == 2031, today


def test_demo_files_are_deterministic():
    assert demo.demo_pdf(["Số 45/BC-STC"]) == demo.demo_pdf(["Số 45/BC-STC"])
    assert pdf_is_valid(demo.demo_pdf(["(parentheses) and \\\\ backslash", "Tiếng Việt có dấu"]))
    assert demo.demo_png("a") == demo.demo_png("a") != demo.demo_png("b")
    assert png_is_valid(demo.demo_png("x", width=7, height=3))


class TestLoadedDemo(TestCase):
    """The demo loaded once, on the real "today", for every test of this class (each test runs in a
    savepoint that is rolled back): one load takes a few seconds."""

    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp(prefix="demo-media-"))
        cls._settings = override_settings(MEDIA_ROOT=cls.media, PASSWORD_HASHERS=FAST_HASHERS)
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
        cls.output = load()

    def test_2017_decision_and_a_second_bloc_of_the_province(self):
        from awards.models import Award
        from council.models import Dossier
        from scoring.models import AwardProposal, RankSnapshot

        dossier = Dossier.objects.get(bloc_year__bloc__code="khoi-tckt", bloc_year__year=2017)
        assert (dossier.status, dossier.submissions, dossier.decision_number) == ("decided", 2, "312/QĐ-UBND")
        proposed = {(p.unit_id, p.award) for p in AwardProposal.objects.filter(bloc_year=dossier.bloc_year)}
        kinds = {"flag": "province_flag", "certificate": "province_certificate"}
        awarded = {(a.unit_id, a.kind) for a in Award.objects.filter(decision_number="312/QĐ-UBND")}
        assert awarded == {(u, kinds[k]) for u, k in proposed}
        assert sorted(k for _u, k in proposed) == ["certificate", "certificate", "flag"]
        second = BlocYear.objects.get(bloc__code="khoi-vhxh", year=2017)
        assert second.bloc.province.code == "kon-tum" and second.is_published
        assert RankSnapshot.objects.filter(bloc_year=second).count() == 6
        assert Bloc.objects.filter(province__code="kon-tum").count() == 2

    def test_the_bloc_has_decided_years_for_the_charts_across_the_years(self):
        from scoring.sheets.ranking import unit_results

        current = BlocYear.objects.get(bloc__code="khoi-tckt", year=timezone.localdate().year)
        unit = Unit.objects.get(code="so-ke-hoach-dau-tu")
        results = unit_results(current, unit.pk)
        # 2017 as approved through the workflow, the three years before the current one imported from workbooks.
        assert [r.year for r in results] == [2017, *range(current.year - 3, current.year)]
        assert all(r.units == 12 for r in results) and len({r.rank for r in results}) > 1

    def test_bloc_and_2017_members(self):
        bloc = Bloc.objects.get(code="khoi-tckt")
        assert bloc.province.code == "kon-tum"
        assert bloc.parent_body == "UBND TỈNH KON TUM"
        assert "Dữ liệu minh họa (demo)" in bloc.description
        year = BlocYear.objects.get(bloc=bloc, year=2017)
        members = list(year.memberships.select_related("unit").order_by("order"))
        assert [m.order for m in members] == list(range(1, 13))
        assert members[0].unit.name == "Ban Quản lý Khu kinh tế tỉnh Kon Tum"
        assert members[0].unit.short_name == "BQLKKT"
        heads = [m for m in members if m.role == Membership.Role.HEAD]
        assert heads == [members[0]]
        deputy = year.memberships.get(role=Membership.Role.DEPUTY)
        assert deputy.unit.code == "so-tai-chinh"
        assert all(m.unit.email.endswith("@demo.kontum.invalid") for m in members)

    def test_2017_covenant_contents_and_legal_bases(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        covenant = year.covenant
        assert covenant.signed_on == datetime.date(2017, 3, 15)
        assert covenant.plan_number == "05/KH-BQLKKT"
        assert covenant.plan_date == datetime.date(2017, 5, 16)
        assert covenant.signed_place == "Kon Tum"
        contents = list(covenant.contents.order_by("order"))
        assert [c.order for c in contents] == list(range(1, 8))
        assert all(0 < len(c.title) <= 120 for c in contents)
        assert "Chỉ thị 34-CT/TW ngày 07/4/2014 của Bộ Chính trị" in contents[0].body
        assert contents[0].body.startswith("Tổ chức quán triệt sâu sắc tư tưởng của Chủ tịch Hồ Chí Minh")
        assert "Thực hiện chấm điểm theo 3 tiêu chí trong Bảng điểm thi đua" in contents[6].body
        assert contents[6].body.startswith("Thực hiện đầy đủ chế độ báo cáo sơ kết, tổng kết phong trào thi đua")
        bases = list(covenant.legal_bases.order_by("order").values_list("text", flat=True))
        assert len(bases) == 5
        assert all(b.startswith("Căn cứ ") and b.endswith(";") for b in bases)
        assert "Luật Thi đua, khen thưởng" in bases[0] and "42/2010/NĐ-CP" in bases[1]
        assert "1479/HD-BTĐKT" in bases[3] and "22/2015/QĐ-UBND" in bases[4]

    def test_2017_scoreboard(self):
        board = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017).scoreboard
        assert board.total_points == 100 and board.score_step == Decimal("0.5") and board.bonus_cap == 10
        assert board.late_report_points == 1 and board.missing_report_points == 2
        criteria = list(board.criteria.order_by("order"))
        assert len(criteria) == 3
        totals = [sum(s.max_points for s in c.sub_items.all()) for c in criteria]
        assert totals == [40, 35, 25] and sum(totals) == 100
        assert all(3 <= c.sub_items.count() <= 5 for c in criteria)
        assert SubItem.objects.filter(criterion__scoreboard=board, evidence_required=True).exists()
        assert [sorted(c.contents.values_list("order", flat=True)) for c in criteria] == [[2, 4, 6], [3, 5], [1, 7]]
        assert all(b.points <= board.bonus_cap for b in board.bonus_items.all())
        assert board.bonus_items.count() >= 4
        rules = list(board.tie_breaks.order_by("order"))
        assert [(t.kind, t.criterion) for t in rules] == [
            (TieBreak.Kind.CRITERION, criteria[0]),
            (TieBreak.Kind.FEWER_LATE, None),
        ]

    def test_2017_is_published_with_historical_audit_dates(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        assert year.phase == BlocYear.Phase.PUBLISHED
        # The bloc's own year; its dossier's way through the province (up to March 2018) is tested on its own.
        entries = AuditEntry.objects.filter(bloc_year=year).exclude(action__startswith="dossier.").exclude(
            action__startswith="award.")
        # Reporting opened on the plan date; scoring, review and publication in January and February 2018.
        advances = [timezone.localtime(e.at).date() for e in entries.filter(action="phase.advance").order_by("at")]
        assert advances == [
            datetime.date(2017, 5, 16),
            datetime.date(2018, 1, 3),
            datetime.date(2018, 1, 22),
            datetime.date(2018, 2, 5),
        ]
        assert [e.after["phase"] for e in entries.filter(action="phase.advance").order_by("at")] == [
            "reporting",
            "scoring",
            "review",
            "published",
        ]
        assert {timezone.localtime(e.at).year for e in entries} == {2017, 2018}
        late_entries = [e for e in entries if timezone.localtime(e.at).year == 2018]
        assert {timezone.localtime(e.at).month for e in late_entries} == {1, 2}
        # February: the synthesis kept and the year published (05/02), then its documents issued (06/02).
        assert {e.action for e in late_entries if timezone.localtime(e.at).month == 2} == {
            "synthesis.save", "synthesis.year", "phase.advance", "document.issue"}
        assert all(e.at <= timezone.now() for e in entries)
        # Scoring acts follow each other in time: self-scores, review, release, settlement, approval, meeting.
        first = {a: entries.filter(action=a).order_by("at").first().at for a in ("sheet.submit", "review.assign")}
        last = {a: entries.filter(action=a).order_by("at").last().at for a in ("sheet.submit", "sheet.review")}
        release = entries.get(action="review.release").at
        approve = entries.get(action="scoring.approve").at
        assert last["sheet.submit"] < first["review.assign"] < last["sheet.review"] < release
        assert release < entries.get(action="sheet.settle").at < approve
        assert approve < min(e.at for e in entries.filter(action__startswith="ballot."))
        assert timezone.localtime(approve).date() == datetime.date(2018, 1, 19)
        # The secretariat sets up and reviews; each unit's officer writes, scores and submits its own.
        assert set(entries.values_list("actor__username", flat=True)) == {"thuky", *(f"donvi{n}" for n in range(1, 13))}
        assert {e.actor.username for e in entries.filter(action__in=["report.accept", "report.return"])} == {"thuky"}
        for e in entries.filter(action="report.submit").select_related("actor__profile"):
            report = ProgressReport.objects.get(pk=e.target_id)
            assert e.actor.profile.unit_id == report.unit_id
        for e in entries.filter(action__in=["sheet.self_score", "sheet.submit", "sheet.respond"]).select_related(
            "actor__profile"
        ):
            assert e.actor.profile.unit_id == ScoreSheet.objects.get(pk=e.target_id).unit_id

    def test_current_year(self):
        today = timezone.localdate()
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=today.year)
        assert year.phase == BlocYear.Phase.REPORTING
        members = list(year.memberships.select_related("unit").order_by("order"))
        assert len(members) == 12
        assert year.memberships.get(role=Membership.Role.HEAD).unit.code == "bqlkkt"
        assert year.memberships.get(role=Membership.Role.DEPUTY).unit.code == "so-ke-hoach-dau-tu"
        covenant = year.covenant
        assert covenant.plan_number == "08/KH-BQLKKT"
        assert covenant.signed_on <= covenant.plan_date <= today
        bases = list(covenant.legal_bases.order_by("order").values_list("text", flat=True))
        assert "06/2022/QH15" in bases[0] and "98/2023/NĐ-CP" in bases[1]
        assert "01/2024/TT-BNV" in bases[2] and "16/HD-HĐTĐKT" in bases[3]
        assert covenant.contents.count() == 7
        assert sum(s.max_points for s in SubItem.objects.filter(criterion__scoreboard=year.scoreboard)) == 100
        assert all(e.at <= timezone.now() for e in AuditEntry.objects.filter(bloc_year=year))

    def test_accounts(self):
        for username in DEMO_USERNAMES:
            assert authenticate(username=username, password=PASSWORD) is not None, username
        assert not User.objects.filter(is_superuser=True).exists()
        assert not User.objects.filter(is_staff=True).exists()
        thuky = Profile.objects.get(user__username="thuky")
        assert thuky.role == Profile.Role.SECRETARIAT and thuky.unit.code == "bqlkkt"
        lanhdao = Profile.objects.get(user__username="lanhdao")
        assert lanhdao.role == Profile.Role.LEADER and lanhdao.bloc.code == "khoi-tckt"
        viewer = Profile.objects.get(user__username="tinhkontum")
        assert viewer.role == Profile.Role.PROVINCIAL and viewer.province.code == "kon-tum"
        members = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017).memberships.order_by("order")
        for n, m in enumerate(members, start=1):
            profile = Profile.objects.get(user__username=f"donvi{n}")
            assert profile.role == Profile.Role.OFFICER and profile.unit_id == m.unit_id
        assert User.objects.get(username="donvi1").email == "donvi1@demo.kontum.invalid"

    def test_output_lists_demo_accounts(self):
        assert "DEMO ONLY" in self.output
        assert PASSWORD in self.output
        for username in DEMO_USERNAMES:
            assert username in self.output

    def test_second_and_third_runs_duplicate_nothing(self):
        before = row_counts()
        # The bloc's 12 units and 2 years, with its 3 years before the current one imported; the province's second
        # bloc (6 units, 2017 imported, the current year).
        assert before["core.Unit"] == 12 + 6 and before["core.BlocYear"] == 2 + 3 + 2
        assert before["reports.ProgressReport"] > 48 and before["reports.Evidence"] >= 5
        assert before["scoring.ScoreSheet"] == 12 and before["scoring.ItemScore"] == 12 * 12
        assert before["scoring.Ballot"] == 4 and before["scoring.AwardProposal"] == 3
        assert before["scoring.RankSnapshot"] == 12 + 3 * 12 + 6 and before["scoring.ReviewMeeting"] == 1
        assert before["item.evidence"] >= 12 * 5 and before["meeting.present_units"] == 12
        files = sorted(self.media.rglob("*.*"))
        output = load()
        assert row_counts() == before
        load()
        assert row_counts() == before
        assert sorted(self.media.rglob("*.*")) == files
        assert "0 mục tạo mới" in output
        assert "DEMO ONLY" in output and "thuky" in output

    def test_2017_periods_and_every_report_written_through_the_workflow(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        periods = list(year.periods.order_by("order"))
        assert [p.code for p in periods] == ["q1", "6t", "q3", "nam"]
        assert periods[-1].deadline == datetime.date(2018, 1, 10)
        reports = ProgressReport.objects.filter(period__bloc_year=year)
        assert reports.filter(status=ProgressReport.Status.ACCEPTED).count() == 12 * 4 - 1
        assert reports.exclude(status=ProgressReport.Status.ACCEPTED).count() == 1
        for r in reports.exclude(first_submitted_at=None):
            assert (
                datetime.date(2017, 3, 17)
                <= timezone.localtime(r.first_submitted_at).date()
                <= datetime.date(2018, 1, 30)
            )
            assert r.first_submitted_at <= r.accepted_at
        # Each accepted report went start → save → submit → accept.
        actions = Counter(AuditEntry.objects.filter(bloc_year=year).values_list("action", flat=True))
        assert actions["report.start"] == 48 and actions["report.accept"] == 47
        assert actions["report.submit"] == 48 and actions["report.return"] == 1

    def test_2017_board_one_missing_a_few_late_one_extension(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        cells = board_cells(year)
        missing = [key for key, c in cells.items() if c.timeliness == Timeliness.MISSING]
        assert missing == [("quy-bv-ptr", "q3")]
        assert cells[("quy-bv-ptr", "q3")].status == ProgressReport.Status.DRAFT  # started, never submitted
        late = sorted(key for key, c in cells.items() if c.timeliness == Timeliness.LATE)
        assert 3 <= len(late) <= 4
        assert len({unit for unit, _ in late}) == len(late) - 1  # one unit late twice
        assert Counter(unit for unit, _ in late).most_common(1) == [("so-xay-dung", 2)]
        record = report_board.reporting_record(year)
        assert sum(len(r["late"]) for r in record.values()) == len(late)
        assert sum(len(r["missing"]) for r in record.values()) == 1
        ext = Extension.objects.get(period__bloc_year=year)
        assert ext.unit.code == "chi-cuc-kiem-lam" and ext.period.code == "nam" and ext.reason
        assert ext.deadline > ext.period.deadline and ext.granted_by.username == "thuky"
        cell = cells[("chi-cuc-kiem-lam", "nam")]
        # Submitted after the common deadline, on time thanks to the extension.
        assert cell.report.first_submitted_at > end_of_day(ext.period.deadline)
        assert cell.timeliness == Timeliness.ON_TIME and cell.extension == ext

    def test_2017_returned_report_keeps_its_history(self):
        report = ProgressReport.objects.get(
            period__bloc_year__year=2017, period__code="6t", unit__code="so-tai-nguyen-moi-truong"
        )
        assert report.status == ProgressReport.Status.ACCEPTED and report.return_reason
        history = list(
            AuditEntry.objects.filter(target_type="reports.progressreport", target_id=str(report.pk)).order_by(
                "at", "pk"
            )
        )
        assert [e.action for e in history] == [
            "report.start",
            "report.save",
            "report.submit",
            "report.return",
            "report.save",
            "report.submit",
            "report.accept",
        ]
        returned = history[3]
        assert returned.reason == report.return_reason and returned.actor.username == "thuky"
        assert [e.at for e in history] == sorted(e.at for e in history)
        assert report.first_submitted_at == history[2].at < report.submitted_at == history[5].at
        assert report_services.changed_since_return(report, list(reversed(history))) >= {"3.done", "3.evidence"}
        section = report.sections.get(content__order=3)
        assert section.reviewer_comment
        assert section.evidence.get().number_symbol == "78/BC-STNMT"

    def test_2017_section_texts_are_varied_with_results_and_proposals(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        sections = ReportSection.objects.filter(report__period__bloc_year=year, report__status="accepted")
        assert not sections.filter(done="").exists()
        for order in range(1, 8):
            texts = set(sections.filter(content__order=order, report__period__code="q1").values_list("done", flat=True))
            assert len(texts) >= 6, order  # twelve units: several phrasings, with each unit's own details
        stc = sections.get(report__unit__code="so-tai-chinh", report__period__code="6t", content__order=2)
        assert "STC" in stc.done or "tài chính" in stc.done
        assert "6 tháng đầu năm 2017" in stc.done or stc.results.exists()
        results = ResultRow.objects.filter(section__in=sections)
        assert results.filter(section__content__order=2).count() >= 48
        assert all(r.indicator and r.target and r.result for r in results)
        reports = ProgressReport.objects.filter(period__bloc_year=year)
        with_proposals = reports.exclude(general_proposals="").count()
        assert 5 <= with_proposals <= 40
        # The draft that was never submitted is only partly written.
        draft = reports.get(status="draft")
        assert 0 < draft.sections.exclude(done="").count() < 7

    def test_evidence_files_are_small_valid_and_accepted_by_the_upload_check(self):
        evidence = list(Evidence.objects.select_related("bloc_year", "unit"))
        in_reports = [e for e in evidence if e.bloc_year.year == 2017 and e.sections.exists()]
        assert 3 <= len(in_reports) <= 5
        # 2017 self-scores: every sub-item that requires evidence has some, reused or generated.
        assert 40 <= sum(e.bloc_year.year == 2017 for e in evidence) <= 80
        assert {e.content_type for e in evidence} == {"application/pdf", "image/png"}
        for e in evidence:
            path = Path(e.file.path)
            assert path.is_relative_to(self.media) and path.exists()
            data = path.read_bytes()
            assert len(data) == e.size < 20_000
            if e.content_type == "application/pdf":
                assert data.startswith(b"%PDF") and pdf_is_valid(data), e.original_name
                assert e.number_symbol and e.original_name.endswith(".pdf")
            else:
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and png_is_valid(data), e.original_name
            upload = SimpleUploadedFile(e.original_name, data)
            assert report_services.check_upload(upload) == e.content_type
            assert e.summary and e.issued_on <= timezone.localtime(e.uploaded_at).date()
            # Linked where it proves something, always of its own unit: a report, a self-score or a bonus claim.
            owners = [s.report.unit_id for s in e.sections.select_related("report")]
            owners += [i.sheet.unit_id for i in e.item_scores.select_related("sheet")]
            owners += [c.sheet.unit_id for c in e.bonus_claims.select_related("sheet")]
            assert owners and set(owners) == {e.unit_id}, e
        image = pytest.importorskip("PIL.Image")
        for e in evidence:
            if e.content_type == "image/png":
                with image.open(e.file.path) as img:
                    img.verify()

    def test_current_year_has_every_live_state(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=timezone.localdate().year)
        assert_every_live_state(year, timezone.now())

    # Year-end scoring and the review meeting of 2017 -------------------------------------------------

    def test_2017_every_unit_scored_itself_with_evidence_and_was_reviewed(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        board = year.scoreboard
        members = {m.unit_id: m for m in year.memberships.select_related("unit")}
        head = next(m for m in members.values() if m.role == Membership.Role.HEAD)
        deputy = next(m for m in members.values() if m.role == Membership.Role.DEPUTY)
        sheets = list(ScoreSheet.objects.filter(bloc_year=year).select_related("unit", "reviewer_unit"))
        assert {s.unit_id for s in sheets} == set(members)
        assert ScoringRound.objects.get(bloc_year=year).mode == ScoringRound.Mode.SECRETARIAT
        for sheet in sheets:
            assert sheet.status == ScoreSheet.Status.REVIEWED and sheet.submitted_at < sheet.reviewed_at
            # Secretariat mode: the head unit's sheet goes to the deputy, every other one to the secretariat.
            reviewers = AuditEntry.objects.filter(action="sheet.review", target_id=str(sheet.pk))
            if sheet.unit_id == head.unit_id:
                assert sheet.reviewer_unit_id == deputy.unit_id
                assert {e.actor.username for e in reviewers} == {"donvi2"}
            else:
                assert sheet.reviewer_unit_id is None
                assert {e.actor.username for e in reviewers} == {"thuky"}
            items = list(sheet.items.select_related("sub_item").prefetch_related("evidence"))
            assert len(items) == 12
            for item in items:
                sub = item.sub_item
                for score in (item.self_score, item.reviewed_score):
                    assert score is not None and 0 <= score <= sub.max_points
                    assert score % board.score_step == 0
                assert item.explanation, item
                if sub.evidence_required:
                    evidence = list(item.evidence.all())
                    assert evidence and all(e.unit_id == sheet.unit_id for e in evidence), item
        # Units reuse the evidence of their own reports where they have some.
        reused = Evidence.objects.filter(bloc_year=year, sections__isnull=False, item_scores__isnull=False)
        assert {e.unit.code for e in reused.select_related("unit")} >= {"bqlkkt", "cuc-thue", "chi-cuc-kiem-lam"}
        assert reused.filter(content_type="image/png").exists()

    def test_2017_review_differences_contest_and_bonus_claims(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        items = ItemScore.objects.filter(sheet__bloc_year=year).select_related("sheet__unit", "sub_item")
        differ = [i for i in items if i.differs]
        assert 1 <= len(differ) < len(items) // 10  # most reviewed scores equal the self-score
        for item in differ:
            assert item.review_reason and item.reviewed_score < item.self_score
        # Full marks claimed without evidence, lowered with a reason.
        assert any(i.self_score == i.sub_item.max_points and not i.evidence.exists() for i in differ)
        # One unit contested one sub-item; the secretariat settled it with a reason; every other one accepted.
        contested = [i for i in items if i.contest == ItemScore.Contest.CONTESTED]
        assert len(contested) == 1
        (item,) = contested
        assert item.contest_comment and item.settlement in (ItemScore.Settlement.KEPT, ItemScore.Settlement.CHANGED)
        assert item.settlement_reason
        settle = AuditEntry.objects.get(action="sheet.settle", bloc_year=year)
        assert settle.actor.username == "thuky" and settle.reason == item.settlement_reason
        assert all(i.contest == ItemScore.Contest.ACCEPTED for i in items if i.pk != item.pk)
        assert not ItemScore.objects.filter(sheet__bloc_year=year, settlement="").exclude(contest="accepted").exists()
        # Bonus claims: one accepted with its evidence, within the cap.
        claims = list(BonusClaim.objects.filter(sheet__bloc_year=year).select_related("bonus_item", "sheet__unit"))
        accepted = [c for c in claims if c.review == BonusClaim.Review.ACCEPTED]
        assert len(accepted) == 1 and accepted[0].evidence.exists() and accepted[0].explanation
        assert accepted[0].bonus_item.text == "Được tặng Bằng khen của Chủ tịch UBND tỉnh"
        assert all(c.review for c in claims)
        assert all(c.review_reason for c in claims if c.review == BonusClaim.Review.REJECTED)
        board = year.scoreboard
        for sheet in ScoreSheet.objects.filter(bloc_year=year):
            claimed = sum(c.bonus_item.points for c in claims if c.sheet_id == sheet.pk)
            assert claimed <= board.bonus_cap

    def test_2017_ranking_approved_with_a_tie_separated_by_criterion_1(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        ranking = compute(year)
        assert ranking.approved and len(ranking.rows) == 12
        # The snapshot kept at approval matches today's computation.
        snapshots = {s.unit_id: (s.rank, s.total) for s in RankSnapshot.objects.filter(bloc_year=year)}
        assert snapshots == {r.entry.unit_id: (r.rank, r.total) for r in ranking.rows}
        totals = [r.total for r in ranking.rows]
        assert totals == sorted(totals, reverse=True)
        assert [r.rank for r in ranking.rows] == list(range(1, 13))  # nobody shares a rank
        assert min(totals) >= 80 and max(totals) <= 100 + ranking.board.bonus_cap
        assert ranking.rows[0].total > ranking.rows[1].total
        # Exactly one tie on the final total (after review, bonus and deductions), separated by criterion 1.
        by_total = Counter(totals)
        assert sorted(by_total.values()) == [1] * 10 + [2]
        tied = [r for r in ranking.rows if by_total[r.total] == 2]
        criterion_1 = ranking.rules[0].label
        assert ranking.rules[0].key == "criterion:0" and criterion_1 == "Điểm tiêu chí 1 cao hơn"
        upper, lower = tied
        assert upper.rank < lower.rank and upper.entry.criteria[0] > lower.entry.criteria[0]
        for row, other in ((upper, lower), (lower, upper)):
            assert row.tied_with == [other.entry.unit_id] and not row.shared
            assert criterion_1 in row.separated_by
        # Automatic deductions come from the reporting record: none waived, a late report costs a point.
        assert not Deduction.objects.filter(sheet__bloc_year=year).exists()
        late = [u for u in ranking.units.values() if u.late]
        assert late and any(
            "trễ hạn" in line.label and line.points == ranking.board.late_report_points
            for u in late
            for line in u.deduction_lines
        )
        rows = {r.entry.unit_id: r for r in ranking.rows}
        for unit in ranking.units.values():
            expected = len(unit.late) * ranking.board.late_report_points
            expected += len(unit.missing) * ranking.board.missing_report_points
            assert rows[unit.membership.unit_id].deductions == expected
        assert any(unit.missing for unit in ranking.units.values())
        # The accepted bonus counts; the rejected claim does not.
        bonus = [r for r in ranking.rows if r.bonus]
        assert len(bonus) == 1 and bonus[0].bonus == 3
        # The lowered and settled scores are what counts.
        settled = ItemScore.objects.get(sheet__bloc_year=year, contest=ItemScore.Contest.CONTESTED)
        unit_scores = ranking.units[settled.sheet.unit_id]
        assert unit_scores.criteria != unit_scores.self_criteria

    def test_2017_review_meeting_paper_ballots_and_proposals(self):
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        ranking = compute(year)
        rank = {r.entry.unit_id: r.rank for r in ranking.rows}
        leader = ranking.rows[0].entry.unit_id
        ballots = {b.kind: b for b in Ballot.objects.filter(bloc_year=year)}
        assert set(ballots) == {"flag", "certificate", "head", "deputy"}
        assert {k: b.max_choices for k, b in ballots.items()} == {"flag": 1, "certificate": 2, "head": 1, "deputy": 1}
        elected = {}
        for kind, ballot in ballots.items():
            assert ballot.mode == Ballot.Mode.PAPER and ballot.status == Ballot.Status.CLOSED
            assert ballot.issued == ballot.received == 12 and ballot.valid + ballot.invalid == 12
            result = voting.results(ballot, 12)
            assert result.quorum_met and not result.tie_note
            assert sum(r.votes for r in result.rows) <= ballot.valid * ballot.max_choices
            elected[kind] = [r for r in result.rows if r.elected]
            assert len(elected[kind]) == ballot.max_choices, kind
        # The flag goes to the leading unit with a clear majority; certificates to the next units by vote.
        (flag,) = elected["flag"]
        assert flag.candidate.unit_id == leader and flag.votes * 3 > ballots["flag"].valid * 2
        certificates = {r.candidate.unit_id for r in elected["certificate"]}
        assert leader not in certificates and all(rank[u] <= 4 for u in certificates)
        proposals = list(AwardProposal.objects.filter(bloc_year=year))
        assert Counter(p.award for p in proposals) == {"flag": 1, "certificate": 2}
        (flag_proposal,) = [p for p in proposals if p.award == AwardProposal.Award.FLAG]
        assert flag_proposal.unit_id == leader and flag_proposal.rank == 1 and flag_proposal.votes == flag.votes
        assert {p.unit_id for p in proposals if p.award == "certificate"} == certificates
        for p in proposals:
            assert p.rank == rank[p.unit_id] and p.votes and f"{p.rank}/12" in p.basis
        meeting = ReviewMeeting.objects.get(bloc_year=year)
        assert meeting.held_on == datetime.date(2018, 1, 26)
        assert meeting.place == "Hội trường Ban Quản lý Khu kinh tế tỉnh Kon Tum"
        assert "Trưởng khối" in meeting.chair and meeting.secretary
        assert meeting.present_units.count() == 12
        assert len(meeting.count_committee.splitlines()) == 3
        assert meeting.elected_head_id and meeting.elected_deputy_id
        assert meeting.elected_head_id != meeting.elected_deputy_id
        assert meeting.elected_head_id == elected["head"][0].candidate.unit_id
        assert meeting.elected_deputy_id == elected["deputy"][0].candidate.unit_id
        assert meeting.elected_head.code == "so-tai-chinh"
        assert meeting.elected_head.name in meeting.conclusions
        assert meeting.elected_deputy.name in meeting.conclusions
        assert ranking.units[leader].membership.unit.name in meeting.conclusions

    def test_2017_ranking_command_prints_the_approved_ranking(self):
        out = StringIO()
        call_command("ranking", bloc="khoi-tckt", year=2017, stdout=out)
        rows = list(csv.reader(StringIO(out.getvalue())))
        assert rows[0] == [
            "rank",
            "unit_code",
            "unit_name",
            "criterion_1",
            "criterion_2",
            "criterion_3",
            "bonus",
            "deductions",
            "total",
            "status",
        ]
        assert len(rows) == 13
        assert {r[-1] for r in rows[1:]} == {"approved"}
        assert [int(r[0]) for r in rows[1:]] == list(range(1, 13))
        year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
        ranking = compute(year)
        for line, row in zip(rows[1:], ranking.rows, strict=True):
            unit = ranking.units[row.entry.unit_id].membership.unit
            assert line[1] == unit.code and Decimal(line[8]) == row.total
            assert sum(Decimal(x) for x in line[3:7]) - Decimal(line[7]) == row.total

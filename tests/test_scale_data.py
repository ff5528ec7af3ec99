"""python manage.py generate_scale_data (bench/scale.py): a tiny run builds valid data, leaves the demo as
it was, and a second run (which first deletes the first one's data) ends with the same row counts."""

import datetime
import hashlib
import shutil
import tempfile
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import TestCase, override_settings
from django.utils import timezone

from bench.scale import EVIDENCE_FILE, PASSWORD
from core.lifecycle import phase_problems
from core.models import Bloc, BlocYear, Membership, Profile, Province, Unit
from reports.board import completeness_board
from reports.models import Evidence, ProgressReport, ReportingPeriod, ReportSection
from reports.services import Timeliness, submission_problems
from scoring.meeting import services as voting
from scoring.models import (
    AwardProposal,
    Ballot,
    Choice,
    ItemScore,
    RankSnapshot,
    Scoreboard,
    ScoreSheet,
    ScoringRound,
    SubItem,
    VoterRecord,
)
from scoring.sheets.ranking import compute

User = get_user_model()
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TINY = {"provinces": 1, "blocs_per_province": 2, "units_per_bloc": 3, "years": 2, "stress_units": 20}


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_scale_data", stdout=out, stderr=StringIO(), **{**TINY, **options})
    return out.getvalue()


def all_models():
    models = []
    for app in ("covenant", "reports", "scoring"):
        models += apps.get_app_config(app).get_models(include_auto_created=True)
    return [*models, User]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in all_models()}


def rows() -> dict[str, dict]:
    """Every row of every table of the project's apps (and users), by primary key (binary values as bytes)."""
    return {
        m._meta.label: {
            r["pk"]: {k: bytes(v) if isinstance(v, memoryview) else v for k, v in r.items()}
            for r in m.objects.values("pk", *_fields(m))
        }
        for m in all_models()
    }


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def bench_years():
    return BlocYear.objects.filter(bloc__code__startswith="bench")


class TestScaleData(TestCase):
    """The demo, then a tiny scale run on top of it, loaded once for the class (each test is rolled back)."""

    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp(prefix="scale-media-"))
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
        call_command("load_demo", stdout=StringIO(), stderr=StringIO())
        cls.demo_rows = rows()
        cls.demo_counts = row_counts()
        cls.output = generate()
        cls.today = timezone.localdate()

    # names and shape

    def test_provinces_blocs_units_years(self):
        assert set(Province.objects.filter(code__startswith="bench").values_list("code", flat=True)) == {
            "bench-p01",
            "bench-tinh",
        }
        blocs = dict(Bloc.objects.filter(code__startswith="bench").values_list("code", "name"))
        assert set(blocs) == {"bench-p01-b01", "bench-p01-b02", "bench-15", "bench-1000"}
        assert blocs["bench-p01-b01"] == "Khối thi đua số 01 – Tỉnh thử nghiệm 01"
        assert Bloc.objects.get(code="bench-p01-b01").parent_body
        units = Unit.objects.filter(code__startswith="bench-p01-b01-").order_by("code")
        assert [u.code for u in units] == ["bench-p01-b01-u01", "bench-p01-b01-u02", "bench-p01-b01-u03"]
        assert all(" số " in u.name and u.short_name for u in units)
        assert Unit.objects.filter(code__startswith="bench-15-").count() == 15
        assert Unit.objects.filter(code__startswith="bench-1000-").count() == 20
        years = sorted(set(bench_years().values_list("year", flat=True)))
        assert years == [self.today.year - 1, self.today.year]
        for by in bench_years():
            expected = BlocYear.Phase.REPORTING if by.year == self.today.year else BlocYear.Phase.PUBLISHED
            assert by.phase == expected, by
        assert "Xong" in self.output

    def test_setup_is_complete_every_year(self):
        for by in bench_years():
            assert phase_problems(by, "setup") == [], by
            members = list(by.memberships.order_by("order"))
            assert [m.order for m in members] == list(range(1, len(members) + 1))
            assert [m.role for m in members[:2]] == [Membership.Role.HEAD, Membership.Role.DEPUTY]
            assert sum(m.role == Membership.Role.HEAD for m in members) == 1
            assert sum(m.role == Membership.Role.DEPUTY for m in members) == 1
            assert by.covenant.contents.count() == 7
            assert by.covenant.legal_bases.count() == 3
            assert list(by.periods.order_by("order").values_list("code", flat=True)) == ["q1", "6t", "q3", "nam"]

    def test_scoreboards_total_100(self):
        boards = Scoreboard.objects.filter(bloc_year__in=bench_years())
        assert boards.count() == bench_years().count()
        for board in boards.annotate(n_criteria=Count("criteria", distinct=True)):
            total = SubItem.objects.filter(criterion__scoreboard=board).aggregate(s=Sum("max_points"))["s"]
            assert total == board.total_points == Decimal(100)
            assert board.n_criteria == 3
            assert SubItem.objects.filter(criterion__scoreboard=board).count() == 12
            assert board.bonus_items.exists()
            assert board.tie_breaks.count() == 2

    # reports

    def test_reports_one_per_member_and_period_with_seven_sections(self):
        reports = ProgressReport.objects.filter(period__bloc_year__in=bench_years())
        members = set(Membership.objects.filter(bloc_year__in=bench_years()).values_list("bloc_year_id", "unit_id"))
        seen = Counter()
        for period_id, by_id, unit_id in reports.values_list("period_id", "period__bloc_year_id", "unit_id"):
            assert (by_id, unit_id) in members
            seen[(period_id, unit_id)] += 1
        assert set(seen.values()) == {1}
        sections = Counter(ReportSection.objects.filter(report__in=reports).values_list("report_id", flat=True))
        assert set(sections.values()) == {7}
        assert len(sections) == reports.count()

    def test_past_years_reports_accepted_and_periods_closed(self):
        past = bench_years().filter(year__lt=self.today.year)
        for by in past:
            board = completeness_board(by)
            for cell in board.cells.values():
                assert cell.timeliness in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING)
                if cell.report is not None:
                    assert cell.report.status == ProgressReport.Status.ACCEPTED
        assert ProgressReport.objects.filter(period__bloc_year__in=past).exclude(status="accepted").count() == 0

    def test_current_year_open_period(self):
        today = self.today
        for by in bench_years().filter(year=today.year):
            periods = list(by.periods.order_by("order"))
            open_ = [p for p in periods if p.opens_on <= today <= p.deadline]
            assert len(open_) == 1, by
            current = open_[0]
            for p in periods:
                reports = ProgressReport.objects.filter(period=p)
                if p.order < current.order:
                    assert p.lock_date < today
                    assert set(reports.values_list("status", flat=True)) == {"accepted"}
                elif p.order > current.order:
                    assert p.opens_on > today
                    assert not reports.exists()
            assert not ScoreSheet.objects.filter(bloc_year=by).exists()
            assert not ScoringRound.objects.filter(bloc_year=by).exists()

    def test_one_draft_per_unit_in_the_open_period_of_bench_15_and_the_stress_bloc(self):
        today = self.today
        for code, n in (("bench-15", 15), ("bench-1000", 20)):
            period = ReportingPeriod.objects.get(
                bloc_year__bloc__code=code, bloc_year__year=today.year, opens_on__lte=today, deadline__gte=today
            )
            reports = list(ProgressReport.objects.filter(period=period).prefetch_related("sections__content"))
            assert len(reports) == n
            assert {r.status for r in reports} == {ProgressReport.Status.DRAFT}
            units = set(period.bloc_year.memberships.values_list("unit_id", flat=True))
            assert {r.unit_id for r in reports} == units
            for r in reports:
                assert len(r.sections.all()) == 7
                assert submission_problems(r) == []  # every content written: the load test can submit it

    def test_evidence_records_share_one_small_pdf(self):
        evidence = Evidence.objects.filter(bloc_year__in=bench_years())
        assert evidence.exists()
        assert set(evidence.values_list("file", flat=True)) == {EVIDENCE_FILE}
        content = (Path(settings.MEDIA_ROOT) / EVIDENCE_FILE).read_bytes()
        assert content.startswith(b"%PDF-")
        assert set(evidence.values_list("sha256", "size")) == {(hashlib.sha256(content).hexdigest(), len(content))}
        assert ReportSection.evidence.through.objects.filter(evidence__in=evidence).exists()
        sections = ReportSection.objects.filter(report__period__bloc_year__in=bench_years())
        assert sections.filter(evidence__isnull=False).count() < sections.count() / 5  # a fraction of sections
        assert [p.name for p in (Path(settings.MEDIA_ROOT) / "evidence" / "bench").iterdir()] == [
            Path(EVIDENCE_FILE).name
        ]

    # scoring and voting

    def test_scores_on_the_step_within_the_maximum(self):
        items = ItemScore.objects.filter(sheet__bloc_year__in=bench_years()).select_related("sub_item")
        assert items.exists()
        for item in items:
            for score in (item.self_score, item.reviewed_score):
                assert score is not None and 0 <= score <= item.sub_item.max_points
                assert (score * 2) == (score * 2).to_integral_value()
            if item.reviewed_score != item.self_score:
                assert item.review_reason
        sheets = ScoreSheet.objects.filter(bloc_year__in=bench_years())
        assert set(sheets.values_list("status", flat=True)) == {ScoreSheet.Status.REVIEWED}

    def test_rank_snapshots_equal_the_ranking(self):
        past = list(bench_years().filter(year__lt=self.today.year).select_related("bloc"))
        assert {by.bloc.code for by in past} == {"bench-p01-b01", "bench-p01-b02", "bench-15", "bench-1000"}
        for by in past:
            assert ScoringRound.objects.get(bloc_year=by).approved_at is not None
            ranking = compute(by)
            expected = {(row.entry.unit_id, row.rank, row.total) for row in ranking.rows}
            stored = set(RankSnapshot.objects.filter(bloc_year=by).values_list("unit_id", "rank", "total"))
            assert stored == expected, by

    def test_closed_ballot_choices_match_the_voters(self):
        past = bench_years().filter(year__lt=self.today.year)
        ballots = Ballot.objects.filter(bloc_year__in=past)
        assert ballots.count() == past.count()
        for ballot in ballots:
            assert ballot.status == Ballot.Status.CLOSED and ballot.mode == Ballot.Mode.ONLINE
            voters = VoterRecord.objects.filter(ballot=ballot).count()
            marks = Choice.objects.filter(ballot=ballot).count()
            assert voters > 0
            assert marks == voters * ballot.max_choices  # every paper marks exactly max_choices (1) candidates
            members = ballot.bloc_year.memberships.count()
            result = voting.results(ballot, members)
            assert result.quorum_met
            assert sum(r.votes for r in result.rows) == marks
            flag = AwardProposal.objects.filter(bloc_year=ballot.bloc_year, award=AwardProposal.Award.FLAG)
            assert [p.unit_id for p in flag] == [r.candidate.unit_id for r in result.rows if r.elected]

    # accounts

    def test_accounts(self):
        def profile(username):
            return Profile.objects.select_related("unit", "bloc", "province").get(user__username=username)

        head = Unit.objects.get(code="bench-15-u01")
        assert (profile("bench15-thuky").role, profile("bench15-thuky").unit) == (Profile.Role.SECRETARIAT, head)
        assert (profile("bench15-lanhdao").role, profile("bench15-lanhdao").bloc.code) == ("leader", "bench-15")
        for n in (1, 15):
            p = profile(f"bench15-u{n:02d}")
            assert (p.role, p.unit.code) == (Profile.Role.OFFICER, f"bench-15-u{n:02d}")
        for n in (1, 20):
            p = profile(f"bench1000-u{n:04d}")
            assert (p.role, p.unit.code) == (Profile.Role.OFFICER, f"bench-1000-u{n:04d}")
        assert profile("bench-tinh-viewer").province.code == "bench-tinh"
        assert profile("bench-p01-viewer").province.code == "bench-p01"
        assert authenticate(username="bench15-u07", password=PASSWORD) is not None
        assert authenticate(username="bench1000-u0020", password=PASSWORD) is not None
        hashes = set(User.objects.filter(username__startswith="bench").values_list("password", flat=True))
        assert len(hashes) == 1  # hashed once

    # safety and repeatability

    def test_demo_untouched(self):
        assert Bloc.objects.filter(code="khoi-tckt").exists()
        now = rows()
        for label, before in self.demo_rows.items():
            after = {pk: now[label][pk] for pk in before if pk in now[label]}
            assert after == before, label

    def test_second_run_same_counts_and_delete_only(self):
        first = row_counts()
        assert first != self.demo_counts
        generate()
        assert row_counts() == first
        now = rows()
        for label, before in self.demo_rows.items():
            assert {pk: now[label].get(pk) for pk in before} == before, label
        out = StringIO()
        call_command("generate_scale_data", "--delete-only", stdout=out, stderr=StringIO())
        assert row_counts() == self.demo_counts
        assert rows() == self.demo_rows

    def test_generated_times_are_never_in_the_future(self):
        now = timezone.now() + datetime.timedelta(seconds=1)
        reports = ProgressReport.objects.filter(period__bloc_year__in=bench_years())
        for field in ("first_submitted_at", "submitted_at", "accepted_at", "returned_at"):
            assert not reports.filter(**{f"{field}__gt": now}).exists(), field
        assert not ScoringRound.objects.filter(bloc_year__in=bench_years(), approved_at__gt=now).exists()
        assert not Ballot.objects.filter(bloc_year__in=bench_years(), closed_at__gt=now).exists()

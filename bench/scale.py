"""National-scale benchmark data: ``python manage.py generate_scale_data`` (BENCHMARK ONLY).

Builds, through the real models but with bulk inserts (no per-row save(), no services, no audit
trail), what a whole country's blocs would hold after some years of use:

- provinces ``bench-p01`` …, each with blocs ``bench-p01-b01`` … of units ``bench-p01-b01-u01`` …;
- in province ``bench-tinh``: the 15-unit bloc ``bench-15`` and the stress bloc ``bench-1000``
  (``stress_units`` units, 1,000 by default);
- per bloc, the last ``years`` years ending with the current one. Every year has its members (STT;
  unit 1 heads, unit 2 is the deputy), covenant with 7 contents and 3 legal bases, scoreboard
  (3 criteria × 4 sub-items totalling 100, bonus items, two tie-breaks) and 4 reporting periods.
  Past years are published: default period dates, accepted reports (a few late, rare missing) with
  their 7 sections, result rows on some, evidence records on a few sections, reviewed score sheets,
  an approved scoring round whose rank snapshots are ranked by scoring.engine exactly as
  scoring.ranking.compute ranks them, a review meeting with one closed online ballot (voter records,
  shuffled choices with random ids) and award proposals. The current year is in its reporting phase:
  the period of the current quarter is open (opened 10 days ago, due in 10 days), earlier periods are
  closed with accepted reports, later ones not open yet; nothing is scored. In the open period the
  generated blocs have a mix of submitted, draft and missing reports; ``bench-15`` and ``bench-1000``
  have one draft report per unit (all 7 sections written) for the deadline-day load test.
- accounts, all with the password ``bench-password``: ``bench15-thuky`` (secretariat of bench-15's
  head unit), ``bench15-lanhdao`` (leader of bench-15), ``bench15-u01`` … (officers of bench-15),
  ``bench1000-thuky``, ``bench1000-lanhdao``, ``bench1000-u0001`` … (the same for bench-1000),
  ``bench-tinh-viewer`` and ``bench-p01-viewer`` … (provincial viewers).

Evidence records all point at ONE small valid PDF written once under MEDIA_ROOT (evidence/bench/).

Repeatable: a run first deletes everything an earlier run made (provinces, blocs, units and users whose
code or username begins with "bench", with all their data, children first, one bulk DELETE per table)
and then builds it again. Nothing else is read or changed: the demo bloc (khoi-tckt) stays as it is.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Province, Unit
from covenant.models import Covenant, CovenantContent, LegalBasis
from demo.builder import demo_pdf
from documents.models import ContentSynthesis, DocumentSetup
from reports.models import Evidence, Extension, ProgressReport, ReminderLog, ReportingPeriod, ReportSection, ResultRow
from reports.services import DEFAULT_PERIODS, default_period_dates
from scoring.models import (
    AwardProposal,
    Ballot,
    BonusClaim,
    BonusItem,
    Candidate,
    Choice,
    Criterion,
    Deduction,
    ItemScore,
    RankSnapshot,
    ReviewMeeting,
    Scoreboard,
    ScoreSheet,
    ScoringRound,
    SubItem,
    TieBreak,
    VoterRecord,
)
from scoring.sheets import engine

User = get_user_model()

PREFIX = "bench"
PASSWORD = "bench-password"  # noqa: S105 (public, benchmark accounts only)
BATCH = 5000
EVIDENCE_FILE = "evidence/bench/minh-chung-bench.pdf"
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"

# Rates of the past years' reports (per report) and of the current open period (per unit).
MISSING_RATE = 0.005
LATE_RATE = 0.04
RETURNED_RATE = 0.03
OPEN_PERIOD_PLAN = (("accepted", 0.15), ("submitted", 0.40), ("draft", 0.70))  # the rest: not started

R = ProgressReport.Status
HALVES = [Decimal(n) / 2 for n in range(0, 401)]  # scores on the 0.5 step, by number of half points
DAY = datetime.timedelta(days=1)


# Texts --------------------------------------------------------------------------------------------

DEPARTMENTS = [
    ("Sở Tài chính", "STC"),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("Sở Xây dựng", "SXD"),
    ("Sở Giao thông vận tải", "SGTVT"),
    ("Sở Công Thương", "SCT"),
    ("Sở Tài nguyên và Môi trường", "STNMT"),
    ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT"),
    ("Sở Nội vụ", "SNV"),
    ("Sở Tư pháp", "STP"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Y tế", "SYT"),
    ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("Sở Thông tin và Truyền thông", "STTTT"),
    ("Sở Ngoại vụ", "SNgV"),
    ("Thanh tra tỉnh", "TTr"),
    ("Văn phòng UBND tỉnh", "VPUB"),
    ("Ban Dân tộc tỉnh", "BDT"),
    ("Cục Thuế tỉnh", "CT"),
    ("Kho bạc Nhà nước tỉnh", "KBNN"),
    ("Cục Thống kê tỉnh", "CTK"),
    ("Bảo hiểm xã hội tỉnh", "BHXH"),
    ("Ban Quản lý Khu kinh tế tỉnh", "BQLKKT"),
]
STREETS = ["Trần Hưng Đạo", "Lê Lợi", "Hùng Vương", "Nguyễn Huệ", "Phan Đình Phùng", "Lê Hồng Phong", "Trần Phú"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Ngọc", "Xuân", "Hoài"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân",
         "Sơn", "Tâm", "Thắng", "Trang", "Tuấn", "Việt"]

LEGAL_BASES = [
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số "
    "điều của Luật Thi đua, khen thưởng;",
    "Căn cứ Thông tư số 01/2024/TT-BNV ngày 24 tháng 02 năm 2024 của Bộ trưởng Bộ Nội vụ quy định biện pháp thi hành "
    "Luật Thi đua, khen thưởng và Nghị định số 98/2023/NĐ-CP;",
]

PERIOD_LABELS = {"q1": "quý I năm {y}", "6t": "6 tháng đầu năm {y}", "q3": "quý III năm {y}", "nam": "năm {y}"}

# What a unit did, per covenant content (order 1…7); {n} and {m} are numbers.
DONE = {
    1: [
        "quán triệt Kế hoạch thi đua của Khối đến toàn thể cán bộ, công chức; 100% phòng, đơn vị trực thuộc "
        "đăng ký danh hiệu thi đua.",
        "phát động đợt thi đua ngắn ngày chào mừng các ngày lễ lớn; Hội đồng Thi đua – Khen thưởng họp {n} lần.",
        "lồng ghép quán triệt Chỉ thị 34-CT/TW vào sinh hoạt chi bộ định kỳ; biểu dương {n} tập thể tiêu biểu.",
    ],
    2: [
        "hoàn thành {m}% kế hoạch công tác của kỳ; tham mưu UBND tỉnh ban hành {n} văn bản chỉ đạo, điều hành.",
        "triển khai đúng tiến độ các nhiệm vụ được UBND tỉnh giao; không có nhiệm vụ quá hạn.",
        "giải ngân {m}% kế hoạch vốn được giao; tham mưu tháo gỡ {n} vướng mắc cho dự án trọng điểm.",
    ],
    3: [
        "giải quyết {n}0 hồ sơ thủ tục hành chính, 100% đúng hạn; tiếp tục thực hiện Chỉ thị 05-CT/TW.",
        "rà soát, đề xuất đơn giản hóa {n} thủ tục hành chính; không để xảy ra vụ việc tham nhũng, lãng phí.",
        "tổ chức sinh hoạt chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    ],
    4: [
        "hỗ trợ xã được phân công {n}0 triệu đồng và {m} ngày công xây dựng nông thôn mới.",
        "giữ vững an ninh trật tự cơ quan; phối hợp tuần tra, bảo vệ rừng theo kế hoạch.",
        "tham gia phong trào “Toàn dân bảo vệ an ninh Tổ quốc”; không có vụ việc mất an ninh trật tự.",
    ],
    5: [
        "thực hiện nghiêm Quy chế dân chủ ở cơ sở; đối thoại với doanh nghiệp, xử lý {n} kiến nghị.",
        "công khai tài chính, kế hoạch công tác theo quy định; tổ chức hội nghị cán bộ, công chức đúng hạn.",
        "tiếp nhận và trả lời {n} phản ánh của người dân, doanh nghiệp trên cổng thông tin.",
    ],
    6: [
        "phối hợp giúp đỡ xã đặc biệt khó khăn theo Nghị quyết 04-NQ/TU; tặng {n}0 suất quà cho hộ nghèo.",
        "hỗ trợ {n} hộ nghèo giống cây trồng, vật nuôi; cử cán bộ bám nắm cơ sở.",
        "vận động cán bộ, công chức đóng góp {n} triệu đồng xây nhà đại đoàn kết.",
    ],
    7: [
        "gửi báo cáo đúng thời hạn; đăng {n} tin, bài tuyên truyền điển hình tiên tiến.",
        "thực hiện chế độ thông tin, báo cáo theo quy định của Khối; cập nhật số liệu đầy đủ.",
        "giới thiệu {n} mô hình mới, nhân tố mới trên trang thông tin điện tử của đơn vị.",
    ],
}
DIFFICULTIES = [
    "Không có khó khăn, vướng mắc.",
    "Biên chế còn thiếu, cán bộ phải kiêm nhiệm nhiều việc.",
    "Một số phong trào thi đua theo đợt chưa được sơ kết kịp thời.",
    "Kinh phí hỗ trợ còn hạn chế.",
    "",
]
NEXT_STEPS = [
    "Tiếp tục triển khai các nhiệm vụ theo kế hoạch; theo dõi kết quả đăng ký thi đua.",
    "Tập trung hoàn thành các chỉ tiêu còn lại trong {next}.",
    "Sơ kết, biểu dương các tập thể, cá nhân tiêu biểu; nhân rộng mô hình hay.",
]
RESULTS = {  # content order → (indicator, target, lowest result)
    2: ("Giải ngân vốn đầu tư công được giao (%)", "100", 80),
    3: ("Hồ sơ thủ tục hành chính giải quyết đúng hạn (%)", "100", 95),
}
RESULT_CHANCE = {2: 0.35, 3: 0.1}  # share of written sections of that content with a result row
PROPOSALS = [
    "Đề nghị Văn phòng Khối sớm ban hành hướng dẫn chấm điểm năm {y}.",
    "Đề nghị UBND tỉnh bổ sung kinh phí cho công tác thi đua, khen thưởng.",
]
COMMENTS = ["Đề nghị bổ sung số liệu so với cùng kỳ.", "Nội dung đầy đủ, số liệu rõ ràng."]
RETURN_REASONS = ["Thiếu số liệu chỉ tiêu nội dung 2; đề nghị bổ sung.", "Chưa nêu kết quả nội dung 4."]
EXPLANATIONS = [
    "Căn cứ báo cáo tổng kết năm {y} của đơn vị.",
    "Có kế hoạch và báo cáo kết quả thực hiện kèm theo.",
    "Hoàn thành đầy đủ theo hướng dẫn chấm điểm.",
]
REVIEW_REASONS = ["Minh chứng chưa đầy đủ.", "Kết quả chưa đạt mức tối đa theo hướng dẫn chấm.", "Báo cáo nộp chậm."]
BONUS_EXPLANATION = "Quyết định khen thưởng số {n}/QĐ-UBND ngày {d:%d/%m/%Y}."
EVIDENCE_DOCS = [
    ("Kế hoạch thực hiện phong trào thi đua năm {y}", "KH"),
    ("Báo cáo tổng kết công tác năm {y}", "BC"),
    ("Quyết định kiện toàn Hội đồng Thi đua - Khen thưởng", "QĐ"),
    ("Biên bản hội nghị cán bộ, công chức năm {y}", "BB"),
]


def person(rng: random.Random) -> tuple[str, str]:
    """(first names, last name) of an invented Vietnamese person."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}", rng.choice(GIVEN)


# Specs --------------------------------------------------------------------------------------------


@dataclass
class UnitSpec:
    code: str
    name: str
    short_name: str


@dataclass
class BlocSpec:
    code: str
    name: str
    parent_body: str
    units: list[UnitSpec]
    all_drafts: bool = False  # the open period: one draft per unit (bench-15, bench-1000)


@dataclass
class Options:
    provinces: int = 34
    blocs_per_province: int = 30
    units_per_bloc: int = 12
    years: int = 5
    stress_units: int = 1000
    seed: int = 2025


@dataclass
class YearData:
    """One bloc year being built, with what later steps need of it."""

    spec: BlocSpec
    bloc_year: BlocYear
    units: list[Unit]
    current: bool
    contents: list[CovenantContent] = field(default_factory=list)
    board: Scoreboard | None = None
    criteria: list[Criterion] = field(default_factory=list)
    sub_items: list[tuple[int, SubItem]] = field(default_factory=list)  # (criterion index, sub-item)
    bonus_items: list[BonusItem] = field(default_factory=list)
    periods: list[ReportingPeriod] = field(default_factory=list)
    late: Counter = field(default_factory=Counter)  # unit id → late reports
    missing: Counter = field(default_factory=Counter)  # unit id → missing reports
    evidence_sections: dict = field(default_factory=dict)  # unit id → [sections to attach evidence to]
    evidence: dict = field(default_factory=dict)  # unit id → [Evidence]
    snapshots: list[RankSnapshot] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    voters: list[Unit] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.bloc_year.year


def bench_province_specs(options: Options) -> list[tuple[str, str, list[BlocSpec]]]:
    """(code, name, blocs) of the generated provinces."""
    provinces = []
    n_dep = len(DEPARTMENTS)
    for p in range(1, options.provinces + 1):
        pname = f"Tỉnh thử nghiệm {p:02d}"
        blocs = []
        for b in range(1, options.blocs_per_province + 1):
            code = f"{PREFIX}-p{p:02d}-b{b:02d}"
            units = []
            for u in range(1, options.units_per_bloc + 1):
                dep, abbr = DEPARTMENTS[(b * 7 + u - 1) % n_dep]
                units.append(UnitSpec(f"{code}-u{u:02d}", f"{dep} số {u:02d}", f"{abbr} {u:02d}"))
            blocs.append(BlocSpec(code, f"Khối thi đua số {b:02d} – {pname}", f"UBND {pname.upper()}", units))
        provinces.append((f"{PREFIX}-p{p:02d}", pname, blocs))
    return provinces


def bench_tinh_specs(options: Options) -> list[BlocSpec]:
    fifteen = [
        UnitSpec(f"{PREFIX}-15-u{u:02d}", f"{DEPARTMENTS[u - 1][0]} (thử nghiệm)", DEPARTMENTS[u - 1][1])
        for u in range(1, 16)
    ]
    n = options.stress_units
    n_dep = len(DEPARTMENTS)
    stress = [
        UnitSpec(f"{PREFIX}-1000-u{u:04d}", f"{DEPARTMENTS[(u - 1) % n_dep][0]} số {u:04d}",
                 f"{DEPARTMENTS[(u - 1) % n_dep][1]} {u:04d}")
        for u in range(1, n + 1)
    ]
    parent = "UBND TỈNH THỬ NGHIỆM HIỆU NĂNG"
    return [
        BlocSpec(f"{PREFIX}-15", "Khối thi đua thử nghiệm 15 đơn vị", parent, fifteen, all_drafts=True),
        BlocSpec(f"{PREFIX}-1000", f"Khối thi đua thử nghiệm tải {n} đơn vị", parent, stress, all_drafts=True),
    ]


def reverse_relations(model: type[models.Model]) -> list:
    """Every relation pointing at ``model``, hidden ones ("+", many-to-many tables) included."""
    return [
        f for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
    ]


# The generator ------------------------------------------------------------------------------------


def current_year_periods(today: datetime.date) -> tuple[int, list[tuple[datetime.date, datetime.date, datetime.date]]]:
    """Index of the open period (the current quarter's) and (opens, deadline, lock) of the 4 periods.

    The open one opened 10 days ago, is due in 10 days and locks in 30; earlier ones closed (locked)
    11 days ago at the latest; later ones keep their default dates."""
    current = (today.month - 1) // 3
    dates = []
    for i, (_code, _kind, _name, month) in enumerate(DEFAULT_PERIODS):
        opens, deadline, lock = default_period_dates(today.year, month)
        if i == current:
            opens, deadline, lock = today - 10 * DAY, today + 10 * DAY, today + 30 * DAY
        elif i < current:
            lock = min(lock, today - 11 * DAY)
            deadline = min(deadline, lock)
            opens = min(opens, deadline)
        dates.append((opens, deadline, lock))
    return current, dates


class ScaleGenerator:
    def __init__(self, options: Options, log: Callable[[str], None], now: datetime.datetime | None = None):
        self.options = options
        self.log = log
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        first = self.today.year - options.years + 1
        self.years = list(range(first, self.today.year + 1))
        self.open_index, self.current_dates = current_year_periods(self.today)
        self.counts: Counter = Counter()
        self.started = time.monotonic()
        contents = json.loads((FIXTURES / "contents.json").read_text(encoding="utf-8"))["contents"]
        self.contents = [
            (c["order"], c["title"], (FIXTURES / c["body_file"]).read_text(encoding="utf-8").strip())
            for c in contents
        ]
        self.scoreboard = json.loads((FIXTURES / "scoreboard.json").read_text(encoding="utf-8"))
        self._text_pool: dict = {}

    # helpers

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """An aware time in the project's time zone, never later than now."""
        return min(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz), self.now)

    @contextmanager
    def transaction(self):
        """One transaction; on PostgreSQL its commit does not wait for the disk (benchmark data, rebuilt at will)."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield

    def bulk(self, model: type[models.Model], objs: list) -> list:
        if objs:
            model.objects.bulk_create(objs, batch_size=BATCH)
            self.counts[model._meta.label] += len(objs)
        return objs

    def phase(self, name: str, started: float, rows: int | None = None) -> None:
        took = time.monotonic() - started
        extra = f", {rows:,} dòng".replace(",", ".") if rows is not None else ""
        self.log(f"  {name}: {took:.1f} s{extra} (tổng {time.monotonic() - self.started:.0f} s)")

    # run

    def run(self, *, delete_only: bool = False) -> Counter:
        started = time.monotonic()
        deleted = self.delete_bench_data()
        self.phase("xóa dữ liệu bench cũ", started, deleted)
        if delete_only:
            return self.counts
        self.evidence_file = self.write_evidence_file()
        self.password_hash = make_password(PASSWORD)

        started = time.monotonic()
        rows = sum(self.counts.values())
        with self.transaction():
            tinh = self.bulk(Province, [Province(code=f"{PREFIX}-tinh", name="Tỉnh thử nghiệm hiệu năng")])[0]
            built = self.build(tinh, bench_tinh_specs(self.options), seed="bench-tinh")
            self.bench_accounts(built)
        self.phase(f"{PREFIX}-tinh (bench-15, bench-1000 × {self.options.stress_units})", started,
                   sum(self.counts.values()) - rows)

        viewers = [(tinh, f"{PREFIX}-tinh-viewer")]
        for code, name, blocs in bench_province_specs(self.options):
            started = time.monotonic()
            rows = sum(self.counts.values())
            with self.transaction():
                province = self.bulk(Province, [Province(code=code, name=name)])[0]
                self.build(province, blocs, seed=code)
            viewers.append((province, f"{code}-viewer"))
            self.phase(f"{code} ({len(blocs)} khối)", started, sum(self.counts.values()) - rows)

        started = time.monotonic()
        with self.transaction():
            users = self.bulk(User, [self.user(name, "Theo dõi", "cấp tỉnh") for _p, name in viewers])
            self.bulk(Profile, [Profile(user=u, role=Profile.Role.PROVINCIAL, province=p)
                                for u, (p, _n) in zip(users, viewers, strict=True)])
        self.phase("tài khoản theo dõi cấp tỉnh", started, len(viewers) * 2)

        if connection.vendor == "postgresql":
            started = time.monotonic()
            self.analyze()
            self.phase("VACUUM ANALYZE" if not connection.in_atomic_block else "ANALYZE", started)
        return self.counts

    def analyze(self) -> None:
        """Fresh planner statistics for the tables just filled (and, outside a transaction, their dead rows
        of the previous run reclaimed), so that pages measured right after this run get the plans they
        would get in production."""
        labels = set(self.counts)
        tables = [m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.label in labels]
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in sorted(tables):
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")

    # deleting an earlier run

    def delete_bench_data(self) -> int:
        """Remove everything an earlier run made, children first, one DELETE per table; nothing else."""
        by = BlocYear.objects.filter(bloc__code__startswith=PREFIX).values("pk")
        steps: list[tuple[type[models.Model], dict]] = [
            (Choice, {"ballot__bloc_year__in": by}),
            (VoterRecord, {"ballot__bloc_year__in": by}),
            (Candidate, {"ballot__bloc_year__in": by}),
            (Ballot, {"bloc_year__in": by}),
            (AwardProposal, {"bloc_year__in": by}),
            (ReviewMeeting.present_units.through, {"reviewmeeting__bloc_year__in": by}),
            (ReviewMeeting, {"bloc_year__in": by}),
            (ItemScore.evidence.through, {"itemscore__sheet__bloc_year__in": by}),
            (BonusClaim.evidence.through, {"bonusclaim__sheet__bloc_year__in": by}),
            (ItemScore, {"sheet__bloc_year__in": by}),
            (BonusClaim, {"sheet__bloc_year__in": by}),
            (Deduction, {"sheet__bloc_year__in": by}),
            (ScoreSheet, {"bloc_year__in": by}),
            (RankSnapshot, {"bloc_year__in": by}),
            (ScoringRound, {"bloc_year__in": by}),
            (ReportSection.evidence.through, {"reportsection__report__period__bloc_year__in": by}),
            (ResultRow, {"section__report__period__bloc_year__in": by}),
            (ReportSection, {"report__period__bloc_year__in": by}),
            (ProgressReport, {"period__bloc_year__in": by}),
            (Extension, {"period__bloc_year__in": by}),
            (ReminderLog, {"period__bloc_year__in": by}),
            (Evidence, {"bloc_year__in": by}),
            (ReportingPeriod, {"bloc_year__in": by}),
            (ContentSynthesis, {"bloc_year__in": by}),
            (DocumentSetup, {"bloc_year__in": by}),
            (TieBreak, {"scoreboard__bloc_year__in": by}),
            (BonusItem, {"scoreboard__bloc_year__in": by}),
            (SubItem, {"criterion__scoreboard__bloc_year__in": by}),
            (Criterion.contents.through, {"criterion__scoreboard__bloc_year__in": by}),
            (Criterion, {"scoreboard__bloc_year__in": by}),
            (Scoreboard, {"bloc_year__in": by}),
            (LegalBasis, {"covenant__bloc_year__in": by}),
            (CovenantContent, {"covenant__bloc_year__in": by}),
            (Covenant, {"bloc_year__in": by}),
            (Membership, {"bloc_year__in": by}),
            (AuditEntry, {"bloc_year__in": by}),
        ]
        deleted = 0
        done: set = set()
        with self.transaction():
            unchecked = self.skip_fk_checks()
            if unchecked:
                self.log("  (PostgreSQL: bỏ kiểm tra khóa ngoại khi xóa, xóa bảng con trước bảng cha)")
            for model, filters in steps:
                qs = model.objects.filter(**filters)
                if all(rel.related_model in done for rel in reverse_relations(model)):
                    deleted += qs._raw_delete(qs.db)
                else:
                    # Something this list does not know (added later) points at these rows: the ORM follows it.
                    deleted += qs.delete()[0]
                done.add(model)
            Profile.objects.filter(
                Q(user__username__startswith=PREFIX)
                | Q(unit__code__startswith=PREFIX)
                | Q(bloc__code__startswith=PREFIX)
                | Q(province__code__startswith=PREFIX)
            ).delete()
            # What is left is small: the ORM deletes it, with whatever else (added later) still points at it.
            for qs in (
                BlocYear.objects.filter(bloc__code__startswith=PREFIX),
                User.objects.filter(username__startswith=PREFIX),
                Bloc.objects.filter(code__startswith=PREFIX),
                Unit.objects.filter(code__startswith=PREFIX),
                Province.objects.filter(code__startswith=PREFIX),
            ):
                deleted += qs.delete()[0]
            if unchecked:  # the checks are back for what follows in an enclosing transaction (tests)
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        return deleted

    def skip_fk_checks(self) -> bool:
        """Skip PostgreSQL's foreign-key checks until the end of the transaction, when the role may (superuser).

        Deleting millions of rows otherwise costs one check per deleted row and referencing table, each
        visiting the children just deleted. The deletes need no check: each table is emptied of bench rows
        only after every table that references it (a table with references this list does not know is
        deleted through the ORM instead)."""
        if connection.vendor != "postgresql":
            return False
        try:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal is harmless
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
        return True

    def write_evidence_file(self) -> tuple[str, int, str]:
        """The one small PDF every evidence record points at: (stored name, size, sha256)."""

        content = demo_pdf(["DU LIEU THU NGHIEM HIEU NANG (BENCHMARK) - KHONG PHAI VAN BAN THAT", "",
                            "Minh chung mau dung chung cho moi ban ghi minh chung cua du lieu bench."])
        digest = hashlib.sha256(content).hexdigest()
        storage = default_storage
        if storage.exists(EVIDENCE_FILE):
            with storage.open(EVIDENCE_FILE, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() == digest:
                    return EVIDENCE_FILE, len(content), digest
            storage.delete(EVIDENCE_FILE)
        name = storage.save(EVIDENCE_FILE, ContentFile(content))
        return name, len(content), digest

    # accounts

    def user(self, username: str, first: str, last: str) -> models.Model:
        return User(username=username, password=self.password_hash, first_name=first, last_name=last,
                    email=f"{username}@bench.invalid", is_active=True)

    def bench_accounts(self, built: dict[str, tuple[Bloc, list[Unit]]]) -> None:
        rng = random.Random(f"{self.options.seed}/accounts")  # noqa: S311 (invented names)
        rows: list[tuple[models.Model, dict]] = []
        for bloc_code, short in ((f"{PREFIX}-15", "bench15"), (f"{PREFIX}-1000", "bench1000")):
            bloc, units = built[bloc_code]
            rows.append((self.user(f"{short}-thuky", *person(rng)),
                         {"role": Profile.Role.SECRETARIAT, "unit": units[0]}))
            rows.append((self.user(f"{short}-lanhdao", *person(rng)), {"role": Profile.Role.LEADER, "bloc": bloc}))
            width = 2 if short == "bench15" else 4
            for i, unit in enumerate(units, start=1):
                rows.append((self.user(f"{short}-u{i:0{width}d}", *person(rng)),
                             {"role": Profile.Role.OFFICER, "unit": unit}))
        users = self.bulk(User, [u for u, _p in rows])
        self.bulk(Profile, [Profile(user=u, **p) for u, (_x, p) in zip(users, rows, strict=True)])

    # building blocs

    def build(self, province: Province, specs: list[BlocSpec], seed: str) -> dict[str, tuple[Bloc, list[Unit]]]:
        rng = random.Random(f"{self.options.seed}/{seed}")  # noqa: S311 (reproducible invented data)
        units_of: dict[str, list[Unit]] = {}
        all_units = []
        for spec in specs:
            units_of[spec.code] = []
            for i, u in enumerate(spec.units):
                first, last = person(rng)
                unit = Unit(
                    code=u.code, province=province, name=u.name, short_name=u.short_name, head_name=f"{first} {last}",
                    address=f"Số {rng.randint(1, 200)} {STREETS[i % len(STREETS)]}, {province.name}",
                    phone=f"0260 3{rng.randint(100, 999)} {rng.randint(100, 999)}",
                    email=f"{u.code}@bench.invalid",
                )
                units_of[spec.code].append(unit)
                all_units.append(unit)
        self.bulk(Unit, all_units)
        blocs = self.bulk(Bloc, [
            Bloc(code=s.code, name=s.name, province=province, parent_body=s.parent_body,
                 description="Dữ liệu thử nghiệm hiệu năng (benchmark), không phải dữ liệu thật.")
            for s in specs
        ])
        years: list[YearData] = []
        for spec, bloc in zip(specs, blocs, strict=True):
            for year in self.years:
                current = year == self.today.year
                phase = BlocYear.Phase.REPORTING if current else BlocYear.Phase.PUBLISHED
                years.append(YearData(spec, BlocYear(bloc=bloc, year=year, phase=phase), units_of[spec.code], current))
        self.bulk(BlocYear, [y.bloc_year for y in years])
        self.setup(years, province)
        self.reports(years, rng)
        self.evidence(years, rng)
        self.scoring(years, rng)
        self.meetings(years, rng)
        return {s.code: (b, units_of[s.code]) for s, b in zip(specs, blocs, strict=True)}

    def setup(self, years: list[YearData], province: Province) -> None:
        """Members, covenant with contents and legal bases, scoreboard, reporting periods."""
        members, covenants = [], []
        for y in years:
            n = len(y.units)
            for i, unit in enumerate(y.units, start=1):
                role = Membership.Role.HEAD if i == 1 else Membership.Role.DEPUTY if i == 2 else Membership.Role.MEMBER
                members.append(Membership(bloc_year_id=y.bloc_year.pk, year=y.year, unit_id=unit.pk, order=i,
                                          role=role))
            signed = datetime.date(y.year, 3, 15)
            if y.current and signed >= self.today:
                signed = self.today - 30 * DAY
            plan_date = min(signed + 10 * DAY, self.today)
            abbr = y.units[0].short_name.split(" ")[0]
            covenants.append(Covenant(
                bloc_year=y.bloc_year, title=f"Giao ước thi đua năm {y.year}", signed_on=signed,
                signed_place=province.name, plan_number=f"{(y.year + n) % 20 + 1:02d}/KH-{abbr}", plan_date=plan_date,
            ))
        self.bulk(Membership, members)
        self.bulk(Covenant, covenants)
        contents, bases = [], []
        for y, cov in zip(years, covenants, strict=True):
            y.contents = [CovenantContent(covenant_id=cov.pk, order=o, title=t, body=b) for o, t, b in self.contents]
            contents += y.contents
            bases += [LegalBasis(covenant=cov, order=i, text=t) for i, t in enumerate(LEGAL_BASES, start=1)]
        self.bulk(CovenantContent, contents)
        self.bulk(LegalBasis, bases)

        spec = self.scoreboard
        board_settings = {k: Decimal(v) for k, v in spec["settings"].items() if not k.startswith("_")}
        boards = [Scoreboard(bloc_year=y.bloc_year, title=f"Bảng điểm thi đua năm {y.year}", **board_settings)
                  for y in years]
        self.bulk(Scoreboard, boards)
        criteria = []
        for y, board in zip(years, boards, strict=True):
            y.board = board
            y.criteria = [Criterion(scoreboard=board, order=c["order"], title=c["title"]) for c in spec["criteria"]]
            criteria += y.criteria
        self.bulk(Criterion, criteria)
        links, sub_items, bonus, ties = [], [], [], []
        through = Criterion.contents.through
        for y in years:
            by_order = {c.order: c for c in y.contents}
            for index, (c, crit) in enumerate(zip(spec["criteria"], y.criteria, strict=True)):
                links += [through(criterion_id=crit.pk, covenantcontent_id=by_order[o].pk) for o in c["contents"]]
                for s in c["sub_items"]:
                    item = SubItem(criterion_id=crit.pk, order=s["order"], text=s["text"],
                                   max_points=Decimal(s["max_points"]), guidance=s.get("guidance", ""),
                                   evidence_required=s.get("evidence_required", False))
                    y.sub_items.append((index, item))
                    sub_items.append(item)
            y.bonus_items = [
                BonusItem(scoreboard=y.board, order=b["order"], text=b["text"], points=Decimal(b["points"]))
                for b in spec["bonus_items"]
            ]
            bonus += y.bonus_items
            for order, t in enumerate(spec["tie_breaks"], start=1):
                crit = y.criteria[t["criterion"] - 1] if t["kind"] == TieBreak.Kind.CRITERION else None
                ties.append(TieBreak(scoreboard=y.board, order=order, kind=t["kind"], criterion=crit))
        self.bulk(through, links)
        self.bulk(SubItem, sub_items)
        self.bulk(BonusItem, bonus)
        self.bulk(TieBreak, ties)

        periods = []
        for y in years:
            for order, (code, kind, name, month) in enumerate(DEFAULT_PERIODS, start=1):
                if y.current:
                    opens, deadline, lock = self.current_dates[order - 1]
                else:
                    opens, deadline, lock = default_period_dates(y.year, month)
                y.periods.append(ReportingPeriod(bloc_year=y.bloc_year, code=code, kind=kind, name=str(name),
                                                 order=order, opens_on=opens, deadline=deadline, lock_date=lock))
            periods += y.periods
        self.bulk(ReportingPeriod, periods)

    # periodic reports

    def section_texts(self, year: int, period_code: str, p_idx: int) -> dict[int, tuple[list[str], list[str]]]:
        """Short texts of a period's sections: per content order, (what was done, next steps) variants."""
        key = (year, period_code)
        pool = self._text_pool.get(key)
        if pool is None:
            rng = random.Random(f"{year}/{period_code}")  # noqa: S311
            label = PERIOD_LABELS[period_code].format(y=year)
            nxt = "kỳ tới" if p_idx < 3 else f"năm {year + 1}"
            pool = {
                order: (
                    [f"Trong {label}, đơn vị " + p.format(n=rng.randint(2, 9), m=rng.randint(85, 100))
                     for p in phrases for _ in range(3)],
                    [t.replace("{next}", nxt) for t in NEXT_STEPS],
                )
                for order, phrases in DONE.items()
            }
            self._text_pool[key] = pool
        return pool

    def submission(self, rng: random.Random, period: ReportingPeriod) -> dict | None:
        """When a report of a closed period (or of a past year) was submitted and accepted; None: missing."""
        latest = self.today - DAY
        r = rng.random()
        if period.lock_date < self.today and r < MISSING_RATE:
            return None
        late_room = (min(period.lock_date, latest) - period.deadline).days
        if r < LATE_RATE and late_room >= 1:
            day = period.deadline + rng.randint(1, min(late_room, 6)) * DAY
        else:
            day = period.deadline - rng.randint(0, 6) * DAY
            day = max(period.opens_on, min(day, latest))
        first = self.at(day, rng.randint(7, 16), rng.randint(0, 59))
        plan = {"status": R.ACCEPTED, "first_submitted_at": first, "submitted_at": first, "version": 4}
        if rng.random() < RETURNED_RATE:
            returned = min(first + DAY, self.now)
            plan.update(returned_at=returned, return_reason=rng.choice(RETURN_REASONS),
                        resubmit_due=timezone.localdate(returned) + 5 * DAY,
                        submitted_at=min(returned + 2 * DAY, self.now), version=7)
        plan["accepted_at"] = min(plan["submitted_at"] + rng.randint(1, 3) * DAY, self.now)
        return plan

    def open_submission(self, rng: random.Random, period: ReportingPeriod, all_drafts: bool) -> tuple[dict, int] | None:
        """A report of the current open period: (fields, contents written), or None when not started."""
        if all_drafts:
            return {"status": R.DRAFT, "version": 2}, 7
        r = rng.random()
        latest = max(period.opens_on, self.today - DAY)
        state = next((s for s, limit in OPEN_PERIOD_PLAN if r < limit), None)
        if state is None:
            return None
        if state == "draft":
            return {"status": R.DRAFT, "version": 2}, rng.randint(0, 7)
        day = period.opens_on + rng.randint(0, (latest - period.opens_on).days) * DAY
        first = self.at(day, rng.randint(7, 16), rng.randint(0, 59))
        plan = {"status": R.SUBMITTED, "first_submitted_at": first, "submitted_at": first, "version": 3}
        if state == "accepted":
            plan.update(status=R.ACCEPTED, accepted_at=min(first + DAY, self.now), version=4)
        return plan, 7

    def reports(self, years: list[YearData], rng: random.Random) -> None:
        reports: list[ProgressReport] = []
        meta: list[tuple[YearData, ReportingPeriod, int, int, int, bool]] = []
        for y in years:
            for p_idx, period in enumerate(y.periods):
                if y.current and p_idx > self.open_index:
                    continue
                open_period = y.current and p_idx == self.open_index
                end_of_deadline = datetime.datetime.combine(period.deadline, datetime.time.max, tzinfo=self.tz)
                for u_idx, unit in enumerate(y.units):
                    if open_period:
                        made = self.open_submission(rng, period, y.spec.all_drafts)
                        if made is None:
                            continue
                        plan, filled = made
                    else:
                        plan, filled = self.submission(rng, period), 7
                        if plan is None:
                            if period.lock_date < self.today:
                                y.missing[unit.pk] += 1
                            continue
                        if plan["first_submitted_at"] > end_of_deadline:
                            y.late[unit.pk] += 1
                    if rng.random() < 0.08 and plan["status"] != R.DRAFT:
                        plan["general_proposals"] = PROPOSALS[u_idx % 2].format(y=y.year + 1)
                    reports.append(ProgressReport(period_id=period.pk, unit_id=unit.pk, **plan))
                    meta.append((y, period, u_idx, p_idx, filled, plan["status"] == R.ACCEPTED))
        self.bulk(ProgressReport, reports)

        sections: list[ReportSection] = []
        with_results: list[tuple[ReportSection, int]] = []
        n_diff, n_comments = len(DIFFICULTIES), len(COMMENTS)
        random_ = rng.random
        for report, (y, period, u_idx, p_idx, filled, accepted) in zip(reports, meta, strict=True):
            texts = self.section_texts(y.year, period.code, p_idx)
            rid = report.pk
            made = []
            for c in y.contents:
                o = c.order
                if o > filled:
                    made.append(ReportSection(report_id=rid, content_id=c.pk))
                    continue
                done, nexts = texts[o]
                section = ReportSection(
                    report_id=rid, content_id=c.pk,
                    done=done[(u_idx + 2 * p_idx + o) % len(done)],
                    difficulties=DIFFICULTIES[(u_idx + 3 * p_idx + 2 * o) % n_diff],
                    next_steps=nexts[(u_idx + p_idx + o) % len(nexts)],
                    reviewer_comment=COMMENTS[u_idx % n_comments] if accepted and random_() < 0.04 else "",
                )
                made.append(section)
                if o in RESULT_CHANCE and random_() < RESULT_CHANCE[o]:
                    with_results.append((section, o))
            sections += made
            if accepted and not y.current:
                # Evidence goes on content 1 of the first report of the year and content 2 of the annual one.
                targets = y.evidence_sections.setdefault(report.unit_id, [])
                if p_idx == 0 or (p_idx == 3 and len(targets) < 2):
                    targets.append((made[0] if p_idx == 0 else made[1], period))
        self.bulk(ReportSection, sections)
        results = []
        for section, o in with_results:
            indicator, target, low = RESULTS[o]
            value = f"{rng.uniform(low, 100):.1f}".replace(".", ",")
            results.append(ResultRow(section_id=section.pk, order=1, indicator=indicator, target=target, result=value))
        self.bulk(ResultRow, results)

    def evidence(self, years: list[YearData], rng: random.Random) -> None:
        """Evidence records (all on the same stored file) of the past years, linked to a few sections."""
        name, size, digest = self.evidence_file
        records, owners = [], []
        for y in years:
            if y.current:
                continue
            for u_idx, unit in enumerate(y.units):
                sections = y.evidence_sections.get(unit.pk, [])
                for k, (section, period) in enumerate(sections):
                    summary, symbol = EVIDENCE_DOCS[(u_idx + k) % len(EVIDENCE_DOCS)]
                    issued = period.opens_on + rng.randint(0, 10) * DAY
                    abbr = unit.short_name.split(" ")[0]
                    records.append(Evidence(
                        bloc_year_id=y.bloc_year.pk, unit_id=unit.pk,
                        number_symbol=f"{rng.randint(10, 250)}/{symbol}-{abbr}", issued_on=issued,
                        summary=summary.format(y=y.year), file=name,
                        original_name=f"{symbol.replace('Đ', 'D')}-{y.year}-{k + 1}.pdf",
                        content_type="application/pdf", size=size, sha256=digest,
                        uploaded_at=self.at(min(issued + DAY, self.today), 9, rng.randint(0, 59)),
                    ))
                    owners.append(section)
                    y.evidence.setdefault(unit.pk, []).append(records[-1])
        self.bulk(Evidence, records)
        through = ReportSection.evidence.through
        self.bulk(through, [through(reportsection_id=s.pk, evidence_id=e.pk)
                            for s, e in zip(owners, records, strict=True)])

    # year-end scoring

    def scoring(self, years: list[YearData], rng: random.Random) -> None:
        past = [y for y in years if not y.current]
        if not past:
            return
        rounds, sheets, sheet_meta = [], [], []
        for y in past:
            nxt = y.year + 1
            rounds.append(ScoringRound(
                bloc_year=y.bloc_year, mode=ScoringRound.Mode.SECRETARIAT,
                assigned_at=self.at(datetime.date(nxt, 1, 12), 8), released_at=self.at(datetime.date(nxt, 1, 19), 16),
                approved_at=self.at(datetime.date(nxt, 1, 22), 10), version=4,
            ))
            for u_idx, unit in enumerate(y.units):
                sheets.append(ScoreSheet(
                    bloc_year_id=y.bloc_year.pk, unit_id=unit.pk, status=ScoreSheet.Status.REVIEWED,
                    submitted_at=self.at(datetime.date(nxt, 1, 8 + u_idx % 4), 9 + u_idx % 7, u_idx % 60),
                    reviewed_at=self.at(datetime.date(nxt, 1, 15 + u_idx % 3), 14, u_idx % 60),
                    reviewer_unit_id=y.units[1].pk if u_idx == 0 else None, version=5,
                ))
                sheet_meta.append((y, u_idx, unit))
        self.bulk(ScoringRound, rounds)
        self.bulk(ScoreSheet, sheets)

        items, claims, deductions, item_evidence = [], [], [], []
        entries: dict[int, list[engine.Entry]] = {}  # bloc year id → entries
        ev_through = ItemScore.evidence.through
        for sheet, (y, u_idx, unit) in zip(sheets, sheet_meta, strict=True):
            quality = rng.uniform(0.72, 0.97)
            halves = [0] * len(y.criteria)
            own_evidence = y.evidence.get(unit.pk, [])
            linked = 0
            sheet_items = []
            for k, (c_idx, sub) in enumerate(y.sub_items):
                top = int(sub.max_points * 2)
                own = min(top, max(0, int(top * (quality + rng.uniform(-0.08, 0.06)))))
                reviewed, reason, contest = own, "", ""
                comment = settlement = settlement_reason = ""
                if own > 0 and rng.random() < 0.12:
                    reviewed = max(0, own - rng.randint(1, 3))
                    reason = REVIEW_REASONS[(u_idx + k) % len(REVIEW_REASONS)]
                    if rng.random() < 0.2:
                        contest = ItemScore.Contest.CONTESTED
                        comment = "Đơn vị đề nghị xem xét lại, đã bổ sung minh chứng."
                        settlement = ItemScore.Settlement.KEPT
                        settlement_reason = "Minh chứng bổ sung không làm thay đổi kết quả thẩm định."
                    else:
                        contest = ItemScore.Contest.ACCEPTED
                halves[c_idx] += reviewed
                item = ItemScore(
                    sheet_id=sheet.pk, sub_item_id=sub.pk,
                    self_score=HALVES[own], reviewed_score=HALVES[reviewed],
                    explanation=EXPLANATIONS[(u_idx + k) % len(EXPLANATIONS)].format(y=y.year),
                    review_reason=reason, contest=contest, contest_comment=comment,
                    settlement=settlement, settlement_reason=settlement_reason,
                )
                sheet_items.append(item)
                if sub.evidence_required and linked < len(own_evidence):
                    # The unit's evidence records back its first evidence-required items, one each.
                    item_evidence.append((item, own_evidence[linked]))
                    linked += 1
            items += sheet_items
            bonus_claimed = Decimal(0)
            if rng.random() < 0.35:
                b = y.bonus_items[rng.choice([1, 2, 3, 3, 4, 4, 4])] if len(y.bonus_items) > 4 else y.bonus_items[0]
                rejected = rng.random() < 0.12
                claims.append(BonusClaim(
                    sheet=sheet, bonus_item=b,
                    explanation=BONUS_EXPLANATION.format(n=rng.randint(100, 2500), d=datetime.date(y.year, 11, 20)),
                    review=BonusClaim.Review.REJECTED if rejected else BonusClaim.Review.ACCEPTED,
                    review_reason="Khen thưởng không thuộc năm thi đua." if rejected else "",
                ))
                if not rejected:
                    bonus_claimed += b.points
            lines = [engine.DeductionLine("late", y.board.late_report_points)] * y.late[unit.pk]
            lines += [engine.DeductionLine("missing", y.board.missing_report_points)] * y.missing[unit.pk]
            if rng.random() < 0.02:
                points = Decimal(rng.choice([1, 2]))
                reason = "Vắng họp Khối không có lý do (Thông báo số 12/TB-VPK)."
                deductions.append(Deduction(sheet=sheet, kind=Deduction.Kind.MANUAL, points=points, reason=reason,
                                            created_at=sheet.reviewed_at))
                lines.append(engine.DeductionLine(reason, points))
            entries.setdefault(y.bloc_year.pk, []).append(engine.Entry(
                unit_id=unit.pk, order=u_idx + 1, criteria=tuple(HALVES[h] for h in halves),
                bonus_claimed=bonus_claimed, deductions=tuple(lines),
                late=y.late[unit.pk], missing=y.missing[unit.pk],
            ))
        self.bulk(ItemScore, items)
        self.bulk(BonusClaim, claims)
        self.bulk(Deduction, deductions)
        self.bulk(ev_through, [ev_through(itemscore_id=i.pk, evidence_id=e.pk) for i, e in item_evidence])

        snapshots = []
        for y in past:
            rules = []
            for t in self.scoreboard["tie_breaks"]:
                kind = t["kind"]
                key = f"criterion:{t['criterion'] - 1}" if kind == TieBreak.Kind.CRITERION else {
                    TieBreak.Kind.FEWER_LATE: "late", TieBreak.Kind.FEWER_MISSING: "missing",
                    TieBreak.Kind.FEWER_DEDUCTIONS: "deductions", TieBreak.Kind.HIGHER_BONUS: "bonus",
                }[kind]
                rules.append(engine.Rule(key, kind))
            rows = engine.rank(entries[y.bloc_year.pk], bonus_cap=y.board.bonus_cap, rules=rules)
            y.snapshots = [
                RankSnapshot(bloc_year_id=y.bloc_year.pk, unit_id=r.entry.unit_id, rank=r.rank, total=r.total)
                for r in rows
            ]
            snapshots += y.snapshots
        self.bulk(RankSnapshot, snapshots)

    # review meeting and ballot

    def meetings(self, years: list[YearData], rng: random.Random) -> None:
        past = [y for y in years if not y.current]
        if not past:
            return
        ballots, meetings, present = [], [], []
        for y in past:
            day = min(datetime.date(y.year + 1, 1, 25), self.today)
            units = y.units
            ballots.append(Ballot(
                bloc_year=y.bloc_year, kind=Ballot.Kind.FLAG, max_choices=1, candidates_from=Ballot.Candidates.TOP,
                top_n=3, mode=Ballot.Mode.ONLINE, status=Ballot.Status.CLOSED,
                opened_at=self.at(day, 8, 30), closed_at=self.at(day, 10, 30), counted_at=self.at(day, 10, 30),
                version=3,
            ))
            meetings.append(ReviewMeeting(
                bloc_year=y.bloc_year, held_on=day, place=f"Hội trường {units[0].name}",
                chair=f"{units[0].head_name}, Thủ trưởng {units[0].name}, Trưởng khối",
                secretary=f"{units[1].head_name}, {units[1].name}",
                count_committee="\n".join(f"{u.head_name}, {u.short_name}" for u in units[:2]),
                conclusions=f"Hội nghị thống nhất kết quả chấm điểm, xếp hạng năm {y.year} và đề nghị khen thưởng.",
                elected_head=units[0], elected_deputy=units[1],
            ))
        self.bulk(Ballot, ballots)
        self.bulk(ReviewMeeting, meetings)

        candidates, voters, choices, proposals = [], [], [], []
        for y, ballot, meeting in zip(past, ballots, meetings, strict=True):
            names = {u.pk: u.name for u in y.units}
            ranked = sorted(y.snapshots, key=lambda s: (s.rank, names[s.unit_id]))
            cutoff = ranked[min(ballot.top_n, len(ranked)) - 1].rank
            cands = [Candidate(ballot=ballot, unit_id=s.unit_id, order=i)
                     for i, s in enumerate((s for s in ranked if s.rank <= cutoff), start=1)]
            candidates += cands
            y.candidates = cands
            absent = set(rng.sample(range(len(y.units)), rng.randint(0, len(y.units) // 8)))
            y.voters = [u for i, u in enumerate(y.units) if i not in absent]
            present += [ReviewMeeting.present_units.through(reviewmeeting_id=meeting.pk, unit_id=u.pk)
                        for u in y.voters]
        self.bulk(Candidate, candidates)
        self.bulk(ReviewMeeting.present_units.through, present)
        for y, ballot in zip(past, ballots, strict=True):
            cands = y.candidates
            marks = [cands[0] if len(cands) == 1 or rng.random() < 0.8 else rng.choice(cands[1:]) for _v in y.voters]
            rng.shuffle(marks)
            choices += [Choice(ballot_id=ballot.pk, candidate_id=c.pk) for c in marks]
            voters += [VoterRecord(ballot_id=ballot.pk, unit_id=u.pk) for u in y.voters]
            votes = Counter(c.pk for c in marks)
            rank_of = {s.unit_id: s.rank for s in y.snapshots}
            top = max(cands, key=lambda c: (votes[c.pk], -c.order))
            order = 1
            if votes[top.pk] * 100 > ballot.pass_percent * len(y.voters):
                proposals.append(AwardProposal(
                    bloc_year=y.bloc_year, unit_id=top.unit_id, award=AwardProposal.Award.FLAG,
                    rank=rank_of[top.unit_id], votes=votes[top.pk], order=order,
                    basis=f"Dẫn đầu Khối năm {y.year}, được {votes[top.pk]}/{len(y.voters)} phiếu tín nhiệm.",
                ))
                order += 1
            others = [s for s in sorted(y.snapshots, key=lambda s: (s.rank, s.unit_id)) if s.unit_id != top.unit_id]
            for s in others[:2]:
                proposals.append(AwardProposal(
                    bloc_year=y.bloc_year, unit_id=s.unit_id, award=AwardProposal.Award.CERTIFICATE, rank=s.rank,
                    order=order, basis=f"Xếp hạng {s.rank} trong Khối năm {y.year}.",
                ))
                order += 1
        self.bulk(VoterRecord, voters)
        self.bulk(Choice, choices)
        self.bulk(AwardProposal, proposals)

"""Demo data loader: ``python manage.py load_demo`` (DEMO ONLY).

Reads the JSON files in ``fixtures/demo/`` and builds the demo bloc through the services, so that the
demo carries the same audit trail, with historical dates, as data entered through the browser.

Layout of ``fixtures/demo/``::

    base.json          province, bloc, units, accounts, and the ordered list of year files
    contents.json      the seven covenant contents (titles; bodies in contents/NN.txt)
    contents/NN.txt    content bodies, verbatim from the founding document
    scoreboard.json    scoreboard settings, criteria with sub-items, bonus items, tie-breaks
    report_texts.json  phrasings, per-unit details and result indicators of the periodic reports
    score_texts.json   explanations of self-scores by sub-item, generated evidence documents
    years/2017.json    one file per year: members, covenant, legal bases, timeline, steps, the plan
                       of its reporting periods and reports (who is late, missing, returned…), and of
                       its scoring (self-scores, review, contests) and review meeting (ballots)
    years/current.json the year of the loading day ("year": "current"); dates relative to it

Each year file lists its ``steps`` by name; a step is a function in ``STEPS`` that receives the
loader and the year being built. A later feature (self-scores, the vote…) adds its function to
``STEPS`` (``@step("name")``) and appends the name to a year's list.

Periodic reports (steps ``officers``, ``report_periods``, ``reports``): every report is written by its
unit's officer and reviewed by the secretariat through ``reports.services`` (start, save, submit,
return, accept, evidence, extension), with acting times in the past: 2017 and January 2018 for 2017,
the days before the loading day for the current year. Texts and numbers come from a random generator
seeded by year, period and unit, so every load writes the same reports. Evidence files are tiny valid
PDF and PNG files made in code (``demo_pdf``, ``demo_png``) and stored in MEDIA_ROOT. While a year is
loaded, the services' email notifications are switched off: the demo's history is not news.

Year-end scoring and the review meeting (steps ``open_scoring``, ``self_scores``, ``review_scores``,
``release_review``, ``approve_scores``, ``review_meeting``, ``publish``; sections ``scoring`` and ``meeting``
of the year file): each officer self-scores its unit through ``scoring.sheets`` with explanations and
evidence (its report evidence reused, else a generated PDF) and bonus claims; the secretariat reviews
(the head unit's sheet goes to the deputy), releases, settles the contests and approves; automatic
deductions come from the reporting record. At the meeting the four paper ballots are counted through
``scoring.voting``; the proposals and next year's head and deputy follow from who was elected, and the
loader refuses a fixture whose flag does not go to the leading unit. Then the year is published.

Idempotent by natural keys: province code, bloc code, unit code, username, and (bloc, year). A year
that already exists is skipped as a whole, so appended steps only apply to a database that does not
have that year yet. Each year is built in one transaction: a failing step leaves nothing of it.
"""

from __future__ import annotations

import datetime
import io
import json
import random
import re
import struct
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from awards import services as award_services
from awards.models import Award
from core import lifecycle, notifications
from core.formatting import vn_number
from core.models import Bloc, BlocYear, Membership, Notification, Profile, Province, Unit
from council import imports as council_imports
from council import services as council_services
from council.models import Dossier, Quota
from covenant import services
from covenant.models import CovenantContent
from documents import services as document_services
from documents.models import LegalText
from documents.registry import load_all as document_kinds
from reports import board as report_board
from reports import notify
from reports import services as report_services
from reports.models import Evidence, ProgressReport, ReportingPeriod
from scoring.meeting import services as voting
from scoring.models import (
    AwardProposal,
    Ballot,
    BonusItem,
    ItemScore,
    ScoreSheet,
    ScoringRound,
    SubItem,
    TieBreak,
)
from scoring.scoreboard import services as scoring_services
from scoring.sheets import services as sheets
from scoring.sheets.ranking import compute, tie_note

User = get_user_model()

DEFAULT_FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
# The current year's notifications older than this are loaded as read (see DemoLoader._read_old_notifications).
NOTIFICATIONS_UNREAD_DAYS = 7


def _load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _clean(data: dict) -> dict:
    """Drop the "_note" style keys that label demo data in the fixture."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


# Year context ---------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^(?P<base>signed_on|plan_date|today)(?:(?P<sign>[+-])(?P<days>\d+))?$")


@dataclass
class DemoYear:
    """One year being built: its fixture, its resolved dates and, once created, its BlocYear."""

    spec: dict
    year: int
    today: datetime.date
    now: datetime.datetime
    dates: dict[str, datetime.date] = field(default_factory=dict)
    bloc_year: BlocYear | None = None
    _calls: dict[str, int] = field(default_factory=dict)

    def date(self, expr: str) -> datetime.date:
        """An ISO date, or "signed_on[+-N]", "plan_date[+-N]", "today[+-N]"; never later than today."""
        try:
            value = datetime.date.fromisoformat(expr)
        except ValueError:
            m = _RELATIVE.match(expr.strip())
            if m is None:
                raise ValueError(f"Ngày không hợp lệ trong fixture: {expr!r}") from None
            base = self.today if m["base"] == "today" else self.dates[m["base"]]
            days = int(m["days"] or 0) * (-1 if m["sign"] == "-" else 1)
            value = base + datetime.timedelta(days=days)
        return min(value, self.today)

    def _timeline(self, key: str) -> datetime.datetime:
        date_expr, _sep, hhmm = self.spec["timeline"][key].rpartition(" ")
        hour, minute = (int(x) for x in hhmm.split(":"))
        return datetime.datetime.combine(self.date(date_expr), datetime.time(hour, minute))

    def at(self, key: str) -> datetime.datetime:
        """The acting time of a timeline entry ("<date> HH:MM"), a minute later at each further call for the
        same entry, never in the future."""
        calls = self._calls.get(key, 0)
        self._calls[key] = calls + 1
        return min(timezone.make_aware(self._timeline(key) + datetime.timedelta(minutes=calls)), self.now)

    def when(self, key: str, *, days: int = 0, minutes: int = 0) -> datetime.datetime:
        """A time relative to a timeline entry (N days and M minutes after it), never in the future."""
        naive = self._timeline(key) + datetime.timedelta(days=days, minutes=minutes)
        return min(timezone.make_aware(naive), self.now)


def _current_year_signed_on(today: datetime.date) -> datetime.date:
    """15/03 of this year when that is already past, else 30 days before today."""
    march = datetime.date(today.year, 3, 15)
    return march if march < today else today - datetime.timedelta(days=30)


# Steps ----------------------------------------------------------------------------------------------

Step = Callable[["DemoLoader", DemoYear], None]
STEPS: dict[str, Step] = {}


def step(name: str) -> Callable[[Step], Step]:
    def register(func: Step) -> Step:
        STEPS[name] = func
        return func

    return register


@step("create_year")
def create_year(loader: DemoLoader, y: DemoYear) -> None:
    y.bloc_year = lifecycle.create_bloc_year(bloc=loader.bloc, year=y.year, by=loader.actor, at=y.at("create_year"))


@step("members")
def members(loader: DemoLoader, y: DemoYear) -> None:
    rows = [
        services.MemberRow(unit=loader.units[m["unit"]], order=i, role=m.get("role", Membership.Role.MEMBER))
        for i, m in enumerate(y.spec["members"], start=1)
    ]
    y.bloc_year.refresh_from_db()
    services.save_members(
        bloc_year=y.bloc_year, rows=rows, expected_version=y.bloc_year.version, by=loader.actor, at=y.at("members")
    )


@step("contents")
def contents(loader: DemoLoader, y: DemoYear) -> None:
    covenant = y.bloc_year.covenant
    for c in loader.contents(y.spec["contents"]):
        services.save_content(
            covenant=covenant,
            content=None,
            order=c["order"],
            title=c["title"],
            body=c["body"],
            expected_version=None,
            by=loader.actor,
            at=y.at("contents"),
        )


@step("sign_covenant")
def sign_covenant(loader: DemoLoader, y: DemoYear) -> None:
    spec = y.spec["covenant"]
    covenant = y.bloc_year.covenant
    covenant.refresh_from_db()
    services.update_covenant(
        covenant=covenant,
        data={"signed_on": y.dates["signed_on"], "signed_place": spec.get("signed_place", "")},
        legal_bases=y.spec.get("legal_bases", []),
        expected_version=covenant.version,
        by=loader.actor,
        at=y.at("sign_covenant"),
    )


@step("scoreboard")
def scoreboard(loader: DemoLoader, y: DemoYear) -> None:
    spec = _load_json(loader.root / y.spec["scoreboard"])
    board = y.bloc_year.scoreboard
    board.refresh_from_db()
    scoring_services.update_settings(
        scoreboard=board,
        data={k: Decimal(v) for k, v in _clean(spec["settings"]).items()},
        expected_version=board.version,
        by=loader.actor,
        at=y.at("scoreboard"),
    )
    by_order = {c.order: c for c in y.bloc_year.covenant.contents.all()}
    criteria = {}
    for c in spec["criteria"]:
        criteria[c["order"]] = scoring_services.save_criterion(
            scoreboard=board,
            criterion=None,
            order=c["order"],
            title=c["title"],
            contents=[by_order[o] for o in c.get("contents", [])],
            sub_items=[
                scoring_services.SubItemRow(
                    order=s["order"],
                    text=s["text"],
                    max_points=Decimal(s["max_points"]),
                    guidance=s.get("guidance", ""),
                    evidence_required=s.get("evidence_required", False),
                )
                for s in c["sub_items"]
            ],
            expected_version=None,
            by=loader.actor,
            at=y.at("scoreboard"),
        )
    scoring_services.save_bonus_items(
        scoreboard=board,
        rows=[
            scoring_services.BonusRow(order=b["order"], text=b["text"], points=Decimal(b["points"]))
            for b in spec.get("bonus_items", [])
        ],
        expected_version=None,
        by=loader.actor,
        at=y.at("scoreboard"),
    )
    rules = []
    for t in spec.get("tie_breaks", []):
        kind = TieBreak.Kind(t["kind"])
        rules.append((kind, criteria[t["criterion"]] if kind == TieBreak.Kind.CRITERION else None))
    scoring_services.save_tie_breaks(
        scoreboard=board, rules=rules, expected_version=None, by=loader.actor, at=y.at("scoreboard")
    )


@step("issue_plan")
def issue_plan(loader: DemoLoader, y: DemoYear) -> None:
    covenant = y.bloc_year.covenant
    covenant.refresh_from_db()
    services.update_covenant(
        covenant=covenant,
        data={"plan_number": y.spec["covenant"].get("plan_number", ""), "plan_date": y.dates["plan_date"]},
        expected_version=covenant.version,
        by=loader.actor,
        at=y.at("issue_plan"),
    )


def _advance(y: DemoYear, by, at) -> BlocYear:
    """The phase step as the secretariat takes it: what is left open (late units, ballots never used) is left
    with the reason the log keeps."""
    left = lifecycle.open_work_of(y.bloc_year)
    reason = "Hết thời hạn của giai đoạn theo kế hoạch của khối." if left else ""
    return lifecycle.advance_phase(bloc_year=y.bloc_year, by=by, at=at, reason=reason)


@step("open_reporting")
def open_reporting(loader: DemoLoader, y: DemoYear) -> None:
    """Setup → reporting (advance_phase checks the setup is complete)."""
    y.bloc_year = _advance(y, loader.actor, y.at("open_reporting"))


@step("officers")
def officers(loader: DemoLoader, y: DemoYear) -> None:
    """One officer account per member unit, so that each unit's reports are written by its own officer."""
    loader.ensure_officers(y.bloc_year, at=y.at("officers"))


# Periodic reports -----------------------------------------------------------------------------------


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _clamp(day: datetime.date, lo: datetime.date, hi: datetime.date) -> datetime.date:
    return min(max(day, lo), hi)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def relative_period_dates(
    today: datetime.date, reporting_opened: datetime.date
) -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    """(opens, deadline, lock) of q1, 6t, q3 and the annual report of the current year, relative to today.

    q1 and 6t are closed (lock date past), q3 is past its deadline but not locked, the annual report is
    open with its deadline 10 days ahead. The past dates are spread over the days since reporting opened
    (the plan date), or over the days since 1 January when that leaves under 60 days, and never over fewer
    than 8 days (so only a load on 1–8 January reaches back into the previous year)."""
    if (today - reporting_opened).days >= 60:
        start = reporting_opened + _days(1)
    else:
        start = max(datetime.date(today.year, 1, 1), today - _days(60))
        if (today - start).days < 8:  # eight past dates, one day apart at least
            start = today - _days(8)
    width = (today - start).days
    # q1 opens, deadline, lock; 6t opens, deadline, lock; q3 opens, deadline: all in the past.
    fractions = [0.0, 0.12, 0.22, 0.33, 0.45, 0.55, 0.70, 0.95]
    past = [start + _days(round(f * width)) for f in fractions]
    for i in range(1, len(past)):  # strictly increasing …
        past[i] = max(past[i], past[i - 1] + _days(1))
    past[-1] = min(past[-1], today - _days(1))
    for i in range(len(past) - 2, -1, -1):  # … and all before today
        past[i] = min(past[i], past[i + 1] - _days(1))
    q1 = (past[0], past[1], past[2])
    h1 = (past[3], past[4], past[5])
    q3 = (past[6], past[7], today + _days(8))
    annual = (min(max(today - _days(5), past[6] + _days(1)), today), today + _days(10), today + _days(30))
    return [q1, h1, q3, annual]


@step("report_periods")
def report_periods(loader: DemoLoader, y: DemoYear) -> None:
    """Reporting periods: the defaults (2017), or dates relative to the loading day (current year)."""
    layout = y.spec["report_periods"]["layout"]
    at = y.at("report_periods")
    if layout == "default":
        report_services.create_default_periods(bloc_year=y.bloc_year, by=loader.actor, at=at)
        return
    if layout != "relative":
        raise ValueError(f"report_periods.layout không hợp lệ: {layout!r}")
    dates = relative_period_dates(y.today, y.dates["plan_date"])
    # Created before the first report is started, even when the year had to be squeezed.
    at = min(at, _aware(dates[0][0], 7, 30), y.now)
    for order, ((code, kind, name, _month), (opens, deadline, lock)) in enumerate(
        zip(report_services.DEFAULT_PERIODS, dates, strict=True), start=1
    ):
        data = {
            "code": code,
            "name": str(name),
            "kind": kind,
            "order": order,
            "opens_on": opens,
            "deadline": deadline,
            "lock_date": lock,
        }
        report_services.save_period(
            bloc_year=y.bloc_year, period=None, data=data, expected_version=None, by=loader.actor, at=at
        )


def _ascii(text: str) -> str:
    """Vietnamese without diacritics: the demo PDF uses a standard font that has no Vietnamese letters."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "replace").decode("ascii")


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def demo_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF (A4, Helvetica) showing the given lines, with a correct cross-reference table."""

    def escape(line: str) -> str:
        return _ascii(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    ops += [f"({escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_png(seed: str, width: int = 160, height: int = 100) -> bytes:
    """A valid RGB PNG (a sky over green hills, shaped by the seed), built with zlib and struct only."""
    rng = random.Random(seed)  # noqa: S311 (a seeded picture, not a secret)
    ridge = [rng.uniform(0.45, 0.6), rng.uniform(0.05, 0.12), rng.uniform(2.0, 4.0)]
    raw = bytearray()
    for row in range(height):
        raw.append(0)  # filter type: none
        for col in range(width):
            x = col / width
            # A piecewise-linear hill line: no trigonometry needed for a demo picture.
            hill = ridge[0] + ridge[1] * abs(((x * ridge[2]) % 2) - 1)
            if row / height < hill:
                sky = row / height
                raw += bytes((int(120 + 100 * sky), int(170 + 60 * sky), 235))
            else:
                depth = (row / height - hill) / (1 - hill + 1e-9)
                raw += bytes((int(40 + 30 * depth), int(150 - 60 * depth), int(60 - 20 * depth)))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def _pick(options: list[str], k: int) -> str:
    return options[k % len(options)]


def _vn_number(value: float, decimals: int = 0) -> str:
    """1234.5 → "1.234,5" (Vietnamese separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def make_evidence(
    y: DemoYear,
    unit: Unit,
    *,
    kind: str,
    filename: str,
    number: str,
    summary: str,
    issued: datetime.date,
    by,
    at: datetime.datetime,
):
    """Upload a generated evidence file (a one-page PDF naming the document, or a PNG picture) for ``unit``."""
    if kind == "pdf":
        lines = ["DU LIEU MINH HOA (DEMO) - KHONG PHAI VAN BAN THAT", "", unit.name.upper(), ""]
        lines += [f"So: {number}" if number else "", f"Ngay: {issued:%d/%m/%Y}", ""]
        lines += _wrap(summary, 80)
        content, mime = demo_pdf(lines), "application/pdf"
    elif kind == "png":
        content, mime = demo_png(f"{y.year}/{unit.code}/{filename}"), "image/png"
    else:
        raise ValueError(f"Loại tệp minh chứng không hợp lệ: {kind!r}")
    return report_services.add_evidence(
        bloc_year=y.bloc_year,
        unit=unit,
        upload=SimpleUploadedFile(filename, content, content_type=mime),
        summary=summary,
        number_symbol=number,
        issued_on=issued,
        by=by,
        at=at,
    )


class _Clock:
    """Acting times of one report: each at least a few minutes after the previous one, never after now."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.last: datetime.datetime | None = None

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        t = _aware(day, hour, minute)
        if self.last is not None:
            t = max(t, self.last + datetime.timedelta(minutes=6))
        self.last = min(t, self.now)
        return self.last


class ReportBuilder:
    """Writes every unit's report for every period of a year, as the year's fixture describes it.

    ``reports`` in the year file: ``default`` (the plan of every report), and per period code a
    ``default`` and per unit code a plan, each merged over the previous one. A plan has
    ``state`` (accepted, submitted, resubmitted, returned, draft, none = not started),
    ``after_deadline`` (first submission N days after the period's deadline; otherwise a few days before),
    ``filled`` (for a draft: how many contents are written), ``returned`` (reason, comments and the fix
    written before resubmitting), ``extension`` and ``evidence``.
    """

    STATES = {"accepted", "submitted", "resubmitted", "returned", "draft", "none"}

    def __init__(self, loader: DemoLoader, y: DemoYear):
        self.loader, self.y = loader, y
        self.spec = y.spec["reports"]
        self.texts = _load_json(loader.root / self.spec["texts"])
        self.today, self.now = y.today, y.now
        self.members = list(y.bloc_year.memberships.select_related("unit").order_by("order"))
        self.contents = list(y.bloc_year.covenant.contents.order_by("order"))
        self.content_by_order = {c.order: c for c in self.contents}
        self.officers = {
            p.unit_id: p.user
            for p in Profile.objects.select_related("user")
            .filter(role=Profile.Role.OFFICER, unit__in=[m.unit for m in self.members])
            .order_by("user__username")
        }
        self.values_year = {"year": y.year, "next_year": y.year + 1}

    def run(self) -> None:
        periods = list(self.y.bloc_year.periods.order_by("order"))
        unknown = set(self.spec.get("periods", {})) - {p.code for p in periods}
        if unknown:
            raise ValueError(f"Kỳ báo cáo không có trong năm {self.y.year}: {', '.join(sorted(unknown))}")
        for p_idx, period in enumerate(periods):
            pspec = self.spec.get("periods", {}).get(period.code, {})
            units = pspec.get("units", {})
            codes = {m.unit.code for m in self.members}
            if set(units) - codes:
                raise ValueError(f"Đơn vị không thuộc khối năm {self.y.year}: {', '.join(sorted(set(units) - codes))}")
            for u_idx, m in enumerate(self.members):
                plan = {
                    **_clean(self.spec.get("default", {})),
                    **_clean(pspec.get("default", {})),
                    **_clean(units.get(m.unit.code, {})),
                }
                self.build(period, p_idx, m.unit, u_idx, plan)

    # texts

    def _fmt(self, text: str, values: dict) -> str:
        return text.format_map(values)

    def _values(self, period: ReportingPeriod, unit: Unit, rng: random.Random) -> dict:
        p = self.texts["periods"][period.code]
        u = self.texts["units"][unit.code]
        values = {**self.values_year, "short": unit.short_name, "unit": unit.name}
        values.update({k: v for k, v in u.items() if isinstance(v, str | int)})
        values["period"] = p["label"].format_map(values)
        values["next"] = p["next"].format_map(values)
        for name, spec in _clean(self.texts["numbers"]).items():
            lo, hi, scaled = spec
            n = rng.randint(lo, hi) * (p["scale"] if scaled else 1)
            values[name] = _vn_number(n)
        values["rate"] = _vn_number(rng.uniform(95.0, 100.0), 1).replace(",0", "")
        return values

    def _result(self, spec: dict, period: ReportingPeriod, rng: random.Random) -> tuple[str, str, str]:
        decimals = spec.get("decimals", 0)
        target = spec["target"]
        if spec["kind"] == "rate":
            lo, hi = spec["range"]
            value = rng.uniform(lo, hi)
            decimals = max(decimals, 1)
        else:
            value = target * self.texts["periods"][period.code]["progress"] * rng.uniform(0.88, 1.12)
        if "max" in spec:
            value = min(value, spec["max"])
        result = _vn_number(value, decimals)
        if decimals and result.endswith("," + "0" * decimals):
            result = result[: -(decimals + 1)]
        return spec["indicator"], _vn_number(target), result

    def sections(
        self, period: ReportingPeriod, p_idx: int, unit: Unit, u_idx: int, rng: random.Random, filled: int | None
    ) -> tuple[dict[int, report_services.SectionData], str, dict]:
        values = self._values(period, unit, rng)
        unit_texts = self.texts["units"][unit.code]
        data = {}
        for c in self.contents:
            if filled is not None and c.order > filled:
                data[c.pk] = report_services.SectionData()
                continue
            t = self.texts["contents"][str(c.order)]
            results = []
            if c.order == 2:
                indicators = unit_texts["indicators"]
                results.append(self._result(indicators[0], period, rng))
                if len(indicators) > 1 and rng.random() < 0.6:
                    results.append(self._result(indicators[1], period, rng))
            for spec in self.texts["results"].get(str(c.order), []):
                if spec.get("periods") and period.code not in spec["periods"]:
                    continue
                if rng.random() < spec.get("chance", 1):
                    results.append(self._result(spec, period, rng))
            # Phrasings rotate with the unit, the period and the content: neighbours never read alike.
            data[c.pk] = report_services.SectionData(
                done=self._fmt(_pick(t["done"], u_idx + 2 * p_idx + c.order), values),
                difficulties=self._fmt(_pick(t["difficulties"], u_idx + 3 * p_idx + 2 * c.order), values),
                next_steps=self._fmt(_pick(t["next_steps"], u_idx + p_idx + c.order), values),
                results=results,
            )
        proposals = ""
        spec = self.texts["proposals"]
        if filled is None and rng.random() < spec["chance"]:
            proposals = self._fmt(spec["texts"][(u_idx + p_idx) % len(spec["texts"])], values)
        return data, proposals, values

    # evidence

    def add_evidence(self, spec: dict, unit: Unit, officer, at: datetime.datetime) -> tuple[int, list[int]]:
        evidence = make_evidence(
            self.y,
            unit,
            kind=spec["kind"],
            filename=self._fmt(spec["filename"], self.values_year),
            number=spec.get("number_symbol", ""),
            summary=self._fmt(spec["summary"], self.values_year),
            issued=timezone.localtime(at).date() - _days(spec.get("issued_before", 0)),
            by=officer,
            at=at,
        )
        return evidence.pk, [self.content_by_order[o].pk for o in spec["contents"]]

    # one report

    def build(self, period: ReportingPeriod, p_idx: int, unit: Unit, u_idx: int, plan: dict) -> None:
        state = plan.get("state", "accepted")
        if state not in self.STATES:
            raise ValueError(f"Trạng thái báo cáo không hợp lệ: {state!r}")
        loader, today = self.loader, self.today
        officer = self.officers.get(unit.pk, loader.actor)
        reviewer = loader.actor
        opens, deadline, lock = period.opens_on, period.deadline, period.lock_date
        last_day = min(today, lock)

        if ext := plan.get("extension"):
            base = deadline if ext.get("base", "deadline") == "deadline" else today
            granted_on = _clamp(deadline - _days(ext.get("granted_before_deadline", 1)), opens, today)
            extension = report_services.grant_extension(
                period=period,
                unit=unit,
                deadline=base + _days(ext["deadline"]),
                lock_date=base + _days(ext["lock"]),
                reason=self._fmt(ext["reason"], self.values_year),
                by=loader.actor,
                at=min(_aware(granted_on, 9, 15), self.now),
            )
            last_day = min(today, extension.lock_date)
        if state == "none":
            return

        # Seeded by year, period and unit: the same texts and numbers at every load (not a secret).
        rng = random.Random(f"{self.y.year}/{period.code}/{unit.code}")  # noqa: S311
        clock = _Clock(self.now)
        # Acts fall on past days (never later than yesterday when the period opened before today), so that
        # none is pushed back to the very moment of loading.
        latest = max(opens, today - _days(1))
        if "after_deadline" in plan:
            submit_day = _clamp(deadline + _days(plan["after_deadline"]), opens, min(latest, last_day))
        else:
            submit_day = _clamp(deadline - _days((u_idx * 3 + p_idx) % 6), opens, min(latest, last_day))
        if state == "draft":
            start_day = _clamp(opens + _days((u_idx * 2 + p_idx) % 5), opens, latest)
        else:
            start_day = _clamp(submit_day - _days(3 + (u_idx + 2 * p_idx) % 6), opens, submit_day)

        evidence = [e for e in plan.get("evidence", []) if e.get("on", "first") == "first"]
        fixes = [e for e in plan.get("evidence", []) if e.get("on") == "fix"]
        sections, proposals, values = self.sections(period, p_idx, unit, u_idx, rng, plan.get("filled"))
        ret = plan.get("returned")
        if state in ("returned", "resubmitted") and not ret:
            raise ValueError("Báo cáo bị trả lại cần 'returned' (lý do) trong fixture.")
        # What the reviewer found missing: the result rows of the contents commented on come only with the fix.
        held_back = {}
        for order in _clean((ret or {}).get("comments", {})):
            section = sections[self.content_by_order[int(order)].pk]
            held_back[int(order)], section.results = section.results, []

        report = report_services.start_report(
            period=period, unit=unit, by=officer, at=clock.at(start_day, 8 + u_idx % 3, (u_idx * 7) % 50)
        )
        for spec in evidence:
            pk, content_ids = self.add_evidence(spec, unit, officer, clock.at(start_day, 9, 30))
            for cid in content_ids:
                sections[cid].evidence_ids.append(pk)
        report = report_services.save_report(
            report=report,
            sections=sections,
            general_proposals=proposals,
            expected_version=report.version,
            by=officer,
            at=clock.at(start_day, 10, (u_idx * 5) % 50),
        )
        if state == "draft":
            return
        report = report_services.submit_report(
            report=report,
            expected_version=report.version,
            by=officer,
            at=clock.at(submit_day, 14 + u_idx % 3, (u_idx * 11) % 50),
        )
        review_day = submit_day
        if ret:
            return_day = _clamp(submit_day + _days(1 + u_idx % 2), submit_day, latest)
            if state == "returned":
                return_day = _clamp(today - _days(2), return_day, latest)
            due = return_day + _days(ret.get("due_days", settings.RESUBMIT_DAYS))
            if state == "returned" and due <= today:
                due = today + _days(3)
            comments = {
                self.content_by_order[int(k)].pk: self._fmt(v, values)
                for k, v in _clean(ret.get("comments", {})).items()
            }
            report = report_services.return_report(
                report=report,
                reason=self._fmt(ret["reason"], values),
                due=due,
                comments=comments,
                expected_version=report.version,
                by=reviewer,
                at=clock.at(return_day, 8 + u_idx % 3, 20),
            )
            if state == "returned":
                return
            fix_day = _clamp(return_day + _days(2), return_day, min(latest, due))
            for spec in fixes:
                pk, content_ids = self.add_evidence(spec, unit, officer, clock.at(fix_day, 8, 40))
                for cid in content_ids:
                    sections[cid].evidence_ids.append(pk)
            for order, results in held_back.items():
                sections[self.content_by_order[order].pk].results = results
            for order, fix in _clean(ret.get("fix", {})).items():
                fix = {"done": fix} if isinstance(fix, str) else fix
                section = sections[self.content_by_order[int(order)].pk]
                section.done = f"{section.done} {self._fmt(fix.get('done', ''), values)}".strip()
                if "results" in fix:
                    section.results = [tuple(row) for row in fix["results"]]
            report = report_services.save_report(
                report=report,
                sections=sections,
                general_proposals=proposals,
                expected_version=report.version,
                by=officer,
                at=clock.at(fix_day, 9, 10),
            )
            report = report_services.submit_report(
                report=report, expected_version=report.version, by=officer, at=clock.at(fix_day, 15, 5)
            )
            review_day = fix_day
        if state in ("submitted", "resubmitted"):
            return
        accept_day = _clamp(review_day + _days(1 + u_idx % 3), review_day, max(review_day, latest))
        report_services.accept_report(
            report=report,
            expected_version=report.version,
            by=reviewer,
            at=clock.at(accept_day, 8 + u_idx % 3, (u_idx * 13) % 50),
        )

    def summary(self) -> list[str]:
        board = report_board.completeness_board(self.y.bloc_year, now=self.now)
        lines = []
        for period in board.periods:
            cells = [board.cells[(m.unit_id, period.pk)] for m in board.members]
            statuses = Counter(c.report.get_status_display() for c in cells if c.report)
            timeliness = Counter(str(c.timeliness_label) for c in cells)
            lines.append(
                f"{period.name} ({period.deadline:%d/%m/%Y}): "
                + ", ".join(f"{n} {s.lower()}" for s, n in statuses.items())
                + " | "
                + ", ".join(f"{n} {t.lower()}" for t, n in timeliness.items())
            )
        return lines


@step("reports")
def reports(loader: DemoLoader, y: DemoYear) -> None:
    builder = ReportBuilder(loader, y)
    builder.run()
    for line in builder.summary():
        loader.log(f"    {line}")


# Year-end scoring and the review meeting ----------------------------------------------------------


def _dec(value) -> Decimal:
    return Decimal(str(value).strip().replace(",", "."))


def _file_name(number_symbol: str, ext: str = "pdf") -> str:
    """Evidence file name from a number and symbol: 152/QĐ-UBND → 152-QD-UBND.pdf."""
    return f"{_ascii(number_symbol).replace('/', '-').replace(' ', '-')}.{ext}"


class ScoringBuilder:
    """Self-scores, review, contest and settlement of a year, as the "scoring" section of its file says.

    ``self``: each unit's self-scores in sub-item order, criteria separated by "/". Evidence: the unit's
    report evidence named in ``reuse`` (number and symbol or file name → sub-items), and a generated PDF
    (``score_texts.json`` → ``evidence``) for every other sub-item that requires evidence. ``bonus``: claims
    (bonus item by order) with their evidence and review. ``review``: reviewed scores that differ from the
    self-score, with the reason; every other sub-item is reviewed at the self-score. ``contests``: what a
    unit contests after the release and how the secretariat settles it; every other sub-item is accepted.
    """

    def __init__(self, loader: DemoLoader, y: DemoYear):
        self.loader, self.y = loader, y
        self.spec = y.spec["scoring"]
        self.texts = _load_json(loader.root / self.spec["texts"])
        self.unit_texts = _load_json(loader.root / self.spec["unit_texts"])["units"]
        self.members = list(y.bloc_year.memberships.select_related("unit").order_by("order"))
        self.units = {m.unit.code: m.unit for m in self.members}
        self.officers = {
            p.unit_id: p.user
            for p in Profile.objects.select_related("user")
            .filter(role=Profile.Role.OFFICER, unit__in=self.units.values())
            .order_by("user__username")
        }
        board = y.bloc_year.scoreboard
        self.sub_items = {
            f"{s.criterion.order}.{s.order}": s
            for s in SubItem.objects.filter(criterion__scoreboard=board)
            .select_related("criterion")
            .order_by("criterion__order", "order")
        }
        self.bonus_items = {b.order: b for b in BonusItem.objects.filter(scoreboard=board)}
        self.values_year = {"year": y.year, "next_year": y.year + 1}
        for section in ("self", "explanations", "reuse", "bonus", "review", "contests"):
            unknown = set(_clean(self.spec.get(section, {}))) - set(self.units)
            if unknown:
                raise ValueError(f"scoring.{section}: đơn vị không thuộc khối: {', '.join(sorted(unknown))}")
        for section in ("review", "contests", "explanations"):
            for code, items in _clean(self.spec.get(section, {})).items():
                if set(items) - set(self.sub_items):
                    raise ValueError(f"scoring.{section}.{code}: mục chấm không có trong bảng điểm")
        if set(self.units) - set(_clean(self.spec["self"])):
            raise ValueError("scoring.self: thiếu điểm tự chấm của một số đơn vị")

    def officer(self, unit: Unit):
        return self.officers.get(unit.pk, self.loader.actor)

    def sheet(self, unit: Unit) -> ScoreSheet:
        return ScoreSheet.objects.get(bloc_year=self.y.bloc_year, unit=unit)

    def fmt(self, text: str, values: dict | None = None) -> str:
        return text.format_map(values or self.values_year)

    # self-scores

    def self_scores(self, code: str) -> dict[str, Decimal]:
        parts = [part.split() for part in self.spec["self"][code].split("/")]
        scores = {f"{c}.{s}": _dec(v) for c, part in enumerate(parts, start=1) for s, v in enumerate(part, start=1)}
        if list(scores) != list(self.sub_items):
            raise ValueError(f"scoring.self.{code}: số điểm không khớp với các mục chấm của bảng điểm")
        return scores

    def values(self, unit: Unit, scores: dict[str, Decimal], rng: random.Random) -> dict:
        values = {**self.values_year, "unit": unit.name, "short": unit.short_name}
        values.update({k: v for k, v in self.unit_texts[unit.code].items() if isinstance(v, str | int)})
        for name, (lo, hi) in _clean(self.texts["numbers"]).items():
            values[name] = _vn_number(rng.randint(lo, hi))
        values["ontime"] = _vn_number(rng.uniform(97.0, 100.0), 1).replace(",0", "")
        # Numbers the guidance derives from a score: documents at 2 points, models at 1, absences cost 1.
        values["docs"] = int(scores.get("1.2", 0) // 2)
        values["models"] = int(scores.get("3.3", 0))
        if "3.4" in scores:
            values["absences"] = int(self.sub_items["3.4"].max_points - scores["3.4"])
        return values

    def explanation(self, code: str, key: str, score: Decimal, values: dict) -> str:
        override = self.spec.get("explanations", {}).get(code, {}).get(key)
        if override:
            return self.fmt(override, values)
        for template in self.texts["explanations"].get(key, []):
            if score >= _dec(template["min"]):
                return self.fmt(template["text"], values)
        return ""

    def evidence(
        self, unit: Unit, officer, values: dict, rng: random.Random, at: Callable[[int], datetime.datetime]
    ) -> dict[str, list[int]]:
        """Evidence ids by sub-item: the unit's reused report evidence, then a generated PDF where required."""
        linked: dict[str, list[int]] = {}
        for ref, keys in self.spec.get("reuse", {}).get(unit.code, {}).items():
            evidence = (
                Evidence.objects.filter(bloc_year=self.y.bloc_year, unit=unit)
                .filter(Q(number_symbol=ref) | Q(original_name=ref))
                .first()
            )
            if evidence is None:
                raise ValueError(f"scoring.reuse.{unit.code}: không có minh chứng {ref!r} để dùng lại")
            for key in keys:
                linked.setdefault(key, []).append(evidence.pk)
        made = 0
        for key, sub in self.sub_items.items():
            if not sub.evidence_required or key in linked:
                continue
            spec = self.texts["evidence"][key]
            # "05/KH-…": numbers under 10 take a leading zero (decree 30/2020/NĐ-CP).
            number = spec["number_symbol"].format(n=f"{rng.randint(*spec['numbers']):02d}", sym=unit.short_name)
            lo, hi = (datetime.date.fromisoformat(d) for d in spec["issued"])
            when = at(made)
            issued = min(lo + _days(rng.randint(0, (hi - lo).days)), timezone.localtime(when).date())
            evidence = make_evidence(
                self.y,
                unit,
                kind="pdf",
                filename=_file_name(number),
                number=number,
                summary=self.fmt(spec["summary"], values),
                issued=issued,
                by=officer,
                at=when,
            )
            made += 1
            linked[key] = [evidence.pk]
        return linked

    def write_self_scores(self) -> None:
        y = self.y
        for idx, m in enumerate(self.members):
            unit, officer = m.unit, self.officer(m.unit)
            # Seeded by year and unit: the same numbers and documents at every load (not a secret).
            rng = random.Random(f"{y.year}/scores/{unit.code}")  # noqa: S311
            scores = self.self_scores(unit.code)
            values = self.values(unit, scores, rng)
            day, start = idx % 5, (idx * 17) % 60  # units spread over a working week

            def at(minutes: int, day=day, start=start) -> datetime.datetime:
                return y.when("self_scores", days=day, minutes=start + minutes)

            sheet = sheets.get_or_create_sheet(bloc_year=y.bloc_year, unit=unit, by=officer, at=at(0))
            evidence = self.evidence(unit, officer, values, rng, lambda i, at=at: at(10 + i))
            claims = {}
            for i, claim in enumerate(self.spec.get("bonus", {}).get(unit.code, [])):
                ids = []
                if ev := claim.get("evidence"):
                    number = ev["number_symbol"]
                    ids.append(
                        make_evidence(
                            y,
                            unit,
                            kind="pdf",
                            filename=_file_name(number),
                            number=number,
                            summary=self.fmt(ev["summary"], values),
                            issued=datetime.date.fromisoformat(ev["issued_on"]),
                            by=officer,
                            at=at(30 + i),
                        ).pk
                    )
                claims[self.bonus_items[claim["item"]].pk] = sheets.ClaimRow(
                    explanation=self.fmt(claim["explanation"], values), evidence_ids=ids
                )
            rows = {
                sub.pk: sheets.SelfRow(
                    score=scores[key],
                    explanation=self.explanation(unit.code, key, scores[key], values),
                    evidence_ids=evidence.get(key, []),
                )
                for key, sub in self.sub_items.items()
            }
            sheet = sheets.save_self_score(
                sheet=sheet, rows=rows, claims=claims, expected_version=sheet.version, by=officer, at=at(45)
            )
            sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer, at=at(6 * 60 + 30))

    # review

    def review(self) -> None:
        y, actor = self.y, self.loader.actor
        seed = self.spec.get("reviewer_seed", y.year)
        sheets.assign_reviewers(
            bloc_year=y.bloc_year,
            mode=ScoringRound.Mode.SECRETARIAT,
            by=actor,
            at=y.at("assign_reviewers"),
            rng=random.Random(seed),  # noqa: S311 (a reproducible draw of lots)
        )
        done = 0
        for m in self.members:
            sheet = self.sheet(m.unit)
            if sheet.reviewer_unit_id:  # the head unit's sheet: its deputy reviews it
                by, at = self.officers.get(sheet.reviewer_unit_id, actor), y.when("review_head")
            else:  # the secretariat: four sheets a day
                by, at = actor, y.when("review_scores", days=done // 4, minutes=50 * (done % 4))
                done += 1
            scores = self.self_scores(m.unit.code)
            changes = self.spec.get("review", {}).get(m.unit.code, {})
            rows = {}
            for key, sub in self.sub_items.items():
                change = changes.get(key)
                rows[sub.pk] = (
                    sheets.ReviewRow(score=_dec(change["score"]), reason=self.fmt(change["reason"]))
                    if change
                    else sheets.ReviewRow(score=scores[key])
                )
            claims = {
                self.bonus_items[c["item"]].pk: sheets.ClaimReview(
                    review=c["review"], reason=self.fmt(c.get("reason", ""))
                )
                for c in self.spec.get("bonus", {}).get(m.unit.code, [])
                if c.get("review")
            }
            sheets.save_review(sheet=sheet, rows=rows, claims=claims, expected_version=sheet.version, by=by, at=at)

    def release_and_respond(self) -> None:
        y, actor = self.y, self.loader.actor
        sheets.release_review(bloc_year=y.bloc_year, by=actor, at=y.at("release_review"))
        contests = _clean(self.spec.get("contests", {}))
        for idx, m in enumerate(self.members):
            mine = contests.get(m.unit.code, {})
            responses = {
                sub.pk: (
                    sheets.Response(ItemScore.Contest.CONTESTED, self.fmt(mine[key]["comment"]))
                    if key in mine
                    else sheets.Response(ItemScore.Contest.ACCEPTED)
                )
                for key, sub in self.sub_items.items()
            }
            sheets.respond(
                sheet=self.sheet(m.unit),
                responses=responses,
                by=self.officer(m.unit),
                at=y.when("respond", minutes=20 * idx),
            )
        for code, items in contests.items():
            for key, c in items.items():
                item = ItemScore.objects.get(
                    sheet__bloc_year=y.bloc_year, sheet__unit=self.units[code], sub_item=self.sub_items[key]
                )
                sheets.settle(
                    item=item,
                    decision=c["decision"],
                    score=c.get("score"),
                    reason=self.fmt(c["reason"]),
                    by=actor,
                    at=y.at("settle"),
                )


@step("open_scoring")
def open_scoring(loader: DemoLoader, y: DemoYear) -> None:
    """Reporting → scoring: units may now score themselves."""
    y.bloc_year = _advance(y, loader.actor, y.at("open_scoring"))


@step("self_scores")
def self_scores(loader: DemoLoader, y: DemoYear) -> None:
    """Each unit's officer scores the unit, attaches evidence, claims bonus points and submits."""
    ScoringBuilder(loader, y).write_self_scores()


@step("review_scores")
def review_scores(loader: DemoLoader, y: DemoYear) -> None:
    """Reviewers assigned (secretariat mode) and every sheet reviewed, bonus claims accepted or rejected."""
    ScoringBuilder(loader, y).review()


@step("release_review")
def release_review(loader: DemoLoader, y: DemoYear) -> None:
    """The review released to the units; they accept or contest; the secretariat settles the contests."""
    ScoringBuilder(loader, y).release_and_respond()


@step("approve_scores")
def approve_scores(loader: DemoLoader, y: DemoYear) -> None:
    """Approve the results (the automatic deductions for late and missing reports count, none waived)."""
    at = y.at("approve_scores")
    # The meeting approves what it has: a lock date still ahead or a contest window still open is stated.
    waits = sheets.approval_waits_for(y.bloc_year, at)
    reason = "Hội nghị tổng kết thống nhất phê duyệt kết quả tại cuộc họp." if waits else ""
    sheets.approve(bloc_year=y.bloc_year, by=loader.actor, at=at, reason=reason)
    ranking = compute(y.bloc_year, at)
    names = {u.membership.unit_id: u.membership.unit.short_name for u in ranking.units.values()}
    for row, unit in ranking.lines():
        notes = []
        if row.bonus:
            notes.append(f"thưởng {vn_number(row.bonus)}")
        if row.deductions:
            notes.append(f"trừ {vn_number(row.deductions)}")
        if row.tied_with:
            notes.append(tie_note(row, names))
        extra = f" ({'; '.join(notes)})" if notes else ""
        loader.log(f"    {row.rank:>2}. {unit.membership.unit.short_name:<8} {vn_number(row.total):>5}{extra}")


class MeetingBuilder:
    """The review meeting of a year, as the "meeting" section of its file says: paper ballots counted at the
    meeting, the record, the award proposals and next year's head and deputy (taken from who was elected)."""

    def __init__(self, loader: DemoLoader, y: DemoYear):
        self.loader, self.y = loader, y
        self.spec = y.spec["meeting"]
        self.members = list(y.bloc_year.memberships.select_related("unit").order_by("order"))

    def run(self) -> None:
        y, actor, spec = self.y, self.loader.actor, self.spec
        y.bloc_year = _advance(y, actor, y.at("open_review"))
        ballots = []
        for b in spec["ballots"]:
            data = {
                "kind": b["kind"],
                "max_choices": b["max_choices"],
                "candidates_from": b["candidates_from"],
                "top_n": b.get("top_n"),
                "forbid_own_unit": False,
                "mode": Ballot.Mode.PAPER,
            }
            ballot = voting.save_ballot(bloc_year=y.bloc_year, ballot=None, data=data, by=actor, at=y.at("ballots"))
            ballots.append((ballot, b))
        absent = set(spec.get("absent", []))
        present = [m.unit_id for m in self.members if m.unit.code not in absent]
        record = {
            "held_on": datetime.date.fromisoformat(spec["held_on"]),
            "place": spec["place"],
            "chair": spec["chair"],
            "secretary": spec["secretary"],
            "count_committee": "\n".join(spec["count_committee"]),
        }
        extra = self.loader.documents.get("years", {}).get(str(y.year), {}).get("meeting", {})
        for f in ("starts_at", "ends_at"):
            if extra.get(f):
                record[f] = datetime.time.fromisoformat(extra[f])
        for f in ("attendance", "discussion"):
            if extra.get(f):
                record[f] = "\n".join(extra[f])
        voting.save_meeting(
            bloc_year=y.bloc_year, data=record, present_unit_ids=present, by=actor, at=y.when("review_meeting")
        )
        results = {}
        for i, (ballot, b) in enumerate(ballots):
            start = 30 + 30 * i
            ballot = voting.open_ballot(ballot=ballot, by=actor, at=y.when("review_meeting", minutes=start))
            candidates = {c.unit.code: c.pk for c in ballot.candidates.select_related("unit")}
            if set(b["votes"]) - set(candidates):
                raise ValueError(f"meeting.ballots.{b['kind']}: phiếu cho đơn vị không có trong danh sách đề cử")
            voting.enter_paper_count(
                ballot=ballot,
                issued=b["issued"],
                received=b["received"],
                valid=b["valid"],
                invalid=b["invalid"],
                votes={pk: b["votes"].get(code, 0) for code, pk in candidates.items()},
                by=actor,
                at=y.when("review_meeting", minutes=start + 15),
            )
            ballot = voting.close_ballot(ballot=ballot, by=actor, at=y.when("review_meeting", minutes=start + 20))
            results[b["kind"]] = voting.results(ballot, len(self.members))
        self.outcome(results, present, minutes=30 + 30 * len(ballots) + 10)

    def outcome(self, results: dict, present: list[int], minutes: int) -> None:
        y, actor = self.y, self.loader.actor
        ranking = compute(y.bloc_year, y.when("review_meeting"))
        rows = {row.entry.unit_id: row for row in ranking.rows}
        units = {m.unit_id: m.unit for m in self.members}
        short = {pk: u.short_name for pk, u in units.items()}
        elected = {kind: [r for r in res.rows if r.elected] for kind, res in results.items()}
        flag, certificates = elected.get("flag", []), elected.get("certificate", [])
        head, deputy = elected.get("head", []), elected.get("deputy", [])
        # The fixture's counts must tell a consistent story: the leading unit gets the flag, one head, one deputy.
        if len(flag) != 1 or rows[flag[0].candidate.unit_id].rank != 1:
            raise ValueError("meeting.ballots: Cờ thi đua phải thuộc về đơn vị dẫn đầu bảng xếp hạng")
        if len(head) != 1 or len(deputy) != 1:
            raise ValueError("meeting.ballots: phải bầu được đúng một Trưởng khối và một Phó trưởng khối")
        proposals = []
        for kind, award in (("flag", AwardProposal.Award.FLAG), ("certificate", AwardProposal.Award.CERTIFICATE)):
            for r in elected.get(kind, []):
                row = rows[r.candidate.unit_id]
                values = {
                    **self.y_values(),
                    "rank": row.rank,
                    "total": vn_number(row.total),
                    "votes": r.votes,
                    "valid": results[kind].valid,
                    "share": _vn_number(100 * r.votes / results[kind].valid, 1).replace(",0", ""),
                }
                # The tie, if any, is explained in plain words by the submission letter itself.
                basis = self.spec["basis"][kind].format_map(values)
                proposals.append(voting.ProposalRow(row.entry.unit_id, award, row.rank, r.votes, basis))
        head_id, deputy_id = head[0].candidate.unit_id, deputy[0].candidate.unit_id
        voting.save_outcome(
            bloc_year=y.bloc_year,
            proposals=proposals,
            elected_head_id=head_id,
            elected_deputy_id=deputy_id,
            by=actor,
            at=y.when("review_meeting", minutes=minutes),
        )
        leader = ranking.rows[0]
        ties = []
        seen = set()
        for row in ranking.rows:
            if row.tied_with and row.entry.unit_id not in seen and row.separated_by:
                group = [row, *(rows[i] for i in row.tied_with)]
                seen.update(r.entry.unit_id for r in group)
                ties.append(
                    f" {', '.join(units[r.entry.unit_id].name for r in group)} cùng đạt {vn_number(row.total)} điểm; "
                    f"{units[row.entry.unit_id].name} xếp trên theo quy tắc phân định “{row.separated_by[0]}”."
                )
        votes = "; ".join(
            f"{res.ballot.get_kind_display()[0].lower()}{res.ballot.get_kind_display()[1:]}: "
            + ", ".join(f"{r.candidate.unit.short_name} {r.votes}/{res.valid}" for r in res.rows if r.votes)
            for res in results.values()
        )
        r = ScoringRound.objects.get(bloc_year=y.bloc_year)
        values = {
            **self.y_values(),
            "approved_on": f"{timezone.localtime(r.approved_at):%d/%m/%Y}",
            "leader": units[leader.entry.unit_id].name,
            "leader_total": vn_number(leader.total),
            "tie": "".join(ties),
            "present": len(present),
            "votes": votes,
            "flag": units[flag[0].candidate.unit_id].name,
            "certificates": ", ".join(units[c.candidate.unit_id].name for c in certificates),
            "head": units[head_id].name,
            "deputy": units[deputy_id].name,
        }
        conclusions = "\n".join(line.format_map(values) for line in self.spec["conclusions"])
        voting.save_meeting(
            bloc_year=y.bloc_year,
            data={"conclusions": conclusions},
            present_unit_ids=present,
            by=actor,
            at=y.when("review_meeting", minutes=minutes + 30),
        )
        for p in proposals:
            self.loader.log(
                f"    {AwardProposal.Award(p.award).label}: {short[p.unit_id]} (hạng {p.rank}, {p.votes} phiếu)"
            )
        self.loader.log(f"    Trưởng khối năm {y.year + 1}: {short[head_id]}; Phó trưởng khối: {short[deputy_id]}")

    def y_values(self) -> dict:
        return {"year": self.y.year, "next_year": self.y.year + 1, "members": len(self.members)}


@step("review_meeting")
def review_meeting(loader: DemoLoader, y: DemoYear) -> None:
    """Scoring → review: the year-end meeting, its paper ballots, proposals and next year's head and deputy."""
    MeetingBuilder(loader, y).run()


@step("publish")
def publish(loader: DemoLoader, y: DemoYear) -> None:
    """Review → published: every ballot is closed and the scores are approved; the year is locked."""
    # The secretariat keeps the synthesis of the summary report (the pre-filled one, as a demo secretariat would
    # after reading it) before publishing: publishing without it asks for a reason.
    contents = list(CovenantContent.objects.filter(covenant__bloc_year=y.bloc_year))
    texts = document_services.prefilled_synthesis(y.bloc_year)
    document_services.save_synthesis(
        bloc_year=y.bloc_year,
        texts={c.pk: texts.get(c.pk, "") for c in contents},
        changed=[c.pk for c in contents],
        by=loader.actor,
        at=y.at("publish"),
    )
    document_services.save_year_synthesis(
        bloc_year=y.bloc_year, texts=document_services.prefilled_year(y.bloc_year), by=loader.actor, at=y.at("publish")
    )
    y.bloc_year = _advance(y, loader.actor, y.at("publish"))


@step("issue_documents")
def issue_documents(loader: DemoLoader, y: DemoYear) -> None:
    """The register of issued documents: every document of the year gets its number and date (documents.json)."""
    plan = _clean(loader.documents.get("years", {}).get(str(y.year), {}).get("issue", {}))
    kinds = document_kinds()
    by = y.bloc_year
    members = [m.unit for m in by.memberships.select_related("unit").order_by("order")]
    scoring_round = ScoringRound.objects.filter(bloc_year=by).first()
    approved = timezone.localdate(scoring_round.approved_at) if scoring_round and scoring_round.approved_at else None
    at = y.at("issue_documents")

    def day_of(on: str, fallback: datetime.date | None = None) -> datetime.date | None:
        if on == "approved":
            return approved
        if on == "submitted":
            return fallback
        if on in y.dates:
            return y.dates[on]
        return datetime.date.fromisoformat(on)

    for code, spec in plan.items():
        kind = kinds[code]
        if kind.needs_period:
            reports = (
                ProgressReport.objects.filter(period__bloc_year=by)
                .exclude(status=ProgressReport.Status.DRAFT)
                .select_related("unit", "period")
                .order_by("period__order", "unit__name")
            )
            for r in reports:
                submitted = timezone.localdate(r.submitted_at or r.first_submitted_at)
                document_services.issue_document(
                    bloc_year=by,
                    kind_code=code,
                    unit=r.unit,
                    period=r.period,
                    issued_on=day_of(spec["on"], submitted),
                    by=loader.actor,
                    at=at,
                )
        elif kind.needs_unit:
            for unit in members:
                if ScoreSheet.objects.filter(bloc_year=by, unit=unit).exclude(status=ScoreSheet.Status.DRAFT).exists():
                    document_services.issue_document(
                        bloc_year=by, kind_code=code, unit=unit, issued_on=day_of(spec["on"]), by=loader.actor, at=at
                    )
        else:
            document_services.issue_document(
                bloc_year=by,
                kind_code=code,
                issued_on=day_of(spec["on"]),
                number=spec.get("number"),
                by=loader.actor,
                at=at,
            )


@contextmanager
def _no_notifications(*, in_app: bool = False) -> Iterator[None]:
    """The demo writes history: nobody is told by email about reports "submitted" in 2017.

    The report services send their emails on commit through ``reports.notify``; while a year is
    loaded (and committed) those functions are replaced by no-ops, then restored. The in-app notifications
    (``core.notifications.notify``) are kept only with ``in_app``: the current year's are what its personas would
    have been told these last weeks; a past year's are not news."""

    names = [n for n in ("report_submitted", "report_returned") if hasattr(notify, n)]
    saved = {n: getattr(notify, n) for n in names}
    for n in names:
        setattr(notify, n, lambda *_args, **_kwargs: None)
    saved_notify = notifications.notify
    if not in_app:
        notifications.notify = lambda *_args, **_kwargs: 0  # type: ignore[assignment]
    try:
        yield
    finally:
        for n, func in saved.items():
            setattr(notify, n, func)
        notifications.notify = saved_notify  # type: ignore[assignment]


# Loader ---------------------------------------------------------------------------------------------


class DemoLoader:
    def __init__(
        self, root: Path | None = None, log: Callable[[str], None] = print, now: datetime.datetime | None = None
    ):
        self.root = Path(root or DEFAULT_FIXTURE_DIR)
        self.log = log
        self.base = _load_json(self.root / "base.json")
        extras = self.root / "documents.json"
        self.documents = _load_json(extras) if extras.exists() else {}
        self.accounts = self.base["accounts"]
        self.password = self.accounts["password"]
        self.now = now or timezone.now()  # "now" is a parameter so that tests can load on another day
        self.today = timezone.localdate(self.now)
        self.province: Province | None = None
        self.bloc: Bloc | None = None
        self.units: dict[str, Unit] = {}
        self.actor = None  # the demo secretariat: every demo change is recorded as made by it
        self.created = 0
        self.skipped = 0
        self._password_hash: str | None = None
        self._officers_created: set[str] = set()

    # helpers

    def _created(self, what: str) -> None:
        self.created += 1
        self.log(f"  + {what}")

    def _skipped(self, what: str) -> None:
        self.skipped += 1
        self.log(f"  = {what} (đã có, bỏ qua)")

    def contents(self, name: str) -> list[dict]:
        result = []
        for c in _load_json(self.root / name)["contents"]:
            body = (self.root / c["body_file"]).read_text(encoding="utf-8").strip()
            result.append({"order": c["order"], "title": c["title"], "body": body})
        return result

    def _set_demo_password(self, user) -> None:
        """The shared demo password, hashed once per load: fifteen hashes of the same public password
        would take most of the loading time and protect nothing."""
        if self._password_hash is None:
            self._password_hash = make_password(self.password)
        user.password = self._password_hash
        user.save(update_fields=["password"])

    def _new_user(self, spec: dict):
        first, _sep, last = spec["full_name"].strip().rpartition(" ")
        user = User.objects.create_user(
            username=spec["username"],
            email=spec.get("email", ""),
            password=None,
            first_name=first,
            last_name=last,
        )
        self._set_demo_password(user)
        return user

    def _user_exists(self, username: str) -> bool:
        return User.objects.filter(username__iexact=username).exists()

    # phases of the load

    def run(self) -> None:
        self.load_base()
        for name in self.base["years"]:
            self.load_year(_load_json(self.root / name))
        self.load_officers()
        self.load_province()

    @transaction.atomic
    def load_base(self) -> None:
        self.log("Tỉnh, khối, đơn vị, tài khoản điều hành:")
        p = self.base["province"]
        self.province = Province.objects.filter(code=p["code"]).first()
        if self.province is None:
            self.province = Province.objects.create(code=p["code"], name=p["name"])
            self._created(f"tỉnh {self.province.name}")
        else:
            self._skipped(f"tỉnh {self.province.name}")

        b = _clean(self.base["bloc"])
        self.bloc = Bloc.objects.filter(code=b["code"]).first()
        if self.bloc is None:
            self.bloc = Bloc.objects.create(province=self.province, **b)
            self._created(f"khối {self.bloc.code}")
        else:
            self._skipped(f"khối {self.bloc.code}")

        sec = self.accounts["secretariat"]
        secretary = User.objects.filter(username__iexact=sec["username"]).first()
        new_secretary = secretary is None
        if new_secretary:
            secretary = self._new_user(sec)
        self.actor = secretary

        for u in self.base["units"]:
            u = {**_clean(u), **self.documents.get("units", {}).get(u["code"], {})}
            unit = Unit.objects.filter(code=u["code"]).first()
            if unit is None:
                unit = services.create_unit(by=self.actor, province=self.province, **u)
                self._created(f"đơn vị {unit.short_name} – {unit.name}")
            else:
                self._skipped(f"đơn vị {unit.code}")
            self.units[unit.code] = unit

        if new_secretary:
            Profile.objects.create(user=secretary, role=Profile.Role.SECRETARIAT, unit=self.units[sec["unit"]])
            self._created(f"tài khoản {secretary.username} (văn phòng khối)")
        else:
            self._skipped(f"tài khoản {secretary.username}")

        self.load_legal_frame()
        self.load_awards()

        leader = self.accounts["leader"]
        if self._user_exists(leader["username"]):
            self._skipped(f"tài khoản {leader['username']}")
        else:
            user = self._new_user(leader)
            Profile.objects.create(user=user, role=Profile.Role.LEADER, bloc=self.bloc)
            self._created(f"tài khoản {user.username} (lãnh đạo khối)")

        viewer = self.accounts["provincial"]
        if self._user_exists(viewer["username"]):
            self._skipped(f"tài khoản {viewer['username']}")
        else:
            user = self._new_user(viewer)
            Profile.objects.create(user=user, role=Profile.Role.PROVINCIAL, province=self.province)
            self._created(f"tài khoản {user.username} (theo dõi cấp tỉnh)")

    def load_legal_frame(self) -> None:
        """The legal frame 2003 → today (legal_frame.json): national texts, and the province's own."""
        path = self.root / "legal_frame.json"
        if not path.exists():
            return
        added = 0
        for t in _load_json(path)["texts"]:
            t = _clean(t)
            province = self.province if t.pop("province", False) else None
            if LegalText.objects.filter(number=t["number"], province=province).exists():
                continue
            LegalText.objects.create(
                province=province,
                kind=t["kind"],
                number=t["number"],
                citation=t["citation"],
                order=t["order"],
                effective_from=datetime.date.fromisoformat(t["effective_from"]),
                effective_to=datetime.date.fromisoformat(t["effective_to"]) if t.get("effective_to") else None,
            )
            added += 1
        if added:
            self._created(f"khung pháp lý: {added} văn bản")
        else:
            self._skipped("khung pháp lý")

    def load_awards(self) -> None:
        """Awards the units received in earlier years, as the secretariat enters them in the register."""
        for a in self.documents.get("awards", []):
            a = _clean(a)
            unit = self.units[a["unit"]]
            if Award.objects.filter(unit=unit, kind=a["kind"], decision_number=a["decision_number"]).exists():
                continue
            award_services.record_award(
                bloc_year=None,
                unit=unit,
                kind=a["kind"],
                title=a.get("title", ""),
                year=a["year"],
                decision_number=a["decision_number"],
                decision_date=datetime.date.fromisoformat(a["decision_date"]),
                issuer=a["issuer"],
                by=self.actor,
            )
            self._created(f"khen thưởng {unit.short_name} {a['year']}: {a['decision_number']}")

    def _year_of(self, spec: dict) -> DemoYear:
        year = self.today.year if spec["year"] == "current" else int(spec["year"])
        y = DemoYear(spec=spec, year=year, today=self.today, now=self.now)
        cov = spec.get("covenant", {})
        signed = cov.get("signed_on")
        if signed == "auto":
            y.dates["signed_on"] = _current_year_signed_on(self.today)
        elif signed:
            y.dates["signed_on"] = y.date(signed)
        if cov.get("plan_date"):
            y.dates["plan_date"] = y.date(cov["plan_date"])
        return y

    def load_year(self, spec: dict) -> None:
        y = self._year_of(spec)
        self.log(f"Năm {y.year}:")
        if BlocYear.objects.filter(bloc=self.bloc, year=y.year).exists():
            self._skipped(f"năm thi đua {y.year} của khối {self.bloc.code}")
            return
        unknown = [s for s in spec["steps"] if s not in STEPS]
        if unknown:
            raise ValueError(f"Bước không có trong demo.builder.STEPS: {', '.join(unknown)}")
        current = spec.get("year") == "current"
        with _no_notifications(in_app=current), transaction.atomic():
            for name in spec["steps"]:
                STEPS[name](self, y)
                self.log(f"  + {name}")
            if current:
                self._read_old_notifications(y)
        self.created += 1
        y.bloc_year.refresh_from_db()
        self.log(f"  → năm {y.year}: giai đoạn “{y.bloc_year.get_phase_display()}”")

    def _read_old_notifications(self, y: DemoYear) -> None:
        """What the personas were told more than NOTIFICATIONS_UNREAD_DAYS ago they have read since (as people do):
        the badge shows the last days' news, the inbox the whole year's."""
        cutoff = self.now - datetime.timedelta(days=NOTIFICATIONS_UNREAD_DAYS)
        users = Notification.objects.filter(bloc_year=y.bloc_year, read_at__isnull=True, created_at__lt=cutoff)
        for user in User.objects.filter(pk__in=users.values("user_id")):
            notifications.mark_read(user, before=cutoff, at=cutoff)

    @transaction.atomic
    def load_officers(self) -> None:
        """Officers of a database whose officers year was loaded before the ``officers`` step existed."""
        spec = self.accounts["officers"]
        self.log(f"Cán bộ đơn vị (theo STT năm {spec['member_year']}):")
        bloc_year = BlocYear.objects.get(bloc=self.bloc, year=spec["member_year"])
        if self._officers_created:
            self.log(f"  (đã tạo ở bước “officers” của năm {spec['member_year']})")
        self.ensure_officers(bloc_year)

    def ensure_officers(self, bloc_year: BlocYear, at: datetime.datetime | None = None) -> None:
        """One officer account per member unit of ``bloc_year`` (donvi1 … by order), unless it exists."""
        spec = self.accounts["officers"]
        for n, m in enumerate(bloc_year.memberships.select_related("unit").order_by("order"), start=1):
            username = spec["username_pattern"].format(n=n)
            if username in self._officers_created:
                continue  # made earlier in this run, by the year's "officers" step
            if self._user_exists(username):
                self._skipped(f"tài khoản {username}")
                continue
            user = services.create_officer(
                bloc_year=bloc_year,
                unit=m.unit,
                username=username,
                full_name=spec["full_names"][n - 1],
                email=spec["email_pattern"].format(n=n),
                password=None,
                by=self.actor,
                at=at,
            )
            self._set_demo_password(user)
            self._officers_created.add(username)
            self._created(f"tài khoản {username} ({m.unit.short_name})")

    # the province's council

    def load_province(self) -> None:
        """The council's side (province.json): its account and quota, the 2017 dossier of the bloc returned once,
        sent again, accepted and decided (the flag and certificates its minutes proposed), and a second bloc of
        the province whose 2017 results come in from an Excel workbook as a council would import them."""
        path = self.root / "province.json"
        if not path.exists():
            return
        spec = _load_json(path)
        self.log("Hội đồng Thi đua - Khen thưởng tỉnh:")
        with _no_notifications(), transaction.atomic():
            council = User.objects.filter(username__iexact=spec["council"]["username"]).first()
            if council is None:
                council = self._new_user(spec["council"])
                Profile.objects.create(user=council, role=Profile.Role.COUNCIL, province=self.province)
                self._created(f"tài khoản {council.username} (hội đồng thi đua tỉnh)")
            else:
                self._skipped(f"tài khoản {council.username}")
            q = spec["quota"]
            if not Quota.objects.filter(province=self.province, year=q["year"]).exists():
                council_services.set_quota(province=self.province, by=council, **q)
                self._created(f"chỉ tiêu khen thưởng {q['year']}")
            self._dossier_2017(spec["dossier_2017"], council)
            self._second_bloc(spec["second_bloc"], council)
            if "past_years" in spec:
                self._past_years(spec["past_years"], council)

    def _dossier_2017(self, spec: dict, council) -> None:
        bloc_year = BlocYear.objects.filter(bloc=self.bloc, year=2017, phase=BlocYear.Phase.PUBLISHED).first()
        if bloc_year is None or Dossier.objects.filter(bloc_year=bloc_year).exists():
            self._skipped("hồ sơ khen thưởng năm 2017")
            return

        def at(key: str) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.fromisoformat(spec[key]))

        dossier = council_services.submit_dossier(bloc_year=bloc_year, by=self.actor, at=at("submitted_at"))
        dossier = council_services.return_dossier(dossier=dossier, reason=spec["return_reason"],
                                                  expected_version=None, by=council, at=at("returned_at"))
        dossier = council_services.submit_dossier(bloc_year=bloc_year, by=self.actor, at=at("resubmitted_at"))
        dossier = council_services.accept_dossier(dossier=dossier, expected_version=None, by=council,
                                                  at=at("accepted_at"))
        council_services.record_decision(
            dossier=dossier, number=spec["decision_number"], signer=spec["signer"],
            signed_on=datetime.date.fromisoformat(spec["decision_date"]),
            proposals=council_services.proposals_of(bloc_year), by=council, at=at("decided_at"),
        )
        self._created(f"hồ sơ và quyết định khen thưởng năm 2017 ({spec['decision_number']})")

    def _second_bloc(self, spec: dict, council) -> None:
        if Bloc.objects.filter(code=spec["code"]).exists():
            self._skipped(f"khối {spec['code']}")
            return
        bloc = council_services.save_bloc(province=self.province, bloc=None, by=council, data={
            k: spec[k] for k in ("code", "name", "parent_body", "description")})
        wb = council_imports.year_template()
        ws = wb[council_imports.BLOC_SHEET]
        ws["B3"], ws["B4"], ws["B5"] = bloc.code, bloc.name, 2017
        results = wb[council_imports.RESULTS_SHEET]
        results.delete_rows(1, results.max_row)
        results.append([*council_imports.LEAD_COLUMNS, *spec["criteria"], *council_imports.TAIL_COLUMNS])
        decision = spec["decision_2017"]
        for order, row in enumerate(spec["year_2017"], start=1):
            award = row[11]
            results.append([order, *row[:11], award, decision["number"] if award else "",
                            decision["date"] if award else "", decision["issuer"] if award else ""])
        buffer = io.BytesIO()
        wb.save(buffer)
        council_imports.import_year(data=buffer.getvalue(), source_name="ket-qua-2017-khoi-vhxh.xlsx",
                                    province=self.province, by=council,
                                    at=timezone.make_aware(datetime.datetime(2018, 3, 20, 9)))
        current = council_services.open_year(bloc=bloc, year=self.today.year, by=council)
        units = {u.code: u for u in Unit.objects.filter(code__in=[r[0] for r in spec["year_2017"]])}
        roles = {"Trưởng khối": Membership.Role.HEAD, "Phó trưởng khối": Membership.Role.DEPUTY}
        council_services.save_members(bloc_year=current, expected_version=None, by=council, rows=[
            services.MemberRow(unit=units[r[0]], order=i, role=roles.get(r[3], Membership.Role.MEMBER))
            for i, r in enumerate(spec["year_2017"], start=1)])
        self._created(f"khối {bloc.code}: năm 2017 nhập từ Excel, năm {self.today.year} đang thiết lập")

    def _past_years(self, spec: dict, council) -> None:
        """The bloc's results of the years just before the current one, imported from workbooks as the council
        would: the ranks and totals a unit's chart across the years reads (the years in between are not kept)."""
        roles = ("Trưởng khối", "Phó trưởng khối")
        for offset, rows in sorted(spec["years_before_current"].items(), key=lambda kv: -int(kv[0])):
            year = self.today.year - int(offset)
            if BlocYear.objects.filter(bloc=self.bloc, year=year).exists():
                self._skipped(f"kết quả năm {year} của khối {self.bloc.code}")
                continue
            totals = []
            for _code, c1, c2, c3, bonus, deductions in rows:
                total = max(_dec(c1) + _dec(c2) + _dec(c3) + _dec(bonus) - _dec(deductions), Decimal(0))
                totals.append((total, _dec(c1)))
            wb = council_imports.year_template()
            ws = wb[council_imports.BLOC_SHEET]
            ws["B3"], ws["B4"], ws["B5"] = self.bloc.code, self.bloc.name, year
            results = wb[council_imports.RESULTS_SHEET]
            results.delete_rows(1, results.max_row)
            results.append([*council_imports.LEAD_COLUMNS, *spec["criteria"], *council_imports.TAIL_COLUMNS])
            for order, ((code, c1, c2, c3, bonus, deductions), key) in enumerate(zip(rows, totals, strict=True), 1):
                # The bloc's default tie-break (criterion 1), then a shared rank.
                rank = 1 + sum(1 for other in totals if other > key)
                unit = self.units[code]
                role = roles[order - 1] if order <= len(roles) else "Thành viên"
                results.append([order, code, unit.name, unit.short_name, role, c1, c2, c3, bonus, deductions,
                                float(key[0]), rank, "", "", "", ""])
            buffer = io.BytesIO()
            wb.save(buffer)
            council_imports.import_year(data=buffer.getvalue(), source_name=f"ket-qua-{year}-{self.bloc.code}.xlsx",
                                        province=self.province, by=council,
                                        at=timezone.make_aware(datetime.datetime(year + 1, 3, 20, 9)))
            self._created(f"kết quả năm {year} của khối {self.bloc.code}: nhập từ Excel")

    # summary

    def account_rows(self) -> list[tuple[str, str, str]]:
        """(username, role, scope) of the demo accounts that exist, in the fixture's order."""
        officers = self.accounts["officers"]
        names = [self.accounts[k]["username"] for k in ("secretariat", "leader", "provincial")]
        names += [officers["username_pattern"].format(n=n) for n in range(1, len(officers["full_names"]) + 1)]
        users = {
            u.username.lower(): u
            for u in User.objects.select_related(
                "profile", "profile__unit", "profile__bloc", "profile__province"
            ).filter(username__in=names)
        }
        rows = []
        for name in names:
            user = users.get(name.lower())
            if user is None:
                continue
            profile = getattr(user, "profile", None)
            if profile is None:
                rows.append((user.username, "—", "—"))
                continue
            if profile.unit:
                scope = f"{profile.unit.short_name} – {profile.unit.name}"
            elif profile.bloc:
                scope = f"khối {profile.bloc.code} (toàn khối)"
            elif profile.province:
                scope = f"tỉnh {profile.province.name} (mọi khối của tỉnh)"
            else:
                scope = "—"
            rows.append((user.username, str(profile.get_role_display()), scope))
        return rows


def load_demo(
    root: Path | None = None, log: Callable[[str], None] = print, now: datetime.datetime | None = None
) -> DemoLoader:
    loader = DemoLoader(root=root, log=log, now=now)
    loader.run()
    return loader

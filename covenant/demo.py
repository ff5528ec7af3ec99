"""Demo data loader: ``python manage.py load_demo`` (DEMO ONLY).

Reads the JSON files in ``fixtures/demo/`` and builds the demo bloc through the services, so that the
demo carries the same audit trail, with historical dates, as data entered through the browser.

Layout of ``fixtures/demo/``::

    base.json          province, bloc, units, accounts, and the ordered list of year files
    contents.json      the seven covenant contents (titles; bodies in contents/NN.txt)
    contents/NN.txt    content bodies, verbatim from the founding document
    scoreboard.json    scoreboard settings, criteria with sub-items, bonus items, tie-breaks
    years/2017.json    one file per year: members, covenant, legal bases, timeline, steps
    years/current.json the year of the loading day ("year": "current"); dates relative to it

Each year file lists its ``steps`` by name; a step is a function in ``STEPS`` that receives the
loader and the year being built. A later feature (reporting periods, reports, self-scores, the
vote…) adds its function to ``STEPS`` (``@step("name")``) and appends the name to a year's list.

Idempotent by natural keys: province code, bloc code, unit code, username, and (bloc, year). A year
that already exists is skipped as a whole, so appended steps only apply to a database that does not
have that year yet. Each year is built in one transaction: a failing step leaves nothing of it.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from covenant import services
from covenant.models import Bloc, BlocYear, Membership, Profile, Province, Unit
from scoring import services as scoring_services
from scoring.models import TieBreak

User = get_user_model()

DEFAULT_FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


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

    def at(self, key: str) -> datetime.datetime:
        """The acting time of a timeline entry ("<date> HH:MM"), a minute later at each further call for the
        same entry, never in the future."""
        date_expr, _sep, hhmm = self.spec["timeline"][key].rpartition(" ")
        hour, minute = (int(x) for x in hhmm.split(":"))
        naive = datetime.datetime.combine(self.date(date_expr), datetime.time(hour, minute))
        calls = self._calls.get(key, 0)
        self._calls[key] = calls + 1
        return min(timezone.make_aware(naive + datetime.timedelta(minutes=calls)), self.now)


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
    y.bloc_year = services.create_bloc_year(bloc=loader.bloc, year=y.year, by=loader.actor, at=y.at("create_year"))


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


@step("open_reporting")
def open_reporting(loader: DemoLoader, y: DemoYear) -> None:
    """Setup → reporting (advance_phase checks the setup is complete)."""
    y.bloc_year = services.advance_phase(bloc_year=y.bloc_year, by=loader.actor, at=y.at("open_reporting"))


# Loader ---------------------------------------------------------------------------------------------


class DemoLoader:
    def __init__(
        self, root: Path | None = None, log: Callable[[str], None] = print, now: datetime.datetime | None = None
    ):
        self.root = Path(root or DEFAULT_FIXTURE_DIR)
        self.log = log
        self.base = _load_json(self.root / "base.json")
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

    def _new_user(self, spec: dict):
        first, _sep, last = spec["full_name"].strip().rpartition(" ")
        return User.objects.create_user(
            username=spec["username"],
            email=spec.get("email", ""),
            password=self.password,
            first_name=first,
            last_name=last,
        )

    def _user_exists(self, username: str) -> bool:
        return User.objects.filter(username__iexact=username).exists()

    # phases of the load

    def run(self) -> None:
        self.load_base()
        for name in self.base["years"]:
            self.load_year(_load_json(self.root / name))
        self.load_officers()

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
            u = _clean(u)
            unit = Unit.objects.filter(code=u["code"]).first()
            if unit is None:
                unit = services.create_unit(by=self.actor, **u)
                self._created(f"đơn vị {unit.short_name} – {unit.name}")
            else:
                self._skipped(f"đơn vị {unit.code}")
            self.units[unit.code] = unit

        if new_secretary:
            Profile.objects.create(user=secretary, role=Profile.Role.SECRETARIAT, unit=self.units[sec["unit"]])
            self._created(f"tài khoản {secretary.username} (văn phòng khối)")
        else:
            self._skipped(f"tài khoản {secretary.username}")

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
            raise ValueError(f"Bước không có trong covenant.demo.STEPS: {', '.join(unknown)}")
        with transaction.atomic():
            for name in spec["steps"]:
                STEPS[name](self, y)
                self.log(f"  + {name}")
        self.created += 1
        y.bloc_year.refresh_from_db()
        self.log(f"  → năm {y.year}: giai đoạn “{y.bloc_year.get_phase_display()}”")

    @transaction.atomic
    def load_officers(self) -> None:
        spec = self.accounts["officers"]
        self.log(f"Cán bộ đơn vị (theo STT năm {spec['member_year']}):")
        bloc_year = BlocYear.objects.get(bloc=self.bloc, year=spec["member_year"])
        for n, m in enumerate(bloc_year.memberships.select_related("unit").order_by("order"), start=1):
            username = spec["username_pattern"].format(n=n)
            if self._user_exists(username):
                self._skipped(f"tài khoản {username}")
                continue
            services.create_officer(
                bloc_year=bloc_year,
                unit=m.unit,
                username=username,
                full_name=spec["full_names"][n - 1],
                email=spec["email_pattern"].format(n=n),
                password=self.password,
                by=self.actor,
            )
            self._created(f"tài khoản {username} ({m.unit.short_name})")

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

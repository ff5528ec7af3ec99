"""Shared test data: a complete bloc year and the people who use it (healthchecks-style personas).

`make_bloc_year(units=N, code=..., year=...)` builds, through the project's own services so that every
invariant holds: a province, a bloc, N units, the bloc year with its member list (unit 1 = Trưởng
khối, unit 2 = Phó trưởng khối), one officer account per unit, the covenant with 7 contents and
3 legal bases, and the scoreboard with 3 criteria whose sub-items add up to 100, 2 bonus items and
3 tie-break rules.

Personas (fixtures), all about the fixture `bloc_year` (3 units, "khoi-tckt", 2025):

- `secretariat`        Văn phòng khối: role secretariat, unit = the head unit (unit 1)
- `officer_a`          officer of unit 2 (the deputy)
- `officer_b`          officer of unit 3
- `leader`             role leader of the bloc
- `provincial`         role provincial of the bloc's province
- `council`            the provincial council's office (role council) of the bloc's province
- `other_secretariat`  secretariat of the head unit of `other_bloc_year`, another bloc in another province
- `superuser`

Every account built here has the password `PASSWORD` (hashed once per run, so building 30 accounts
costs nothing). `bloc_year_30` is the same bloc year with 30 units, for "does it scale" tests.
"""

import functools
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from core import lifecycle
from core.models import Bloc, BlocYear, Membership, Profile, Province, Unit
from covenant import services as covenant_services
from scoring.models import Criterion, TieBreak
from scoring.scoreboard import services as scoring_services

__all__ = [
    "CONTENT_TITLES",
    "CRITERIA",
    "PASSWORD",
    "bloc_year",
    "bloc_year_30",
    "council",
    "leader",
    "make_bloc_year",
    "make_user",
    "officer_a",
    "officer_b",
    "other_bloc_year",
    "other_secretariat",
    "password_hash",
    "personas",
    "provincial",
    "secretariat",
    "superuser",
]

User = get_user_model()

PASSWORD = "Giao-uoc-thi-dua-2025!"

CONTENT_TITLES = [
    "Thực hiện nhiệm vụ chính trị được giao",
    "Cải cách hành chính, chuyển đổi số",
    "Thực hành tiết kiệm, chống lãng phí",
    "Xây dựng tổ chức Đảng, đoàn thể vững mạnh",
    "Chăm lo đời sống cán bộ, công chức",
    "Phong trào văn hóa, văn nghệ, thể dục thể thao",
    "Công tác thông tin, báo cáo",
]

LEGAL_BASES = [
    "Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ;",
    "Kế hoạch tổ chức phong trào thi đua của Ủy ban nhân dân tỉnh.",
]

# (title, [(sub-item text, max points)], content order numbers): 30 + 50 + 20 = 100 points.
CRITERIA = [
    ("Công tác chỉ đạo, điều hành", [("Ban hành kế hoạch", "10"), ("Tổ chức thực hiện", "10"),
                                     ("Sơ kết, tổng kết", "10")], [1, 2]),
    ("Thực hiện nhiệm vụ chuyên môn", [("Hoàn thành chỉ tiêu", "20"), ("Chất lượng công việc", "20"),
                                       ("Sáng kiến, đổi mới", "10")], [3, 4, 5]),
    ("Công tác xây dựng Đảng, đoàn thể", [("Tổ chức Đảng", "10"), ("Công đoàn", "7.5"),
                                          ("Đoàn thanh niên", "2.5")], [6, 7]),
]

_sequence = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """The hash of PASSWORD, computed once: the default hasher is slow on purpose. Always PBKDF2, so
    that a test which switches to a faster hasher cannot leave a hash other tests could not check."""
    return make_password(PASSWORD, hasher="pbkdf2_sha256")


def make_user(username: str, *, role: str | None = None, unit=None, bloc=None, province=None,
              is_superuser: bool = False, is_staff: bool = False, email: str = "", **fields):
    """A user with password PASSWORD and, when `role` is given, a Profile of that role and scope."""
    user = User.objects.create(
        username=username, password=password_hash(), is_superuser=is_superuser, is_staff=is_staff or is_superuser,
        email=email or f"{username}@example.vn", **fields,
    )
    if role is not None:
        Profile.objects.create(user=user, role=role, unit=unit, bloc=bloc, province=province)
    return user


def make_bloc_year(units: int = 3, code: str | None = None, year: int = 2025, *, province: Province | None = None,
                   phase: str = BlocYear.Phase.SETUP, officers: bool = True) -> BlocYear:
    """Build a complete bloc year (see the module docstring) and return it.

    The returned BlocYear carries, besides its fields, plain attributes for the tests:
    `units` and `officers` (in STT order), `contents` and `criteria` (in order).
    """
    n = next(_sequence)
    code = code or f"khoi-{n}"
    if province is None:
        province = Province.objects.create(code=f"tinh-{code}", name=f"Tỉnh thử nghiệm {n}")
    bloc = Bloc.objects.create(code=code, name=f"Khối thi đua {code}", province=province,
                               parent_body="ỦY BAN NHÂN DÂN TỈNH")
    Unit.objects.bulk_create(
        Unit(code=f"{code}-dv{i:02d}", province=province, name=f"Sở thử nghiệm số {i:02d} ({code})",
             short_name=f"S{i:02d}",
             head_name=f"Giám đốc {i:02d}", phone=f"0263 38{i:02d} 000", email=f"dv{i:02d}@{code}.example.vn")
        for i in range(1, units + 1)
    )
    unit_objs = list(Unit.objects.filter(code__startswith=f"{code}-dv").order_by("code"))

    by = lifecycle.create_bloc_year(bloc=bloc, year=year, by=None)
    roles = {1: Membership.Role.HEAD, 2: Membership.Role.DEPUTY}
    covenant_services.save_members(
        bloc_year=by,
        rows=[covenant_services.MemberRow(unit=u, order=i, role=roles.get(i, Membership.Role.MEMBER))
              for i, u in enumerate(unit_objs, start=1)],
        expected_version=None, by=None,
    )

    covenant = by.covenant
    covenant_services.update_covenant(
        covenant=covenant, legal_bases=LEGAL_BASES, expected_version=None, by=None,
        data={"title": f"Giao ước thi đua năm {year}", "signed_place": "Đà Lạt", "plan_number": "05/KH-KTĐ"},
    )
    contents = [
        covenant_services.save_content(
            covenant=covenant, content=None, order=i, title=title,
            body=f"Nội dung {i}: {title}. Các đơn vị thành viên cam kết thực hiện đầy đủ.",
            expected_version=None, by=None,
        )
        for i, title in enumerate(CONTENT_TITLES, start=1)
    ]

    scoreboard = by.scoreboard
    criteria = []
    for order, (title, items, content_orders) in enumerate(CRITERIA, start=1):
        criteria.append(scoring_services.save_criterion(
            scoreboard=scoreboard, criterion=None, order=order, title=title,
            contents=[contents[o - 1] for o in content_orders],
            sub_items=[scoring_services.SubItemRow(order=i, text=text, max_points=Decimal(points),
                                                   evidence_required=i == 1)
                       for i, (text, points) in enumerate(items, start=1)],
            expected_version=None, by=None,
        ))
    scoring_services.save_bonus_items(
        scoreboard=scoreboard, expected_version=None, by=None,
        rows=[scoring_services.BonusRow(order=1, text="Được Chính phủ tặng Cờ thi đua", points=Decimal("3")),
              scoring_services.BonusRow(order=2, text="Có sáng kiến được công nhận cấp tỉnh", points=Decimal("2"))],
    )
    scoring_services.save_tie_breaks(
        scoreboard=scoreboard, expected_version=None, by=None,
        rules=[(TieBreak.Kind.CRITERION, criteria[1]), (TieBreak.Kind.FEWER_LATE, None),
               (TieBreak.Kind.HIGHER_BONUS, None)],
    )

    officer_objs = []
    if officers:
        User.objects.bulk_create(
            User(username=f"{u.code}-canbo", password=password_hash(), first_name="Cán bộ",
                 last_name=u.short_name, email=f"canbo@{u.code}.example.vn")
            for u in unit_objs
        )
        officer_objs = list(User.objects.filter(username__startswith=f"{code}-dv").order_by("username"))
        Profile.objects.bulk_create(
            Profile(user=user, role=Profile.Role.OFFICER, unit=unit) for user, unit in zip(officer_objs, unit_objs,
                                                                                          strict=True)
        )

    while BlocYear.PHASE_ORDER.index(BlocYear.Phase(phase)) > by.phase_index:
        if by.phase == BlocYear.Phase.SCORING:
            # Leaving the scoring phase needs approved results; a year built past it has them (no sheets).
            from django.utils import timezone

            from scoring.models import ScoringRound

            ScoringRound.objects.update_or_create(
                bloc_year=by, defaults={"released_at": timezone.now(), "approved_at": timezone.now()}
            )
        # Test data publishes without the summary's synthesis: the reason the warning asks for.
        by = lifecycle.advance_phase(bloc_year=by, by=None, override_reason="Dữ liệu thử nghiệm")

    by = BlocYear.objects.select_related("bloc", "bloc__province").get(pk=by.pk)
    by.units = unit_objs
    by.officers = officer_objs
    by.contents = contents
    by.criteria = list(Criterion.objects.filter(pk__in=[c.pk for c in criteria]).order_by("order"))
    return by


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def bloc_year(db) -> BlocYear:
    """Three units, year 2025, setup phase, complete enough to leave setup."""
    return make_bloc_year(units=3, code="khoi-tckt", year=2025)


@pytest.fixture
def bloc_year_30(db) -> BlocYear:
    return make_bloc_year(units=30, code="khoi-lon", year=2025)


@pytest.fixture
def other_bloc_year(db) -> BlocYear:
    """Another bloc, in another province, with its own head unit and secretariat."""
    other = Province.objects.create(code="tinh-khac", name="Tỉnh khác")
    return make_bloc_year(units=2, code="khoi-khac", year=2025, province=other)


@pytest.fixture
def secretariat(bloc_year):
    return make_user("van-phong-khoi", role=Profile.Role.SECRETARIAT, unit=bloc_year.units[0],
                     first_name="Văn phòng", last_name="khối")


@pytest.fixture
def officer_a(bloc_year):
    return bloc_year.officers[1]


@pytest.fixture
def officer_b(bloc_year):
    return bloc_year.officers[2]


@pytest.fixture
def leader(bloc_year):
    return make_user("lanh-dao", role=Profile.Role.LEADER, bloc=bloc_year.bloc)


@pytest.fixture
def provincial(bloc_year):
    return make_user("theo-doi-tinh", role=Profile.Role.PROVINCIAL, province=bloc_year.bloc.province)


@pytest.fixture
def council(bloc_year):
    return make_user("hoi-dong-tinh", role=Profile.Role.COUNCIL, province=bloc_year.bloc.province,
                     first_name="Ban Thi đua", last_name="tỉnh")


@pytest.fixture
def other_secretariat(other_bloc_year):
    return make_user("van-phong-khoi-khac", role=Profile.Role.SECRETARIAT, unit=other_bloc_year.units[0])


@pytest.fixture
def superuser(db):
    return make_user("quan-tri", is_superuser=True)


@pytest.fixture
def personas(secretariat, officer_a, officer_b, leader, provincial, council, other_secretariat, superuser) -> dict:
    """Every persona by name, plus "anonymous" (None)."""
    return {
        "anonymous": None,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "leader": leader,
        "provincial": provincial,
        "council": council,
        "other_secretariat": other_secretariat,
        "secretariat": secretariat,
        "superuser": superuser,
    }

"""The demo loader (python manage.py load_demo): what it builds, that it builds it through the
services with historical dates, and that running it again duplicates nothing."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.utils import timezone

from covenant import demo
from covenant.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Unit
from scoring.models import Criterion, SubItem, TieBreak

User = get_user_model()
PASSWORD = "khoithidua2017"
DEMO_USERNAMES = ["thuky", "lanhdao", "tinhkontum", *(f"donvi{n}" for n in range(1, 13))]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Fifteen PBKDF2 hashes per load make the suite slow; the loader's behaviour does not depend on it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(**kwargs) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("covenant").get_models(), *apps.get_app_config("scoring").get_models(), User]
    counts = {m._meta.label: m.objects.count() for m in models}
    counts["criterion.contents"] = Criterion.contents.through.objects.count()
    return counts


@pytest.fixture
def loaded():
    output = load()
    return output


def test_bloc_and_2017_members(loaded):
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


def test_2017_covenant_contents_and_legal_bases(loaded):
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


def test_2017_scoreboard(loaded):
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


def test_2017_ends_in_reporting_with_2017_audit_dates(loaded):
    year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2017)
    assert year.phase == BlocYear.Phase.REPORTING
    entries = AuditEntry.objects.filter(bloc_year=year).exclude(action="account.create")
    assert entries.filter(action="phase.advance").count() == 1
    assert {timezone.localtime(e.at).year for e in entries} == {2017}
    advance = entries.get(action="phase.advance")
    assert timezone.localtime(advance.at).date() == datetime.date(2017, 5, 16)
    assert set(entries.values_list("actor__username", flat=True)) == {"thuky"}


def test_current_year(loaded):
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


def test_accounts(loaded):
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


def test_output_lists_demo_accounts(loaded):
    assert "DEMO ONLY" in loaded
    assert PASSWORD in loaded
    for username in DEMO_USERNAMES:
        assert username in loaded


def test_second_and_third_runs_duplicate_nothing(loaded):
    before = row_counts()
    assert before["covenant.Unit"] == 12 and before["covenant.BlocYear"] == 2
    output = load()
    assert row_counts() == before
    load()
    assert row_counts() == before
    assert "0 mục tạo mới" in output
    assert "DEMO ONLY" in output and "thuky" in output


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
    assert BlocYear.objects.filter(phase=BlocYear.Phase.REPORTING).count() == 2


def test_loading_early_in_january_keeps_dates_in_the_past():
    now = timezone.make_aware(datetime.datetime(2031, 1, 10, 7, 0))
    demo.load_demo(log=lambda _msg: None, now=now)
    year = BlocYear.objects.get(bloc__code="khoi-tckt", year=2031)
    assert year.phase == BlocYear.Phase.REPORTING
    # 15/03 is still ahead: the covenant was signed 30 days before, at the end of the previous year.
    assert year.covenant.signed_on == datetime.date(2030, 12, 11)
    assert year.covenant.plan_date == datetime.date(2031, 1, 10)
    assert all(e.at <= now for e in AuditEntry.objects.filter(bloc_year=year))

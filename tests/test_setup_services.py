"""The setup services' rules, called directly, and the database constraints behind them."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import lifecycle
from core.errors import ConflictError, ServiceError
from core.models import AuditEntry, Bloc, BlocYear, Membership, Profile, Unit
from covenant import services
from covenant.models import Covenant, CovenantContent, LegalBasis
from covenant.services import MemberRow
from scoring.models import BonusItem, Criterion, Scoreboard, SubItem, TieBreak
from scoring.scoreboard import services as scoring
from tests.personas import CONTENT_TITLES, LEFT_OPEN, make_bloc_year, make_user

AT = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=datetime.UTC)


def member_map(bloc_year) -> dict:
    return {m.unit_id: (m.order, m.role) for m in Membership.objects.filter(bloc_year=bloc_year)}


def fresh(bloc_year) -> BlocYear:
    return BlocYear.objects.get(pk=bloc_year.pk)


def set_phase(bloc_year, phase) -> BlocYear:
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=phase)
    return fresh(bloc_year)


# Members ------------------------------------------------------------------------------------------


def test_save_members_swaps_stt_and_passes_the_head_role(bloc_year, secretariat):
    u1, u2, u3 = bloc_year.units
    services.save_members(
        bloc_year=fresh(bloc_year), by=secretariat, expected_version=fresh(bloc_year).version,
        rows=[MemberRow(u1, 2, "member"), MemberRow(u2, 1, "head"), MemberRow(u3, 3, "deputy")],
    )
    assert member_map(bloc_year) == {u1.pk: (2, "member"), u2.pk: (1, "head"), u3.pk: (3, "deputy")}


def test_save_members_adds_removes_and_renumbers_in_one_step(bloc_year, secretariat):
    u1, _u2, u3 = bloc_year.units
    new = Unit.objects.create(code="so-moi", name="Sở Mới", short_name="SM", province=bloc_year.bloc.province)
    services.save_members(
        bloc_year=fresh(bloc_year), by=secretariat, expected_version=None,
        rows=[MemberRow(new, 1, "head"), MemberRow(u3, 2, "deputy"), MemberRow(u1, 3, "member")],
    )
    assert member_map(bloc_year) == {new.pk: (1, "head"), u3.pk: (2, "deputy"), u1.pk: (3, "member")}
    actions = sorted(AuditEntry.objects.filter(bloc_year=bloc_year, actor=secretariat).values_list("action", flat=True))
    assert actions == ["member.add", "member.change", "member.change", "member.remove"]


def test_save_members_bumps_the_version_and_refuses_a_stale_one(bloc_year, secretariat):
    version = fresh(bloc_year).version
    rows = [MemberRow(u, i, r) for i, (u, r) in enumerate(zip(bloc_year.units, ["head", "deputy", "member"],
                                                              strict=True), start=1)]
    services.save_members(bloc_year=fresh(bloc_year), rows=rows, expected_version=version, by=secretariat)
    assert fresh(bloc_year).version == version + 1
    with pytest.raises(ConflictError, match="người khác lưu"):
        services.save_members(bloc_year=fresh(bloc_year), rows=rows, expected_version=version, by=secretariat)


@pytest.mark.parametrize(("roles_orders", "message"), [
    ([("head", 1), ("head", 2), ("member", 3)], "đúng một Trưởng khối"),
    ([("member", 1), ("member", 2), ("member", 3)], "đúng một Trưởng khối"),
    ([("head", 1), ("deputy", 2), ("deputy", 3)], "nhiều nhất một Phó trưởng khối"),
    ([("head", 1), ("deputy", 1), ("member", 3)], "không được trùng nhau"),
    ([("head", 1), ("deputy", 0), ("member", 3)], "số nguyên dương"),
])
def test_save_members_refuses_bad_lists(bloc_year, secretariat, roles_orders, message):
    before = member_map(bloc_year)
    rows = [MemberRow(u, order, role) for u, (role, order) in zip(bloc_year.units, roles_orders, strict=True)]
    with pytest.raises(ServiceError, match=message):
        services.save_members(bloc_year=fresh(bloc_year), rows=rows, expected_version=None, by=secretariat)
    assert member_map(bloc_year) == before


def test_save_members_refuses_a_unit_twice_and_an_empty_list(bloc_year, secretariat):
    u1, u2, _u3 = bloc_year.units
    with pytest.raises(ServiceError, match="chỉ được có tên một lần"):
        services.save_members(bloc_year=fresh(bloc_year), expected_version=None, by=secretariat,
                              rows=[MemberRow(u1, 1, "head"), MemberRow(u1, 2, "member"), MemberRow(u2, 3, "member")])
    with pytest.raises(ServiceError, match="ít nhất một đơn vị"):
        services.save_members(bloc_year=fresh(bloc_year), rows=[], expected_version=None, by=secretariat)


# Audit --------------------------------------------------------------------------------------------


def test_audit_entry_records_who_when_before_after_and_why(bloc_year, secretariat):
    by = set_phase(bloc_year, BlocYear.Phase.REPORTING)
    u1, u2, u3 = bloc_year.units
    services.save_members(
        bloc_year=by, expected_version=None, by=secretariat, at=AT, reason="Sở 3 làm Phó trưởng khối",
        rows=[MemberRow(u1, 1, "head"), MemberRow(u2, 2, "member"), MemberRow(u3, 3, "deputy")],
    )
    entries = AuditEntry.objects.filter(bloc_year=bloc_year, action="member.change").order_by("target_id")
    assert [(e.actor, e.at, e.reason) for e in entries] == [(secretariat, AT, "Sở 3 làm Phó trưởng khối")] * 2
    changes = {e.target_repr: (e.before, e.after) for e in entries}
    assert changes == {
        f"2. {u2.name}": ({"order": 2, "role": "deputy"}, {"order": 2, "role": "member"}),
        f"3. {u3.name}": ({"order": 3, "role": "member"}, {"order": 3, "role": "deputy"}),
    }
    assert entries[0].changes == [("role", "deputy", "member")] or entries[1].changes == [("role", "deputy", "member")]


def test_covenant_change_is_logged_with_dates_and_legal_bases(bloc_year, secretariat):
    covenant = Covenant.objects.get(bloc_year=bloc_year)
    services.update_covenant(
        covenant=covenant, data={"signed_on": datetime.date(2025, 5, 16)}, legal_bases=["Căn cứ mới"],
        expected_version=covenant.version, by=secretariat, at=AT,
    )
    entry = AuditEntry.objects.get(bloc_year=bloc_year, action="covenant.change", actor=secretariat)
    assert entry.at == AT
    assert entry.before["signed_on"] is None and entry.after["signed_on"] == "2025-05-16"
    assert entry.after["legal_bases"] == ["Căn cứ mới"] and len(entry.before["legal_bases"]) == 3
    assert list(LegalBasis.objects.filter(covenant=covenant).values_list("order", "text")) == [(1, "Căn cứ mới")]


def test_content_and_criterion_changes_are_logged(bloc_year, secretariat):
    covenant = Covenant.objects.get(bloc_year=bloc_year)
    content = bloc_year.contents[0]
    services.save_content(covenant=covenant, content=content, order=1, title="Tiêu đề mới", body=content.body,
                          expected_version=content.version, by=secretariat, at=AT)
    entry = AuditEntry.objects.get(action="content.change", actor=secretariat)
    assert (entry.before["title"], entry.after["title"]) == (CONTENT_TITLES[0], "Tiêu đề mới")

    criterion = bloc_year.criteria[0]
    subs = list(criterion.sub_items.order_by("order"))
    scoring.save_criterion(
        scoreboard=criterion.scoreboard, criterion=criterion, order=1, title=criterion.title, contents=[],
        sub_items=[scoring.SubItemRow(pk=s.pk, order=s.order, text=s.text, max_points=Decimal("5"))
                   for s in subs],
        expected_version=criterion.version, by=secretariat, at=AT,
    )
    entry = AuditEntry.objects.get(action="criterion.change", actor=secretariat)
    assert entry.before["contents"] == [1, 2] and entry.after["contents"] == []
    assert [s["max_points"] for s in entry.after["sub_items"]] == ["5.00"] * 3


def test_changes_after_setup_need_a_reason_and_none_once_published(bloc_year, secretariat):
    covenant = Covenant.objects.get(bloc_year=bloc_year)
    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    covenant = Covenant.objects.get(pk=covenant.pk)
    with pytest.raises(ServiceError, match="phải ghi rõ lý do") as error:
        services.update_covenant(covenant=covenant, data={"title": "Mới"}, expected_version=None, by=secretariat)
    assert error.value.field == "reason"
    set_phase(bloc_year, BlocYear.Phase.PUBLISHED)
    covenant = Covenant.objects.get(pk=covenant.pk)
    with pytest.raises(ServiceError, match="đã công bố"):
        services.update_covenant(covenant=covenant, data={"title": "Mới"}, expected_version=None, by=secretariat,
                                 reason="Sửa lỗi chính tả")


# Phases -------------------------------------------------------------------------------------------


def test_complete_setup_has_no_problems_and_advances(bloc_year, secretariat):
    assert lifecycle.phase_problems(bloc_year) == []
    by = lifecycle.advance_phase(bloc_year=bloc_year, by=secretariat, at=AT)
    assert by.phase == BlocYear.Phase.REPORTING and fresh(bloc_year).phase == BlocYear.Phase.REPORTING
    entry = AuditEntry.objects.get(action="phase.advance")
    assert (entry.actor, entry.at, entry.before, entry.after) == (
        secretariat, AT, {"phase": "setup"}, {"phase": "reporting"})


@pytest.mark.parametrize(("spoil", "problem"), [
    (lambda by: Membership.objects.filter(bloc_year=by, order__gt=1).delete(), "ít nhất hai đơn vị"),
    (lambda by: Membership.objects.filter(bloc_year=by).update(role="member"), "Chưa chọn Trưởng khối"),
    (lambda by: CovenantContent.objects.filter(covenant__bloc_year=by).delete(), "Giao ước chưa có nội dung"),
    (lambda by: Criterion.objects.filter(scoreboard__bloc_year=by).delete(), "chưa có tiêu chí"),
    (lambda by: SubItem.objects.filter(criterion__scoreboard__bloc_year=by, order=3).delete(),
     "chưa bằng tổng điểm chuẩn"),
    (lambda by: Scoreboard.objects.filter(bloc_year=by).update(total_points=90), "chưa bằng tổng điểm chuẩn 90"),
])
def test_setup_problems_block_the_reporting_phase(bloc_year, secretariat, spoil, problem):
    spoil(bloc_year)
    assert any(problem in p for p in lifecycle.phase_problems(bloc_year))
    with pytest.raises(ServiceError, match="Chưa thể chuyển giai đoạn"):
        lifecycle.advance_phase(bloc_year=bloc_year, by=secretariat)
    assert fresh(bloc_year).phase == BlocYear.Phase.SETUP
    assert not AuditEntry.objects.filter(action="phase.advance").exists()


def test_phases_advance_in_order_each_once_its_work_is_done(bloc_year, secretariat):
    from scoring.models import Ballot, ScoringRound

    by = lifecycle.advance_phase(bloc_year=bloc_year, by=secretariat)
    assert by.phase == BlocYear.Phase.REPORTING
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat)
    assert by.phase == BlocYear.Phase.SCORING
    with pytest.raises(ServiceError, match="chưa được phê duyệt"):
        lifecycle.advance_phase(bloc_year=by, by=secretariat)
    ScoringRound.objects.create(bloc_year=by, released_at=AT, approved_at=AT)
    # No unit submitted a sheet: the step leaves that behind only with a reason.
    with pytest.raises(ServiceError, match="3 bảng tự chấm chưa nộp") as refused:
        lifecycle.advance_phase(bloc_year=by, by=secretariat)
    assert refused.value.field == "reason"
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat, reason=LEFT_OPEN)
    assert by.phase == BlocYear.Phase.REVIEW
    # A ballot still being prepared blocks nothing; an open one must be closed first.
    Ballot.objects.create(bloc_year=by, kind=Ballot.Kind.FLAG, status=Ballot.Status.OPEN)
    with pytest.raises(ServiceError, match="chưa kết thúc"):
        lifecycle.advance_phase(bloc_year=by, by=secretariat)
    Ballot.objects.filter(bloc_year=by).update(status=Ballot.Status.CLOSED, counted_at=timezone.now())
    # Publishing without the summary's synthesis is warned about: it takes a reason (issue 14).
    with pytest.raises(ServiceError, match="chưa lưu phần tổng hợp"):
        lifecycle.advance_phase(bloc_year=by, by=secretariat)
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat, reason="Tổng hợp sau hội nghị")
    assert by.phase == BlocYear.Phase.PUBLISHED
    with pytest.raises(ServiceError, match="giai đoạn cuối"):
        lifecycle.advance_phase(bloc_year=by, by=secretariat)
    steps = list(AuditEntry.objects.filter(action="phase.advance").order_by("id"))
    assert [e.after["phase"] for e in steps] == BlocYear.PHASE_ORDER[1:]
    assert steps[2].after["open_work"] == ["3 bảng tự chấm chưa nộp"] and steps[2].reason == LEFT_OPEN


def test_revert_requires_a_reason_and_is_logged_with_it(bloc_year, secretariat):
    by = set_phase(bloc_year, BlocYear.Phase.SCORING)
    for blank in ["", "   ", None]:
        with pytest.raises(ServiceError, match="Phải ghi lý do") as error:
            lifecycle.revert_phase(bloc_year=by, by=secretariat, reason=blank)
        assert error.value.field == "reason"
    assert fresh(bloc_year).phase == BlocYear.Phase.SCORING
    by = lifecycle.revert_phase(bloc_year=by, by=secretariat, reason="Chấm lại tiêu chí 2", at=AT)
    assert by.phase == BlocYear.Phase.REPORTING
    entry = AuditEntry.objects.get(action="phase.revert")
    assert (entry.reason, entry.before, entry.after, entry.actor) == (
        "Chấm lại tiêu chí 2", {"phase": "scoring"}, {"phase": "reporting"}, secretariat)


def test_revert_from_the_first_phase_is_refused(bloc_year, secretariat):
    with pytest.raises(ServiceError, match="giai đoạn đầu tiên"):
        lifecycle.revert_phase(bloc_year=bloc_year, by=secretariat, reason="Thử")


def test_scoreboard_is_frozen_from_the_scoring_phase(bloc_year, secretariat):
    by = set_phase(bloc_year, BlocYear.Phase.SCORING)
    board = Scoreboard.objects.get(bloc_year=by)
    with pytest.raises(ServiceError, match="Từ giai đoạn chấm điểm"):
        scoring.save_bonus_items(scoreboard=board, rows=[], expected_version=None, by=secretariat, reason="Sửa")
    with pytest.raises(ServiceError, match="Từ giai đoạn chấm điểm"):
        services.delete_content(content=CovenantContent.objects.get(pk=bloc_year.contents[0].pk), by=secretariat,
                                reason="Sửa")


# New year -----------------------------------------------------------------------------------------


def scoreboard_shape(bloc_year) -> dict:
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    return {
        "settings": [getattr(board, f) for f in scoring.SETTINGS_FIELDS[1:]],
        "criteria": [
            (c.order, c.title, sorted(x.order for x in c.contents.all()),
             [(s.order, s.text, s.max_points, s.guidance, s.evidence_required) for s in c.sub_items.order_by("order")])
            for c in board.criteria.order_by("order")
        ],
        "bonus": list(board.bonus_items.order_by("order").values_list("order", "text", "points")),
        "tie_breaks": [(t.order, t.kind, t.criterion.order if t.criterion else None)
                       for t in board.tie_breaks.order_by("order")],
    }


def test_start_next_year_copies_the_whole_setup(bloc_year, secretariat):
    Scoreboard.objects.filter(bloc_year=bloc_year).update(bonus_cap=Decimal("7.5"), late_report_points=Decimal("0.5"))
    new = lifecycle.start_next_year(previous=set_phase(bloc_year, BlocYear.Phase.PUBLISHED), by=secretariat, at=AT)
    assert (new.bloc_id, new.year, new.phase) == (bloc_year.bloc_id, 2026, BlocYear.Phase.SETUP)
    assert member_map(new) == member_map(bloc_year)
    old_cov, new_cov = Covenant.objects.get(bloc_year=bloc_year), Covenant.objects.get(bloc_year=new)
    assert list(new_cov.legal_bases.values_list("order", "text")) == list(old_cov.legal_bases.values_list("order",
                                                                                                          "text"))
    assert list(new_cov.contents.values_list("order", "title", "body")) == list(
        old_cov.contents.values_list("order", "title", "body"))
    assert scoreboard_shape(new) == scoreboard_shape(bloc_year)
    # The copies are new rows linked within the new year, never to last year's.
    assert not Criterion.objects.filter(scoreboard__bloc_year=new, contents__covenant=old_cov).exists()
    assert not TieBreak.objects.filter(scoreboard__bloc_year=new, criterion__scoreboard__bloc_year=bloc_year).exists()
    assert lifecycle.phase_problems(new) == []
    # Last year is untouched.
    assert Criterion.objects.filter(scoreboard__bloc_year=bloc_year).count() == 3
    assert fresh(bloc_year).phase == BlocYear.Phase.PUBLISHED


def test_start_next_year_takes_the_head_and_deputy_elected_at_the_review_meeting(bloc_year, secretariat):
    from scoring.models import ReviewMeeting

    u1, u2, u3 = bloc_year.units
    ReviewMeeting.objects.create(bloc_year=bloc_year, elected_head=u3, elected_deputy=u1)
    new = lifecycle.start_next_year(previous=bloc_year, by=secretariat)
    assert member_map(new) == {u1.pk: (1, "deputy"), u2.pk: (2, "member"), u3.pk: (3, "head")}
    assert member_map(bloc_year) == {u1.pk: (1, "head"), u2.pk: (2, "deputy"), u3.pk: (3, "member")}


def test_start_next_year_is_refused_when_a_later_year_exists(bloc_year, secretariat):
    lifecycle.start_next_year(previous=bloc_year, by=secretariat)
    with pytest.raises(ServiceError, match="năm gần nhất"):
        lifecycle.start_next_year(previous=bloc_year, by=secretariat)
    assert BlocYear.objects.filter(bloc=bloc_year.bloc).count() == 2


def test_creating_a_year_twice_is_refused(bloc_year, secretariat):
    with pytest.raises(ServiceError, match="đã có năm thi đua 2025"):
        lifecycle.create_bloc_year(bloc=bloc_year.bloc, year=2025, by=secretariat)


# Scoreboard rules ---------------------------------------------------------------------------------


def test_sub_item_maximum_must_be_positive_and_on_the_step(bloc_year, secretariat):
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    Scoreboard.objects.filter(pk=board.pk).update(total_points=200)
    board.refresh_from_db()
    for points, message in [("0", "lớn hơn 0"), ("-1", "lớn hơn 0"), ("0.3", "không chia hết cho bước điểm 0,5")]:
        with pytest.raises(ServiceError, match=message):
            scoring.save_criterion(scoreboard=board, criterion=None, order=4, title="Mới", contents=[],
                                   sub_items=[scoring.SubItemRow(order=1, text="x", max_points=Decimal(points))],
                                   expected_version=None, by=secretariat)
    assert Criterion.objects.filter(scoreboard=board).count() == 3


def test_criterion_cannot_push_the_board_over_its_total(bloc_year, secretariat):
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    with pytest.raises(ServiceError, match="vượt quá tổng điểm chuẩn 100"):
        scoring.save_criterion(scoreboard=board, criterion=None, order=4, title="Mới", contents=[],
                               sub_items=[scoring.SubItemRow(order=1, text="x", max_points=Decimal("0.5"))],
                               expected_version=None, by=secretariat)


def test_criterion_cannot_link_a_content_of_another_year(bloc_year, other_bloc_year, secretariat):
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    criterion = bloc_year.criteria[0]
    with pytest.raises(ServiceError, match="không thuộc năm thi đua này"):
        scoring.save_criterion(
            scoreboard=board, criterion=criterion, order=1, title="x", contents=[other_bloc_year.contents[0]],
            sub_items=[scoring.SubItemRow(pk=s.pk, order=s.order, text=s.text, max_points=s.max_points)
                       for s in criterion.sub_items.all()],
            expected_version=None, by=secretariat)


def test_reordering_sub_items_does_not_trip_the_unique_order(bloc_year, secretariat):
    criterion = bloc_year.criteria[0]
    subs = list(criterion.sub_items.order_by("order"))
    scoring.save_criterion(
        scoreboard=criterion.scoreboard, criterion=criterion, order=1, title=criterion.title, contents=[],
        sub_items=[scoring.SubItemRow(pk=s.pk, order=4 - s.order, text=s.text, max_points=s.max_points)
                   for s in subs],
        expected_version=None, by=secretariat)
    assert [s.pk for s in criterion.sub_items.order_by("order")] == [s.pk for s in reversed(subs)]


def test_new_step_must_fit_every_sub_item(bloc_year, secretariat):
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    with pytest.raises(ServiceError, match="không chia hết cho bước điểm 1"):
        scoring.update_settings(scoreboard=board, data={"score_step": Decimal("1")}, expected_version=None,
                                by=secretariat)
    board.refresh_from_db()
    assert board.score_step == Decimal("0.5")


def test_tie_break_rules_are_checked(bloc_year, other_bloc_year, secretariat):
    board = Scoreboard.objects.get(bloc_year=bloc_year)
    cases = [
        ([("criterion", None)], "phải chọn tiêu chí"),
        ([("criterion", other_bloc_year.criteria[0])], "không thuộc bảng điểm này"),
        ([("fewer_late", bloc_year.criteria[0])], "Chỉ quy tắc theo điểm tiêu chí"),
        ([("fewer_late", None), ("fewer_late", None)], "chỉ được dùng một lần"),
    ]
    for rules, message in cases:
        with pytest.raises(ServiceError, match=message):
            scoring.save_tie_breaks(scoreboard=board, rules=rules, expected_version=None, by=secretariat)
    assert board.tie_breaks.count() == 3


# Accounts -----------------------------------------------------------------------------------------


def test_officer_account_only_for_a_member_unit_and_a_free_username(bloc_year, other_bloc_year, secretariat):
    kwargs = {"bloc_year": bloc_year, "full_name": "Nguyễn Văn An", "email": "an@example.vn",
              "password": "Mat-khau-rat-dai-2025", "by": secretariat}
    with pytest.raises(ServiceError, match="không thuộc khối") as error:
        services.create_officer(unit=other_bloc_year.units[0], username="an", **kwargs)
    assert error.value.field == "unit"
    with pytest.raises(ServiceError, match="đã có người dùng"):
        services.create_officer(unit=bloc_year.units[1], username=secretariat.username.upper(), **kwargs)
    user = services.create_officer(unit=bloc_year.units[1], username="an", **kwargs)
    assert (user.first_name, user.last_name, user.profile.role, user.profile.unit) == (
        "Nguyễn Văn", "An", Profile.Role.OFFICER, bloc_year.units[1])
    assert user.check_password("Mat-khau-rat-dai-2025")


def test_secretariat_cannot_deactivate_themself(bloc_year, secretariat):
    with pytest.raises(ServiceError, match="chính mình"):
        services.set_account_active(bloc_year=bloc_year, user=secretariat, active=False, by=secretariat)


# Database constraints -----------------------------------------------------------------------------


def constraint_names(model) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


NAMED_CONSTRAINTS = {
    BlocYear: ["covenant_blocyear_one_per_year", "covenant_blocyear_year_range"],
    Membership: ["covenant_membership_unit_once", "covenant_membership_order_unique", "covenant_membership_one_head",
                 "covenant_membership_one_deputy", "covenant_membership_order_positive"],
    LegalBasis: ["covenant_legalbasis_order_unique", "covenant_legalbasis_order_positive"],
    CovenantContent: ["covenant_content_order_unique", "covenant_content_order_positive"],
    Profile: ["covenant_profile_scope_matches_role"],
    Scoreboard: ["scoring_scoreboard_total_positive", "scoring_scoreboard_step_positive",
                 "scoring_scoreboard_bonus_cap_not_negative", "scoring_scoreboard_deductions_not_negative"],
    Criterion: ["scoring_criterion_order_unique", "scoring_criterion_order_positive"],
    SubItem: ["scoring_subitem_order_unique", "scoring_subitem_order_positive", "scoring_subitem_max_positive"],
    BonusItem: ["scoring_bonusitem_order_unique", "scoring_bonusitem_order_positive",
                "scoring_bonusitem_points_positive"],
    TieBreak: ["scoring_tiebreak_order_unique", "scoring_tiebreak_order_positive",
               "scoring_tiebreak_criterion_iff_kind"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(NAMED_CONSTRAINTS), ids=lambda m: m.__name__)
def test_named_constraints_exist_in_the_database(model):
    assert set(NAMED_CONSTRAINTS[model]) <= constraint_names(model)


def violations(by) -> dict:
    """Writes that bypass the services; each must be stopped by the database."""
    u1, _u2, u3 = by.units
    covenant = Covenant.objects.get(bloc_year=by)
    board = Scoreboard.objects.get(bloc_year=by)
    criterion = by.criteria[0]
    return {
        "covenant_membership_one_head": lambda: Membership.objects.filter(unit=u3, bloc_year=by).update(role="head"),
        "covenant_membership_one_deputy": lambda: Membership.objects.filter(unit=u3, bloc_year=by).update(
            role="deputy"),
        "covenant_membership_order_unique": lambda: Membership.objects.filter(unit=u3, bloc_year=by).update(order=1),
        "covenant_membership_unit_once": lambda: Membership.objects.create(bloc_year=by, unit=u1, order=9),
        "covenant_membership_order_positive": lambda: Membership.objects.filter(unit=u3, bloc_year=by).update(order=0),
        "covenant_blocyear_one_per_year": lambda: BlocYear.objects.create(bloc=by.bloc, year=by.year),
        "covenant_blocyear_year_range": lambda: BlocYear.objects.create(bloc=by.bloc, year=1999),
        "covenant_legalbasis_order_unique": lambda: LegalBasis.objects.create(covenant=covenant, order=1, text="x"),
        "covenant_legalbasis_order_positive": lambda: LegalBasis.objects.create(covenant=covenant, order=0, text="x"),
        "covenant_content_order_unique": lambda: CovenantContent.objects.create(covenant=covenant, order=1, title="x",
                                                                                body="x"),
        "covenant_content_order_positive": lambda: CovenantContent.objects.create(covenant=covenant, order=0,
                                                                                  title="x", body="x"),
        "covenant_profile_scope_matches_role": lambda: Profile.objects.create(
            user=make_user("khong-pham-vi"), role=Profile.Role.OFFICER),
        "scoring_scoreboard_total_positive": lambda: Scoreboard.objects.filter(pk=board.pk).update(total_points=0),
        "scoring_scoreboard_step_positive": lambda: Scoreboard.objects.filter(pk=board.pk).update(score_step=0),
        "scoring_scoreboard_bonus_cap_not_negative": lambda: Scoreboard.objects.filter(pk=board.pk).update(
            bonus_cap=-1),
        "scoring_scoreboard_deductions_not_negative": lambda: Scoreboard.objects.filter(pk=board.pk).update(
            late_report_points=-1),
        "scoring_criterion_order_unique": lambda: Criterion.objects.create(scoreboard=board, order=1, title="x"),
        "scoring_criterion_order_positive": lambda: Criterion.objects.create(scoreboard=board, order=0, title="x"),
        "scoring_subitem_order_unique": lambda: SubItem.objects.create(criterion=criterion, order=1, text="x",
                                                                       max_points=1),
        "scoring_subitem_order_positive": lambda: SubItem.objects.create(criterion=criterion, order=0, text="x",
                                                                         max_points=1),
        "scoring_subitem_max_positive": lambda: SubItem.objects.filter(criterion=criterion, order=1).update(
            max_points=0),
        "scoring_bonusitem_order_unique": lambda: BonusItem.objects.create(scoreboard=board, order=1, text="x",
                                                                           points=1),
        "scoring_bonusitem_order_positive": lambda: BonusItem.objects.create(scoreboard=board, order=0, text="x",
                                                                             points=1),
        "scoring_bonusitem_points_positive": lambda: BonusItem.objects.create(scoreboard=board, order=9, text="x",
                                                                              points=0),
        "scoring_tiebreak_order_unique": lambda: TieBreak.objects.create(scoreboard=board, order=1,
                                                                         kind="fewer_missing"),
        "scoring_tiebreak_order_positive": lambda: TieBreak.objects.create(scoreboard=board, order=0,
                                                                           kind="fewer_missing"),
        "scoring_tiebreak_criterion_iff_kind": lambda: TieBreak.objects.create(scoreboard=board, order=9,
                                                                               kind="criterion"),
    }


CONSTRAINT_NAMES = sorted(name for names in NAMED_CONSTRAINTS.values() for name in names)


@pytest.mark.parametrize("name", CONSTRAINT_NAMES)
def test_database_refuses_what_the_services_refuse(bloc_year, name):
    write = violations(bloc_year)[name]
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    if connection.vendor == "postgresql" or "CHECK" in str(error.value):
        assert name in str(error.value)


def test_every_named_constraint_has_a_violation_test(bloc_year):
    assert sorted(violations(bloc_year)) == CONSTRAINT_NAMES


def test_zero_maximum_sub_item_and_second_head_are_refused_even_in_bulk(bloc_year):
    criterion = bloc_year.criteria[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        SubItem.objects.bulk_create([SubItem(criterion=criterion, order=9, text="x", max_points=Decimal("0"))])
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(bloc_year=bloc_year).update(role="head")


def test_thirty_unit_year_is_complete(db):
    by = make_bloc_year(units=30)
    assert Membership.objects.filter(bloc_year=by).count() == 30
    assert lifecycle.phase_problems(by) == []
    assert len(by.officers) == 30
    assert Bloc.objects.filter(pk=by.bloc_id).exists()
    assert timezone.is_aware(AuditEntry.objects.filter(bloc_year=by).first().at)

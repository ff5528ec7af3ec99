"""Workflow changes to a bloc year: members, covenant, phases, new years, accounts.

Every function is atomic, takes the acting user and time, records what it changed and raises
ServiceError with a translated message when the change is not allowed.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant import dataversion
from covenant.models import (
    AuditEntry,
    Bloc,
    BlocYear,
    Covenant,
    CovenantContent,
    LegalBasis,
    Membership,
    Profile,
    Unit,
)

User = get_user_model()


class ServiceError(Exception):
    """A change the rules refuse; the message is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else saved the same object since the form was opened."""


def jsonable(value):
    if isinstance(value, Decimal):
        # 100.00 and 100 are the same number and must snapshot the same ("100"); the "f" format never
        # gives the exponent form normalize() may produce (Decimal("1E+2")).
        normalized = value.normalize()
        return "0" if normalized.is_zero() else format(normalized, "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def snapshot(obj: Model | None, fields: Iterable[str]) -> dict | None:
    if obj is None:
        return None
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(
    *,
    bloc_year: BlocYear | None,
    by,
    action: str,
    target: Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> AuditEntry:
    if bloc_year is not None:
        dataversion.changed(bloc_year.bloc_id, bloc_year.pk)
    return AuditEntry.objects.create(
        bloc_year=bloc_year,
        actor=by if by is not None and by.is_authenticated else None,
        at=at or timezone.now(),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:255],
        before=before,
        after=after,
        reason=reason,
    )


def check_editable(bloc_year: BlocYear, reason: str, *, what: str = "") -> str:
    """Setup data changes freely in the setup phase, with a reason later on, never once published."""
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    reason = (reason or "").strip()
    if bloc_year.changes_need_reason and not reason:
        raise ServiceError(
            _("Năm thi đua đã qua giai đoạn thiết lập: mọi thay đổi phải ghi rõ lý do."), field="reason"
        )
    return reason


def bump_version(model: type[Model], pk, expected_version: int | None) -> None:
    """Optimistic lock: refuse the save when the row changed since the form was opened."""
    qs = model.objects.filter(pk=pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1) != 1:
        raise ConflictError(
            _(
                "Dữ liệu này vừa được người khác lưu trước bạn. Hãy tải lại trang để xem bản mới nhất "
                "rồi nhập lại thay đổi của mình."
            )
        )


# Members ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    unit: Unit
    order: int
    role: str


MEMBER_FIELDS = ("order", "role")


@transaction.atomic
def save_members(
    *,
    bloc_year: BlocYear,
    rows: Sequence[MemberRow],
    expected_version: int | None,
    by,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> None:
    """Replace the year's member list (order and roles) in one step."""
    reason = check_editable(bloc_year, reason)
    units = [r.unit.pk for r in rows]
    orders = [r.order for r in rows]
    if not rows:
        raise ServiceError(_("Khối phải có ít nhất một đơn vị thành viên."))
    if len(set(units)) != len(units):
        raise ServiceError(_("Một đơn vị chỉ được có tên một lần trong danh sách thành viên."))
    if len(set(orders)) != len(orders):
        raise ServiceError(_("Số thứ tự (STT) của các đơn vị không được trùng nhau."))
    if any(o < 1 for o in orders):
        raise ServiceError(_("Số thứ tự (STT) phải là số nguyên dương."))
    heads = [r for r in rows if r.role == Membership.Role.HEAD]
    deputies = [r for r in rows if r.role == Membership.Role.DEPUTY]
    if len(heads) != 1:
        raise ServiceError(_("Mỗi năm khối phải có đúng một Trưởng khối."))
    if len(deputies) > 1:
        raise ServiceError(_("Mỗi năm khối có nhiều nhất một Phó trưởng khối."))
    _check_units_may_join(bloc_year, [r.unit for r in rows])
    bump_version(BlocYear, bloc_year.pk, expected_version)

    existing = {m.unit_id: m for m in Membership.objects.select_for_update().filter(bloc_year=bloc_year)}
    wanted = {r.unit.pk: r for r in rows}
    removed = [m for uid, m in existing.items() if uid not in wanted]
    for m in removed:
        record(bloc_year=bloc_year, by=by, action="member.remove", target=m,
               before=snapshot(m, MEMBER_FIELDS), reason=reason, at=at)
    Membership.objects.filter(pk__in=[m.pk for m in removed]).delete()
    # Park the kept rows on free order numbers and the member role first, so that swapping two STT
    # numbers or passing the head role on never trips the unique constraints midway.
    kept = [m for uid, m in existing.items() if uid in wanted]
    offset = max([*orders, *(m.order for m in kept), 0]) + 1
    for i, m in enumerate(kept):
        Membership.objects.filter(pk=m.pk).update(order=offset + i, role=Membership.Role.MEMBER)
    for row in rows:
        m = existing.get(row.unit.pk)
        if m is None:
            try:
                with transaction.atomic():
                    m = Membership.objects.create(
                        bloc_year=bloc_year, unit=row.unit, order=row.order, role=row.role, year=bloc_year.year
                    )
            except IntegrityError:
                # Another bloc took the unit for this year since the check above.
                raise ServiceError(
                    _("Đơn vị “%(unit)s” vừa được đưa vào khối khác trong năm %(year)s.")
                    % {"unit": row.unit.name, "year": bloc_year.year}
                ) from None
            record(bloc_year=bloc_year, by=by, action="member.add", target=m,
                   after=snapshot(m, MEMBER_FIELDS), reason=reason, at=at)
            continue
        before = snapshot(m, MEMBER_FIELDS)
        m.order, m.role = row.order, row.role
        m.save(update_fields=["order", "role"])
        if before != snapshot(m, MEMBER_FIELDS):
            record(bloc_year=bloc_year, by=by, action="member.change", target=m,
                   before=before, after=snapshot(m, MEMBER_FIELDS), reason=reason, at=at)


def units_free_for(bloc_year: BlocYear):
    """The units a bloc year may take as members: its province's, not on another bloc's list that year."""
    return (
        Unit.objects.filter(province_id=bloc_year.bloc.province_id)
        .exclude(memberships__in=Membership.objects.filter(year=bloc_year.year).exclude(bloc_year=bloc_year))
        .order_by("name")
    )


def _check_units_may_join(bloc_year: BlocYear, units: Sequence[Unit]) -> None:
    foreign = [u for u in units if u.province_id != bloc_year.bloc.province_id]
    if foreign:
        raise ServiceError(
            _("Đơn vị “%(unit)s” không thuộc tỉnh của khối, không thể là thành viên của khối.")
            % {"unit": foreign[0].name}
        )
    taken = (
        Membership.objects.filter(year=bloc_year.year, unit__in=units)
        .exclude(bloc_year=bloc_year)
        .select_related("unit", "bloc_year__bloc")
        .first()
    )
    if taken is not None:
        raise ServiceError(
            _("Đơn vị “%(unit)s” đã là thành viên của %(bloc)s trong năm %(year)s; mỗi năm một đơn vị chỉ thuộc "
              "một khối.")
            % {"unit": taken.unit.name, "bloc": taken.bloc_year.bloc.name, "year": bloc_year.year}
        )


@transaction.atomic
def create_unit(
    *, code: str, name: str, short_name: str, province, by, at: datetime.datetime | None = None, **contact
) -> Unit:
    """A new unit of a province (a bloc's secretariat creates it in its own bloc's province)."""
    if Unit.objects.filter(code=code).exists():
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}, field="code")
    try:
        with transaction.atomic():
            unit = Unit.objects.create(code=code, name=name, short_name=short_name, province=province, **contact)
    except IntegrityError:
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}, field="code") from None
    record(bloc_year=None, by=by, action="unit.create", target=unit,
           after=snapshot(unit, ("code", "name", "short_name")), at=at)
    return unit


# Covenant -----------------------------------------------------------------------------------------

COVENANT_FIELDS = ("title", "signed_on", "signed_place", "plan_number", "plan_date")
CONTENT_FIELDS = ("order", "title", "body")


@transaction.atomic
def update_covenant(
    *, covenant: Covenant, data: dict, legal_bases: Sequence[str] | None = None,
    expected_version: int | None, by, reason: str = "", at: datetime.datetime | None = None,
) -> Covenant:
    """Change the covenant's dates and plan reference, and its ordered legal bases."""
    reason = check_editable(covenant.bloc_year, reason)
    bump_version(Covenant, covenant.pk, expected_version)
    covenant = Covenant.objects.get(pk=covenant.pk)
    before = snapshot(covenant, COVENANT_FIELDS)
    old_bases = list(covenant.legal_bases.values_list("text", flat=True))
    for field in COVENANT_FIELDS:
        if field in data:
            setattr(covenant, field, data[field])
    covenant.save()
    after = snapshot(covenant, COVENANT_FIELDS)
    if legal_bases is not None:
        bases = [b.strip() for b in legal_bases if b and b.strip()]
        if bases != old_bases:
            covenant.legal_bases.all().delete()
            LegalBasis.objects.bulk_create(
                LegalBasis(covenant=covenant, order=i, text=text) for i, text in enumerate(bases, start=1)
            )
            before["legal_bases"], after["legal_bases"] = old_bases, bases
    if before != after:
        record(bloc_year=covenant.bloc_year, by=by, action="covenant.change", target=covenant,
               before=before, after=after, reason=reason, at=at)
    return covenant


@transaction.atomic
def save_content(
    *, covenant: Covenant, content: CovenantContent | None, order: int, title: str, body: str,
    expected_version: int | None, by, reason: str = "", at: datetime.datetime | None = None,
) -> CovenantContent:
    """Create or change one covenant content; order numbers stay unique within the covenant."""
    reason = check_editable(covenant.bloc_year, reason)
    clash = CovenantContent.objects.filter(covenant=covenant, order=order)
    if content is not None:
        clash = clash.exclude(pk=content.pk)
    if clash.exists():
        raise ServiceError(_("Đã có nội dung số %(order)s trong giao ước.") % {"order": order}, field="order")
    if content is None:
        content = CovenantContent.objects.create(covenant=covenant, order=order, title=title, body=body)
        record(bloc_year=covenant.bloc_year, by=by, action="content.create", target=content,
               after=snapshot(content, CONTENT_FIELDS), reason=reason, at=at)
        return content
    bump_version(CovenantContent, content.pk, expected_version)
    content.refresh_from_db()
    before = snapshot(content, CONTENT_FIELDS)
    content.order, content.title, content.body = order, title, body
    content.save(update_fields=["order", "title", "body"])
    after = snapshot(content, CONTENT_FIELDS)
    if before != after:
        record(bloc_year=covenant.bloc_year, by=by, action="content.change", target=content,
               before=before, after=after, reason=reason, at=at)
    return content


@transaction.atomic
def delete_content(*, content: CovenantContent, by, reason: str = "", at: datetime.datetime | None = None) -> None:
    bloc_year = content.covenant.bloc_year
    reason = check_editable(bloc_year, reason)
    if bloc_year.scoreboard_frozen:
        raise ServiceError(_("Từ giai đoạn chấm điểm không thể xóa nội dung giao ước."))
    record(bloc_year=bloc_year, by=by, action="content.delete", target=content,
           before=snapshot(content, CONTENT_FIELDS), reason=reason, at=at)
    content.delete()


# Phases -------------------------------------------------------------------------------------------


def setup_problems(bloc_year: BlocYear) -> list[str]:
    """What still keeps the year from leaving its setup phase."""
    from scoring.services import scoreboard_problems

    problems = []
    members = list(bloc_year.memberships.all())
    if len(members) < 2:
        problems.append(_("Khối cần ít nhất hai đơn vị thành viên."))
    if not any(m.role == Membership.Role.HEAD for m in members):
        problems.append(_("Chưa chọn Trưởng khối."))
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    if covenant is None or not covenant.contents.exists():
        problems.append(_("Giao ước chưa có nội dung nào."))
    problems.extend(scoreboard_problems(bloc_year))
    return problems


@transaction.atomic
def advance_phase(*, bloc_year: BlocYear, by, at: datetime.datetime | None = None) -> BlocYear:
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    index = bloc_year.phase_index
    if index + 1 >= len(BlocYear.PHASE_ORDER):
        raise ServiceError(_("Năm thi đua đã ở giai đoạn cuối."))
    if bloc_year.phase == BlocYear.Phase.SETUP:
        problems = setup_problems(bloc_year)
        if problems:
            raise ServiceError(_("Chưa thể chuyển giai đoạn: %(problems)s") % {"problems": " ".join(problems)})
    if bloc_year.phase in (BlocYear.Phase.SCORING, BlocYear.Phase.REVIEW):
        from scoring.voting import approval_problems, publish_problems

        check = approval_problems if bloc_year.phase == BlocYear.Phase.SCORING else publish_problems
        problems = check(bloc_year)
        if problems:
            raise ServiceError(_("Chưa thể chuyển giai đoạn: %(problems)s") % {"problems": " ".join(problems)})
    before = {"phase": bloc_year.phase}
    bloc_year.phase = BlocYear.PHASE_ORDER[index + 1]
    bloc_year.save(update_fields=["phase"])
    record(bloc_year=bloc_year, by=by, action="phase.advance", target=bloc_year,
           before=before, after={"phase": bloc_year.phase}, at=at)
    return bloc_year


@transaction.atomic
def revert_phase(*, bloc_year: BlocYear, by, reason: str, at: datetime.datetime | None = None) -> BlocYear:
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Phải ghi lý do khi quay lại giai đoạn trước."), field="reason")
    index = bloc_year.phase_index
    if index == 0:
        raise ServiceError(_("Năm thi đua đang ở giai đoạn đầu tiên."))
    before = {"phase": bloc_year.phase}
    bloc_year.phase = BlocYear.PHASE_ORDER[index - 1]
    bloc_year.save(update_fields=["phase"])
    record(bloc_year=bloc_year, by=by, action="phase.revert", target=bloc_year,
           before=before, after={"phase": bloc_year.phase}, reason=reason, at=at)
    return bloc_year


# Years --------------------------------------------------------------------------------------------


@transaction.atomic
def create_bloc_year(*, bloc: Bloc, year: int, by, at: datetime.datetime | None = None) -> BlocYear:
    from scoring.models import Scoreboard

    try:
        with transaction.atomic():
            bloc_year = BlocYear.objects.create(bloc=bloc, year=year)
    except IntegrityError:
        raise ServiceError(_("Khối đã có năm thi đua %(year)s.") % {"year": year}) from None
    Covenant.objects.create(bloc_year=bloc_year, title=_("Giao ước thi đua năm %(year)s") % {"year": year})
    Scoreboard.objects.create(bloc_year=bloc_year, title=_("Bảng điểm thi đua năm %(year)s") % {"year": year})
    record(bloc_year=bloc_year, by=by, action="year.create", target=bloc_year, after={"year": year}, at=at)
    return bloc_year


@transaction.atomic
def start_next_year(*, previous: BlocYear, by, at: datetime.datetime | None = None) -> BlocYear:
    """Open year N+1 from year N: members (with the head and deputy elected at year N's review meeting,
    else year N's roles), covenant contents and legal bases, the scoreboard, the reporting periods (dates
    moved one year on)."""
    from scoring.services import copy_scoreboard

    if BlocYear.objects.filter(bloc=previous.bloc, year__gt=previous.year).exists():
        raise ServiceError(_("Chỉ có thể mở năm mới từ năm gần nhất của khối."))
    bloc_year = create_bloc_year(bloc=previous.bloc, year=previous.year + 1, by=by, at=at)
    from scoring.models import ReviewMeeting

    meeting = ReviewMeeting.objects.filter(bloc_year=previous).first()
    elected = {}
    if meeting is not None and meeting.elected_head_id:
        # The review meeting elected next year's head and deputy: they replace last year's roles.
        elected = {meeting.elected_head_id: Membership.Role.HEAD}
        if meeting.elected_deputy_id:
            elected[meeting.elected_deputy_id] = Membership.Role.DEPUTY
    Membership.objects.bulk_create(
        Membership(
            bloc_year=bloc_year, year=bloc_year.year, unit_id=m.unit_id, order=m.order,
            role=elected.get(m.unit_id, Membership.Role.MEMBER) if elected else m.role,
        )
        for m in previous.memberships.all()
    )
    old = Covenant.objects.filter(bloc_year=previous).first()
    if old is not None:
        new = bloc_year.covenant
        LegalBasis.objects.bulk_create(
            LegalBasis(covenant=new, order=b.order, text=b.text) for b in old.legal_bases.all()
        )
        content_map = {}
        for c in old.contents.all():
            content_map[c.pk] = CovenantContent.objects.create(
                covenant=new, order=c.order, title=c.title, body=c.body
            )
        copy_scoreboard(source=previous, target=bloc_year, content_map=content_map)
    from reports.services import copy_periods

    copy_periods(source=previous, target=bloc_year)
    return bloc_year


# Accounts -----------------------------------------------------------------------------------------


def managed_units(bloc_year: BlocYear):
    """The units whose officers' accounts this bloc year's secretariat manages: its members that have not moved
    on to another bloc in a later year (a unit's accounts are managed by the bloc it belongs to now)."""
    moved_on = Membership.objects.filter(year__gt=bloc_year.year).exclude(bloc_year__bloc_id=bloc_year.bloc_id)
    return Unit.objects.filter(memberships__bloc_year=bloc_year).exclude(memberships__in=moved_on)


def managed_officers(bloc_year: BlocYear):
    """The officer accounts of the managed units: never a secretariat (of this or another bloc) nor an
    administrator, whose password or access this secretariat must not control."""
    return User.objects.filter(
        profile__unit__in=managed_units(bloc_year),
        profile__role=Profile.Role.OFFICER,
        is_superuser=False,
        is_staff=False,
    )


def _check_manages(bloc_year: BlocYear, user) -> None:
    if not managed_officers(bloc_year).filter(pk=user.pk).exists():
        raise ServiceError(_("Tài khoản này không thuộc các đơn vị do Văn phòng khối quản lý."))


@transaction.atomic
def create_officer(
    *, bloc_year: BlocYear, unit: Unit, username: str, full_name: str, email: str, password: str, by,
    at: datetime.datetime | None = None,
) -> User:
    if not managed_units(bloc_year).filter(pk=unit.pk).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."), field="unit")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username")
    first, _sep, last = full_name.strip().rpartition(" ")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password,
                                            first_name=first, last_name=last or full_name)
    except IntegrityError:
        raise ServiceError(
            _("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username"
        ) from None
    Profile.objects.create(user=user, role=Profile.Role.OFFICER, unit=unit)
    record(bloc_year=bloc_year, by=by, action="account.create", target=user,
           after={"username": username, "unit": str(unit)}, at=at)
    return user


@transaction.atomic
def set_account_active(*, bloc_year: BlocYear, user, active: bool, by) -> None:
    if user == by:
        raise ServiceError(_("Bạn không thể tự khóa tài khoản của chính mình."))
    _check_manages(bloc_year, user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(bloc_year=bloc_year, by=by, action="account.activate" if active else "account.deactivate",
           target=user, after={"is_active": active})


@transaction.atomic
def set_account_password(*, bloc_year: BlocYear, user, password: str, by) -> None:
    _check_manages(bloc_year, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(bloc_year=bloc_year, by=by, action="account.password_reset", target=user)

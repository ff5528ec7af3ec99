"""The year's setup: the member list, the units, the covenant with its legal bases and contents, the officers'
accounts of the member units; and what the covenant contributes to a year's lifecycle.

Every function is atomic, takes the acting user and time, records what it changed and raises ServiceError with a
translated message when the change is not allowed.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.audit import Actor, bump_version, record, snapshot
from core.errors import ServiceError
from core.lifecycle import NextYear, check_editable
from core.models import BlocYear, Membership, Profile, Province, Unit
from covenant.models import Covenant, CovenantContent, LegalBasis

User = get_user_model()


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
    by: Actor,
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
        record(
            bloc_year=bloc_year,
            by=by,
            action="member.remove",
            target=m,
            before=snapshot(m, MEMBER_FIELDS),
            reason=reason,
            at=at,
        )
    Membership.objects.filter(pk__in=[m.pk for m in removed]).delete()
    # Park the kept rows on free order numbers and the member role first, so that swapping two STT
    # numbers or passing the head role on never trips the unique constraints midway.
    kept = [m for uid, m in existing.items() if uid in wanted]
    offset = max([*orders, *(m.order for m in kept), 0]) + 1
    for i, m in enumerate(kept):
        Membership.objects.filter(pk=m.pk).update(order=offset + i, role=Membership.Role.MEMBER)
    for row in rows:
        found = existing.get(row.unit.pk)
        if found is None:
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
            record(
                bloc_year=bloc_year,
                by=by,
                action="member.add",
                target=m,
                after=snapshot(m, MEMBER_FIELDS),
                reason=reason,
                at=at,
            )
            continue
        m = found
        before = snapshot(m, MEMBER_FIELDS)
        m.order, m.role = row.order, row.role
        m.save(update_fields=["order", "role"])
        if before != snapshot(m, MEMBER_FIELDS):
            record(
                bloc_year=bloc_year,
                by=by,
                action="member.change",
                target=m,
                before=before,
                after=snapshot(m, MEMBER_FIELDS),
                reason=reason,
                at=at,
            )


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
            _(
                "Đơn vị “%(unit)s” đã là thành viên của %(bloc)s trong năm %(year)s; mỗi năm một đơn vị chỉ thuộc "
                "một khối."
            )
            % {"unit": taken.unit.name, "bloc": taken.bloc_year.bloc.name, "year": bloc_year.year}
        )


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    short_name: str,
    province: Province,
    by: Actor,
    at: datetime.datetime | None = None,
    **contact: str,
) -> Unit:
    """A new unit of a province (a bloc's secretariat creates it in its own bloc's province)."""
    if Unit.objects.filter(code=code).exists():
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}, field="code")
    try:
        with transaction.atomic():
            unit = Unit.objects.create(code=code, name=name, short_name=short_name, province=province, **contact)
    except IntegrityError:
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}, field="code") from None
    record(
        bloc_year=None,
        by=by,
        action="unit.create",
        target=unit,
        after=snapshot(unit, ("code", "name", "short_name")),
        at=at,
    )
    return unit


# Covenant -----------------------------------------------------------------------------------------

COVENANT_FIELDS = ("title", "signed_on", "signed_place", "plan_number", "plan_date")
CONTENT_FIELDS = ("order", "title", "body")


@transaction.atomic
def update_covenant(
    *,
    covenant: Covenant,
    data: dict,
    legal_bases: Sequence[str] | None = None,
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Covenant:
    """Change the covenant's dates and plan reference, and its ordered legal bases."""
    reason = check_editable(covenant.bloc_year, reason)
    bump_version(Covenant, covenant.pk, expected_version)
    covenant = Covenant.objects.get(pk=covenant.pk)
    before = snapshot(covenant, COVENANT_FIELDS) or {}
    old_bases = list(covenant.legal_bases.values_list("text", flat=True))
    for field in COVENANT_FIELDS:
        if field in data:
            setattr(covenant, field, data[field])
    covenant.save()
    after = snapshot(covenant, COVENANT_FIELDS) or {}
    if legal_bases is not None:
        bases = [b.strip() for b in legal_bases if b and b.strip()]
        if bases != old_bases:
            covenant.legal_bases.all().delete()
            LegalBasis.objects.bulk_create(
                LegalBasis(covenant=covenant, order=i, text=text) for i, text in enumerate(bases, start=1)
            )
            before["legal_bases"], after["legal_bases"] = old_bases, bases
    if before != after:
        record(
            bloc_year=covenant.bloc_year,
            by=by,
            action="covenant.change",
            target=covenant,
            before=before,
            after=after,
            reason=reason,
            at=at,
        )
    return covenant


@transaction.atomic
def save_content(
    *,
    covenant: Covenant,
    content: CovenantContent | None,
    order: int,
    title: str,
    body: str,
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> CovenantContent:
    """Create or change one covenant content; order numbers stay unique within the covenant."""
    if content is not None and content.covenant_id != covenant.pk:
        raise ServiceError(_("Nội dung này không thuộc giao ước của khối."))
    reason = check_editable(covenant.bloc_year, reason)
    clash = CovenantContent.objects.filter(covenant=covenant, order=order)
    if content is not None:
        clash = clash.exclude(pk=content.pk)
    if clash.exists():
        raise ServiceError(_("Đã có nội dung số %(order)s trong giao ước.") % {"order": order}, field="order")
    if content is None:
        try:
            with transaction.atomic():
                content = CovenantContent.objects.create(covenant=covenant, order=order, title=title, body=body)
        except IntegrityError:  # the same content sent twice at once: the check above saw neither
            raise ServiceError(
                _("Đã có nội dung số %(order)s trong giao ước.") % {"order": order}, field="order"
            ) from None
        record(
            bloc_year=covenant.bloc_year,
            by=by,
            action="content.create",
            target=content,
            after=snapshot(content, CONTENT_FIELDS),
            reason=reason,
            at=at,
        )
        return content
    bump_version(CovenantContent, content.pk, expected_version)
    content.refresh_from_db()
    before = snapshot(content, CONTENT_FIELDS)
    content.order, content.title, content.body = order, title, body
    content.save(update_fields=["order", "title", "body"])
    after = snapshot(content, CONTENT_FIELDS)
    if before != after:
        record(
            bloc_year=covenant.bloc_year,
            by=by,
            action="content.change",
            target=content,
            before=before,
            after=after,
            reason=reason,
            at=at,
        )
    return content


@transaction.atomic
def delete_content(
    *, content: CovenantContent, by: Actor, reason: str = "", at: datetime.datetime | None = None
) -> None:
    bloc_year = content.covenant.bloc_year
    reason = check_editable(bloc_year, reason)
    if bloc_year.scoreboard_frozen:
        raise ServiceError(_("Từ giai đoạn chấm điểm không thể xóa nội dung giao ước."))
    record(
        bloc_year=bloc_year,
        by=by,
        action="content.delete",
        target=content,
        before=snapshot(content, CONTENT_FIELDS),
        reason=reason,
        at=at,
    )
    try:
        with transaction.atomic():
            content.delete()
    except ProtectedError:  # report sections (reports/) point at it; this layer cannot name them
        raise ServiceError(
            _(
                "Không thể xóa nội dung số %(order)s: các đơn vị đã báo cáo về nội dung này. Hãy sửa tiêu đề hoặc "
                "nội dung thay vì xóa."
            )
            % {"order": content.order}
        ) from None


# The covenant in the year's lifecycle ------------------------------------------------------------------


def make_covenant(bloc_year: BlocYear, **_rest: object) -> None:
    # Stored titles print on Vietnamese documents, whatever the language of the page that opened the year.
    with override("vi"):
        title = _("Giao ước thi đua năm %(year)s") % {"year": bloc_year.year}
    Covenant.objects.create(bloc_year=bloc_year, title=title)


def covenant_problems(bloc_year: BlocYear) -> list[str]:
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    if covenant is None or not covenant.contents.exists():
        return [_("Giao ước chưa có nội dung nào.")]
    return []


def copy_covenant(step: NextYear) -> None:
    """Legal bases and contents into the next year; the content map is left for the scoreboard's copy."""
    old = Covenant.objects.filter(bloc_year=step.previous).first()
    step.maps["contents"] = {}
    if old is None:
        return
    new = step.new.covenant
    LegalBasis.objects.bulk_create(LegalBasis(covenant=new, order=b.order, text=b.text) for b in old.legal_bases.all())
    for c in old.contents.all():
        step.maps["contents"][c.pk] = CovenantContent.objects.create(
            covenant=new, order=c.order, title=c.title, body=c.body
        )


# Accounts -----------------------------------------------------------------------------------------


def managed_units(bloc_year: BlocYear):
    """The units whose officers' accounts this bloc year's secretariat manages: its members that have not moved
    on to another bloc in a later year (a unit's accounts are managed by the bloc it belongs to now)."""
    moved_on = Membership.objects.filter(year__gt=bloc_year.year).exclude(bloc_year__bloc_id=bloc_year.bloc_id)
    return Unit.objects.filter(memberships__bloc_year=bloc_year).exclude(memberships__in=moved_on)


def managed_officers(bloc_year: BlocYear):
    """The accounts this bloc year's secretariat manages: the officers of the managed units, the secretariat
    accounts of this year's (and next year's) head unit, and the bloc's leaders; never an administrator, another
    bloc's secretariat, nor a provincial viewer (those stay with the province)."""
    return User.objects.filter(
        Q(profile__unit__in=managed_units(bloc_year), profile__role=Profile.Role.OFFICER)
        | Q(profile__unit__in=_secretariat_units(bloc_year), profile__role=Profile.Role.SECRETARIAT)
        | Q(profile__role=Profile.Role.LEADER, profile__bloc_id=bloc_year.bloc_id),
        is_superuser=False,
        is_staff=False,
    )


def next_year_head(bloc_year: BlocYear) -> Membership | None:
    """The head unit of the bloc's next year, once that year is open."""
    return (
        Membership.objects.filter(
            bloc_year__bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1, role=Membership.Role.HEAD
        )
        .select_related("unit", "bloc_year")
        .first()
    )


def _secretariat_units(bloc_year: BlocYear) -> set[int]:
    # The head unit runs the secretariat; the outgoing one may also make the accounts of next year's head.
    heads = set(bloc_year.memberships.filter(role=Membership.Role.HEAD).values_list("unit_id", flat=True))
    following = next_year_head(bloc_year)
    if following is not None:
        heads.add(following.unit_id)
    return heads


def _check_manages(bloc_year: BlocYear, user) -> None:
    if not managed_officers(bloc_year).filter(pk=user.pk).exists():
        raise ServiceError(_("Tài khoản này không thuộc các đơn vị do Văn phòng khối quản lý."))


@transaction.atomic
def create_officer(
    *,
    bloc_year: BlocYear,
    unit: Unit | None,
    username: str,
    full_name: str,
    email: str,
    password: str,
    by: Actor,
    role: str = Profile.Role.OFFICER,
    at: datetime.datetime | None = None,
) -> "AbstractUser":
    """An account of the bloc: a unit's officer, the secretariat (of this year's head unit or next year's), or a
    leader of the bloc (no unit). Provincial viewers are made by the province."""
    if role not in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT, Profile.Role.LEADER):
        raise ServiceError(_("Văn phòng khối chỉ tạo tài khoản cán bộ đơn vị, Văn phòng khối và lãnh đạo khối."))
    if role != Profile.Role.LEADER and (unit is None or not managed_units(bloc_year).filter(pk=unit.pk).exists()):
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."), field="unit")
    if role == Profile.Role.SECRETARIAT and unit is not None and unit.pk not in _secretariat_units(bloc_year):
        raise ServiceError(
            _("Tài khoản Văn phòng khối chỉ dành cho đơn vị Trưởng khối (năm nay hoặc năm sau)."), field="unit"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username")
    first, _sep, last = full_name.strip().rpartition(" ")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password, first_name=first, last_name=last or full_name
            )
    except IntegrityError:
        raise ServiceError(
            _("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username"
        ) from None
    if role == Profile.Role.LEADER:
        Profile.objects.create(user=user, role=role, bloc_id=bloc_year.bloc_id)
    else:
        Profile.objects.create(user=user, role=role, unit=unit)
    record(
        bloc_year=bloc_year,
        by=by,
        action="account.create",
        target=user,
        after={"username": username, "unit": str(unit) if role != Profile.Role.LEADER else "", "role": role},
        at=at,
    )
    return user


@transaction.atomic
def hand_over(*, bloc_year: BlocYear, users: Sequence, by: Actor, at: datetime.datetime | None = None) -> BlocYear:
    """The outgoing secretariat names the officers of next year's head unit who run the next year's secretariat
    (their accounts take the secretariat role); the outgoing secretariat keeps its years."""
    following = next_year_head(bloc_year)
    if following is None:
        raise ServiceError(_("Chưa mở năm thi đua tiếp theo: chưa có Trưởng khối năm sau để bàn giao."))
    if not users:
        raise ServiceError(_("Hãy chọn ít nhất một tài khoản nhận bàn giao."), field="users")
    ids = [u.pk for u in users]
    profiles = list(
        Profile.objects.select_for_update().filter(
            user_id__in=ids, unit_id=following.unit_id, user__is_active=True, user__is_superuser=False
        )
    )
    if len(profiles) != len(set(ids)):
        raise ServiceError(
            _("Chỉ bàn giao cho tài khoản đang hoạt động của %(unit)s.") % {"unit": following.unit.name}, field="users"
        )
    names = []
    for profile in profiles:
        if profile.role != Profile.Role.SECRETARIAT:
            profile.role = Profile.Role.SECRETARIAT
            profile.save(update_fields=["role"])
        names.append(profile.user.get_username())
    for year in (bloc_year, following.bloc_year):
        record(
            bloc_year=year,
            by=by,
            action="secretariat.handover",
            target=following.bloc_year,
            after={"unit": str(following.unit), "accounts": names},
            at=at,
        )
    return following.bloc_year


@transaction.atomic
def set_account_active(*, bloc_year: BlocYear, user, active: bool, by: Actor) -> None:
    if user == by:
        raise ServiceError(_("Bạn không thể tự khóa tài khoản của chính mình."))
    _check_manages(bloc_year, user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        bloc_year=bloc_year,
        by=by,
        action="account.activate" if active else "account.deactivate",
        target=user,
        after={"is_active": active},
    )


def locked_out_usernames(usernames: list[str]) -> set[str]:
    """Which of these user names django-axes keeps from logging in now (too many wrong passwords)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


@transaction.atomic
def unlock_login(*, bloc_year: BlocYear, user, by: Actor) -> None:
    """Let an officer of the bloc's units log in again at once after too many wrong passwords."""
    from axes.utils import reset

    _check_manages(bloc_year, user)
    reset(username=user.username)
    record(bloc_year=bloc_year, by=by, action="account.unlock", target=user)


@transaction.atomic
def set_account_password(*, bloc_year: BlocYear, user, password: str, by: Actor) -> None:
    _check_manages(bloc_year, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(bloc_year=bloc_year, by=by, action="account.password_reset", target=user)

"""The life of a bloc year: opened, walked through its phases, copied into the next year.

The kernel knows only the phases and the member list. What else a year holds (the covenant, the periods, the
scoreboard, the ballots) belongs to the apps above, which contribute from their ``AppConfig.ready()``:

- ``on_year_created(fn)``: ``fn(bloc_year, by=..., at=...)`` makes the app's rows of a new year;
- ``phase_check(phase, fn)``: ``fn(bloc_year) -> list[str]`` says what keeps the year from leaving ``phase``;
- ``on_next_year(fn)``: ``fn(step: NextYear)`` copies the app's setup into the next year (in app order: the
  covenant first, whose content map the scoreboard then uses);
- ``next_year_roles(fn)``: ``fn(previous) -> {unit_id: role}``, the head and deputy elected for next year;
- ``open_work(fn)``: ``fn(bloc_year) -> list[str]`` says what is still open in the year's phase (reports not in,
  sheets not reviewed, ballots not closed): the phase step lists it, asks for confirmation and, when there is any,
  for a reason;
- ``on_phase_entered(fn)``: ``fn(bloc_year, by=..., at=...)`` runs in the transaction of a step forward, the year
  already in its new phase (the apps tell their users what opened: self-scoring, the review);
- ``revert_check(phase, fn)``: ``fn(bloc_year) -> list[str]`` says what keeps the year from going back from ``phase``
  (an approval must be reopened in its own step first).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import Actor, record
from core.errors import ConflictError, ServiceError
from core.models import Bloc, BlocYear, Membership

Phase = BlocYear.Phase


@dataclass
class NextYear:
    """One "open the next year" step, handed to every app in turn."""

    previous: BlocYear
    new: BlocYear
    by: Actor
    at: datetime.datetime | None
    # What one app copied and a later one needs (e.g. "contents": {old content pk: new content}).
    maps: dict = field(default_factory=dict)


_YEAR_CREATED: list[Callable] = []
_PHASE_CHECKS: dict[str, list[Callable[[BlocYear], list[str]]]] = {}
_NEXT_YEAR: list[Callable[[NextYear], None]] = []
_NEXT_YEAR_ROLES: list[Callable[[BlocYear], dict[int, str]]] = []
_OPEN_WORK: list[Callable[[BlocYear], list[str]]] = []
_REVERT_CHECKS: dict[str, list[Callable[[BlocYear], list[str]]]] = {}
_PHASE_WARNINGS: dict[str, list[Callable[[BlocYear], list[str]]]] = {}
_PHASE_ENTERED: list[Callable] = []


def on_year_created(fn: Callable) -> Callable:
    if fn not in _YEAR_CREATED:
        _YEAR_CREATED.append(fn)
    return fn


def phase_check(phase: str, fn: Callable[[BlocYear], list[str]]) -> Callable:
    checks = _PHASE_CHECKS.setdefault(Phase(phase), [])
    if fn not in checks:
        checks.append(fn)
    return fn


def phase_warning(phase: str, fn: Callable[[BlocYear], list[str]]) -> Callable:
    """``fn(bloc_year) -> list[str]``: what should make the secretariat think twice before leaving ``phase``; it is
    listed with the phase's open work, so leaving it anyway takes a reason, kept in the log."""
    warnings = _PHASE_WARNINGS.setdefault(Phase(phase), [])
    if fn not in warnings:
        warnings.append(fn)
    return fn


def phase_warnings(bloc_year: BlocYear) -> list[str]:
    found: list[str] = []
    for check in _PHASE_WARNINGS.get(Phase(bloc_year.phase), []):
        found.extend(check(bloc_year))
    return found


def on_next_year(fn: Callable[[NextYear], None]) -> Callable:
    if fn not in _NEXT_YEAR:
        _NEXT_YEAR.append(fn)
    return fn


def next_year_roles(fn: Callable[[BlocYear], dict[int, str]]) -> Callable:
    if fn not in _NEXT_YEAR_ROLES:
        _NEXT_YEAR_ROLES.append(fn)
    return fn


def open_work(fn: Callable[[BlocYear], list[str]]) -> Callable:
    if fn not in _OPEN_WORK:
        _OPEN_WORK.append(fn)
    return fn


def on_phase_entered(fn: Callable) -> Callable:
    if fn not in _PHASE_ENTERED:
        _PHASE_ENTERED.append(fn)
    return fn


def revert_check(phase: str, fn: Callable[[BlocYear], list[str]]) -> Callable:
    checks = _REVERT_CHECKS.setdefault(Phase(phase), [])
    if fn not in checks:
        checks.append(fn)
    return fn


def check_editable(bloc_year: BlocYear, reason: str) -> str:
    """Setup data changes freely in the setup phase, with a reason later on, never once published."""
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    reason = (reason or "").strip()
    if bloc_year.changes_need_reason and not reason:
        raise ServiceError(_("Năm thi đua đã qua giai đoạn thiết lập: mọi thay đổi phải ghi rõ lý do."), field="reason")
    return reason


def member_problems(bloc_year: BlocYear) -> list[str]:
    problems = []
    members = list(bloc_year.memberships.all())
    if len(members) < 2:
        problems.append(_("Khối cần ít nhất hai đơn vị thành viên."))
    if not any(m.role == Membership.Role.HEAD for m in members):
        problems.append(_("Chưa chọn Trưởng khối."))
    return problems


def phase_problems(bloc_year: BlocYear, phase: str | None = None) -> list[str]:
    """What still keeps the year from leaving the phase (its current one by default), from every app.

    Leaving a phase re-checks the rules of every earlier phase too: a year stepped back and edited (a lowered
    maximum, a removed content) must pass again what it passed the first time.
    """
    upto = BlocYear.PHASE_ORDER.index(Phase(phase or bloc_year.phase))
    problems: list[str] = []
    for earlier in BlocYear.PHASE_ORDER[: upto + 1]:
        for check in _PHASE_CHECKS.get(earlier, []):
            problems.extend(p for p in check(bloc_year) if p not in problems)
    return problems


def open_work_of(bloc_year: BlocYear) -> list[str]:
    """What is still open in the year's current phase: the phase step lists it before it is confirmed."""
    items: list[str] = []
    for fn in _OPEN_WORK:
        items.extend(fn(bloc_year))
    items.extend(phase_warnings(bloc_year))
    return items


def _check_expected_phase(bloc_year: BlocYear, expected_phase: str | None) -> None:
    # A doubled or stale POST (two clicks, a second tab) names the phase its form was shown in.
    if expected_phase is not None and bloc_year.phase != expected_phase:
        raise ConflictError(
            _(
                "Năm thi đua đã ở giai đoạn “%(phase)s” (có người vừa chuyển giai đoạn, hoặc nút được bấm hai lần): "
                "thao tác không được thực hiện. Hãy tải lại trang."
            )
            % {"phase": bloc_year.get_phase_display()}
        )


phase_check(Phase.SETUP, member_problems)


@transaction.atomic
def create_bloc_year(*, bloc: Bloc, year: int, by: Actor, at: datetime.datetime | None = None) -> BlocYear:
    try:
        with transaction.atomic():
            bloc_year = BlocYear.objects.create(bloc=bloc, year=year)
    except IntegrityError:
        raise ServiceError(_("Khối đã có năm thi đua %(year)s.") % {"year": year}) from None
    for fn in _YEAR_CREATED:
        fn(bloc_year, by=by, at=at)
    record(bloc_year=bloc_year, by=by, action="year.create", target=bloc_year, after={"year": year}, at=at)
    return bloc_year


@transaction.atomic
def advance_phase(
    *,
    bloc_year: BlocYear,
    by: Actor,
    expected_phase: str | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> BlocYear:
    """Move the year to its next phase. ``expected_phase`` is the phase the user saw; work still open (reports not
    in, sheets not reviewed...) may be left behind only with a reason, which the log keeps."""
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    _check_expected_phase(bloc_year, expected_phase)
    index = bloc_year.phase_index
    if index + 1 >= len(BlocYear.PHASE_ORDER):
        raise ServiceError(_("Năm thi đua đã ở giai đoạn cuối."))
    problems = phase_problems(bloc_year)
    if problems:
        raise ServiceError(_("Chưa thể chuyển giai đoạn: %(problems)s") % {"problems": " ".join(problems)})
    reason = (reason or "").strip()
    left = open_work_of(bloc_year)
    if left and not reason:
        raise ServiceError(
            _("Còn việc chưa xong (%(work)s): muốn chuyển giai đoạn vẫn phải ghi lý do.") % {"work": "; ".join(left)},
            field="reason",
        )
    before = {"phase": bloc_year.phase}
    bloc_year.phase = BlocYear.PHASE_ORDER[index + 1]
    bloc_year.save(update_fields=["phase"])
    record(
        bloc_year=bloc_year,
        by=by,
        action="phase.advance",
        target=bloc_year,
        before=before,
        after={"phase": bloc_year.phase, **({"open_work": left} if left else {})},
        reason=reason,
        at=at,
    )
    for fn in _PHASE_ENTERED:
        fn(bloc_year, by=by, at=at)
    return bloc_year


@transaction.atomic
def revert_phase(
    *,
    bloc_year: BlocYear,
    by: Actor,
    reason: str,
    expected_phase: str | None = None,
    at: datetime.datetime | None = None,
) -> BlocYear:
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    _check_expected_phase(bloc_year, expected_phase)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Phải ghi lý do khi quay lại giai đoạn trước."), field="reason")
    previous = bloc_year.previous_phase
    if previous is None:
        raise ServiceError(_("Năm thi đua đang ở giai đoạn đầu tiên."))
    blockers = [p for check in _REVERT_CHECKS.get(Phase(bloc_year.phase), []) for p in check(bloc_year)]
    if blockers:
        raise ServiceError(_("Chưa thể quay lại giai đoạn trước: %(problems)s") % {"problems": " ".join(blockers)})
    before = {"phase": bloc_year.phase}
    bloc_year.phase = previous
    bloc_year.save(update_fields=["phase"])
    record(
        bloc_year=bloc_year,
        by=by,
        action="phase.revert",
        target=bloc_year,
        before=before,
        after={"phase": bloc_year.phase},
        reason=reason,
        at=at,
    )
    return bloc_year


@transaction.atomic
def start_next_year(*, previous: BlocYear, by: Actor, at: datetime.datetime | None = None) -> BlocYear:
    """Open year N+1 from year N: the members (with the head and deputy elected at year N's review meeting, else
    year N's roles), then whatever each app copies (covenant, scoreboard, reporting periods, ...)."""
    if BlocYear.objects.filter(bloc=previous.bloc, year__gt=previous.year).exists():
        raise ServiceError(_("Chỉ có thể mở năm mới từ năm gần nhất của khối."))
    bloc_year = create_bloc_year(bloc=previous.bloc, year=previous.year + 1, by=by, at=at)
    elected: dict[int, str] = {}
    for roles in _NEXT_YEAR_ROLES:
        elected.update(roles(previous))
    members = list(previous.memberships.all())
    taken = set(
        Membership.objects.filter(year=bloc_year.year, unit__in=[m.unit_id for m in members]).values_list(
            "unit_id", flat=True
        )
    )
    if taken:
        # Another bloc already took a unit for the new year: it stays there, and is not copied here.
        members = [m for m in members if m.unit_id not in taken]
    Membership.objects.bulk_create(
        Membership(
            bloc_year=bloc_year,
            year=bloc_year.year,
            unit_id=m.unit_id,
            order=m.order,
            role=elected.get(m.unit_id, Membership.Role.MEMBER) if elected else m.role,
        )
        for m in members
    )
    step = NextYear(previous=previous, new=bloc_year, by=by, at=at)
    for copy in _NEXT_YEAR:
        copy(step)
    return bloc_year

"""The to-do list of a year's dashboard: what each role has to do next, with its countdown, each item linking to
where the work is done.

Gathered here, in the one app that reads all the others (the layers forbid the reverse), from data the dashboard
loads anyway (the reporting board, the phase's problems) plus a query or two a phase: a fixed number of queries
whatever the number of units. Dates are compared with today's local date, which the kept page's key holds; times of
day (a ballot's closing, the end of the contest window) are stated as times, never as "still open", so a kept page
never says something that only the clock made untrue.

Leaders sign or approve nothing in the app (the secretariat approves, the meeting votes): their list, and the
provincial viewers', is the year's coming dates instead.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import lifecycle
from core.access import Access
from core.models import BlocYear
from reports.models import ProgressReport
from reports.services import Timeliness, unit_dates
from scoring.meeting.models import Ballot, ReviewMeeting, VoterRecord
from scoring.sheets.inbox import contest_window_end, when
from scoring.sheets.models import ItemScore, ScoreSheet, ScoringRound

Phase = BlocYear.Phase
Report = ProgressReport.Status
Sheet = ScoreSheet.Status
# The secretariat's review queue shows this many reports by name, then the count of the others.
AWAITING_SHOWN = 5


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    today: datetime.date
    due: datetime.date | None = None
    detail: str = ""
    icon: str = "bi-circle"

    @property
    def days(self) -> int | None:
        return None if self.due is None else (self.due - self.today).days

    @property
    def countdown(self) -> str:
        days = self.days
        if days is None:
            return ""
        if days > 0:
            return ngettext("còn %(n)s ngày", "còn %(n)s ngày", days) % {"n": days}
        if days == 0:
            return _("hôm nay")
        return ngettext("quá hạn %(n)s ngày", "quá hạn %(n)s ngày", -days) % {"n": -days}

    @property
    def tone(self) -> str:
        days = self.days
        if days is None:
            return "secondary"
        return "danger" if days < 0 else "warning" if days <= 3 else "light"


@dataclass
class TodoList:
    title: str
    items: list[Todo]
    # For leaders and viewers, who have nothing to do in the app: the year's coming dates instead.
    milestones: bool = False


def _sorted(items: list[Todo]) -> list[Todo]:
    return sorted(items, key=lambda t: (t.due is None, t.due or datetime.date.max))


def todo_list(
    bloc_year: BlocYear, access: Access, reporting: dict, problems: list[str] | None, today: datetime.date | None = None
) -> TodoList:
    """The user's list for the year. `reporting` is the dashboard's reports summary (reports/board.py), `problems`
    the phase's problems when the view has them already."""
    today = today or timezone.localdate()
    args = [bloc_year.bloc.code, bloc_year.year]
    items: list[Todo] = []
    if access.unit is not None:
        items += _unit_reports(bloc_year, reporting, args, today)
    if access.can_manage:
        items += _review_queue(reporting, args, today)
    if bloc_year.phase == Phase.SCORING:
        items += _scoring(bloc_year, access, args, today)
    if bloc_year.phase == Phase.REVIEW:
        items += _ballots(bloc_year, access, args, today)
    if access.can_manage:
        items += _phase_step(bloc_year, problems, args, today)
    if access.unit is None and not access.can_manage:
        return TodoList(_("Mốc thời gian của năm"), _milestones(bloc_year, reporting, args, today), milestones=True)
    if access.can_manage:
        title = _("Việc cần làm của Văn phòng khối")
    else:
        title = _("Việc cần làm của %(unit)s") % {"unit": access.unit.short_name if access.unit else ""}
    return TodoList(title, _sorted(items))


def _unit_reports(bloc_year: BlocYear, reporting: dict, args: list, today: datetime.date) -> list[Todo]:
    """The unit's reports due (with its own deadline, extension included) and those returned to it."""
    if bloc_year.phase in (Phase.SETUP, Phase.PUBLISHED):
        return []
    items = []
    for cell in reporting["own_todo"]:
        report, dates = cell.report, unit_dates(cell.period, cell.extension)
        if report is not None and report.status == Report.RETURNED:
            items.append(
                Todo(
                    _("Sửa và nộp lại %(period)s") % {"period": cell.period.name},
                    reverse("reports:edit", args=[*args, report.pk]),
                    today,
                    due=report.resubmit_due,
                    detail=_("Bị trả lại: %(reason)s") % {"reason": report.return_reason},
                    icon="bi-arrow-return-left",
                )
            )
            continue
        detail = _("Hạn nộp hết ngày %(d)s") % {"d": dates.deadline.strftime("%d/%m/%Y")}
        if cell.timeliness == Timeliness.OVERDUE:
            detail = _("Quá hạn; vẫn nộp được đến hết ngày khóa sổ %(d)s (tính là trễ hạn)") % {
                "d": dates.lock_date.strftime("%d/%m/%Y")
            }
        elif dates.extended:
            detail += " · " + _("đã được gia hạn")
        url = (
            reverse("reports:edit", args=[*args, report.pk])
            if report is not None
            else reverse("reports:index", args=args)
        )
        items.append(
            Todo(
                _("Nộp %(period)s") % {"period": cell.period.name},
                url,
                today,
                due=dates.deadline,
                detail=detail,
                icon="bi-file-earmark-text",
            )
        )
    return items


def _review_queue(reporting: dict, args: list, today: datetime.date) -> list[Todo]:
    """The secretariat's: reports waiting for review (oldest first), units overdue per period."""
    items = []
    awaiting = reporting["awaiting"]
    for cell in awaiting[:AWAITING_SHOWN]:
        items.append(
            Todo(
                _("Xem xét %(period)s của %(unit)s") % {"period": cell.period.name, "unit": cell.unit.short_name},
                reverse("reports:review", args=[*args, cell.report.pk]),
                today,
                detail=_("Nộp lúc %(when)s") % {"when": when(cell.report.submitted_at)},
                icon="bi-inbox",
            )
        )
    rest = len(awaiting) - AWAITING_SHOWN
    if rest > 0:
        items.append(
            Todo(
                ngettext("và %(n)s báo cáo khác chờ xem xét", "và %(n)s báo cáo khác chờ xem xét", rest) % {"n": rest},
                reverse("reports:board", args=args) + "?status=waiting",
                today,
                icon="bi-inbox",
            )
        )
    for period, overdue in reporting["overdue"]:
        items.append(
            Todo(
                ngettext(
                    "%(n)s đơn vị quá hạn chưa nộp %(period)s", "%(n)s đơn vị quá hạn chưa nộp %(period)s", overdue
                )
                % {"n": overdue, "period": period.name},
                reverse("reports:board", args=args) + f"?status=overdue&period={period.pk}",
                today,
                due=period.deadline,
                detail=_("Khóa sổ hết ngày %(d)s") % {"d": period.lock_date.strftime("%d/%m/%Y")},
                icon="bi-exclamation-triangle",
            )
        )
    return items


def _scoring(bloc_year: BlocYear, access: Access, args: list, today: datetime.date) -> list[Todo]:
    """Self-scoring, reviewing (the secretariat's or a reviewer unit's), the contest window, contests to settle."""
    r = ScoringRound.objects.filter(bloc_year=bloc_year).first()
    sheets = list(ScoreSheet.objects.filter(bloc_year=bloc_year).select_related("unit").order_by("unit__short_name"))
    unit_id = access.unit.pk if access.unit is not None else None
    own = next((s for s in sheets if s.unit_id == unit_id), None)
    released = r is not None and r.released_at is not None
    approved = r is not None and r.approved_at is not None
    items = []
    if unit_id is not None and (own is None or own.status == Sheet.DRAFT):
        items.append(
            Todo(
                _("Tự chấm điểm và nộp bảng điểm của đơn vị"),
                reverse("scores:edit", args=[*args, own.pk]) if own else reverse("scores:overview", args=args),
                today,
                detail=_("Đang tự chấm") if own else _("Chưa bắt đầu"),
                icon="bi-pencil-square",
            )
        )
    if unit_id is not None and not released:
        for sheet in sheets:
            if sheet.reviewer_unit_id == unit_id and sheet.status == Sheet.SUBMITTED:
                items.append(
                    Todo(
                        _("Thẩm định bảng điểm của %(unit)s") % {"unit": sheet.unit.short_name},
                        reverse("scores:review", args=[*args, sheet.pk]),
                        today,
                        icon="bi-clipboard-check",
                    )
                )
    if unit_id is not None and own is not None and released and not approved and r is not None:
        end = contest_window_end(r.released_at)  # type: ignore[arg-type]
        if timezone.localdate(end) >= today:
            items.append(
                Todo(
                    _("Xem điểm thẩm định: đồng ý hoặc đề nghị xem lại"),
                    reverse("scores:respond", args=[*args, own.pk]),
                    today,
                    due=timezone.localdate(end),
                    detail=_("Trước %(when)s") % {"when": when(end)},
                    icon="bi-chat-square-text",
                )
            )
    if access.can_manage:
        items += _scoring_secretariat(bloc_year, r, sheets, args, today)
    return items


def _scoring_secretariat(
    bloc_year: BlocYear, r: ScoringRound | None, sheets: list[ScoreSheet], args: list, today: datetime.date
) -> list[Todo]:
    overview = reverse("scores:overview", args=args)
    released = r is not None and r.released_at is not None
    if r is not None and r.approved_at is not None:
        return []
    items = []
    members = bloc_year.memberships.count()
    submitted = sum(1 for s in sheets if s.status != Sheet.DRAFT)
    if members - submitted > 0:
        n = members - submitted
        items.append(
            Todo(
                ngettext("%(n)s đơn vị chưa nộp bảng tự chấm", "%(n)s đơn vị chưa nộp bảng tự chấm", n) % {"n": n},
                overview,
                today,
                icon="bi-hourglass-split",
            )
        )
    to_review = sum(1 for s in sheets if s.status == Sheet.SUBMITTED and s.reviewer_unit_id is None)
    if to_review and not released:
        items.append(
            Todo(
                ngettext(
                    "%(n)s bảng điểm chờ Văn phòng thẩm định", "%(n)s bảng điểm chờ Văn phòng thẩm định", to_review
                )
                % {"n": to_review},
                overview,
                today,
                icon="bi-clipboard-check",
            )
        )
    if not released and members and sum(1 for s in sheets if s.status == Sheet.REVIEWED) >= members:
        items.append(Todo(_("Công bố kết quả thẩm định cho các đơn vị"), overview, today, icon="bi-megaphone"))
    if released:
        contests = ItemScore.objects.filter(
            sheet__bloc_year=bloc_year, contest=ItemScore.Contest.CONTESTED, settlement=""
        ).count()
        if contests:
            items.append(
                Todo(
                    ngettext(
                        "%(n)s ý kiến đề nghị xem lại chờ giải quyết",
                        "%(n)s ý kiến đề nghị xem lại chờ giải quyết",
                        contests,
                    )
                    % {"n": contests},
                    overview,
                    today,
                    icon="bi-chat-square-text",
                )
            )
        else:
            end = contest_window_end(r.released_at)  # type: ignore[union-attr,arg-type]
            items.append(
                Todo(
                    _("Phê duyệt kết quả chấm điểm"),
                    overview,
                    today,
                    due=timezone.localdate(end),
                    detail=_("Các đơn vị được phản hồi đến %(when)s; phê duyệt sớm hơn phải ghi lý do")
                    % {"when": when(end)},
                    icon="bi-check2-square",
                )
            )
    return items


def _ballot_window(ballot: Ballot) -> str:
    if ballot.opens_at and ballot.closes_at:
        return _("Từ %(start)s đến %(end)s") % {"start": when(ballot.opens_at), "end": when(ballot.closes_at)}
    if ballot.closes_at:
        return _("Đóng lúc %(end)s") % {"end": when(ballot.closes_at)}
    if ballot.opens_at:
        return _("Mở từ %(start)s") % {"start": when(ballot.opens_at)}
    return _("Không hẹn giờ đóng")


def _ballots(bloc_year: BlocYear, access: Access, args: list, today: datetime.date) -> list[Todo]:
    """Open ballots: to vote in (officers whose unit has not voted), to close or count (the secretariat)."""
    ballots = list(
        Ballot.objects.filter(bloc_year=bloc_year, status=Ballot.Status.OPEN)
        .annotate(voted=Count("voters"))
        .order_by("kind")
    )
    if not ballots:
        return []
    items = []
    if access.is_officer and access.unit is not None:
        voted = set(
            VoterRecord.objects.filter(ballot__in=ballots, unit=access.unit).values_list("ballot_id", flat=True)
        )
        for b in ballots:
            if b.mode == Ballot.Mode.ONLINE and b.pk not in voted:
                items.append(
                    Todo(
                        _("Bỏ phiếu: %(ballot)s") % {"ballot": b.get_kind_display()},
                        reverse("review:vote", args=[*args, b.pk]),
                        today,
                        due=timezone.localdate(b.closes_at) if b.closes_at else None,
                        detail=_ballot_window(b),
                        icon="bi-box2",
                    )
                )
    if access.can_manage:
        members = bloc_year.memberships.count()
        for b in ballots:
            if b.mode == Ballot.Mode.PAPER:
                text = _("Nhập kết quả kiểm phiếu giấy: %(ballot)s") % {"ballot": b.get_kind_display()}
                url, detail = reverse("review:paper_count", args=[*args, b.pk]), ""
            else:
                text = _("Kết thúc bỏ phiếu: %(ballot)s") % {"ballot": b.get_kind_display()}
                url = reverse("review:overview", args=args)
                detail = _("%(voted)s/%(members)s đơn vị đã bỏ phiếu · %(window)s") % {
                    "voted": b.voted,  # type: ignore[attr-defined]
                    "members": members,
                    "window": _ballot_window(b),
                }
            items.append(
                Todo(
                    text,
                    url,
                    today,
                    due=timezone.localdate(b.closes_at) if b.closes_at else None,
                    detail=detail,
                    icon="bi-box2",
                )
            )
    return items


def _phase_step(bloc_year: BlocYear, problems: list[str] | None, args: list, today: datetime.date) -> list[Todo]:
    """The next phase, once nothing keeps the year from it and no work of this phase is left open."""
    following = bloc_year.next_phase
    if following is None:
        return []
    # The open work first: it is a query or two, and while there is some the rules need no checking.
    if lifecycle.open_work_of(bloc_year):
        return []
    if problems is None:
        problems = lifecycle.phase_problems(bloc_year)
    if problems:
        return []
    return [
        Todo(
            _("Sẵn sàng sang giai đoạn %(phase)s") % {"phase": following.label},
            reverse("covenant:phase_advance", args=args),
            today,
            detail=_("Việc của giai đoạn này đã xong"),
            icon="bi-arrow-right-circle",
        )
    ]


def _milestones(bloc_year: BlocYear, reporting: dict, args: list, today: datetime.date) -> list[Todo]:
    """The year's coming dates, for those who read it: deadlines, the contest window, ballots, the meeting."""
    items = []
    board = reverse("reports:board", args=args)
    if bloc_year.phase not in (Phase.SETUP, Phase.PUBLISHED):
        for period, rates in reporting["periods"]:
            if period.deadline >= today:
                items.append(
                    Todo(
                        _("Hạn nộp %(period)s") % {"period": period.name},
                        board,
                        today,
                        due=period.deadline,
                        detail=_("%(received)s/%(units)s đơn vị đã nộp") % rates,
                        icon="bi-calendar-event",
                    )
                )
            elif rates["overdue"]:
                items.append(
                    Todo(
                        ngettext(
                            "%(n)s đơn vị quá hạn chưa nộp %(period)s",
                            "%(n)s đơn vị quá hạn chưa nộp %(period)s",
                            rates["overdue"],
                        )
                        % {"n": rates["overdue"], "period": period.name},
                        board,
                        today,
                        due=period.deadline,
                        icon="bi-exclamation-triangle",
                    )
                )
    if bloc_year.phase == Phase.SCORING:
        r = ScoringRound.objects.filter(bloc_year=bloc_year).first()
        if r is not None and r.released_at is not None and r.approved_at is None:
            end = contest_window_end(r.released_at)
            items.append(
                Todo(
                    _("Hết hạn các đơn vị phản hồi điểm thẩm định"),
                    reverse("scores:overview", args=args),
                    today,
                    due=timezone.localdate(end),
                    detail=when(end),
                    icon="bi-chat-square-text",
                )
            )
    if bloc_year.phase == Phase.REVIEW:
        members = bloc_year.memberships.count()
        for b in Ballot.objects.filter(bloc_year=bloc_year, status=Ballot.Status.OPEN).annotate(voted=Count("voters")):
            detail = _ballot_window(b)
            if b.mode == Ballot.Mode.ONLINE:
                detail = _("%(voted)s/%(members)s đơn vị đã bỏ phiếu · %(window)s") % {
                    "voted": b.voted,  # type: ignore[attr-defined]
                    "members": members,
                    "window": detail,
                }
            items.append(
                Todo(
                    _("Đang bỏ phiếu: %(ballot)s") % {"ballot": b.get_kind_display()},
                    reverse("review:overview", args=args),
                    today,
                    due=timezone.localdate(b.closes_at) if b.closes_at else None,
                    detail=detail,
                    icon="bi-box2",
                )
            )
        meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).first()
        if meeting is not None and meeting.held_on is not None and meeting.held_on >= today:
            items.append(
                Todo(
                    _("Hội nghị tổng kết"),
                    reverse("review:overview", args=args),
                    today,
                    due=meeting.held_on,
                    detail=meeting.place,
                    icon="bi-people",
                )
            )
    return _sorted(items)

"""The secretariat's actions on many units at once, from the completeness board: remind the units whose report is
overdue, accept the selected reports."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, record
from core.errors import ServiceError
from core.models import BlocYear, Membership, Unit
from reports.models import Extension, ProgressReport, ReminderLog, ReportingPeriod
from reports.services.periods import Timeliness, timeliness, unit_dates
from reports.services.workflow import accept_report
from reports.tasks import send_reminder

Status = ProgressReport.Status


def overdue_units(period: ReportingPeriod, now: datetime.datetime | None = None) -> list[Unit]:
    """The member units whose report for the period is past its deadline and not yet in (before the lock date), in
    the members' order."""
    return overdue_by_period(period.bloc_year, [period], now)[period.pk]


def overdue_by_period(
    bloc_year: BlocYear, periods: list[ReportingPeriod], now: datetime.datetime | None = None
) -> dict[int, list[Unit]]:
    """overdue_units of each of these periods of the year, in three queries whatever the units and periods."""
    now = now or timezone.now()
    ids = [p.pk for p in periods]
    reports = {(r.unit_id, r.period_id): r for r in ProgressReport.objects.filter(period_id__in=ids)}
    extensions = {(e.unit_id, e.period_id): e for e in Extension.objects.filter(period_id__in=ids)}
    members = list(Membership.objects.filter(bloc_year=bloc_year).select_related("unit").order_by("order"))
    return {
        p.pk: [
            m.unit
            for m in members
            if timeliness(p, reports.get((m.unit_id, p.pk)), extensions.get((m.unit_id, p.pk)), now)
            == Timeliness.OVERDUE
        ]
        for p in periods
    }


@dataclass
class Reminded:
    reminded: list[Unit] = field(default_factory=list)
    # (unit, why it was not reminded): submitted meanwhile, or already reminded today.
    skipped: list[tuple[Unit, str]] = field(default_factory=list)


@transaction.atomic
def remind_overdue(
    *, period: ReportingPeriod, unit_ids: list[int], by: Actor, at: datetime.datetime | None = None
) -> Reminded:
    """Queue an "overdue" reminder to each of these units (through the worker, as the automatic ones: each its
    ReminderLog, delivered or failed with its reason on the board), and log who asked. A unit reminded today, or
    whose report came in meanwhile, is left out and said so."""
    now = at or timezone.now()
    bloc_year = period.bloc_year
    if bloc_year.is_published or bloc_year.phase == BlocYear.Phase.SETUP:
        raise ServiceError(_("Năm thi đua không ở giai đoạn nhận báo cáo: không gửi thư nhắc."))
    if not unit_ids:
        raise ServiceError(_("Chưa chọn đơn vị nào để nhắc."))
    members = {
        m.unit_id: m.unit
        for m in Membership.objects.filter(bloc_year=bloc_year, unit_id__in=unit_ids).select_related("unit")
    }
    if set(unit_ids) - set(members):
        raise ServiceError(_("Có đơn vị được chọn không thuộc khối trong năm này. Hãy tải lại trang rồi chọn lại."))
    overdue = {u.pk for u in overdue_units(period, now)}
    today = timezone.localdate(now)
    reminded_today = set(
        ReminderLog.objects.filter(
            period=period, kind=ReminderLog.Kind.OVERDUE, unit_id__in=unit_ids, queued_at__date=today
        ).values_list("unit_id", flat=True)
    )
    extensions = {e.unit_id: e for e in Extension.objects.filter(period=period, unit_id__in=unit_ids)}
    outcome = Reminded()
    for unit_id in dict.fromkeys(unit_ids):
        unit = members[unit_id]
        if unit_id not in overdue:
            outcome.skipped.append((unit, _("không còn quá hạn (đã nộp, hoặc chưa đến hạn, hoặc đã khóa sổ)")))
            continue
        if unit_id in reminded_today:
            outcome.skipped.append((unit, _("đã được nhắc hôm nay")))
            continue
        dates = unit_dates(period, extensions.get(unit_id))
        log = ReminderLog.objects.create(
            period=period, unit=unit, kind=ReminderLog.Kind.OVERDUE, queued_at=now, requested_by=by
        )
        # In the transaction, as the other notifications: the database task backend queues it with the log row.
        send_reminder.enqueue(log.pk, dates.deadline.isoformat(), dates.lock_date.isoformat(), dates.extended)
        outcome.reminded.append(unit)
    if outcome.reminded:
        record(
            bloc_year=bloc_year,
            by=by,
            action="period.remind_overdue",
            target=period,
            after={"reminded": [u.name for u in outcome.reminded]},
            at=now,
        )
    return outcome


@dataclass(frozen=True)
class Pick:
    """A report ticked on the board, with the version the board showed."""

    report_id: int
    version: int


@transaction.atomic
def accept_reports(
    *, bloc_year: BlocYear, picks: list[Pick], by: Actor, at: datetime.datetime | None = None
) -> list[ProgressReport]:
    """Accept every picked report, or none: a report changed since the board was shown (another version) or no
    longer waiting for review refuses the whole batch, with every such report named, so that the secretariat never
    accepts what it has not seen and knows exactly what happened. Each accepted report is audited as one accepted
    from its review page."""
    if not picks:
        raise ServiceError(_("Chưa chọn báo cáo nào để tiếp nhận."))
    wanted = {p.report_id: p.version for p in picks}
    locked = {
        r.pk: r
        for r in ProgressReport.objects.select_for_update()
        .select_related("period", "unit")
        .filter(pk__in=list(wanted), period__bloc_year=bloc_year)
        .order_by("pk")
    }
    if set(wanted) - set(locked):
        raise ServiceError(
            _("Có báo cáo được chọn không thuộc năm thi đua này hoặc không còn nữa. Hãy tải lại trang rồi chọn lại.")
        )
    problems = []
    for pk in sorted(wanted, key=lambda pk: (locked[pk].period.order, locked[pk].unit.name)):
        r = locked[pk]
        name = f"{r.unit.short_name} – {r.period.name}"
        if r.status not in (Status.SUBMITTED, Status.RESUBMITTED):
            problems.append(
                _("%(report)s: đang ở trạng thái “%(status)s”, không chờ xem xét")
                % {"report": name, "status": r.get_status_display()}
            )
        elif r.version != wanted[pk]:
            problems.append(_("%(report)s: vừa được thay đổi sau khi bạn mở bảng theo dõi") % {"report": name})
    if problems:
        raise ServiceError(
            _("Chưa tiếp nhận báo cáo nào. Hãy tải lại bảng theo dõi, xem lại rồi chọn lại: %(problems)s.")
            % {"problems": "; ".join(str(p) for p in problems)}
        )
    now = at or timezone.now()
    return [
        accept_report(report=locked[pk], expected_version=wanted[pk], by=by, at=now)
        for pk in sorted(wanted, key=lambda pk: (locked[pk].period.order, locked[pk].unit.name))
    ]

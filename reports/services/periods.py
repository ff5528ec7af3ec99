"""Reporting periods and their dates: the default four reports of a year, the periods the secretariat sets, the
extensions granted to a unit, and whether a unit's report is on time, late or missing.

Dates follow DOMAIN.md (assumptions, configurable): Q1, the mid-year report (covers Q2), Q3 and the annual report
(covers Q4); each due on the 10th day after its quarter ends and locked REPORT_LOCK_DAYS later. Deadlines and lock
dates are applied at the end of their day in the project's time zone.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from core.audit import Actor, bump_version, record, snapshot
from core.errors import ServiceError
from core.formatting import short_date
from core.lifecycle import NextYear
from core.models import BlocYear, Membership, Unit
from reports import inbox
from reports.models import Extension, ProgressReport, ReportingPeriod, end_of_day

Status = ProgressReport.Status
_d = short_date


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Periods ------------------------------------------------------------------------------------------

# (code, kind, name, first month of the covered quarter)
DEFAULT_PERIODS = [
    ("q1", ReportingPeriod.Kind.QUARTER, gettext_lazy("Báo cáo quý I"), 1),
    ("6t", ReportingPeriod.Kind.MIDYEAR, gettext_lazy("Báo cáo sơ kết 6 tháng đầu năm"), 4),
    ("q3", ReportingPeriod.Kind.QUARTER, gettext_lazy("Báo cáo quý III"), 7),
    ("nam", ReportingPeriod.Kind.ANNUAL, gettext_lazy("Báo cáo tổng kết năm"), 10),
]


def default_period_dates(year: int, first_month: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Opening date (two weeks before the quarter ends), deadline and lock date of a quarter's report."""
    end_month = first_month + 2
    quarter_end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
    opens = quarter_end - datetime.timedelta(days=14)
    deadline = quarter_end + datetime.timedelta(days=settings.REPORT_DEADLINE_DAYS)
    lock = deadline + datetime.timedelta(days=settings.REPORT_LOCK_DAYS)
    return opens, deadline, lock


@transaction.atomic
def create_default_periods(
    *, bloc_year: BlocYear, by: Actor, at: datetime.datetime | None = None
) -> list[ReportingPeriod]:
    if bloc_year.periods.exists():
        raise ServiceError(_("Năm thi đua đã có kỳ báo cáo."))
    periods = []
    # Period names print on Vietnamese documents, whatever the language of the page that made them.
    with override("vi"):
        names = [str(name) for _code, _kind, name, _month in DEFAULT_PERIODS]
    for order, ((code, kind, _name, month), name) in enumerate(zip(DEFAULT_PERIODS, names, strict=True), start=1):
        opens, deadline, lock = default_period_dates(bloc_year.year, month)
        periods.append(
            ReportingPeriod.objects.create(
                bloc_year=bloc_year,
                code=code,
                kind=kind,
                name=name,
                order=order,
                opens_on=opens,
                deadline=deadline,
                lock_date=lock,
            )
        )
    record(
        bloc_year=bloc_year,
        by=by,
        action="periods.create_default",
        target=bloc_year,
        after={"periods": [p.code for p in periods]},
        at=at,
    )
    return periods


PERIOD_FIELDS = ("code", "name", "kind", "order", "opens_on", "deadline", "lock_date")


@transaction.atomic
def save_period(
    *,
    bloc_year: BlocYear,
    period: ReportingPeriod | None,
    data: dict,
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> ReportingPeriod:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    reason = (reason or "").strip()
    if period is not None and period.reports.exclude(status=Status.DRAFT).exists() and not reason:
        raise ServiceError(_("Kỳ báo cáo đã có đơn vị nộp: phải ghi lý do thay đổi."), field="reason")
    if not (data["opens_on"] <= data["deadline"] <= data["lock_date"]):
        raise ServiceError(_("Phải có: ngày mở ≤ hạn nộp ≤ ngày khóa sổ."))
    for key, msg in (("code", _("Mã kỳ “%(v)s” đã có trong năm.")), ("order", _("Thứ tự %(v)s đã được dùng."))):
        clash = ReportingPeriod.objects.filter(bloc_year=bloc_year, **{key: data[key]})
        if period is not None:
            clash = clash.exclude(pk=period.pk)
        if clash.exists():
            raise ServiceError(msg % {"v": data[key]}, field=key)
    if period is None:
        period = ReportingPeriod.objects.create(bloc_year=bloc_year, **{f: data[f] for f in PERIOD_FIELDS})
        record(
            bloc_year=bloc_year,
            by=by,
            action="period.create",
            target=period,
            after=snapshot(period, PERIOD_FIELDS),
            reason=reason,
            at=at,
        )
        return period
    bump_version(ReportingPeriod, period.pk, expected_version)
    period.refresh_from_db()
    before = snapshot(period, PERIOD_FIELDS)
    for f in PERIOD_FIELDS:
        setattr(period, f, data[f])
    period.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="period.change",
        target=period,
        before=before,
        after=snapshot(period, PERIOD_FIELDS),
        reason=reason,
        at=at,
    )
    return period


@transaction.atomic
def grant_extension(
    *,
    period: ReportingPeriod,
    unit: Unit,
    deadline: datetime.date,
    lock_date: datetime.date,
    reason: str,
    by: Actor,
    at: datetime.datetime | None = None,
) -> Extension:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Phải ghi lý do gia hạn."), field="reason")
    if period.bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if not Membership.objects.filter(bloc_year=period.bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."), field="unit")
    if lock_date < deadline:
        raise ServiceError(_("Ngày khóa sổ mới không được trước hạn nộp mới."), field="lock_date")
    if deadline < period.deadline:
        raise ServiceError(
            _("Hạn nộp mới phải sau hạn nộp chung %(d)s.") % {"d": _d(period.deadline)}, field="deadline"
        )
    ext = Extension.objects.filter(period=period, unit=unit).first()
    before = snapshot(ext, ("deadline", "lock_date", "reason"))
    if ext is None:
        ext = Extension(period=period, unit=unit)
    ext.deadline, ext.lock_date, ext.reason = deadline, lock_date, reason
    ext.granted_by, ext.granted_at = by, _now(at)
    ext.save()
    record(
        bloc_year=period.bloc_year,
        by=by,
        action="extension.grant",
        target=ext,
        before=before,
        after=snapshot(ext, ("deadline", "lock_date", "reason")),
        reason=reason,
        at=at,
    )
    inbox.extension_granted(ext, at)
    return ext


# Timeliness ---------------------------------------------------------------------------------------


class Timeliness(StrEnum):
    NOT_OPEN = "not_open"
    NOT_DUE = "not_due"
    OVERDUE = "overdue"  # after the deadline, before the lock date, never submitted
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


TIMELINESS_LABELS = {
    Timeliness.NOT_OPEN: gettext_lazy("Chưa mở"),
    Timeliness.NOT_DUE: gettext_lazy("Chưa đến hạn"),
    Timeliness.OVERDUE: gettext_lazy("Quá hạn, chưa nộp"),
    Timeliness.ON_TIME: gettext_lazy("Đúng hạn"),
    Timeliness.LATE: gettext_lazy("Trễ hạn"),
    Timeliness.MISSING: gettext_lazy("Không nộp"),
}


@dataclass(frozen=True)
class Dates:
    opens_on: datetime.date
    deadline: datetime.date
    lock_date: datetime.date
    extended: bool = False


def unit_dates(period: ReportingPeriod, extension: Extension | None) -> Dates:
    if extension is None:
        return Dates(period.opens_on, period.deadline, period.lock_date)
    return Dates(period.opens_on, extension.deadline, extension.lock_date, extended=True)


def timeliness(
    period: ReportingPeriod, report: ProgressReport | None, extension: Extension | None, now: datetime.datetime
) -> Timeliness:
    dates = unit_dates(period, extension)
    first = report.first_submitted_at if report else None
    if first is not None and first <= end_of_day(dates.lock_date):
        return Timeliness.ON_TIME if first <= end_of_day(dates.deadline) else Timeliness.LATE
    # A report's timeliness is final once its lock date has passed: none in by then is missing for good, even if
    # one comes later (otherwise a deduction decided at the meeting would shrink afterwards).
    if first is not None:
        return Timeliness.MISSING
    if now > end_of_day(dates.lock_date):
        return Timeliness.MISSING
    if now > end_of_day(dates.deadline):
        return Timeliness.OVERDUE
    if timezone.localdate(now) < dates.opens_on:
        return Timeliness.NOT_OPEN
    return Timeliness.NOT_DUE


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def copy_periods(step: NextYear) -> None:
    """The year's reporting periods into the next year, dates moved by the difference in years."""
    source, target = step.previous, step.new
    shift = target.year - source.year
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            bloc_year=target,
            code=p.code,
            name=p.name,
            kind=p.kind,
            order=p.order,
            opens_on=_shift_year(p.opens_on, shift),
            deadline=_shift_year(p.deadline, shift),
            lock_date=_shift_year(p.lock_date, shift),
        )
        for p in source.periods.order_by("order")
    )

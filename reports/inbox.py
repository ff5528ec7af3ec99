"""The in-app notifications of reporting (core/notifications.py), written by the services in the event's own
transaction: what the emails of notify.py say, and the acceptance, which has no email."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_noop

from core import notifications
from core.formatting import short_date
from reports.models import Extension, ProgressReport, ReminderLog, ReportingPeriod

Status = ProgressReport.Status


def _args(period: ReportingPeriod) -> list:
    return [period.bloc_year.bloc.code, period.bloc_year.year]


def report_submitted(report: ProgressReport, at: datetime.datetime | None, by=None) -> None:
    """To the secretariat: a report waits for its review."""
    period = report.period
    text = (
        gettext_noop("%(unit)s đã nộp lại %(period)s: chờ xem xét.")
        if report.status == Status.RESUBMITTED
        else gettext_noop("%(unit)s đã nộp %(period)s: chờ xem xét.")
    )
    notifications.notify(
        notifications.secretariat(period.bloc_year),
        text,
        reverse("reports:review", args=[*_args(period), report.pk]),
        params={"unit": report.unit.short_name, "period": period.name},
        bloc_year=period.bloc_year,
        at=at,
        by=by,
    )


def report_sent_back(report: ProgressReport, *, reopened: bool, at: datetime.datetime | None) -> None:
    """To the unit's officers: their report came back, with the date to send it again by."""
    period = report.period
    text = (
        gettext_noop("%(period)s đã tiếp nhận được mở lại: sửa và nộp lại trước hết ngày %(due)s. Lý do: %(reason)s")
        if reopened
        else gettext_noop("%(period)s bị trả lại: sửa và nộp lại trước hết ngày %(due)s. Lý do: %(reason)s")
    )
    reason = report.return_reason if len(report.return_reason) <= 200 else report.return_reason[:199] + "…"
    notifications.notify(
        notifications.unit_officers([report.unit_id]),
        text,
        reverse("reports:edit", args=[*_args(period), report.pk]),
        params={"period": period.name, "due": short_date(report.resubmit_due), "reason": reason},
        bloc_year=period.bloc_year,
        at=at,
    )


def report_accepted(report: ProgressReport, at: datetime.datetime | None) -> None:
    period = report.period
    notifications.notify(
        notifications.unit_officers([report.unit_id]),
        gettext_noop("%(period)s đã được Văn phòng khối tiếp nhận."),
        reverse("reports:report", args=[*_args(period), report.pk]),
        params={"period": period.name},
        bloc_year=period.bloc_year,
        at=at,
    )


def extension_granted(extension: Extension, at: datetime.datetime | None) -> None:
    period = extension.period
    notifications.notify(
        notifications.unit_officers([extension.unit_id]),
        gettext_noop("%(period)s: đơn vị được gia hạn nộp đến hết ngày %(deadline)s."),
        reverse("reports:index", args=_args(period)),
        params={"period": period.name, "deadline": short_date(extension.deadline)},
        bloc_year=period.bloc_year,
        at=at,
    )


REMINDER_TEXTS = {
    ReminderLog.Kind.OPENED: gettext_noop("%(period)s đã mở: hạn nộp hết ngày %(deadline)s."),
    ReminderLog.Kind.DUE_SOON: gettext_noop("%(period)s sắp đến hạn: nộp trước hết ngày %(deadline)s."),
}


def reminder(kind: str, period: ReportingPeriod, unit_id: int, deadline: datetime.date) -> None:
    """The in-app copy of a reminder email, written when the reminder is queued (once per unit and kind)."""
    notifications.notify(
        notifications.unit_officers([unit_id]),
        REMINDER_TEXTS[ReminderLog.Kind(kind)],
        reverse("reports:index", args=_args(period)),
        params={"period": period.name, "deadline": short_date(deadline)},
        bloc_year=period.bloc_year,
    )

"""Who is told what by email when a report moves, and the text they receive."""

import datetime
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import dataversion
from core.models import Membership, Profile
from core.tasks import send_email
from reports.models import ProgressReport, ReminderLog

User = get_user_model()


def officer_emails(unit_id: int) -> list[str]:
    return list(
        User.objects.filter(is_active=True, profile__unit_id=unit_id, profile__role=Profile.Role.OFFICER)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def secretariat_emails(bloc_year) -> list[str]:
    head = Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD).values("unit_id")
    return list(
        User.objects.filter(is_active=True, profile__unit_id__in=head, profile__role=Profile.Role.SECRETARIAT)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _send(template: str, context: dict, recipients: list[str], *, in_worker: bool = False) -> None:
    """Write the email in Vietnamese and send it: at once when this already runs in the worker (a task run again
    after a lost worker is then recognised by its delivery record, ops/mail.py), else through the worker."""
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reports/email/{template}.txt", context)
    if in_worker:
        send_mail(subject, body, None, recipients, fail_silently=False)
    else:
        send_email.enqueue(subject, body, recipients)


def _report_context(report) -> dict:
    url = settings.SITE_ROOT.rstrip("/") + reverse(
        "reports:report", args=[report.period.bloc_year.bloc.code, report.period.bloc_year.year, report.pk]
    )
    return {
        "report": report,
        "period": report.period,
        "unit": report.unit,
        "bloc": report.period.bloc_year.bloc,
        "url": url,
    }


def report_submitted(report_pk: int) -> None:
    report = ProgressReport.objects.select_related("period__bloc_year__bloc", "unit").get(pk=report_pk)
    _send("submitted", _report_context(report), secretariat_emails(report.period.bloc_year), in_worker=True)


def report_returned(report_pk: int) -> None:
    report = ProgressReport.objects.select_related("period__bloc_year__bloc", "unit").get(pk=report_pk)
    _send("returned", _report_context(report), officer_emails(report.unit_id), in_worker=True)


def period_reminder(kind: str, period, unit, dates, recipients: list[str]) -> None:
    url = settings.SITE_ROOT.rstrip("/") + reverse(
        "reports:index", args=[period.bloc_year.bloc.code, period.bloc_year.year]
    )
    _send(kind, {"period": period, "unit": unit, "dates": dates, "bloc": period.bloc_year.bloc, "url": url}, recipients)


# Attempts of one reminder and the pause before each retry (15 min, 30 min, 1 h, ... up to a day).
REMINDER_MAX_ATTEMPTS = 6
REMINDER_FIRST_RETRY = datetime.timedelta(minutes=15)


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(REMINDER_FIRST_RETRY * 2 ** max(attempts - 1, 0), datetime.timedelta(days=1))


def deliver_reminder(log_pk: int, deadline: str, lock_date: str, extended: bool) -> bool:
    """Send one reminder in the worker. It counts as sent only once the mail server accepted it; a failure is kept
    with its reason and tried again later (the caller re-queues it), up to REMINDER_MAX_ATTEMPTS."""
    log = ReminderLog.objects.select_related("period__bloc_year__bloc", "unit").get(pk=log_pk)
    if log.status == ReminderLog.Status.SENT:
        return True
    period, unit = log.period, log.unit
    dates = SimpleNamespace(
        opens_on=period.opens_on,
        deadline=datetime.date.fromisoformat(deadline),
        lock_date=datetime.date.fromisoformat(lock_date),
        extended=extended,
    )
    now = timezone.now()
    attempts = log.attempts + 1
    recipients = officer_emails(unit.pk)
    error = ""
    if not recipients:
        error = str(_("Đơn vị chưa có tài khoản cán bộ nào có địa chỉ thư điện tử."))
    else:
        try:
            url = settings.SITE_ROOT.rstrip("/") + reverse(
                "reports:index", args=[period.bloc_year.bloc.code, period.bloc_year.year]
            )
            context = {"period": period, "unit": unit, "dates": dates, "bloc": period.bloc_year.bloc, "url": url}
            _send(log.kind, context, recipients, in_worker=True)
        except Exception as e:
            error = f"{type(e).__name__}: {e}"[:2000]
    if error:
        ReminderLog.objects.filter(pk=log.pk).update(
            status=ReminderLog.Status.FAILED,
            attempts=attempts,
            error=error,
            next_attempt_at=now + retry_delay(attempts) if attempts < REMINDER_MAX_ATTEMPTS else None,
        )
    else:
        ReminderLog.objects.filter(pk=log.pk).update(
            status=ReminderLog.Status.SENT, attempts=attempts, error="", sent_at=now, next_attempt_at=None
        )
    dataversion.changed(period.bloc_year.bloc_id, period.bloc_year_id)  # the board lists failures
    return not error

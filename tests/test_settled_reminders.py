"""Reminders are delivered or retried (issue 13 item 6): a reminder counts as sent when the mail server accepted it;
a failure is kept with its reason, listed for the secretariat and tried again after a growing pause."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import BlocYear, Profile
from reports import notify
from reports.models import ReminderLog
from reports.services import periods as period_services
from tests.personas import make_bloc_year, make_user


@pytest.fixture
def year(db):
    year = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    period_services.create_default_periods(bloc_year=year, by=None)
    return year


def test_a_refused_reminder_is_not_counted_sent_and_is_retried_after_its_pause(year, monkeypatch, client):
    real_send = notify.send_mail
    refusals = {"left": 3}

    def flaky(*args, **kwargs):
        if refusals["left"]:
            refusals["left"] -= 1
            raise smtplib.SMTPRecipientsRefused({"x@example.vn": (550, b"mailbox unavailable")})
        return real_send(*args, **kwargs)

    monkeypatch.setattr(notify, "send_mail", flaky)
    q1 = year.periods.get(code="q1")
    call_command("send_reminders", today=q1.opens_on, stdout=io.StringIO())
    logs = ReminderLog.objects.filter(period=q1).order_by("unit__name")
    assert [log.status for log in logs].count(ReminderLog.Status.FAILED) == 3
    failed = logs.filter(status=ReminderLog.Status.FAILED).first()
    assert failed.sent_at is None and "SMTPRecipientsRefused" in failed.error and failed.attempts == 1
    assert failed.next_attempt_at - timezone.now() > datetime.timedelta(minutes=14)

    # Listed for the secretariat: who was not reached, and why.
    client.force_login(make_user("vp-nhac", role=Profile.Role.SECRETARIAT, unit=year.units[0]))
    page = client.get(reverse("reports:board", args=[year.bloc.code, year.year])).content.decode()
    assert "Thư nhắc chưa gửi được" in page and year.units[0].name in page and "SMTPRecipientsRefused" in page

    # The next run before the pause retries nothing; after it, every failure is sent once.
    mail.outbox.clear()
    call_command("send_reminders", today=q1.opens_on, stdout=io.StringIO())
    assert ReminderLog.objects.filter(status=ReminderLog.Status.FAILED).count() == 3 and not mail.outbox
    ReminderLog.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("send_reminders", today=q1.opens_on, stdout=io.StringIO())
    assert set(ReminderLog.objects.filter(period=q1).values_list("status", flat=True)) == {ReminderLog.Status.SENT}
    assert len([m for m in mail.outbox if q1.name in m.body or q1.name in m.subject]) >= 3
    assert all(log.sent_at and log.attempts >= 1 for log in ReminderLog.objects.filter(period=q1))


def test_a_unit_without_an_address_is_listed_and_the_pause_grows(year):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(profile__unit=year.units[2]).update(email="")
    q1 = year.periods.get(code="q1")
    call_command("send_reminders", today=q1.opens_on, stdout=io.StringIO())
    log = ReminderLog.objects.get(period=q1, unit=year.units[2], kind="opened")
    assert log.status == ReminderLog.Status.FAILED and "chưa có tài khoản" in log.error
    assert [notify.retry_delay(n) for n in (1, 2, 3)] == [datetime.timedelta(minutes=m) for m in (15, 30, 60)]
    assert notify.retry_delay(20) == datetime.timedelta(days=1)

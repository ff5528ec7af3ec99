"""Email reminders for periodic reports; meant for cron, safe to run as often as you like.

Each reminder is queued once (its ReminderLog) and sent by the worker; it counts as sent when the mail server
accepted it. A failed one is queued again here once its back-off pause has passed, up to its last attempt."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import BlocYear
from reports import inbox
from reports.models import Extension, ProgressReport, ReminderLog, ReportingPeriod
from reports.services import unit_dates
from reports.tasks import send_reminder


class Command(BaseCommand):
    help = "Gửi thư nhắc: kỳ báo cáo đã mở, sắp đến hạn nộp. Mỗi thư chỉ gửi một lần."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="Ngày tính nhắc (YYYY-MM-DD), để thử.")

    def handle(self, *args, today=None, **options):
        today = today or timezone.localdate()
        sent = 0
        periods = (
            ReportingPeriod.objects.filter(
                bloc_year__phase__in=[BlocYear.Phase.REPORTING, BlocYear.Phase.SCORING], opens_on__lte=today
            )
            .select_related("bloc_year__bloc")
            .prefetch_related("bloc_year__memberships__unit")
        )
        for period in periods:
            submitted = set(
                ProgressReport.objects.filter(period=period, first_submitted_at__isnull=False).values_list(
                    "unit_id", flat=True
                )
            )
            extensions = {e.unit_id: e for e in Extension.objects.filter(period=period)}
            for membership in period.bloc_year.memberships.all():
                unit = membership.unit
                dates = unit_dates(period, extensions.get(unit.pk))
                if today > dates.lock_date:
                    continue
                kinds = [ReminderLog.Kind.OPENED]
                soon = dates.deadline - datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE)
                if unit.pk not in submitted and soon <= today <= dates.deadline:
                    kinds.append(ReminderLog.Kind.DUE_SOON)
                for kind in kinds:
                    sent += self._send_once(kind, period, unit, dates)
        retried = self._retry_failed()
        self.stdout.write(f"Đã gửi {sent} thư nhắc, gửi lại {retried} thư chưa gửi được.")

    def _send_once(self, kind, period, unit, dates) -> int:
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(period=period, unit=unit, kind=kind, queued_at=timezone.now())
                send_reminder.enqueue(log.pk, dates.deadline.isoformat(), dates.lock_date.isoformat(), dates.extended)
                inbox.reminder(kind, period, unit.pk, dates.deadline)
        except IntegrityError:
            return 0  # already queued by an earlier run
        return 1

    def _retry_failed(self) -> int:
        due = ReminderLog.objects.filter(
            status=ReminderLog.Status.FAILED, next_attempt_at__lte=timezone.now()
        ).select_related("period")
        retried = 0
        for log in due:
            ext = Extension.objects.filter(period=log.period, unit_id=log.unit_id).first()
            dates = unit_dates(log.period, ext)
            with transaction.atomic():
                # Taken once: two runs at the same moment do not queue it twice.
                if not ReminderLog.objects.filter(pk=log.pk, status=ReminderLog.Status.FAILED).update(
                    status=ReminderLog.Status.QUEUED
                ):
                    continue
                send_reminder.enqueue(log.pk, dates.deadline.isoformat(), dates.lock_date.isoformat(), dates.extended)
            retried += 1
        return retried

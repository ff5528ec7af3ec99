"""Email reminders for periodic reports; meant for cron, safe to run as often as you like."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import BlocYear
from reports import notify
from reports.models import Extension, ProgressReport, ReminderLog, ReportingPeriod
from reports.services import unit_dates


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
        self.stdout.write(f"Đã gửi {sent} thư nhắc.")

    def _send_once(self, kind, period, unit, dates) -> int:
        try:
            with transaction.atomic():
                ReminderLog.objects.create(period=period, unit=unit, kind=kind, sent_at=timezone.now())
                notify.period_reminder(kind, period, unit, dates, notify.officer_emails(unit.pk))
        except IntegrityError:
            return 0  # already sent by an earlier run
        return 1

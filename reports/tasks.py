"""Background work of the reporting app, run by the task worker (django-tasks, database backend)."""

from django_tasks import task

from reports import notify
from reports.models import ReminderLog


@task()
def notify_report(event: str, report_pk: int) -> None:
    """Tell who must know that a report was submitted or returned: recipients and text worked out by the worker,
    not by the officer's request."""

    {"submitted": notify.report_submitted, "returned": notify.report_returned}[event](report_pk)


@task()
def send_reminder(log_pk: int, deadline: str, lock_date: str, extended: bool = False) -> bool:
    """Send one deadline reminder; a failure is kept on its ReminderLog and queued again after a growing pause."""
    delivered = notify.deliver_reminder(log_pk, deadline, lock_date, extended)
    if not delivered:
        retry_later(log_pk, deadline, lock_date, extended)
    return delivered


def retry_later(log_pk: int, deadline: str, lock_date: str, extended: bool) -> None:
    """Queue the next attempt for its time when the task backend can wait (the database one can); send_reminders
    queues every failure that is due again anyway."""
    log = ReminderLog.objects.filter(pk=log_pk, status=ReminderLog.Status.FAILED).first()
    if log is None or log.next_attempt_at is None or not send_reminder.get_backend().supports_defer:
        return
    send_reminder.using(run_after=log.next_attempt_at).enqueue(log_pk, deadline, lock_date, extended)

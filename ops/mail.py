"""Emails sent by background tasks are recorded, so that a task run again never sends the same email twice.

``EMAIL_BACKEND`` is :class:`RecordedDeliveryBackend`; the real backend (SMTP, console …) is
``EMAIL_DELIVERY_BACKEND``. Outside a task (a request) messages go straight through. Inside a task (django-tasks'
``task_started``/``task_finished`` signals tell which one is running) each message is keyed "<task id>:<rank>":

- no row yet: a row "sending" is written (committed: tasks run in autocommit), the message is handed to the real
  backend, the row is marked "sent";
- "sent": the mail server already accepted it: skipped;
- "sending": an earlier run died while the mail server was being asked, so it may have gone out: marked "uncertain"
  and skipped. At most once: a notification lost shows in the admin, one sent twice cannot be taken back;
- "failed": the mail server refused it last time: sent again.

Each message carries a Message-ID made from its key, so that mail clients see one message even in the uncertain case.
The domain apps know nothing of this: they send mail with Django's API from their tasks, as before.
"""

import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.signals import task_finished, task_started

from ops.models import EmailDelivery

logger = logging.getLogger(__name__)


@dataclass
class _Run:
    task_id: str
    task_path: str
    sent: int = 0


# The tasks running in this thread, innermost last (the immediate backend runs a task enqueued by a task inside it).
_running: ContextVar[tuple[_Run, ...]] = ContextVar("ops_running_tasks", default=())


@receiver(task_started)
def _task_started(*, task_result, **kwargs) -> None:
    _running.set((*_running.get(), _Run(str(task_result.id), task_result.task.module_path)))


@receiver(task_finished)
def _task_finished(*, task_result, **kwargs) -> None:
    _running.set(tuple(run for run in _running.get() if run.task_id != str(task_result.id)))


def current_task() -> _Run | None:
    runs = _running.get()
    return runs[-1] if runs else None


def message_id_for(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("<> ") or "localhost"
    return f"<{key.replace(':', '.')}@{domain}>"


def deliver_once(key: str, message, backend, *, task_path: str = "") -> int:
    """Send one message through ``backend`` unless the delivery ``key`` was already sent (or maybe sent)."""
    delivery, created = EmailDelivery.objects.get_or_create(
        key=key,
        defaults={
            "task_path": task_path[:200],
            "message_id": message_id_for(key),
            "subject": str(message.subject)[:255],
            "recipients": len(message.recipients()),
        },
    )
    if not created:
        if delivery.status == EmailDelivery.Status.SENT:
            logger.info("email %s already sent at %s: not sent again", key, delivery.sent_at)
            return 1
        if delivery.status != EmailDelivery.Status.FAILED:
            EmailDelivery.objects.filter(pk=delivery.pk).update(status=EmailDelivery.Status.UNCERTAIN)
            logger.warning("email %s: an earlier attempt stopped while sending; not sent again (maybe delivered)", key)
            return 0
        taken = EmailDelivery.objects.filter(pk=delivery.pk, status=EmailDelivery.Status.FAILED).update(
            status=EmailDelivery.Status.SENDING, attempts=F("attempts") + 1, error=""
        )
        if not taken:  # another run of the same task took it in between
            return 0
    if not any(name.lower() == "message-id" for name in message.extra_headers):
        message.extra_headers["Message-ID"] = delivery.message_id
    try:
        sent = backend.send_messages([message])
    except Exception as e:
        EmailDelivery.objects.filter(pk=delivery.pk).update(status=EmailDelivery.Status.FAILED, error=repr(e)[:2000])
        raise
    if not sent:
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=EmailDelivery.Status.FAILED, error="the backend sent nothing"
        )
        return 0
    EmailDelivery.objects.filter(pk=delivery.pk).update(status=EmailDelivery.Status.SENT, sent_at=timezone.now())
    return sent


class RecordedDeliveryBackend(BaseEmailBackend):
    """Django email backend: inside a task, every message is delivered at most once (see the module docstring)."""

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self):
        return self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages) -> int:
        run = current_task()
        if run is None:
            return self.inner.send_messages(email_messages)
        sent = 0
        for message in email_messages:
            run.sent += 1
            sent += deliver_once(f"{run.task_id}:{run.sent}", message, self.inner, task_path=run.task_path)
        return sent

"""Emails sent by tasks are recorded and delivered at most once, even when the task runs again (ops/mail.py)."""

import smtplib

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django_tasks_db.models import DBTaskResult

from core.tasks import send_email
from ops.models import EmailDelivery
from tests.test_ops_worker import queue as queue
from tests.test_ops_worker import run_worker

REFUSALS = {"left": 0}


class RefusingBackend(LocmemBackend):
    """A mail server that refuses the next REFUSALS["left"] messages."""

    def send_messages(self, messages):
        if REFUSALS["left"]:
            REFUSALS["left"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def recorded(settings):
    settings.EMAIL_BACKEND = "ops.mail.RecordedDeliveryBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "khoithidua@example.vn"
    mail.outbox = []


def test_mail_outside_a_task_goes_straight_through(db, recorded):
    send_mail("Chào", "Nội dung", None, ["a@example.vn"])
    assert len(mail.outbox) == 1
    assert not EmailDelivery.objects.exists()


def test_a_task_email_is_recorded_with_a_message_id_from_its_key(db, recorded):
    result = send_email.enqueue("Báo cáo đã nộp", "Nội dung", ["thuky@example.vn"])
    assert result.return_value == 1
    (delivery,) = EmailDelivery.objects.all()
    assert delivery.key == f"{result.id}:1" and delivery.status == EmailDelivery.Status.SENT
    assert delivery.task_path == "core.tasks.send_email" and delivery.recipients == 1
    assert delivery.sent_at is not None
    (message,) = mail.outbox
    assert message.message()["Message-ID"] == delivery.message_id
    assert delivery.message_id == f"<{result.id}.1@example.vn>"


@pytest.mark.django_db(transaction=True)
def test_a_task_run_again_after_its_worker_died_does_not_send_twice(queue, recorded, settings):
    result = send_email.enqueue("Nhắc hạn", "Nội dung", ["donvi1@example.vn"])
    run_worker()
    assert len(mail.outbox) == 1
    # The worker died after the mail server accepted the message, before the task was marked done: re-queued.
    DBTaskResult.objects.filter(pk=result.id).update(status="READY", started_at=None, return_value=None)
    run_worker(worker_id="second-worker")
    assert len(mail.outbox) == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["test-worker", "second-worker"]
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_delivery_interrupted_while_sending_is_not_sent_again(queue, recorded):
    result = send_email.enqueue("Nhắc hạn", "Nội dung", ["donvi1@example.vn"])
    # The worker died between writing the delivery and the mail server's answer: maybe delivered.
    EmailDelivery.objects.create(key=f"{result.id}:1", message_id="<x@example.vn>", subject="Nhắc hạn")
    run_worker()
    assert mail.outbox == []
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.UNCERTAIN
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_refused_delivery_is_tried_again_when_the_task_runs_again(queue, recorded, settings):
    settings.EMAIL_DELIVERY_BACKEND = "tests.test_ops_mail.RefusingBackend"
    REFUSALS["left"] = 1
    result = send_email.enqueue("Nhắc hạn", "Nội dung", ["donvi1@example.vn"])
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and "SMTPServerDisconnected" in row.exception_class_path
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED and "Connection unexpectedly closed" in delivery.error
    DBTaskResult.objects.filter(pk=result.id).update(status="READY", started_at=None)
    run_worker()
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2


def test_the_wrapper_cannot_wrap_itself():
    from tests.test_ops_scaleout import settings_in_a_new_process

    result = settings_in_a_new_process(EMAIL_BACKEND="ops.mail.RecordedDeliveryBackend")
    assert result.returncode != 0 and "EMAIL_BACKEND names the backend" in result.stderr


def test_a_stale_threshold_below_three_heartbeats_is_warned(settings):
    from ops.checks import worker_timings

    settings.WORKER_HEARTBEAT_SECONDS, settings.TASK_STALE_SECONDS = 15, 30
    assert [w.id for w in worker_timings(None)] == ["ops.W001"]
    settings.TASK_STALE_SECONDS = 300
    assert worker_timings(None) == []

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running task worker (``manage.py run_worker``), touched every WORKER_HEARTBEAT_SECONDS.

    A task left running by a worker whose heartbeat is older than TASK_STALE_SECONDS is re-queued (ops/stale.py).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("tiến trình xử lý nền")
        verbose_name_plural = _("tiến trình xử lý nền")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}, pid {self.pid})"


class EmailDelivery(models.Model):
    """One email sent by a background task, keyed on the task and its rank within it.

    The row is written before the mail server is asked and marked sent once it accepted the message, so that the
    task run again after a worker died never sends that email twice (ops/mail.py).
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        # The worker died while the mail server was being asked: maybe delivered, so never sent again.
        UNCERTAIN = "uncertain", _("Không rõ (tiến trình dừng giữa chừng)")

    key = models.CharField(max_length=100, unique=True)
    task_path = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    recipients = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thư đã gửi")
        verbose_name_plural = _("thư đã gửi")
        indexes = [models.Index(fields=["status", "created_at"], name="ops_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.status}"

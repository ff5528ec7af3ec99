"""Periodic reporting: the year's reporting periods and per-unit extensions, each unit's progress report per period
with one section per covenant content, result rows and evidence files, and the log of reminders sent."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear, Unit
from covenant.models import CovenantContent


class ReportingPeriod(models.Model):
    """One report per unit: Q1, the mid-year report (covers Q2), Q3, the annual report (covers Q4)."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("Báo cáo quý")
        MIDYEAR = "midyear", _("Báo cáo sơ kết 6 tháng")
        ANNUAL = "annual", _("Báo cáo tổng kết năm")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="periods")
    code = models.SlugField(_("mã kỳ"), max_length=10, help_text=_("Duy nhất trong năm, ví dụ q1, 6t, q3, nam."))
    name = models.CharField(_("tên kỳ báo cáo"), max_length=120)
    kind = models.CharField(_("loại báo cáo"), max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    opens_on = models.DateField(_("ngày mở"))
    deadline = models.DateField(_("hạn nộp"), help_text=_("Nộp lần đầu sau ngày này (hết ngày) là trễ hạn."))
    lock_date = models.DateField(
        _("ngày khóa sổ"),
        help_text=_("Sau ngày này (hết ngày), báo cáo chưa từng nộp không thể nộp và bị tính là không nộp."),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["bloc_year", "order"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "code"], name="reports_period_code_unique"),
            models.UniqueConstraint(fields=["bloc_year", "order"], name="reports_period_order_unique"),
            models.CheckConstraint(condition=Q(deadline__gte=F("opens_on")), name="reports_period_deadline_after_open"),
            models.CheckConstraint(
                condition=Q(lock_date__gte=F("deadline")), name="reports_period_lock_after_deadline"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Extension(models.Model):
    """A unit's own deadline and lock date for one period, granted with a reason."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    deadline = models.DateField(_("hạn nộp mới"))
    lock_date = models.DateField(_("ngày khóa sổ mới"))
    reason = models.TextField(_("lý do gia hạn"), max_length=1000)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="reports_extension_once_per_unit"),
            models.CheckConstraint(
                condition=Q(lock_date__gte=F("deadline")), name="reports_extension_lock_after_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} – {self.unit}"


class ProgressReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp")
        RETURNED = "returned", _("Bị trả lại")
        RESUBMITTED = "resubmitted", _("Đã nộp lại")
        ACCEPTED = "accepted", _("Đã tiếp nhận")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="progress_reports")
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    general_proposals = models.TextField(_("đề xuất, kiến nghị chung"), blank=True, max_length=10000)
    # Lateness is decided by the first submission only.
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp gần nhất lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    resubmit_due = models.DateField(_("hạn nộp lại"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "unit"]
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="reports_report_one_per_unit_period"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
                name="reports_report_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.name} – {self.unit.short_name}"

    @property
    def is_editable_by_unit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ReportSection(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="sections")
    content = models.ForeignKey(CovenantContent, on_delete=models.PROTECT, related_name="+")
    done = models.TextField(_("kết quả thực hiện"), blank=True, max_length=20000)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True, max_length=5000)
    next_steps = models.TextField(_("nhiệm vụ, giải pháp thời gian tới"), blank=True, max_length=5000)
    reviewer_comment = models.TextField(_("nhận xét của Văn phòng khối"), blank=True, max_length=5000)
    evidence = models.ManyToManyField("Evidence", blank=True, related_name="sections", verbose_name=_("minh chứng"))

    class Meta:
        ordering = ["report", "content__order"]
        verbose_name = _("phần báo cáo")
        verbose_name_plural = _("phần báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["report", "content"], name="reports_section_one_per_content"),
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.content.order}"


class ResultRow(models.Model):
    """A result against a target: indicator, target, result."""

    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField()
    indicator = models.CharField(_("chỉ tiêu"), max_length=255)
    target = models.CharField(_("kế hoạch"), max_length=100, blank=True)
    result = models.CharField(_("kết quả"), max_length=100, blank=True)

    class Meta:
        ordering = ["section", "order"]
        constraints = [models.UniqueConstraint(fields=["section", "order"], name="reports_resultrow_order_unique")]

    def __str__(self) -> str:
        return self.indicator


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Random names: the stored path never reveals the unit or the document; originals are kept in the row.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.bloc_year_id}/{uuid.uuid4().hex}.{ext[:8]}"


class Evidence(models.Model):
    """An evidence document (minh chứng) of a unit for a year, linked to report sections."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="evidence")
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày văn bản"), null=True, blank=True)
    summary = models.CharField(_("trích yếu"), max_length=500)
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        head = " ".join(
            x for x in [self.number_symbol, self.issued_on.strftime("%d/%m/%Y") if self.issued_on else ""] if x
        )
        return f"{head} – {self.summary}" if head else self.summary


class ReminderLog(models.Model):
    """One row per reminder, so that the cron command never sends the same reminder twice: queued, then sent once
    the mail server accepted it, or failed (why, and when it is tried again)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Kỳ báo cáo đã mở")
        DUE_SOON = "due_soon", _("Sắp đến hạn nộp")
        # Sent when the secretariat asks (from the board), as often as it asks: not once only like the others.
        OVERDUE = "overdue", _("Quá hạn, chưa nộp")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không được")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(null=True)
    # When the mail server accepted the message; empty until then.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("lý do gửi không được"), blank=True, max_length=2000)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Who asked for it (an overdue reminder sent from the board); empty for the automatic ones.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "kind"], condition=~Q(kind="overdue"), name="reports_reminder_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="reports_reminder_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} – {self.unit} – {self.get_kind_display()}"

def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of a day in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))

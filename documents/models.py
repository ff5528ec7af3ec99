"""What the documents keep: each kind's setup before printing (number, date, signer, recipients), the secretariat's
synthesis per covenant content for the summary report, and the rendered PDFs kept until their data changes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear
from covenant.models import CovenantContent


class DocumentSetup(models.Model):
    """What the secretariat sets before printing one kind of document of a year (decree 30/2020 layout)."""

    class SignForm(models.TextChoices):
        DIRECT = "", _("Người đứng đầu ký trực tiếp")
        TM = "TM", _("TM. (thay mặt tập thể)")
        KT = "KT", _("KT. (cấp phó ký thay)")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="document_setups")
    kind = models.CharField(max_length=20)
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    number = models.CharField(
        _("số"), max_length=10, blank=True, help_text=_("Để trống nếu văn thư ghi số khi phát hành.")
    )
    symbol = models.CharField(_("ký hiệu"), max_length=40, blank=True, help_text=_("Ví dụ: BC-KTCKT"))
    place = models.CharField(_("địa danh"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    sign_form = models.CharField(_("hình thức ký"), max_length=2, choices=SignForm.choices, blank=True, default="")
    authority = models.CharField(
        _("dòng thẩm quyền"),
        max_length=120,
        blank=True,
        help_text=_("Sau “TM.” là tên tập thể (KHỐI THI ĐUA); sau “KT.” là chức danh người đứng đầu (TRƯỞNG BAN)."),
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, max_length=3000, help_text=_("Mỗi nơi nhận một dòng."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reports_documentsetup"
        verbose_name = _("thông tin ban hành văn bản")
        verbose_name_plural = _("thông tin ban hành văn bản")
        constraints = [models.UniqueConstraint(fields=["bloc_year", "kind"], name="reports_docsetup_once")]

    def __str__(self) -> str:
        return f"{self.bloc_year} – {self.kind}"


class ContentSynthesis(models.Model):
    """The secretariat's own synthesis of one covenant content for the year-end summary report."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="syntheses")
    content = models.ForeignKey(CovenantContent, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("nội dung tổng hợp"), max_length=30000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reports_contentsynthesis"
        constraints = [models.UniqueConstraint(fields=["bloc_year", "content"], name="reports_synthesis_once")]

    def __str__(self) -> str:
        return f"{self.bloc_year} – {self.content}"


class RenderedDocument(models.Model):
    """A rendered PDF kept until the data it prints changes (the key holds the data's digest).

    Large documents are rendered by the task worker: the row exists as pending until the PDF is there.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang tạo")
        DONE = "done", _("Đã tạo")
        FAILED = "failed", _("Lỗi")

    key = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=120, db_index=True)
    # Which document (kind, bloc year, unit, period, code version) and the documents version of its year
    # (documents/render.py, documents_version) it was last checked against: while that version is current the PDF
    # is served without gathering the data again.
    slot = models.CharField(max_length=120, blank=True)
    data_version = models.PositiveBigIntegerField(null=True, blank=True)
    # ... and the day of that check: deductions for late and missing reports follow the calendar, not only edits.
    checked_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DONE)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(default=b"")
    pages = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "reports_rendereddocument"
        indexes = [models.Index(fields=["slot", "data_version"], name="reports_rendered_slot_idx")]

    def __str__(self) -> str:
        return self.key

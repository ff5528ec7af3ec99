"""What the documents keep: each kind's setup before printing (number, date, signer, recipients), the secretariat's
synthesis per covenant content for the summary report, and the rendered PDFs kept until their data changes."""

import uuid

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


class LegalText(models.Model):
    """One text of the legal frame (law, decree, circular, provincial decision, guidance) and the days it is in
    force: a document cites the texts in force on its own date, not those of the covenant signed months before."""

    class Kind(models.TextChoices):
        LAW = "law", _("Luật")
        DECREE = "decree", _("Nghị định")
        CIRCULAR = "circular", _("Thông tư")
        DECISION = "decision", _("Quyết định của UBND tỉnh")
        GUIDANCE = "guidance", _("Hướng dẫn")

    kind = models.CharField(_("loại văn bản"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=40, help_text=_("Ví dụ: 91/2017/NĐ-CP"))
    citation = models.TextField(
        _("câu trích dẫn"),
        max_length=1000,
        help_text=_("Như in sau “Căn cứ”, ví dụ: Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ …"),
    )
    effective_from = models.DateField(_("có hiệu lực từ ngày"))
    effective_to = models.DateField(_("hết hiệu lực từ sau ngày"), null=True, blank=True)
    # A provincial decision or guidance binds its own province only; national texts have none.
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_texts"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự trích dẫn"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "effective_from", "pk"]
        verbose_name = _("văn bản pháp lý")
        verbose_name_plural = _("khung pháp lý")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="documents_legaltext_ends_after_start",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày có hiệu lực."),
            ),
            models.UniqueConstraint(fields=["number", "province"], name="documents_legaltext_once"),
        ]

    def __str__(self) -> str:
        return self.number

    def in_force(self, day) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def scan_path(instance: "IssuedDocument", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"issued/{instance.bloc_year_id}/{uuid.uuid4().hex}.{ext[:8]}"


class IssuedDocument(models.Model):
    """The register of issued documents (sổ đăng ký văn bản đi): the number and date given when a document is
    issued, and the signed scan uploaded back as the record copy."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="issued_documents")
    kind = models.CharField(max_length=20)
    unit = models.ForeignKey("core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(
        "reports.ReportingPeriod", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # kind:unit:period, one entry per document (a NULL unit or period would not make two rows collide).
    slot = models.CharField(max_length=60, editable=False)
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("ký hiệu"), max_length=40)
    issued_on = models.DateField(_("ngày ban hành"))
    code = models.CharField(_("mã kiểm tra khi ban hành"), max_length=120, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    scan = models.FileField(_("bản có chữ ký (bản lưu)"), upload_to=scan_path, max_length=200, blank=True)
    scan_name = models.CharField(max_length=255, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bloc_year", "issued_on", "number"]
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("sổ văn bản đã ban hành")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "slot"], name="documents_issued_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="documents_issued_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number:02d}/{self.symbol}"

    @property
    def number_text(self) -> str:
        return f"{self.number:02d}"


class PrintedCode(models.Model):
    """Every verification code a printed page carried, with what that page showed: /verify/ tells a page that
    was printed and whose data changed since from a code that was never printed."""

    code = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20)
    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("reports.ReportingPeriod", null=True, on_delete=models.CASCADE, related_name="+")
    number_line = models.CharField(max_length=120, blank=True)
    date_line = models.CharField(max_length=200, blank=True)
    draft = models.BooleanField(default=False)
    first_printed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class YearSynthesis(models.Model):
    """The secretariat's assessment of the year for the summary report: strengths, weaknesses, causes, lessons,
    next year's direction (pre-filled from the units' reports, then edited)."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="year_synthesis")
    strengths = models.TextField(_("ưu điểm"), blank=True, max_length=10000)
    weaknesses = models.TextField(_("tồn tại, hạn chế"), blank=True, max_length=10000)
    causes = models.TextField(_("nguyên nhân"), blank=True, max_length=10000)
    lessons = models.TextField(_("bài học kinh nghiệm"), blank=True, max_length=10000)
    direction = models.TextField(_("phương hướng, nhiệm vụ năm sau"), blank=True, max_length=10000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.bloc_year)

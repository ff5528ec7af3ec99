"""The province's own records: what happened to a unit between years (renamed, merged, moved), the province's award
quota for a year, and each bloc year's dossier as the council receives, checks and decides it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Bloc, BlocYear, Province, Unit


class UnitEvent(models.Model):
    """A change of a unit's identity or place recorded by the council; the unit row (and so its history) stays."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Đổi tên")
        MERGE = "merge", _("Sáp nhập")
        MOVE = "move", _("Chuyển khối")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="events", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("từ năm"))
    old_name = models.CharField(_("tên cũ"), max_length=255, blank=True)
    new_name = models.CharField(_("tên mới"), max_length=255, blank=True)
    # A merge: the unit that absorbed this one (its own history continues there).
    into = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed_events",
        verbose_name=_("sáp nhập vào"),
    )
    from_bloc = models.ForeignKey(Bloc, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_bloc = models.ForeignKey(Bloc, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("ghi chú"), blank=True, max_length=2000)
    at = models.DateTimeField(_("thời điểm"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["unit", "year", "at"]
        verbose_name = _("thay đổi của đơn vị")
        verbose_name_plural = _("thay đổi của đơn vị")
        constraints = [
            models.CheckConstraint(condition=Q(kind="merge", into__isnull=False) | ~Q(kind="merge"),
                                   name="council_unitevent_merge_has_target"),
            models.CheckConstraint(condition=~Q(into=models.F("unit")), name="council_unitevent_not_into_itself"),
            models.UniqueConstraint(fields=["unit"], condition=Q(kind="merge"), name="council_unitevent_merged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_kind_display()} {self.year}"


class Quota(models.Model):
    """How many awards the province may give its blocs in a year (the council's own setting)."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="quotas")
    year = models.PositiveSmallIntegerField(_("năm"))
    flags = models.PositiveSmallIntegerField(_("số Cờ thi đua của UBND tỉnh"))
    certificates = models.PositiveSmallIntegerField(_("số Bằng khen của Chủ tịch UBND tỉnh"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["province", "-year"]
        verbose_name = _("chỉ tiêu khen thưởng")
        verbose_name_plural = _("chỉ tiêu khen thưởng")
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="council_quota_once_a_year")]

    def __str__(self) -> str:
        return f"{self.province} {self.year}"


class Dossier(models.Model):
    """A published bloc year's award dossier sent to the province: submitted, returned, accepted, decided."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Đã gửi tỉnh")
        RETURNED = "returned", _("Bị trả lại")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        DECIDED = "decided", _("Đã có quyết định")

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="dossier")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submissions = models.PositiveSmallIntegerField(_("số lần gửi"), default=1)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True, max_length=2000)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The checklist as it stood when the council accepted: [{"key", "ok", "detail"}].
    checklist = models.JSONField(default=list, blank=True)
    # The decision (Quyết định khen thưởng) once recorded.
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_signer = models.CharField(_("người ký"), max_length=255, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["bloc_year"]
        verbose_name = _("hồ sơ đề nghị khen thưởng")
        verbose_name_plural = _("hồ sơ đề nghị khen thưởng")
        constraints = [
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(return_reason=""),
                                   name="council_dossier_returned_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="decided") | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="council_dossier_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc_year} – {self.get_status_display()}"


class ImportedYear(models.Model):
    """A past year entered from an Excel workbook: its criteria as the sheet named them, and where it came from."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="imported")
    criteria = models.JSONField(_("tiêu chí"), default=list)
    source_name = models.CharField(_("tệp nguồn"), max_length=255)
    imported_at = models.DateTimeField(_("nhập lúc"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("năm nhập từ Excel")
        verbose_name_plural = _("năm nhập từ Excel")

    def __str__(self) -> str:
        return f"{self.bloc_year} ({self.source_name})"


class ImportedResult(models.Model):
    """One unit's scores of an imported year, as the workbook gave them (the rank is also in RankSnapshot)."""

    imported = models.ForeignKey(ImportedYear, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("điểm theo tiêu chí"), default=list)
    bonus = models.DecimalField(_("điểm thưởng"), max_digits=7, decimal_places=2)
    deductions = models.DecimalField(_("điểm trừ"), max_digits=7, decimal_places=2)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("hạng"))

    class Meta:
        ordering = ["imported", "rank"]
        constraints = [models.UniqueConstraint(fields=["imported", "unit"], name="council_importedresult_once")]

    def __str__(self) -> str:
        return f"{self.imported} – {self.unit}: {self.rank}"

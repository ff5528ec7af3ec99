"""The covenant (giao ước thi đua) of a bloc year: its legal bases and contents."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear


class Covenant(models.Model):
    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="covenant")
    title = models.CharField(_("tên giao ước"), max_length=255, blank=True)
    signed_on = models.DateField(_("ngày ký giao ước"), null=True, blank=True)
    signed_place = models.CharField(_("nơi ký"), max_length=120, blank=True)
    plan_number = models.CharField(
        _("số kế hoạch tổ chức thực hiện"), max_length=40, blank=True, help_text=_("Ví dụ: 05/KH-BQLKKT")
    )
    plan_date = models.DateField(_("ngày ban hành kế hoạch"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")

    def __str__(self) -> str:
        return self.title or str(_("Giao ước thi đua năm %(year)s") % {"year": self.bloc_year.year})


class LegalBasis(models.Model):
    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="legal_bases")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("căn cứ"), max_length=1000)

    class Meta:
        ordering = ["covenant", "order"]
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        constraints = [
            models.UniqueConstraint(fields=["covenant", "order"], name="covenant_legalbasis_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="covenant_legalbasis_order_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class CovenantContent(models.Model):
    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="contents")
    order = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung đầy đủ"), max_length=10000)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["covenant", "order"]
        verbose_name = _("nội dung giao ước")
        verbose_name_plural = _("nội dung giao ước")
        constraints = [
            models.UniqueConstraint(fields=["covenant", "order"], name="covenant_content_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="covenant_content_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

"""The scoreboard of a bloc year: criteria with their sub-items, bonus items, tie-break rules."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear
from covenant.models import CovenantContent


class Scoreboard(models.Model):
    """The bloc year's scoring rules (DOMAIN.md, "Scoreboard rules"); every number is configurable."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="scoreboard")
    title = models.CharField(_("tên bảng điểm"), max_length=255, blank=True)
    total_points = models.DecimalField(_("tổng điểm chuẩn"), max_digits=6, decimal_places=2, default=Decimal("100"))
    score_step = models.DecimalField(
        _("bước điểm"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        help_text=_("Điểm mỗi mục phải là bội số của bước này, mặc định 0,5."),
    )
    bonus_cap = models.DecimalField(
        _("điểm thưởng tối đa"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("10"),
        help_text=_("Tổng điểm thưởng được cộng không vượt quá mức này."),
    )
    late_report_points = models.DecimalField(
        _("điểm trừ mỗi báo cáo trễ hạn"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    missing_report_points = models.DecimalField(
        _("điểm trừ mỗi báo cáo không nộp"), max_digits=5, decimal_places=2, default=Decimal("2")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("bảng điểm thi đua")
        verbose_name_plural = _("bảng điểm thi đua")
        constraints = [
            models.CheckConstraint(condition=Q(total_points__gt=0), name="scoring_scoreboard_total_positive"),
            models.CheckConstraint(condition=Q(score_step__gt=0), name="scoring_scoreboard_step_positive"),
            models.CheckConstraint(condition=Q(bonus_cap__gte=0), name="scoring_scoreboard_bonus_cap_not_negative"),
            models.CheckConstraint(
                condition=Q(late_report_points__gte=0, missing_report_points__gte=0),
                name="scoring_scoreboard_deductions_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Bảng điểm thi đua năm %(year)s") % {"year": self.bloc_year.year})


class Criterion(models.Model):
    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("tên tiêu chí"), max_length=255)
    contents = models.ManyToManyField(
        CovenantContent, blank=True, related_name="criteria", verbose_name=_("nội dung giao ước liên quan")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scoreboard", "order"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["scoreboard", "order"], name="scoring_criterion_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="scoring_criterion_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class SubItem(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="sub_items")
    order = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.CharField(_("nội dung chấm"), max_length=500)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True, max_length=2000)
    evidence_required = models.BooleanField(_("bắt buộc minh chứng"), default=False)

    class Meta:
        ordering = ["criterion", "order"]
        verbose_name = _("mục chấm điểm")
        verbose_name_plural = _("mục chấm điểm")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "order"], name="scoring_subitem_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="scoring_subitem_order_positive"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="scoring_subitem_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.order}.{self.order}. {self.text}"


class BonusItem(models.Model):
    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.CASCADE, related_name="bonus_items")
    order = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.CharField(_("nội dung thưởng"), max_length=500)
    points = models.DecimalField(_("điểm thưởng"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["scoreboard", "order"]
        verbose_name = _("mục điểm thưởng")
        verbose_name_plural = _("mục điểm thưởng")
        constraints = [
            models.UniqueConstraint(fields=["scoreboard", "order"], name="scoring_bonusitem_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="scoring_bonusitem_order_positive"),
            models.CheckConstraint(condition=Q(points__gt=0), name="scoring_bonusitem_points_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class TieBreak(models.Model):
    """One rule in the ordered list that separates units with equal totals."""

    class Kind(models.TextChoices):
        CRITERION = "criterion", _("Điểm tiêu chí cao hơn")
        FEWER_LATE = "fewer_late", _("Ít báo cáo trễ hạn hơn")
        FEWER_MISSING = "fewer_missing", _("Ít báo cáo không nộp hơn")
        FEWER_DEDUCTIONS = "fewer_deductions", _("Ít điểm trừ hơn")
        HIGHER_BONUS = "higher_bonus", _("Điểm thưởng cao hơn")

    scoreboard = models.ForeignKey(Scoreboard, on_delete=models.CASCADE, related_name="tie_breaks")
    order = models.PositiveSmallIntegerField(_("thứ tự áp dụng"))
    kind = models.CharField(_("quy tắc"), max_length=20, choices=Kind.choices)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tiêu chí")
    )

    class Meta:
        ordering = ["scoreboard", "order"]
        verbose_name = _("quy tắc phân định khi bằng điểm")
        verbose_name_plural = _("quy tắc phân định khi bằng điểm")
        constraints = [
            models.UniqueConstraint(fields=["scoreboard", "order"], name="scoring_tiebreak_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="scoring_tiebreak_order_positive"),
            models.CheckConstraint(
                condition=Q(kind="criterion", criterion__isnull=False)
                | (~Q(kind="criterion") & Q(criterion__isnull=True)),
                name="scoring_tiebreak_criterion_iff_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CRITERION and self.criterion_id:
            return str(_("Điểm tiêu chí %(order)s cao hơn") % {"order": self.criterion.order})
        return self.get_kind_display()

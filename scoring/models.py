from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from covenant.models import BlocYear, CovenantContent


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


class ScoringRound(models.Model):
    """The year's scoring: how sheets are reviewed, when the review was released and the results approved."""

    class Mode(models.TextChoices):
        SECRETARIAT = (
            "secretariat",
            _("Văn phòng khối thẩm định (riêng bảng điểm của Trưởng khối do đơn vị khác thẩm định)"),
        )
        CROSS = "cross", _("Chấm chéo: mỗi bảng điểm do một đơn vị khác thẩm định, phân công bằng bốc thăm")

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="scoring_round")
    mode = models.CharField(_("cách thẩm định"), max_length=12, choices=Mode.choices, default=Mode.SECRETARIAT)
    assigned_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(_("công bố kết quả thẩm định lúc"), null=True, blank=True)
    approved_at = models.DateTimeField(_("phê duyệt kết quả lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("đợt chấm điểm")
        verbose_name_plural = _("đợt chấm điểm")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(released_at__isnull=False),
                name="scoring_round_approved_after_release",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Chấm điểm năm %(year)s") % {"year": self.bloc_year.year})

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class ScoreSheet(models.Model):
    """A unit's self-score on the scoreboard, and the bloc's review of it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang tự chấm")
        SUBMITTED = "submitted", _("Đã nộp tự chấm")
        REVIEWED = "reviewed", _("Đã thẩm định")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="score_sheets")
    unit = models.ForeignKey("covenant.Unit", on_delete=models.PROTECT, related_name="score_sheets")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # None: the secretariat reviews. Otherwise the member unit that reviews this sheet (never the sheet's own unit).
    reviewer_unit = models.ForeignKey(
        "covenant.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sheets_to_review",
        verbose_name=_("đơn vị thẩm định"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["bloc_year", "unit"]
        verbose_name = _("bảng tự chấm điểm")
        verbose_name_plural = _("bảng tự chấm điểm")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="scoring_sheet_one_per_unit"),
            models.CheckConstraint(
                condition=Q(reviewer_unit__isnull=True) | ~Q(reviewer_unit=F("unit")),
                name="scoring_sheet_not_reviewed_by_itself",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="scoring_sheet_submitted_has_time"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Bảng điểm của %(unit)s") % {"unit": self.unit.short_name})


class ItemScore(models.Model):
    class Contest(models.TextChoices):
        NONE = "", _("Chưa phản hồi")
        ACCEPTED = "accepted", _("Đồng ý")
        CONTESTED = "contested", _("Đề nghị xem lại")

    class Settlement(models.TextChoices):
        NONE = "", _("Chưa giải quyết")
        KEPT = "kept", _("Giữ điểm thẩm định")
        CHANGED = "changed", _("Điều chỉnh điểm")

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="items")
    sub_item = models.ForeignKey(SubItem, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(_("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(_("giải trình"), blank=True, max_length=5000)
    reviewed_score = models.DecimalField(_("điểm thẩm định"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_reason = models.TextField(_("lý do điều chỉnh"), blank=True, max_length=5000)
    contest = models.CharField(_("ý kiến đơn vị"), max_length=10, choices=Contest.choices, blank=True, default="")
    contest_comment = models.TextField(_("ý kiến của đơn vị"), blank=True, max_length=5000)
    settlement = models.CharField(_("giải quyết"), max_length=10, choices=Settlement.choices, blank=True, default="")
    settlement_reason = models.TextField(_("lý do giải quyết"), blank=True, max_length=5000)
    evidence = models.ManyToManyField(
        "reports.Evidence", blank=True, related_name="item_scores", verbose_name=_("minh chứng")
    )

    class Meta:
        ordering = ["sheet", "sub_item__criterion__order", "sub_item__order"]
        verbose_name = _("điểm mục chấm")
        verbose_name_plural = _("điểm mục chấm")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "sub_item"], name="scoring_itemscore_once_per_item"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0), name="scoring_itemscore_self_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_score__isnull=True) | Q(reviewed_score__gte=0),
                name="scoring_itemscore_reviewed_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} – {self.sub_item.criterion.order}.{self.sub_item.order}"

    @property
    def final_score(self) -> Decimal | None:
        return self.reviewed_score if self.reviewed_score is not None else self.self_score

    @property
    def differs(self) -> bool:
        return self.reviewed_score is not None and self.reviewed_score != self.self_score


class BonusClaim(models.Model):
    class Review(models.TextChoices):
        PENDING = "", _("Chưa thẩm định")
        ACCEPTED = "accepted", _("Chấp nhận")
        REJECTED = "rejected", _("Không chấp nhận")

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="bonus_claims")
    bonus_item = models.ForeignKey(BonusItem, on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField(_("giải trình"), max_length=5000)
    review = models.CharField(_("thẩm định"), max_length=10, choices=Review.choices, blank=True, default="")
    review_reason = models.TextField(_("lý do"), blank=True, max_length=5000)
    evidence = models.ManyToManyField(
        "reports.Evidence", blank=True, related_name="bonus_claims", verbose_name=_("minh chứng")
    )

    class Meta:
        ordering = ["sheet", "bonus_item__order"]
        verbose_name = _("đề nghị điểm thưởng")
        verbose_name_plural = _("đề nghị điểm thưởng")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "bonus_item"], name="scoring_bonusclaim_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} – {self.bonus_item}"


class Deduction(models.Model):
    """A manual deduction for a documented breach, or the waiver of an automatic one (reporting record)."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Trừ điểm do vi phạm")
        WAIVE_LATE = "waive_late", _("Miễn trừ điểm báo cáo trễ hạn")
        WAIVE_MISSING = "waive_missing", _("Miễn trừ điểm báo cáo không nộp")

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="deductions")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    period = models.ForeignKey(
        "reports.ReportingPeriod", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    points = models.DecimalField(_("điểm trừ"), max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("lý do"), max_length=2000)
    created_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["sheet", "created_at"]
        verbose_name = _("điểm trừ")
        verbose_name_plural = _("điểm trừ")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="manual", points__gt=0, period__isnull=True)
                    | (~Q(kind="manual") & Q(points__isnull=True, period__isnull=False))
                ),
                name="scoring_deduction_shape",
            ),
            models.UniqueConstraint(
                fields=["sheet", "kind", "period"], condition=~Q(kind="manual"), name="scoring_deduction_waive_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} – {self.get_kind_display()}"


class RankSnapshot(models.Model):
    """The approved rank and total of each unit, kept so later years can show earlier ranks in one query."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="rank_snapshots")
    unit = models.ForeignKey("covenant.Unit", on_delete=models.CASCADE, related_name="rank_snapshots")
    rank = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bloc_year", "unit"], name="scoring_ranksnapshot_once")]

    def __str__(self) -> str:
        return f"{self.bloc_year} – {self.unit}: {self.rank}"

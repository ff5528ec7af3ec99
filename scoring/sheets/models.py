"""Score sheets: the scoring round of a year, each unit's sheet with its item scores, bonus claims and deductions,
and the approved ranks kept for later years."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear
from scoring.scoreboard.models import BonusItem, SubItem


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
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="score_sheets")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # None: the secretariat reviews. Otherwise the member unit that reviews this sheet (never the sheet's own unit).
    reviewer_unit = models.ForeignKey(
        "core.Unit",
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
    unit = models.ForeignKey("core.Unit", on_delete=models.CASCADE, related_name="rank_snapshots")
    rank = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bloc_year", "unit"], name="scoring_ranksnapshot_once")]

    def __str__(self) -> str:
        return f"{self.bloc_year} – {self.unit}: {self.rank}"


class ApprovedRecord(models.Model):
    """What the approval decided, as the ranking showed it: every unit's criterion scores, bonus after the cap, each
    deduction with its reason, total, rank and tie note. Once approved, pages and documents read this record, never a
    recomputation (a later date or a changed setting must not move a decided ranking). Reopening keeps it as a former
    version (reopened_at set) and the next approval writes a new one."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="approved_records")
    approved_at = models.DateTimeField(_("phê duyệt lúc"))
    approved_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    # Why the approval did not wait (a lock date still ahead, the contest window still open); empty otherwise.
    reason = models.TextField(_("lý do"), blank=True, max_length=2000)
    data = models.JSONField()
    reopened_at = models.DateTimeField(_("mở lại lúc"), null=True, blank=True)
    reopened_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True, max_length=2000)

    class Meta:
        ordering = ["bloc_year", "-approved_at", "-id"]
        verbose_name = _("kết quả đã phê duyệt")
        verbose_name_plural = _("kết quả đã phê duyệt")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year"], condition=Q(reopened_at__isnull=True), name="scoring_approvedrecord_one_current"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Kết quả phê duyệt năm %(year)s") % {"year": self.bloc_year.year})

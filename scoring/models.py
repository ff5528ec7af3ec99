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


# Review meeting and secret ballots (bình xét, suy tôn) ----------------------------------------------


class ReviewMeeting(models.Model):
    """The year-end review meeting as its minutes will print it."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="review_meeting")
    held_on = models.DateField(_("ngày họp"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    chair = models.CharField(_("chủ trì"), max_length=255, blank=True, help_text=_("Họ tên, chức vụ, đơn vị."))
    secretary = models.CharField(_("thư ký cuộc họp"), max_length=255, blank=True)
    present_units = models.ManyToManyField(
        "covenant.Unit", blank=True, related_name="+", verbose_name=_("đơn vị có mặt")
    )
    count_committee = models.TextField(
        _("ban kiểm phiếu"), blank=True, max_length=2000, help_text=_("Mỗi thành viên một dòng: họ tên, đơn vị.")
    )
    conclusions = models.TextField(_("kết luận của hội nghị"), blank=True, max_length=20000)
    elected_head = models.ForeignKey(
        "covenant.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Trưởng khối năm sau"),
    )
    elected_deputy = models.ForeignKey(
        "covenant.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Phó trưởng khối năm sau"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("hội nghị tổng kết")
        verbose_name_plural = _("hội nghị tổng kết")
        constraints = [
            models.CheckConstraint(
                condition=Q(elected_head__isnull=True)
                | Q(elected_deputy__isnull=True)
                | ~Q(elected_head=F("elected_deputy")),
                name="scoring_meeting_head_is_not_deputy",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Hội nghị tổng kết năm %(year)s") % {"year": self.bloc_year.year})


class Ballot(models.Model):
    """One question put to a secret ballot. What a unit chose is never stored with the unit."""

    class Kind(models.TextChoices):
        FLAG = "flag", _("Đề nghị tặng Cờ thi đua của UBND tỉnh")
        CERTIFICATE = "certificate", _("Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh")
        HEAD = "head", _("Bầu Trưởng khối năm sau")
        DEPUTY = "deputy", _("Bầu Phó trưởng khối năm sau")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Bỏ phiếu trực tuyến")
        PAPER = "paper", _("Phiếu giấy tại hội nghị")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chuẩn bị")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc")

    class Candidates(models.TextChoices):
        ALL = "all", _("Mọi đơn vị thành viên")
        TOP = "top", _("N đơn vị đứng đầu bảng xếp hạng đã phê duyệt")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="ballots")
    kind = models.CharField(_("nội dung bỏ phiếu"), max_length=12, choices=Kind.choices)
    max_choices = models.PositiveSmallIntegerField(_("số đơn vị được chọn tối đa"), default=1)
    candidates_from = models.CharField(
        _("danh sách đề cử"), max_length=5, choices=Candidates.choices, default=Candidates.ALL
    )
    top_n = models.PositiveSmallIntegerField(_("số đơn vị đứng đầu"), null=True, blank=True)
    forbid_own_unit = models.BooleanField(_("không bỏ phiếu cho chính đơn vị mình"), default=False)
    mode = models.CharField(_("hình thức"), max_length=8, choices=Mode.choices, default=Mode.ONLINE)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("mở lúc (hẹn giờ)"), null=True, blank=True)
    closes_at = models.DateTimeField(_("đóng lúc (hẹn giờ)"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # DOMAIN.md defaults: quorum two thirds of the members; a candidate passes with more than half of the valid ballots.
    quorum_numerator = models.PositiveSmallIntegerField(_("tỷ lệ tối thiểu có mặt (tử số)"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("(mẫu số)"), default=3)
    pass_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ trúng (trên %)"), default=50, help_text=_("Ứng viên trúng khi số phiếu đồng ý vượt tỷ lệ này.")
    )
    # Paper ballots, entered by the secretariat at the meeting.
    issued = models.PositiveSmallIntegerField(_("số phiếu phát ra"), null=True, blank=True)
    received = models.PositiveSmallIntegerField(_("số phiếu thu về"), null=True, blank=True)
    valid = models.PositiveSmallIntegerField(_("số phiếu hợp lệ"), null=True, blank=True)
    invalid = models.PositiveSmallIntegerField(_("số phiếu không hợp lệ"), null=True, blank=True)
    # Online choices while the ballot is open: one encrypted, reshuffled list (see scoring/voting.py).
    sealed_box = models.BinaryField(default=b"", editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["bloc_year", "kind"]
        verbose_name = _("cuộc bỏ phiếu")
        verbose_name_plural = _("cuộc bỏ phiếu")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "kind"], name="scoring_ballot_one_per_question"),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="scoring_ballot_choose_at_least_one"),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1, quorum_numerator__lte=F("quorum_denominator")),
                name="scoring_ballot_quorum_fraction",
            ),
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="scoring_ballot_pass_percent"),
            models.CheckConstraint(
                condition=Q(candidates_from="all") | Q(top_n__gte=1), name="scoring_ballot_top_n_given"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="scoring_ballot_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Candidate(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey("covenant.Unit", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    votes = models.PositiveSmallIntegerField(_("số phiếu (phiếu giấy)"), null=True, blank=True)

    class Meta:
        ordering = ["ballot", "order"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "unit"], name="scoring_candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.unit)


def random_id():
    import uuid

    return uuid.uuid4()


class VoterRecord(models.Model):
    """That a unit has voted: the database refuses a second one. No time, no choice, a random id."""

    id = models.UUIDField(primary_key=True, default=random_id, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="voters")
    unit = models.ForeignKey("covenant.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "unit"], name="scoring_voter_votes_once")]


class Choice(models.Model):
    """One mark on one online ballot paper, written only when the ballot closes, in shuffled order.

    No reference to who voted, no timestamp, and a random id, so neither ids nor row order follow the
    order of voting.
    """

    id = models.UUIDField(primary_key=True, default=random_id, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="choices")


class AwardProposal(models.Model):
    class Award(models.TextChoices):
        FLAG = "flag", _("Cờ thi đua của UBND tỉnh")
        CERTIFICATE = "certificate", _("Bằng khen của Chủ tịch UBND tỉnh")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="award_proposals")
    unit = models.ForeignKey("covenant.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    award = models.CharField(_("hình thức khen thưởng"), max_length=12, choices=Award.choices)
    rank = models.PositiveSmallIntegerField(_("hạng"), null=True, blank=True)
    votes = models.PositiveSmallIntegerField(_("số phiếu"), null=True, blank=True)
    basis = models.TextField(_("căn cứ đề nghị"), blank=True, max_length=2000)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)

    class Meta:
        ordering = ["bloc_year", "award", "order"]
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit", "award"], name="scoring_proposal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_award_display()}: {self.unit}"

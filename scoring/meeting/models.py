"""The review meeting (bình xét, suy tôn): its record, the secret ballots with their candidates, voter records and
choices, and the award proposals."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BlocYear


class ReviewMeeting(models.Model):
    """The year-end review meeting as its minutes will print it."""

    bloc_year = models.OneToOneField(BlocYear, on_delete=models.CASCADE, related_name="review_meeting")
    held_on = models.DateField(_("ngày họp"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    starts_at = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    ends_at = models.TimeField(_("giờ kết thúc"), null=True, blank=True)
    chair = models.CharField(_("chủ trì"), max_length=255, blank=True, help_text=_("Họ tên, chức vụ, đơn vị."))
    secretary = models.CharField(_("thư ký cuộc họp"), max_length=255, blank=True)
    present_units = models.ManyToManyField("core.Unit", blank=True, related_name="+", verbose_name=_("đơn vị có mặt"))
    count_committee = models.TextField(
        _("ban kiểm phiếu"), blank=True, max_length=2000, help_text=_("Mỗi thành viên một dòng: họ tên, đơn vị.")
    )
    attendance = models.TextField(
        _("thành phần tham dự"),
        blank=True,
        max_length=5000,
        help_text=_("Đại biểu mời và người dự của các đơn vị, mỗi người một dòng: họ tên, chức vụ, đơn vị."),
    )
    discussion = models.TextField(
        _("ý kiến thảo luận"),
        blank=True,
        max_length=20000,
        help_text=_("Mỗi ý kiến một dòng: người phát biểu: nội dung."),
    )
    conclusions = models.TextField(_("kết luận của hội nghị"), blank=True, max_length=20000)
    elected_head = models.ForeignKey(
        "core.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Trưởng khối năm sau"),
    )
    elected_deputy = models.ForeignKey(
        "core.Unit",
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
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="scoring_meeting_ends_after_start",
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
    # The counting board's public key (X25519), made when an online ballot opens; its private half is handed to the
    # board once and never stored. Empty for ballots opened before the board held the key (sealed to the server).
    board_public_key = models.BinaryField(default=b"", editable=False)
    counted_at = models.DateTimeField(null=True, blank=True)
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

    # The board's private key, on the instance open_ballot returns only: never a field, never saved.
    board_key: str | None = None

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_counted(self) -> bool:
        """Closed and its votes tallied (paper ballots are tallied by hand before they close)."""
        return self.status == self.Status.CLOSED and (self.mode == self.Mode.PAPER or self.counted_at is not None)


class Candidate(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    votes = models.PositiveSmallIntegerField(_("số phiếu (phiếu giấy)"), null=True, blank=True)

    class Meta:
        ordering = ["ballot", "order"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "unit"], name="scoring_candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.unit)


def random_id() -> uuid.UUID:
    return uuid.uuid4()


class VoterRecord(models.Model):
    """That a unit has voted: the database refuses a second one. No time, no choice, a random id."""

    id = models.UUIDField(primary_key=True, default=random_id, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="voters")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "unit"], name="scoring_voter_votes_once")]

    def __str__(self) -> str:
        return f"{self.ballot} – {self.unit}"


class SealedVote(models.Model):
    """One online ballot paper while the ballot is open: inserted once, never rewritten.

    The paper is encrypted to the counting board's key (a sealed box) and padded to one fixed size, so that neither
    its content nor its length says what or how many were chosen. A random id, no timestamp, no unit, no user.
    """

    id = models.UUIDField(primary_key=True, default=random_id, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="sealed_votes")
    sealed = models.BinaryField(editable=False)

    def __str__(self) -> str:
        return str(self.ballot)


class Choice(models.Model):
    """One mark on one online ballot paper, written only when the board counts the ballot, in shuffled order.

    No reference to who voted, no timestamp, and a random id, so neither ids nor row order follow the
    order of voting.
    """

    id = models.UUIDField(primary_key=True, default=random_id, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="choices")

    def __str__(self) -> str:
        return f"{self.ballot} – {self.candidate}"


class AwardProposal(models.Model):
    class Award(models.TextChoices):
        FLAG = "flag", _("Cờ thi đua của UBND tỉnh")
        CERTIFICATE = "certificate", _("Bằng khen của Chủ tịch UBND tỉnh")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="award_proposals")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    award = models.CharField(_("hình thức khen thưởng"), max_length=12, choices=Award.choices)
    rank = models.PositiveSmallIntegerField(_("hạng"), null=True, blank=True)
    votes = models.PositiveSmallIntegerField(_("số phiếu"), null=True, blank=True)
    basis = models.TextField(_("căn cứ đề nghị"), blank=True, max_length=2000)
    # Why the unit is proposed although it did not pass the ballot of its award; printed in the minutes and the
    # submission letter. Empty when the vote carried it.
    override_reason = models.TextField(_("lý do đề nghị ngoài kết quả bỏ phiếu"), blank=True, max_length=2000)
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

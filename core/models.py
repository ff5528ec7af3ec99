"""The tenancy every app builds on: provinces, blocs, units, bloc years with their phases and members, who may
log in as what (profiles), and the audit log of every change."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit_display


class Province(models.Model):
    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên tỉnh, thành phố"), max_length=100)
    # Raised after every committed change to one of its blocs (core/dataversion.py): keys cached pages.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        db_table = "covenant_province"
        ordering = ["name"]
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")

    def __str__(self) -> str:
        return self.name


class Bloc(models.Model):
    code = models.SlugField(
        _("mã khối"), max_length=40, unique=True, help_text=_("Mã ngắn, duy nhất trong hệ thống, ví dụ khoi-tckt.")
    )
    name = models.CharField(_("tên khối thi đua"), max_length=255)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="blocs", verbose_name=_("tỉnh, thành phố")
    )
    description = models.TextField(_("mô tả"), blank=True)
    # Printed above the issuing body on documents (decree 30/2020: the parent body, not bold).
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    # Raised after every committed change to the bloc's data, any year (core/dataversion.py): cached pages
    # and stored documents are keyed on it, so they are reused exactly until the data changes.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        db_table = "covenant_bloc"
        ordering = ["name"]
        verbose_name = _("khối thi đua")
        verbose_name_plural = _("khối thi đua")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.SlugField(_("mã đơn vị"), max_length=40, unique=True)
    # The province whose blocs the unit may join: a bloc's forms offer and accept only its own province's units.
    # Empty only for units made in the admin before they are placed.
    province = models.ForeignKey(
        Province, null=True, on_delete=models.PROTECT, related_name="units", verbose_name=_("tỉnh, thành phố")
    )
    name = models.CharField(_("tên chính thức"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=80)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    head_name = models.CharField(_("thủ trưởng đơn vị"), max_length=120, blank=True)
    # Printed on the unit's own documents: the body above it (decree 30/2020, not bold) and its head's title under
    # the signature ("CỤC TRƯỞNG", "GIÁM ĐỐC"); the province's committee and "Thủ trưởng đơn vị" when left blank.
    parent_body = models.CharField(_("cơ quan cấp trên trực tiếp"), max_length=255, blank=True)
    head_title = models.CharField(_("chức danh thủ trưởng"), max_length=120, blank=True)

    class Meta:
        db_table = "covenant_unit"
        ordering = ["name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name


class BlocYear(models.Model):
    """One bloc's emulation year: its members, covenant and scoreboard hang on it."""

    class Phase(models.TextChoices):
        SETUP = "setup", _("Thiết lập")
        REPORTING = "reporting", _("Báo cáo định kỳ")
        SCORING = "scoring", _("Chấm điểm")
        REVIEW = "review", _("Bình xét")
        PUBLISHED = "published", _("Đã công bố")

    PHASE_ORDER = [Phase.SETUP, Phase.REPORTING, Phase.SCORING, Phase.REVIEW, Phase.PUBLISHED]

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="years", verbose_name=_("khối"))
    year = models.PositiveSmallIntegerField(_("năm"))
    phase = models.CharField(_("giai đoạn"), max_length=20, choices=Phase.choices, default=Phase.SETUP)
    # Bumped by every change to the member list, so two secretaries editing it at once are detected.
    version = models.PositiveIntegerField(default=1)
    # Raised after every committed change to this year's data (core/dataversion.py): a year's documents are
    # keyed on the versions of the years up to it (a ranking shows earlier years' ranks), not on the whole bloc's.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "covenant_blocyear"
        ordering = ["bloc__name", "-year"]
        verbose_name = _("năm thi đua")
        verbose_name_plural = _("năm thi đua")
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="covenant_blocyear_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="covenant_blocyear_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.bloc.name} – {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("workspace:dashboard", args=[self.bloc.code, self.year])

    @property
    def phase_index(self) -> int:
        return self.PHASE_ORDER.index(self.Phase(self.phase))

    @property
    def next_phase(self) -> "BlocYear.Phase | None":
        """The phase "advance" moves to, None in the last one."""
        index = self.phase_index + 1
        return self.PHASE_ORDER[index] if index < len(self.PHASE_ORDER) else None

    @property
    def previous_phase(self) -> "BlocYear.Phase | None":
        """The phase "revert" moves back to, None in the first one."""
        index = self.phase_index - 1
        return self.PHASE_ORDER[index] if index >= 0 else None

    def phase_at_least(self, phase: str) -> bool:
        return self.phase_index >= self.PHASE_ORDER.index(self.Phase(phase))

    @property
    def changes_need_reason(self) -> bool:
        return self.phase_at_least(self.Phase.REPORTING)

    @property
    def scoreboard_frozen(self) -> bool:
        return self.phase_at_least(self.Phase.SCORING)

    @property
    def is_published(self) -> bool:
        return self.phase == self.Phase.PUBLISHED


class Membership(models.Model):
    class Role(models.TextChoices):
        HEAD = "head", _("Trưởng khối")
        DEPUTY = "deputy", _("Phó trưởng khối")
        MEMBER = "member", _("Thành viên")

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đơn vị"))
    # The bloc year's year, kept here so that the database holds a unit to one bloc a year: its officers' accounts
    # are then managed by exactly one secretariat.
    year = models.PositiveSmallIntegerField(_("năm"), editable=False)
    order = models.PositiveSmallIntegerField(_("STT"))
    role = models.CharField(_("vai trò trong năm"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        db_table = "covenant_membership"
        ordering = ["bloc_year", "order"]
        verbose_name = _("đơn vị thành viên")
        verbose_name_plural = _("đơn vị thành viên")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="covenant_membership_unit_once"),
            models.UniqueConstraint(fields=["unit", "year"], name="covenant_membership_one_bloc_a_year"),
            models.UniqueConstraint(fields=["bloc_year", "order"], name="covenant_membership_order_unique"),
            models.UniqueConstraint(
                fields=["bloc_year"], condition=Q(role="head"), name="covenant_membership_one_head"
            ),
            models.UniqueConstraint(
                fields=["bloc_year"], condition=Q(role="deputy"), name="covenant_membership_one_deputy"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="covenant_membership_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.unit.name}"

    def save(self, *args, **kwargs) -> None:
        if self.year is None:
            self.year = self.bloc_year.year
        super().save(*args, **kwargs)


class Profile(models.Model):
    """What a login may do: its role and the unit, bloc or province the role applies to."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ đơn vị")
        SECRETARIAT = "secretariat", _("Văn phòng khối (thư ký)")
        LEADER = "leader", _("Lãnh đạo")
        PROVINCIAL = "provincial", _("Theo dõi cấp tỉnh")
        # The office of the provincial emulation council: sets up the province's blocs, receives their dossiers.
        COUNCIL = "council", _("Hội đồng Thi đua - Khen thưởng tỉnh")

    PROVINCE_ROLES = (Role.PROVINCIAL, Role.COUNCIL)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    # Officers and the secretariat belong to a unit; the secretariat acts for every bloc year its unit heads.
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles")
    bloc = models.ForeignKey(Bloc, null=True, blank=True, on_delete=models.CASCADE, related_name="leaders")
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.CASCADE, related_name="viewers")
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    # The user's notifications not yet read, kept with them in their own transactions (core/notifications.py): the
    # top bar's badge and the kept pages' key read it from the profile every request loads anyway, no query added.
    unread_notifications = models.PositiveIntegerField(_("thông báo chưa đọc"), default=0, editable=False)

    class Meta:
        db_table = "covenant_profile"
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")
        constraints = [
            models.CheckConstraint(
                condition=Q(unread_notifications__gte=0), name="covenant_profile_unread_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=["officer", "secretariat"], unit__isnull=False)
                    | Q(role="leader", bloc__isnull=False)
                    | Q(role__in=["provincial", "council"], province__isnull=False)
                ),
                name="covenant_profile_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class Notification(models.Model):
    """A message in the user's in-app inbox, written in the transaction of the event it tells of (alongside the email
    where there is one). The text is a Vietnamese msgid with its parameters, translated when shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Kept when a year is deleted (its link then answers 404): the unread counter counts only what notify() wrote and
    # mark_read() read, never rows deleted behind its back.
    bloc_year = models.ForeignKey(BlocYear, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("thời điểm"))
    text = models.CharField(_("nội dung"), max_length=500)
    params = models.JSONField(default=dict, blank=True)
    # A path on this site, checked again when followed (core/notifications.py, safe_url).
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        # The inbox (unread first) and "mark all read" look up one user's rows by their read state.
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_user_read")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="core_notification_has_text")]

    def __str__(self) -> str:
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def message(self) -> str:
        """The text in the current language, its parameters filled in (a parameter stored as one of the interface's
        own labels, a ballot's question say, is translated too; names and dates stay as they are)."""
        params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in (self.params or {}).items()}
        try:
            return gettext(self.text) % params
        except (KeyError, TypeError, ValueError):
            return self.text


class AuditEntry(models.Model):
    """Who changed what, when, before and after, and why. Never holds a ballot choice."""

    bloc_year = models.ForeignKey(BlocYear, null=True, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(_("đối tượng"), max_length=255)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        db_table = "covenant_auditentry"
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes = [models.Index(fields=["target_type", "target_id"], name="covenant_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    # Display helpers (core/audit_display.py): what the history lists show instead of raw codes.

    @property
    def action_label(self) -> str:
        return audit_display.action_label(self.action)

    @property
    def is_creation(self) -> bool:
        """Only an "after": a new object (or an event), shown as plain values, not as a change."""
        return self.before is None

    @property
    def is_removal(self) -> bool:
        return self.before is not None and self.after is None

    @property
    def display_changes(self) -> list[tuple[str, object, object]]:
        """(label, old, new) for each field that changed, in words; internal keys are left out.

        old and new are audit_display.Shown values (a text, or a short list of items); for a creation
        old is empty, for a removal new is empty. Lists show only the items removed and added.
        """
        Shown = audit_display.Shown
        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        rows = []
        for key in dict.fromkeys([*before.keys(), *after.keys()]):
            if audit_display.is_hidden(key) or (key == "reason" and after.get(key) == self.reason):
                continue
            label = audit_display.field_label(key, self.target_type)
            if self.is_creation or self.is_removal:
                stored = after.get(key) if self.is_creation else before.get(key)
                value = audit_display.show_value(key, stored, self.target_type)
                if not value.empty:
                    rows.append((label, Shown(), value) if self.is_creation else (label, value, Shown()))
                continue
            if before.get(key) == after.get(key):
                continue
            shown = audit_display.show_change(key, before.get(key), after.get(key), self.target_type)
            if shown is not None:
                rows.append((label, *shown))
        return rows

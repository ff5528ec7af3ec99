"""The register of awards a unit has received (emulation titles and forms of commendation), whoever records them:
the secretariat for earlier years, later the provincial council's own decisions. Achievement reports print it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Unit


class Award(models.Model):
    class Kind(models.TextChoices):
        # Emulation titles (danh hiệu thi đua) first, then forms of commendation (hình thức khen thưởng).
        GOVERNMENT_FLAG = "gov_flag", _("Cờ thi đua của Chính phủ")
        MINISTRY_FLAG = "ministry_flag", _("Cờ thi đua của bộ, ngành, đoàn thể trung ương")
        PROVINCE_FLAG = "province_flag", _("Cờ thi đua của UBND tỉnh")
        EXCELLENT = "excellent", _("Tập thể lao động xuất sắc")
        ADVANCED = "advanced", _("Tập thể lao động tiên tiến")
        ORDER = "order", _("Huân chương")
        PM_CERTIFICATE = "pm_certificate", _("Bằng khen của Thủ tướng Chính phủ")
        MINISTRY_CERTIFICATE = "ministry_certificate", _("Bằng khen của bộ, ngành, đoàn thể trung ương")
        PROVINCE_CERTIFICATE = "province_certificate", _("Bằng khen của Chủ tịch UBND tỉnh")
        MERIT = "merit", _("Giấy khen")
        OTHER = "other", _("Khác")

    TITLES = frozenset({Kind.GOVERNMENT_FLAG, Kind.MINISTRY_FLAG, Kind.PROVINCE_FLAG, Kind.EXCELLENT, Kind.ADVANCED})

    class Source(models.TextChoices):
        REGISTER = "register", _("Văn phòng khối ghi vào sổ")
        DECISION = "decision", _("Quyết định khen thưởng của cấp trên")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="awards", verbose_name=_("đơn vị"))
    kind = models.CharField(_("hình thức"), max_length=24, choices=Kind.choices)
    # The wording on the decision when it says more than the kind ("Huân chương Lao động hạng Ba").
    title = models.CharField(_("tên danh hiệu, hình thức"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("năm thành tích"))
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành quyết định"), max_length=255)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices, default=Source.REGISTER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "year", "decision_date"]
        verbose_name = _("khen thưởng đã nhận")
        verbose_name_plural = _("khen thưởng đã nhận")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "decision_number"],
                name="awards_award_once",
                violation_error_message=_("Quyết định này đã có trong sổ khen thưởng của đơn vị."),
            ),
            models.CheckConstraint(condition=Q(year__gte=1945, year__lte=2100), name="awards_award_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.label} {self.year}"

    @property
    def label(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def is_title(self) -> bool:
        return self.kind in self.TITLES

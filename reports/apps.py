from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Văn bản và báo cáo in")

    def ready(self) -> None:
        from reports import signals  # noqa: F401  (renders large documents ahead when their data changes)

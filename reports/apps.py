from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo định kỳ")

    def ready(self) -> None:
        from core import lifecycle
        from reports import audit  # noqa: F401  (audit vocabulary)
        from reports.board import open_reporting_work
        from reports.services import periods

        lifecycle.on_next_year(periods.copy_periods)
        lifecycle.open_work(open_reporting_work)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Văn bản và báo cáo in")

    def ready(self) -> None:
        from core import lifecycle
        from core.models import BlocYear
        from documents import audit, kinds, signals  # noqa: F401  (audit vocabulary; the kinds; documents ahead)
        from documents.services import synthesis_missing

        lifecycle.phase_warning(BlocYear.Phase.REVIEW, synthesis_missing)

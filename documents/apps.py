from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Văn bản và báo cáo in")

    def ready(self) -> None:
        from documents import audit, kinds, signals  # noqa: F401  (audit vocabulary; the kinds; documents ahead)

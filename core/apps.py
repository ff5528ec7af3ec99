from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Khối thi đua, đơn vị và người dùng")

    def ready(self) -> None:
        from core import audit, dataversion  # noqa: F401  (the kernel's audit vocabulary; data-version signals)

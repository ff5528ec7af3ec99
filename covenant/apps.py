from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CovenantConfig(AppConfig):
    name = "covenant"
    verbose_name = _("Khối thi đua và giao ước")

    def ready(self) -> None:
        from covenant import dataversion  # noqa: F401  (connects the signals that raise data versions)

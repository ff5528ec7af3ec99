from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CovenantConfig(AppConfig):
    name = "covenant"
    verbose_name = _("Giao ước thi đua")

    def ready(self) -> None:
        from core import lifecycle
        from covenant import audit, services  # noqa: F401  (audit vocabulary)

        lifecycle.on_year_created(services.make_covenant)
        lifecycle.phase_check(lifecycle.Phase.SETUP, services.covenant_problems)
        lifecycle.on_next_year(services.copy_covenant)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "council"
    verbose_name = _("Hội đồng Thi đua - Khen thưởng tỉnh")

    def ready(self) -> None:
        from core import lifecycle
        from council import audit  # noqa: F401  (audit vocabulary)
        from council.services import dossier_revert_problems

        lifecycle.revert_check(lifecycle.Phase.PUBLISHED, dossier_revert_problems)

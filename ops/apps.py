from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        from ops import checks, mail  # noqa: F401  (system checks; follows which task runs, for the deliveries)

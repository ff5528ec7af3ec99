from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        from ops import mail  # noqa: F401  (follows which task is running, for the delivery records)

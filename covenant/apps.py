from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CovenantConfig(AppConfig):
    name = "covenant"
    verbose_name = _("Khối thi đua và giao ước")

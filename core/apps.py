from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Khối thi đua, đơn vị và người dùng")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from core import audit, dataversion  # noqa: F401  (the kernel's audit vocabulary; data-version signals)
        from core.auth import _end_sessions_of_inactive

        # However an account is locked (the secretariat's accounts page, the admin), its sessions end with it.
        post_save.connect(_end_sessions_of_inactive, sender=get_user_model(), dispatch_uid="end_sessions_inactive")

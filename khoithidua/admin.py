from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def superuser_only(request) -> bool:
    """The Django admin is for superusers only; staff flags grant nothing here."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only
admin.site.site_header = _("Khối thi đua – quản trị hệ thống")

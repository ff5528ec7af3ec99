from django.contrib import admin


def superuser_only(request) -> bool:
    """The Django admin is for superusers only; staff flags grant nothing here."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only
admin.site.site_header = "Khối thi đua – quản trị hệ thống"

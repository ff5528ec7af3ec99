"""The superuser's tools: provinces, blocs, units and who may do what. Year data goes through the app's pages."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import lifecycle
from core.models import AuditEntry, Bloc, BlocYear, Profile, Province, Unit


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "province"]
    list_filter = ["province"]
    search_fields = ["name", "code"]
    actions = ["open_current_year"]

    @admin.action(description=_("Mở năm thi đua hiện tại cho khối (nếu chưa có)"))
    def open_current_year(self, request, queryset):
        year = timezone.localdate().year
        for bloc in queryset:
            if BlocYear.objects.filter(bloc=bloc, year=year).exists():
                continue
            lifecycle.create_bloc_year(bloc=bloc, year=year, by=request.user)
            self.message_user(
                request, _("Đã mở năm %(year)s cho %(bloc)s.") % {"year": year, "bloc": bloc}, messages.SUCCESS
            )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "province", "head_name", "email"]
    list_filter = ["province"]
    search_fields = ["name", "short_name", "code"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "bloc", "province"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_repr", "bloc_year"]
    list_filter = ["action"]
    search_fields = ["target_repr", "reason"]

    def has_add_permission(self, request):  # noqa: ARG002 (Django's signature)
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 (Django's signature)
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002 (Django's signature)
        return False

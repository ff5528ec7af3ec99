from django.contrib import admin

from ops.models import EmailDelivery, WorkerHeartbeat


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "subject", "recipients", "attempts", "key"]
    list_filter = ["status"]
    search_fields = ["key", "subject", "message_id"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]
    readonly_fields = [f.name for f in WorkerHeartbeat._meta.fields]

"""System checks of the worker settings (manage.py check)."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def worker_timings(app_configs, **kwargs) -> list:  # noqa: ARG001 (Django's check signature)
    if settings.TASK_STALE_SECONDS < 3 * settings.WORKER_HEARTBEAT_SECONDS:
        return [
            Warning(
                "TASK_STALE_SECONDS is less than three heartbeats (WORKER_HEARTBEAT_SECONDS): a busy but living worker "
                "could have its task re-queued and run twice.",
                id="ops.W001",
            )
        ]
    return []

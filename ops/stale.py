"""Tasks left "running" by a worker that died go back to the queue, or fail after TASK_MAX_ATTEMPTS tries.

django-tasks-db marks a task RUNNING when a worker claims it and records the outcome when it ends; a worker killed in
between (OOM, SIGKILL, a lost machine) leaves it RUNNING for ever. ``run_worker`` touches its heartbeat
(ops.models.WorkerHeartbeat) every WORKER_HEARTBEAT_SECONDS; a RUNNING task is stale when the worker that claimed it
last (the last of its ``worker_ids``) has not been seen for TASK_STALE_SECONDS. A task claimed by a worker that never
wrote a heartbeat (a plain ``db_worker``) is judged by its start: running longer than TASK_STALE_SECONDS.

Re-queueing is idempotent: each row is changed by one conditional UPDATE (still RUNNING, same start), so two workers
reaping at once, or a worker finishing the task meanwhile, never queue it twice. The tasks themselves must bear being
run again: the emails they send are delivered at most once (ops/mail.py), documents are rendered again.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
# Heartbeats of workers gone for longer than this are dropped (their tasks were reaped long before).
HEARTBEAT_KEPT = datetime.timedelta(days=1)


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers died TASK_MAX_ATTEMPTS times while running it."""


@dataclass
class Reaped:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.requeued or self.failed)


def stale_tasks(*, now: datetime.datetime | None = None, stale_seconds: int | None = None) -> list[DBTaskResult]:
    """The RUNNING tasks whose worker is gone, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.TASK_STALE_SECONDS if stale_seconds is None else stale_seconds)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    # A dead worker's task started before its last heartbeat, so before the cutoff too.
    candidates = DBTaskResult.objects.filter(status=RUNNING, started_at__lt=cutoff).order_by("started_at")
    return [task for task in candidates if not (task.worker_ids and task.worker_ids[-1] in alive)]


def requeue_stale_tasks(
    *,
    now: datetime.datetime | None = None,
    stale_seconds: int | None = None,
    max_attempts: int | None = None,
    dry_run: bool = False,
) -> Reaped:
    """Put the stale tasks back in the queue; fail those already claimed ``max_attempts`` times."""
    now = now or timezone.now()
    max_attempts = settings.TASK_MAX_ATTEMPTS if max_attempts is None else max_attempts
    reaped = Reaped()
    for task in stale_tasks(now=now, stale_seconds=stale_seconds):
        give_up = len(task.worker_ids) >= max_attempts
        if dry_run:
            (reaped.failed if give_up else reaped.requeued).append(str(task.pk))
            continue
        still = DBTaskResult.objects.filter(pk=task.pk, status=RUNNING, started_at=task.started_at)
        if give_up:
            changed = still.update(
                status="FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(
                    f"{WorkerLost.__qualname__}: the worker running this task stopped {len(task.worker_ids)} times "
                    f"(workers {', '.join(task.worker_ids)}); not tried again.\n"
                ),
            )
            if changed:
                reaped.failed.append(str(task.pk))
                logger.error("task %s (%s) failed: its worker died %d times", task.pk, task.task_path, max_attempts)
                _finished(task.pk)
        elif still.update(status="READY", started_at=None):
            reaped.requeued.append(str(task.pk))
            logger.warning(
                "task %s (%s) re-queued: worker %s stopped while running it",
                task.pk,
                task.task_path,
                task.worker_ids[-1] if task.worker_ids else "?",
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEPT).delete()
    return reaped


def _finished(pk) -> None:
    """Tell listeners (django-tasks' task_finished) that the task ended, failed, as the worker would have."""
    from django_tasks.signals import task_finished

    try:
        result = DBTaskResult.objects.get(pk=pk)
        task_finished.send(sender=type(result.task.get_backend()), task_result=result.task_result)
    except Exception:
        logger.exception("task_finished for the failed task %s", pk)

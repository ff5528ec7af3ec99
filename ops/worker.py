"""The task worker that runs unattended: django-tasks-db's loop, made to survive the database going away.

django-tasks-db 0.13's ``db_worker`` re-raises every database error that is not "database is locked": a PostgreSQL
restart, even while idle, ends the process, and one during a task leaves that task RUNNING for ever (recording the
outcome is retried three times within 0.3 s, then the error escapes). :class:`SupervisedWorker` keeps the library's
loop and changes three things:

- a connection error in the loop (claiming the next task) closes the connections, waits for the database with a
  growing pause (``WORKER_RECONNECT_MAX_SECONDS`` at most) and carries on;
- the outcome of a task is recorded patiently: retried until the database answers again, never lost;
- a task that failed *because* the connection broke is put back in the queue rather than marked failed (up to
  ``TASK_MAX_ATTEMPTS`` claims);

and a thread writes the worker's heartbeat and re-queues the tasks of dead workers (ops/stale.py) every
``WORKER_HEARTBEAT_SECONDS``. systemd (deploy/systemd) restarts the process if it dies anyway.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ops.models import WorkerHeartbeat
from ops.stale import requeue_stale_tasks

logger = logging.getLogger(__name__)

# What a lost or refused connection raises through Django (psycopg2's errors are wrapped into these).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def default_worker_id() -> str:
    """Readable and unique: host, pid and a random suffix (django-tasks-db allows 64 characters)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def close_connections() -> None:
    """Drop this thread's connections, whatever state they are in; the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a broken connection may fail to close: it is dropped all the same
            connection.connection = None


def database_answers() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except CONNECTION_ERRORS:
        close_connections()
        return False


class Heartbeat(threading.Thread):
    """Touches the worker's heartbeat row, and re-queues the tasks of dead workers, on its own connection."""

    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started = timezone.now()
        self.stopping = threading.Event()
        self.failing = False

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                self.beat()
        finally:
            close_connections()

    def beat(self) -> bool:
        """One heartbeat and one reaping; False (and a warning once per outage) while the database is away."""
        try:
            now = timezone.now()
            touched = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(seen_at=now)
            if not touched:
                WorkerHeartbeat.objects.create(
                    worker_id=self.worker_id,
                    hostname=socket.gethostname()[:255],
                    pid=os.getpid(),
                    started_at=self.started,
                    seen_at=now,
                )
            requeue_stale_tasks(now=now)
        except Exception as e:
            if not self.failing:
                logger.warning("worker %s: heartbeat not written (%s); retrying", self.worker_id, e)
            self.failing = True
            close_connections()
            return False
        if self.failing:
            logger.info("worker %s: heartbeat written again", self.worker_id)
        self.failing = False
        return True

    def stop(self) -> None:
        self.stopping.set()

    def remove(self) -> None:
        """On a clean exit: this worker runs nothing any more."""
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # the database is away: the row goes stale and is pruned later
            logger.info("worker %s: heartbeat row left behind", self.worker_id)
            close_connections()


class SupervisedWorker(Worker):
    def __init__(self, *, heartbeat_seconds: float | None = None, max_attempts: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.heartbeat = Heartbeat(
            self.worker_id, settings.WORKER_HEARTBEAT_SECONDS if heartbeat_seconds is None else heartbeat_seconds
        )
        self.max_attempts = settings.TASK_MAX_ATTEMPTS if max_attempts is None else max_attempts
        self.reconnect_max = settings.WORKER_RECONNECT_MAX_SECONDS
        self.outages = 0

    def run(self) -> None:
        self.wait_for_database()
        self.heartbeat.beat()  # before the first claim: seen at once, and the tasks of dead workers re-queued
        self.heartbeat.start()
        try:
            while True:
                try:
                    super().run()  # returns in batch mode or after --max-tasks; signals end it with SystemExit
                    return
                except CONNECTION_ERRORS as e:
                    if not self.running:
                        return
                    self.outages += 1
                    logger.warning("worker %s: database connection lost (%s); waiting for it", self.worker_id, e)
                    self.wait_for_database()
                    self.startup_delay = False
        finally:
            self.heartbeat.stop()
            self.heartbeat.remove()

    def wait_for_database(self) -> None:
        close_connections()
        pause = 0.5
        while not database_answers():
            time.sleep(pause)
            pause = min(pause * 2, self.reconnect_max)
        if self.outages:
            logger.warning("worker %s: database back, carrying on", self.worker_id)

    def patiently(self, record, *args) -> None:
        """Record a task's outcome even across a database outage (unless the worker is being stopped)."""
        pause = 0.5
        while True:
            try:
                return record(*args)
            except CONNECTION_ERRORS as e:
                if not self.running:
                    raise  # shutting down: the task stays RUNNING and is re-queued once the heartbeat is stale
                logger.warning("worker %s: result not recorded yet (%s); retrying", self.worker_id, e)
                close_connections()
                time.sleep(pause)
                pause = min(pause * 2, self.reconnect_max)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        set_successful, set_failed = db_task_result.set_successful, db_task_result.set_failed

        def record_success(return_value) -> None:
            self.patiently(set_successful, return_value)

        def record_failure(exc: BaseException) -> None:
            if isinstance(exc, CONNECTION_ERRORS) and len(db_task_result.worker_ids) < self.max_attempts:
                self.patiently(self.requeue, db_task_result, exc)
            else:
                self.patiently(set_failed, exc)

        db_task_result.set_successful = record_success
        db_task_result.set_failed = record_failure
        super().run_task(db_task_result)

    def requeue(self, db_task_result: DBTaskResult, exc: BaseException) -> None:
        """The task failed because the database went away: run it again rather than record a failure."""
        close_connections()
        DBTaskResult.objects.filter(pk=db_task_result.pk, status="RUNNING").update(status="READY", started_at=None)
        db_task_result.refresh_from_db()
        logger.warning("task %s re-queued: the database connection broke under it (%s)", db_task_result.pk, exc)

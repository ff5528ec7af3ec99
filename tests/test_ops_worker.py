"""The supervised task worker (ops/worker.py) in this process: database errors while claiming or recording are ridden
out, a task broken by a lost connection is run again, and tasks left running by a dead worker are re-queued once
(ops/stale.py). The same with a real PostgreSQL restart and a killed process: tests/test_ops_worker_postgres.py."""

import datetime

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from ops import stale, worker
from ops.models import WorkerHeartbeat
from tests import worker_tasks

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings, monkeypatch):
    """Tasks go to the database queue; the worker's pauses take no time."""
    settings.TASKS = DB_BACKEND
    monkeypatch.setattr(worker.time, "sleep", lambda _s: None)
    worker_tasks.CALLS["flaky"] = 0


def run_worker(**kwargs) -> worker.SupervisedWorker:
    """Run the supervised worker in batch mode (until the queue is empty), without its heartbeat thread."""
    w = worker.SupervisedWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=kwargs.pop("worker_id", "test-worker"),
        excluded_queue_names=[],
        heartbeat_seconds=3600,
        **kwargs,
    )
    w.heartbeat.start = lambda: None
    w.run()
    return w


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def fail_first(monkeypatch, owner, name: str, times: int, error=OperationalError):
    original = getattr(owner, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise error("server closed the connection unexpectedly")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_while_claiming_does_not_end_the_worker(queue, monkeypatch):
    results = [worker_tasks.add.enqueue(i, 1) for i in range(3)]
    calls = fail_first(monkeypatch, DBTaskResultQuerySet, "get_locked", 2)
    w = run_worker()
    assert w.outages == 2 and calls["n"] > 2
    assert [status(r) for r in results] == ["SUCCESSFUL"] * 3
    assert [DBTaskResult.objects.get(pk=r.id).return_value for r in results] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_the_plain_db_worker_dies_on_the_same_error(queue, monkeypatch):
    """What the supervised worker fixes: django-tasks-db's own loop re-raises it."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker_tasks.add.enqueue(1, 1)
    fail_first(monkeypatch, DBTaskResultQuerySet, "get_locked", 1, error=InterfaceError)
    plain = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="plain", excluded_queue_names=[],
    )
    with pytest.raises(InterfaceError):
        plain.run()


@pytest.mark.django_db(transaction=True)
def test_an_outcome_is_recorded_once_the_database_answers_again(queue, monkeypatch):
    result = worker_tasks.add.enqueue(2, 3)
    original_save = DBTaskResult.save
    calls = {"n": 0}

    def save(self, *args, **kwargs):
        # Recording the success fails more often than django-tasks-db's own three quick retries.
        if self.status == "SUCCESSFUL":
            calls["n"] += 1
            if calls["n"] <= 6:
                raise OperationalError("server closed the connection unexpectedly")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", save)
    monkeypatch.setattr("django_tasks_db.utils.time.sleep", lambda _s: None)
    run_worker()
    assert calls["n"] == 7
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == 5 and row.worker_ids == ["test-worker"]


@pytest.mark.django_db(transaction=True)
def test_a_task_broken_by_a_lost_connection_runs_again(queue):
    result = worker_tasks.flaky_connection.enqueue(1)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == "ok"
    assert row.worker_ids == ["test-worker", "test-worker"]


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_losing_its_connection_fails_after_the_attempts(queue, settings):
    settings.TASK_MAX_ATTEMPTS = 3
    result = worker_tasks.flaky_connection.enqueue(99)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and len(row.worker_ids) == 3
    assert row.exception_class_path == "django.db.utils.OperationalError"


# Heartbeat and stale tasks ---------------------------------------------------------------------------------------


def running(task, *, worker_id: str | None, started_ago: int, attempts: int = 1) -> DBTaskResult:
    result = task.enqueue(1, 2) if task is worker_tasks.add else task.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(seconds=started_ago),
        worker_ids=[f"old-{i}" for i in range(attempts - 1)] + ([worker_id] if worker_id else []),
    )
    return DBTaskResult.objects.get(pk=result.id)


def beat(worker_id: str, ago: int) -> None:
    seen = timezone.now() - datetime.timedelta(seconds=ago)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"hostname": "h", "pid": 1, "started_at": seen, "seen_at": seen}
    )


@pytest.mark.django_db
def test_tasks_of_dead_workers_are_requeued_and_the_living_are_left_alone(queue, settings):
    settings.TASK_STALE_SECONDS = 60
    beat("alive", 5)
    beat("dead", 600)
    alive = running(worker_tasks.add, worker_id="alive", started_ago=3600)  # long task, heartbeat fresh
    dead = running(worker_tasks.add, worker_id="dead", started_ago=700)
    silent = running(worker_tasks.add, worker_id="plain-db-worker", started_ago=700)  # never wrote a heartbeat
    young = running(worker_tasks.add, worker_id="plain-db-worker", started_ago=10)

    reaped = stale.requeue_stale_tasks()

    assert sorted(reaped.requeued) == sorted([str(dead.pk), str(silent.pk)]) and reaped.failed == []
    assert [status_of(t) for t in (alive, dead, silent, young)] == ["RUNNING", "READY", "READY", "RUNNING"]
    assert DBTaskResult.objects.get(pk=dead.pk).started_at is None
    # Idempotent: a second pass (another worker reaping at the same time) changes nothing.
    assert not stale.requeue_stale_tasks()


def status_of(task: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=task.pk).status


@pytest.mark.django_db
def test_a_task_whose_workers_keep_dying_fails_with_the_reason(queue, settings):
    settings.TASK_STALE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3
    task = running(worker_tasks.add, worker_id="dead", started_ago=700, attempts=3)
    reaped = stale.requeue_stale_tasks()
    assert reaped.failed == [str(task.pk)]
    row = DBTaskResult.objects.get(pk=task.pk)
    assert row.status == "FAILED" and row.exception_class_path == "ops.stale.WorkerLost"
    assert "stopped 3 times" in row.traceback


@pytest.mark.django_db
def test_a_task_finished_meanwhile_is_not_requeued(queue, settings):
    settings.TASK_STALE_SECONDS = 60
    task = running(worker_tasks.add, worker_id="dead", started_ago=700)
    candidates = stale.stale_tasks()
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")  # the worker was only slow
    original = stale.stale_tasks
    stale.stale_tasks = lambda **kw: candidates
    try:
        assert not stale.requeue_stale_tasks()
    finally:
        stale.stale_tasks = original
    assert status_of(task) == "SUCCESSFUL"


@pytest.mark.django_db
def test_requeue_stale_tasks_command(queue, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.TASK_STALE_SECONDS = 60
    task = running(worker_tasks.add, worker_id="dead", started_ago=700)
    out = StringIO()
    call_command("requeue_stale_tasks", dry_run=True, stdout=out)
    assert str(task.pk) in out.getvalue() and "Sẽ đưa lại vào hàng đợi: 1 việc" in out.getvalue()
    assert status_of(task) == "RUNNING"
    call_command("requeue_stale_tasks", stdout=out)
    assert status_of(task) == "READY"


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_its_heartbeat_and_removes_it_on_exit(queue):
    seen = {}

    def task_sees_heartbeat(*args, **kwargs):
        seen["row"] = WorkerHeartbeat.objects.filter(worker_id="beating").first()

    worker_tasks.add.enqueue(1, 1)
    original = worker.SupervisedWorker.run_task

    def run_task(self, db_task_result):
        task_sees_heartbeat()
        original(self, db_task_result)

    worker.SupervisedWorker.run_task = run_task
    try:
        run_worker(worker_id="beating")
    finally:
        worker.SupervisedWorker.run_task = original
    assert seen["row"] is not None and seen["row"].pid > 0
    assert not WorkerHeartbeat.objects.filter(worker_id="beating").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_requeues_the_tasks_of_dead_workers_when_it_starts(queue, settings):
    settings.TASK_STALE_SECONDS = 60
    beat("dead", 600)
    task = running(worker_tasks.count_users, worker_id="dead", started_ago=700)
    run_worker()
    row = DBTaskResult.objects.get(pk=task.pk)
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["dead", "test-worker"]


@pytest.mark.django_db(transaction=True)
def test_a_render_left_running_by_a_dead_worker_is_retried_and_the_pdf_served(queue, settings, tmp_path):
    from documents.models import RenderedDocument
    from documents.render import document_for
    from documents.tasks import schedule_render
    from tests.personas import make_bloc_year

    settings.TASK_STALE_SECONDS = 60
    settings.MEDIA_ROOT = tmp_path
    year = make_bloc_year(units=2)
    pending, _prepared = document_for("covenant", year, schedule=schedule_render)
    assert pending.status == RenderedDocument.Status.PENDING
    (task,) = DBTaskResult.objects.filter(task_path="documents.tasks.render_document")
    # As a worker killed while rendering leaves it.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now() - datetime.timedelta(seconds=600), worker_ids=["killed"]
    )

    run_worker()

    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"
    document, _ = document_for("covenant", year, schedule=schedule_render)
    assert document.pk == pending.pk and document.status == RenderedDocument.Status.DONE
    assert bytes(document.pdf).startswith(b"%PDF") and document.pages >= 1

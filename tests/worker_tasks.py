"""Tasks for the worker tests (tests/test_ops_worker*.py), importable by a worker process started from the project."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.utils import OperationalError
from django_tasks import task

# Calls of flaky_connection in this process.
CALLS = {"flaky": 0}


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def count_users() -> int:
    """Needs the database: proves the worker's connection works after an outage."""
    return get_user_model().objects.count()


@task()
def sleep_then_count(seconds: float, marker: str) -> int:
    """Writes MARKER.started and sleeps (the test kills the worker or restarts the database then), then queries.
    Run again (re-queued), it does not sleep."""
    started = Path(f"{marker}.started")
    if not started.exists():
        started.write_text("started")
        time.sleep(seconds)
    count = get_user_model().objects.count()
    with Path(f"{marker}.runs").open("a") as f:
        f.write("run\n")
    return count


@task()
def flaky_connection(failures: int) -> str:
    """Fails as a dropped connection would, ``failures`` times, then succeeds."""
    CALLS["flaky"] += 1
    if CALLS["flaky"] <= failures:
        raise OperationalError("server closed the connection unexpectedly")
    return "ok"

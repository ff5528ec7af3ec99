"""The supervised worker (manage.py run_worker) against a real PostgreSQL that is restarted under it, and a worker
killed in the middle of a task.

The shared PostgreSQL of the test run is never touched: each module starts a throwaway cluster (initdb, pg_ctl) on
a free port of 127.0.0.1 and stops it at the end. Skipped when the PostgreSQL server programs are not installed.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres


def server_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster, trust authentication, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = server_program("initdb"), server_program("pg_ctl")
        self.psycopg2 = __import__("psycopg2")
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.skip("running as root without runuser: cannot start a throwaway PostgreSQL")
            self.as_postgres = [runuser, "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="kt-pg-"))
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.data, self.log = self.dir / "data", self.dir / "log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/kt_worker"

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.run(self.initdb, "-D", str(self.data), "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-U", "postgres")
        self.start()
        conn = self.connect("postgres")
        try:
            conn.autocommit = True
            conn.cursor().execute("CREATE DATABASE kt_worker")
        finally:
            conn.close()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self.run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def connect(self, dbname: str = "kt_worker"):
        return self.psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)

    def query(self, sql: str, params=()) -> list[tuple]:
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    if not (server_program("initdb") and server_program("pg_ctl")):
        pytest.skip("initdb/pg_ctl not found (the postgresql server package): no throwaway cluster to restart")
    c = Cluster()
    try:
        c.init()
    except subprocess.CalledProcessError as e:
        c.destroy()
        pytest.skip(f"the throwaway PostgreSQL did not start: {e.stderr.decode(errors='replace')[-500:]}")
    except BaseException:
        c.destroy()  # never leave a cluster running
        raise
    try:
        migrate = manage(c, "migrate", "--noinput")
        assert migrate.returncode == 0, migrate.stderr
        yield c
    finally:
        c.destroy()


def environment(cluster: Cluster, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}}
    env.update(
        DATABASE_URL=cluster.url,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        TESTING="1",
        SECRET_KEY="test-only-secret-key-not-for-production-0123456789abcdef",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SECURE_SSL_REDIRECT="0",
        WORKER_HEARTBEAT_SECONDS="1",
        TASK_STALE_SECONDS="4",
        WORKER_RECONNECT_MAX_SECONDS="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def manage(cluster: Cluster, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # our interpreter, our manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(cluster),
        capture_output=True,
        text=True,
        timeout=300,
    )


def enqueue(cluster: Cluster, call: str) -> list[str]:
    """Enqueue tasks of tests/worker_tasks.py in the throwaway database; their ids."""
    code = f"from tests.worker_tasks import *; print(*[r.id for r in {call}])"
    result = manage(cluster, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def statuses(cluster: Cluster, ids: list[str]) -> dict[str, str]:
    rows = cluster.query(
        "SELECT id::text, status FROM django_tasks_database_dbtaskresult WHERE id::text = ANY(%s)", ([*ids],)
    )
    return dict(rows)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def all_successful(cluster: Cluster, ids: list[str]):
    return lambda: set(statuses(cluster, ids).values()) == {"SUCCESSFUL"}


class Worker:
    def __init__(self, cluster: Cluster, log: Path, worker_id: str) -> None:
        self.log = log
        self.handle = log.open("w")
        self.process = subprocess.Popen(  # our interpreter, our manage.py
            [sys.executable, "manage.py", "run_worker", "--interval=0.2", "--no-startup-delay", "--no-reload",
             f"--worker-id={worker_id}"],
            cwd=BASE_DIR,
            env=environment(cluster),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        self.handle.flush()
        return self.log.read_text()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()
        return self.process.returncode


@pytest.fixture
def workers(cluster):
    started: list[Worker] = []
    yield started
    for w in started:
        w.stop()


def test_the_worker_carries_on_through_postgresql_restarts(cluster, workers, tmp_path):
    worker = Worker(cluster, tmp_path / "worker.log", "restart-test")
    workers.append(worker)
    before = enqueue(cluster, "[count_users.enqueue() for _ in range(3)]")
    wait_for(all_successful(cluster, before), 60, "the first tasks")

    # 1. Restarted while the worker is idle.
    cluster.stop()
    time.sleep(2)
    cluster.start()
    idle = enqueue(cluster, "[count_users.enqueue() for _ in range(3)]")
    wait_for(all_successful(cluster, idle), 60, "the tasks after a restart while idle")
    assert worker.process.poll() is None, worker.output()

    # 2. Restarted while a task is running: its connection is gone when it queries.
    marker = tmp_path / "slow"
    (slow,) = enqueue(cluster, f"[sleep_then_count.enqueue(3, {str(marker)!r})]")
    wait_for(lambda: Path(f"{marker}.started").exists(), 60, "the slow task to start")
    cluster.stop()
    time.sleep(3)  # down for longer than the task's sleep: it finishes into a dead connection
    cluster.start()
    after = enqueue(cluster, "[count_users.enqueue() for _ in range(3)]")
    wait_for(all_successful(cluster, [slow, *after]), 60, "the slow task and the tasks after the second restart")

    assert worker.process.poll() is None, worker.output()
    output = worker.output()
    # The connection layer waits out a short restart itself; a longer one reaches the worker's own loop.
    waited = "database refuses connections; trying again" in output
    looped = "database connection lost" in output and "database back, carrying on" in output
    assert waited or looped, output
    assert f"task {slow} re-queued: the database connection broke under it" in output, output
    assert worker.stop() == 0, worker.output()
    assert not cluster.query("SELECT 1 FROM ops_workerheartbeat WHERE worker_id = 'restart-test'")


def test_a_task_left_running_by_a_killed_worker_is_run_by_the_next(cluster, workers, tmp_path):
    marker = tmp_path / "killed"
    first = Worker(cluster, tmp_path / "first.log", "killed-worker")
    workers.append(first)
    (task,) = enqueue(cluster, f"[sleep_then_count.enqueue(120, {str(marker)!r})]")
    wait_for(lambda: Path(f"{marker}.started").exists(), 60, "the task to start")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    assert statuses(cluster, [task]) == {task: "RUNNING"}

    second = Worker(cluster, tmp_path / "second.log", f"next-worker-{uuid.uuid4().hex[:6]}")
    workers.append(second)
    wait_for(all_successful(cluster, [task]), 60, "the task to be re-queued and run again")
    ((worker_ids,),) = cluster.query(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE id::text = %s", (task,)
    )
    assert worker_ids[0] == "killed-worker" and worker_ids[-1].startswith("next-worker-")
    assert "re-queued" in second.output(), second.output()
    assert Path(f"{marker}.runs").read_text() == "run\n"  # the killed run never finished; the second did, once

"""Deadline day for `make bench` (bench/run.py starts it): every user is a different unit's officer.

Each user logs in, waits until all have logged in, then at once opens its draft, saves it with every section filled
in, opens it again and saves and submits it, and looks at the submitted report; then it stops. When all are done the
run ends and the per-user record (requests, errors, whether the server answered that the report was submitted,
latencies) is written as JSON for bench/run.py, which checks the database for lost or double submissions.

Environment: BENCH_DEADLINE_USERS (JSON list of {username, password, edit_path, report_pk}) and BENCH_DEADLINE_RESULT
(the JSON written at the end). Run by hand:

    locust -f bench/locustfile.py --headless -u 50 -r 50 -H http://127.0.0.1:PORT --run-time 600s
"""

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, events, task
from locust.exception import StopUser

# The flow itself lives in bench/run.py (shared with the threaded fallback); bench/ is not a package.
_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).with_name("run.py"))
harness = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(harness)

USERS = json.loads(Path(os.environ["BENCH_DEADLINE_USERS"]).read_text()) if "BENCH_DEADLINE_USERS" in os.environ else []
RESULT = os.environ.get("BENCH_DEADLINE_RESULT", "")

state = {"next": 0, "logged_in": 0, "done": 0, "start": None, "end": None, "written": False}
records = {u["username"]: harness.new_record() for u in USERS}
all_logged_in = Event()


class Adapter:
    """locust's client with the interface of the flow: (status, headers, text), redirects not followed."""

    def __init__(self, client, record):
        self.client, self.record = client, record

    def request(self, method, path, data=None, name=None):
        started = time.perf_counter()
        response = self.client.request(method, path, data=data, allow_redirects=False, name=name)
        self.record["latencies_ms"].append([name, (time.perf_counter() - started) * 1000])
        headers = {k.lower(): v for k, v in response.headers.items()} if response.headers else {}
        return response.status_code or 0, headers, response.text or ""


def write_result(timed_out=False):
    if state["written"] or not RESULT:
        return
    state["written"] = True
    start, end = state["start"], state["end"] or time.perf_counter()
    Path(RESULT).write_text(
        json.dumps(
            {
                "records": records,
                "work_s": (end - start) if start else 0,
                "timed_out": timed_out,
                "done": state["done"],
            }
        )
    )


def finished(environment):
    state["done"] += 1
    if state["done"] == len(USERS):
        state["end"] = time.perf_counter()
        write_result()
        gevent.spawn_later(0.1, environment.runner.quit)


@events.quitting.add_listener
def _on_quitting(environment, **_kwargs):  # noqa: ARG001 (locust passes it)
    write_result(timed_out=state["done"] < len(USERS))


class Officer(HttpUser):
    wait_time = staticmethod(lambda: 0)

    def on_start(self):
        if state["next"] >= len(USERS):
            raise StopUser()
        self.account = USERS[state["next"]]
        state["next"] += 1
        self.record = records[self.account["username"]]
        started = time.perf_counter()
        try:
            account = self.account
            harness.login(Adapter(self.client, {"latencies_ms": []}), account["username"], account["password"])
            self.record["login_s"] = time.perf_counter() - started
        except Exception as e:  # counted, and the others do not wait for this one
            self.record["errors"].append(f"login: {e}")
        state["logged_in"] += 1
        if state["logged_in"] == len(USERS):
            all_logged_in.set()
        all_logged_in.wait(timeout=300)
        if state["start"] is None:
            state["start"] = time.perf_counter()

    @task
    def deadline(self):
        if not self.record["errors"]:
            harness.deadline_flow(
                Adapter(self.client, self.record), self.account["edit_path"], self.account["username"], self.record
            )
        finished(self.environment)
        raise StopUser()

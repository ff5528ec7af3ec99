"""Smoke test of the benchmark harness (bench/run.py, `make bench`) on a tiny data set: the demo bloc.

CI does not run the benchmark itself (minutes of data generation and load). These tests run the harness's own
functions end to end, with 1-second loads and the built-in Python load loop, against Django's live server (the
test database is in memory on SQLite, so no other process could see it), then check that the results have the
shape of bench/results.json with sane numbers. gunicorn's start and stop by pid is checked on the hello-world view,
which needs no database. On SQLite the live server shares one connection between its threads, so the loads there
use one client at a time; on PostgreSQL several.
"""

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_harness():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


harness = load_harness()

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40625/blocs/bench-15/2025/scores/ranking/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    31.20ms    5.10ms  80.00ms   70.00%
    Req/Sec   250.00     20.00   300.00     80.00%
  Latency Distribution
     50%   31.04ms
     75%   35.00ms
     90%   40.00ms
     99%    1.20s
  2490 requests in 10.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:    249.00
Transfer/sec:      3.00MB
"""

HEY_OUTPUT = """
Summary:
  Total:\t10.0100 secs
  Requests/sec:\t3122.4000

Latency distribution:
  10% in 0.0011 secs
  50% in 0.0024 secs
  99% in 0.0090 secs

Status code distribution:
  [200]\t31000 responses
  [500]\t2 responses

Error distribution:
  [3]\tGet "http://127.0.0.1:1/": dial tcp: connection refused
"""


def test_wrk_and_hey_outputs_are_read():
    wrk = harness.parse_wrk(WRK_OUTPUT)
    assert wrk == {
        "requests": 2490,
        "rps": 249.0,
        "p50_ms": 31.04,
        "p99_ms": 1200.0,
        "errors": 8,
        "socket_errors": 3,
    }
    hey = harness.parse_hey(HEY_OUTPUT)
    assert hey["rps"] == 3122.4
    assert hey["p50_ms"] == pytest.approx(2.4)
    assert hey["p99_ms"] == pytest.approx(9.0)
    assert hey["requests"] == 31005
    assert hey["errors"] == 5
    assert harness.percentile([5, 1, 4, 2, 3], 50) == 3
    assert harness.percentile(list(range(1, 101)), 99) == 99


def test_report_form_is_filled_in_completely():
    page = """<form method="post" action="/i18n/setlang/"><input type="hidden" name="csrfmiddlewaretoken" value="a">
    <select name="language"></select></form>
    <form method="post" enctype="multipart/form-data"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input type="hidden" name="version" value="4" id="id_version">
    <textarea name="s7-done">
Cũ</textarea><textarea name="s7-difficulties"></textarea><textarea name="s7-next_steps"></textarea>
    <input class="form-control" name="s8-r0-indicator" value="Chỉ tiêu"><input name="s8-r0-target" value="">
    <input name="s8-r0-result" value=""><textarea name="s8-done"></textarea>
    <input type="checkbox" name="s7-evidence" value="3" checked><input type="checkbox" name="s7-evidence" value="4">
    <input type="file" name="s7-upload"><textarea name="general_proposals"></textarea>
    <button type="submit" name="save">Lưu</button></form>"""
    fields = harness.report_form_fields(page)
    assert ("version", "4") in fields and ("csrfmiddlewaretoken", "t") in fields
    assert ("s7-evidence", "3") in fields and ("s7-evidence", "4") not in fields
    filled = dict(harness.filled_report(fields, "bench1000-u0001"))
    assert all(filled[f"s7-{k}"] for k in ("done", "difficulties", "next_steps")) and filled["s8-done"]
    assert filled["s8-r0-indicator"] == "Chỉ tiêu" and filled["s8-r0-target"] and filled["s8-r0-result"]
    assert filled["s7-r0-indicator"] and filled["general_proposals"]  # a result row added where there was none
    assert "s7-upload" not in filled


def test_gunicorn_serves_on_a_free_port_and_stops_by_pid(tmp_path):
    env = harness.bench_env(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path)
    server = harness.Gunicorn(env, log_path=tmp_path / "gunicorn.log")
    with server:
        pid = server.proc.pid
        r = harness.Http(server.url).send("GET", harness.HELLO_PATH)
        assert (r.status, r.body) == (200, b"ok")
        tools = ["python"] + [t for t in ("wrk", "hey") if shutil.which(t)]
        for tool in tools:
            m = harness.measure(server.url, harness.HELLO_PATH, duration=1, connections=2, tool=tool)
            assert m["requests"] > 0 and m["rps"] > 0 and m["errors"] == 0, (tool, m)
            assert 0 < m["p50_ms"] <= m["p99_ms"], (tool, m)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.fixture
def demo(transactional_db):
    from demo.builder import load_demo

    load_demo(log=lambda _message: None)


def test_harness_end_to_end_on_the_demo(demo, live_server, tmp_path, settings):
    from django.db import connection

    # As make bench runs it: plain HTTP on loopback (locust's client keeps secure cookies to HTTPS).
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False

    one_at_a_time = connection.vendor == "sqlite"
    clients = 1 if one_at_a_time else 2
    target = harness.discover(harness.DEMO)
    assert target.bloc == "khoi-tckt" and target.ranking_year < target.year

    queries = harness.count_queries(target, repeats=1, host="testserver")
    assert set(queries) == set(harness.PAGES)
    assert all(q["queries"] > 0 and q["in_process_ms"] > 0 for q in queries.values())

    sessions = harness.login_personas(live_server.url, target)
    checked = harness.check_pages(target, sessions)
    static = harness.write_static_reference(tmp_path / "static", checked["ranking"].body)
    assert static.stat().st_size == len(checked["ranking"].body) > 1000
    references, pages = harness.measure_server(
        live_server.url,
        target,
        sessions,
        duration=1,
        connections=clients,
        tool="python",
        static_path="/static/css/app.css",
        warm_requests=2,
    )

    users = harness.deadline_users(target.bloc, 1 if one_at_a_time else 3, target.password)
    assert users and all(u["edit_path"].endswith(f"/reports/{u['report_pk']}/edit/") for u in users)
    deadline = harness.deadline(live_server.url, users, engine="python", tmp_dir=tmp_path)
    assert deadline["errors"] == 0, deadline["error_details"]
    assert deadline["submitted_once"] == deadline["claimed"] == len(users) and deadline["lost"] == 0
    assert deadline["requests"] == 5 * len(users) and deadline["rps"] > 0
    if harness.locust_available():  # the "bench" extra (make bench); the threaded engine otherwise
        again = harness.deadline(live_server.url, users, engine="locust", tmp_dir=tmp_path)
        assert (again["errors"], again["lost"], again["submitted_once"]) == (0, 0, len(users)), again["error_details"]

    harness.warm_pdf(target.bloc, target.ranking_year)
    pdf = {"small": harness.pdf_times(target.bloc, target.ranking_year, fresh_runs=1, unchanged_runs=1)}
    assert pdf["small"]["rows"] == len(target.expected["ranking"])
    if harness.soffice_path():
        pdf["small"]["libreoffice_s"] = harness.libreoffice_time(
            target.bloc, target.ranking_year, tmp_path, runs=1, warm=False
        )
        assert pdf["small"]["libreoffice_s"] > 0

    results = harness.assemble(
        date="2026-01-01T00:00:00+07:00",
        machine=harness.machine(),
        software=harness.software(),
        config={"duration_s": 1, "connections": clients},
        data={"units": target.units},
        tool="python",
        references=references,
        pages=pages,
        deadline=deadline,
        queries={"demo": queries, "national": queries},
        pdf=pdf,
        notes=["smoke test"],
    )
    assert harness.validate_results(results) == []
    assert set(results["references"]) == {"static", "hello", "login_page"}
    assert set(results["pages"]) == set(harness.PAGES)
    assert all(m["errors"] == 0 for group in ("references", "pages") for m in results[group].values())
    ratios = results["ratios"]
    assert all(v > 0 for v in ratios["page_p50_over_static_p50"].values())
    assert ratios["deadline_rps_over_hello_rps"] > 0
    assert results["targets"][0]["met"] is True  # the same page counts twice: equal
    assert {t["met"] for t in results["targets"]} <= {True, False, None}
    json.loads(json.dumps(results))  # what results.json holds
    assert "Targets of issue 7" in harness.table(results)

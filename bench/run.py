#!/usr/bin/env python3
"""`make bench`: the benchmark of issue 7, on PostgreSQL, against references measured in the same run.

Steps (bench/README.md tells how to read the output):

1. Create the database if missing, migrate, load the demo, run `generate_scale_data` (its defaults, or a small size
   with --quick / BENCH_QUICK=1), collectstatic.
2. In this process (Django loaded with the production settings): SQL queries per page on the demo bloc and on
   bench-15 (test Client, force_login, CaptureQueriesContext), with the time each page spends in SQL.
3. gunicorn (production settings, 2 sync workers, a free loopback port): log in every persona, check each measured URL
   answers 200 with its expected content, write a static file of the ranking page's size, restart, warm up, then
   measure with wrk (else hey, else a threaded Python loop) the static file, the hello-world view and the pages.
4. Deadline day: N officers of bench-1000 log in, then all at once save and submit their own draft (locust headless,
   bench/locustfile.py; a threaded Python loop when locust is missing); the database is then checked for lost or
   double submissions, and the reports are put back to draft so that the next run measures the same thing.
5. PDFs in this (warmed-up) process: bench-15's and bench-1000's ranking fresh and unchanged, and LibreOffice converting
   the same tables from .xlsx when `soffice` is installed.
6. Print the table, write bench/results.json (every figure, the ratios and the targets of the issue).

It installs nothing: a missing wrk/hey/locust/soffice is reported and replaced by a fallback or skipped.
tests/test_bench_harness.py calls the functions below on a tiny data set.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
TMP_DIR = BENCH_DIR / "tmp"
RESULTS_PATH = BENCH_DIR / "results.json"
LOCUSTFILE = BENCH_DIR / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/khoithidua_bench"
QUICK_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/khoithidua_bench_quick"

# generate_scale_data arguments of --quick; the full run uses the command's own defaults.
QUICK_SCALE_ARGS = [
    "--provinces",
    "2",
    "--blocs-per-province",
    "3",
    "--units-per-bloc",
    "12",
    "--years",
    "2",
    "--stress-units",
    "200",
]

LOGIN_PATH = "/accounts/login/"
HELLO_PATH = "/healthz/"
STATIC_NAME = "bench-static.html"
STATIC_PATH = "/static/" + STATIC_NAME

# Who is measured: the national-scale data of generate_scale_data, and the demo bloc of load_demo.
NATIONAL = {
    "name": "national",
    "bloc": "bench-15",
    "secretariat": "bench15-thuky",
    "officer": "bench15-u03",
    "provincial": "bench-tinh-viewer",
    "password": "bench-password",
    "stress_bloc": "bench-1000",
}
DEMO = {
    "name": "demo",
    "bloc": "khoi-tckt",
    "secretariat": "thuky",
    "officer": "donvi3",
    "provincial": "tinhkontum",
    "password": "khoithidua2017",
    "stress_bloc": None,
}

# name: (persona, URL pattern, what it is)
PAGES = {
    "ranking": ("secretariat", "/blocs/{bloc}/{ranking_year}/scores/ranking/", "ranking page (last published year)"),
    "board": ("secretariat", "/blocs/{bloc}/{year}/reports/board/", "completeness board"),
    "officer_home": ("officer", "/blocs/{bloc}/{year}/", "unit officer's home"),
    "report_form": ("officer", "/blocs/{bloc}/{year}/reports/{report_pk}/edit/", "report form (officer's draft)"),
    "province": ("provincial", "/province/{province}/", "provincial viewer's overview"),
}

# The keys every results.json has (the smoke test checks them).
RESULT_KEYS = [
    "date",
    "machine",
    "software",
    "config",
    "data",
    "tool",
    "references",
    "pages",
    "deadline",
    "queries",
    "pdf",
    "ratios",
    "targets",
    "notes",
]
MEASURE_KEYS = ["path", "tool", "duration_s", "connections", "requests", "errors", "rps", "p50_ms", "p99_ms"]
DEADLINE_KEYS = [
    "engine",
    "users",
    "requests",
    "errors",
    "error_details",
    "claimed",
    "submitted_once",
    "not_submitted",
    "submitted_twice",
    "lost",
    "duration_s",
    "rps",
    "login_s",
    "p50_ms",
    "p99_ms",
]
PDF_KEYS = [
    "bloc", "year", "rows", "fresh_s", "prepare_s", "unchanged_s", "ahead_s", "settled_s", "pages", "libreoffice_s"
]


class BenchError(RuntimeError):
    """Something the benchmark cannot go on without (the message says what)."""


def log(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 (a command-line tool)


# --------------------------------------------------------------------------------------------------------------
# Environment, database, management commands


def database_url(quick: bool = False) -> str:
    return (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or (QUICK_DATABASE_URL if quick else DEFAULT_DATABASE_URL)
    )


def bench_env(db_url: str, tmp_dir: Path = TMP_DIR, base: dict | None = None) -> dict:
    """Production settings for plain HTTP on loopback: DEBUG unset, a random key, no HTTPS redirect, no secure
    cookies, connections kept 60 s, static and media files under bench/tmp/."""
    env = dict(os.environ if base is None else base)
    for name in ("DEBUG", "TESTING", "TASKS_BACKEND", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "60",
            "STATIC_ROOT": str(tmp_dir / "static"),
            "MEDIA_ROOT": str(tmp_dir / "media"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "khoithidua.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database of `url` if it does not exist. True when it was created."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"the benchmark runs on PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "postgres"),
        "password": urllib.parse.unquote(parts.password or ""),
    }
    try:
        conn = psycopg2.connect(dbname="postgres", **params)
    except psycopg2.OperationalError as e:
        raise BenchError(f"PostgreSQL does not answer at {params['host']}:{params['port']}: {e}".strip()) from e
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()


def analyze_database(url: str) -> float:
    """VACUUM (ANALYZE) after the bulk load: without statistics PostgreSQL plans the fresh tables badly (and
    autovacuum may be off, as on this project's machines). Returns the seconds it took."""
    import psycopg2

    started = time.perf_counter()
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
    finally:
        conn.close()
    return time.perf_counter() - started


def manage(args: list[str], env: dict, *, quiet: bool = False) -> float:
    """Run `python manage.py ARGS` in a child process; returns the seconds it took."""
    started = time.perf_counter()
    log(f"$ manage.py {' '.join(args)}")
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        text=True,
    )
    if result.returncode != 0:
        if quiet and result.stdout:
            log(result.stdout[-4000:])
        raise BenchError(f"manage.py {args[0]} failed (exit {result.returncode})")
    return time.perf_counter() - started


def setup_django(env: dict) -> None:
    """Load Django in this process with the benchmark's environment (once)."""
    os.environ.update(env)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def has_command(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()


# --------------------------------------------------------------------------------------------------------------
# What is measured


@dataclass
class Target:
    """A bloc to measure and the people who use it, read from the database."""

    name: str
    bloc: str
    bloc_name: str
    year: int
    ranking_year: int
    province: str
    report_pk: int
    units: int
    personas: dict[str, str]  # persona -> username
    password: str
    expected: dict[str, list[str]] = field(default_factory=dict)

    def path(self, page: str) -> str:
        return PAGES[page][1].format(
            bloc=self.bloc,
            year=self.year,
            ranking_year=self.ranking_year,
            report_pk=self.report_pk,
            province=self.province,
        )

    def pages(self) -> list[tuple[str, str, str]]:
        """(page, persona, path) of every measured page."""
        return [(page, persona, self.path(page)) for page, (persona, _pattern, _label) in PAGES.items()]


def bloc_exists(code: str) -> bool:
    from core.models import Bloc

    return Bloc.objects.filter(code=code).exists()


def ranking_year_of(bloc) -> int:
    """The last published year; else the latest year that reached scoring; else the latest year."""
    from core.models import BlocYear

    years = BlocYear.objects.filter(bloc=bloc).order_by("-year")
    for phases in ([BlocYear.Phase.PUBLISHED], [BlocYear.Phase.REVIEW, BlocYear.Phase.SCORING]):
        found = years.filter(phase__in=phases).first()
        if found is not None:
            return found.year
    return years.first().year


def discover(spec: dict) -> Target:
    """Read the bloc, its years and the personas of `spec` (NATIONAL or DEMO) from the database."""
    from core.models import Bloc, BlocYear, Membership, Profile
    from reports.models import ProgressReport

    bloc = Bloc.objects.filter(code=spec["bloc"]).first()
    if bloc is None:
        raise BenchError(f"bloc {spec['bloc']} not found")
    current = BlocYear.objects.filter(bloc=bloc).order_by("-year").first()
    ranking_year = ranking_year_of(bloc)
    profiles = {
        p.user.username: p
        for p in Profile.objects.select_related("user", "unit", "province").filter(
            user__username__in=[spec["secretariat"], spec["officer"], spec["provincial"]]
        )
    }
    for persona in ("secretariat", "officer", "provincial"):
        if spec[persona] not in profiles:
            raise BenchError(f"user {spec[persona]} ({persona}) not found")
    officer = profiles[spec["officer"]]
    provincial = profiles[spec["provincial"]]
    report = (
        ProgressReport.objects.filter(
            period__bloc_year=current,
            unit=officer.unit,
            status__in=[ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED],
        )
        .order_by("-period__order")
        .first()
    )
    if report is None:
        raise BenchError(f"{spec['officer']} has no draft report in {bloc.code} {current.year}")
    ranked = Membership.objects.filter(bloc_year__bloc=bloc, bloc_year__year=ranking_year).select_related("unit")
    members = Membership.objects.filter(bloc_year=current).select_related("unit")
    sections = list(report.sections.values_list("content_id", flat=True))
    return Target(
        name=spec["name"],
        bloc=bloc.code,
        bloc_name=bloc.name,
        year=current.year,
        ranking_year=ranking_year,
        province=provincial.province.code,
        report_pk=report.pk,
        units=members.count(),
        personas={p: spec[p] for p in ("secretariat", "officer", "provincial")},
        password=spec["password"],
        expected={
            "ranking": [html.escape(m.unit.name) for m in ranked],
            "board": [html.escape(m.unit.short_name) for m in members],
            "officer_home": [html.escape(officer.unit.name)],
            "report_form": ['name="version"'] + [f'name="s{cid}-done"' for cid in sections],
            "province": [html.escape(bloc.name)],
        },
    )


def data_counts() -> dict:
    from core.models import AuditEntry, Bloc, BlocYear, Membership, Province, Unit
    from reports.models import Evidence, ProgressReport, ReportSection

    counts = {
        "provinces": Province.objects.count(),
        "blocs": Bloc.objects.count(),
        "units": Unit.objects.count(),
        "bloc_years": BlocYear.objects.count(),
        "memberships": Membership.objects.count(),
        "reports": ProgressReport.objects.count(),
        "report_sections": ReportSection.objects.count(),
        "evidence": Evidence.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }
    with contextlib.suppress(Exception):
        from scoring.models import ScoreSheet

        counts["score_sheets"] = ScoreSheet.objects.count()
    return counts


# --------------------------------------------------------------------------------------------------------------
# SQL queries per page, in process


def count_queries(target: Target, repeats: int = 5, host: str = "127.0.0.1") -> dict:
    """Per page: queries of a warmed-up GET as rendered, the median time in process with the time spent in SQL;
    and the same for the page served from the page cache (kept_*)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = {u.username: u for u in get_user_model().objects.filter(username__in=target.personas.values())}
    clients = {}
    for persona, username in target.personas.items():
        client = Client(HTTP_HOST=host)
        client.force_login(users[username])
        clients[persona] = client
    out = {}
    for page, persona, path in target.pages():
        client = clients[persona]
        response = client.get(path)  # warm-up: sessions, lazy caches
        if response.status_code != 200:
            raise BenchError(f"{target.name} {page}: GET {path} answered {response.status_code} in process")
        walls, sqls, counts, slowest = [], [], [], {}
        for _ in range(repeats):
            caches["pages"].clear()  # the page as rendered; kept_* below: as served from the page cache
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path)
                walls.append(time.perf_counter() - started)
            counts.append(len(ctx.captured_queries))
            sqls.append(sum(float(q.get("time") or 0) for q in ctx.captured_queries))
            for q in ctx.captured_queries:
                key = q["sql"][:160]
                slowest[key] = max(slowest.get(key, 0.0), float(q.get("time") or 0) * 1000)
        client.get(path)  # kept now (the CSRF cookie was set by the warm-up)
        kept_walls, kept_counts = [], []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                kept = client.get(path)
                kept_walls.append(time.perf_counter() - started)
            kept_counts.append(len(ctx.captured_queries))
        out[page] = {
            "path": path,
            "queries": counts[0],
            "kept": kept.get("X-Page-Cache") == "hit",
            "kept_queries": kept_counts[0],
            "kept_in_process_ms": round(statistics.median(kept_walls) * 1000, 2),
            "stable": len(set(counts)) == 1,
            "html_bytes": len(response.content),
            "in_process_ms": round(statistics.median(walls) * 1000, 2),
            "sql_ms": round(statistics.median(sqls) * 1000, 2),
            "slowest_sql": [
                {"ms": round(ms, 1), "sql": sql} for sql, ms in sorted(slowest.items(), key=lambda x: -x[1])[:3]
            ],
        }
    return out


# --------------------------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Http:
    """A tiny HTTP/1.1 client with a cookie jar (one connection per request, as gunicorn's sync workers close it)."""

    def __init__(self, base_url: str, timeout: float = 120):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, data=None, name: str | None = None) -> tuple[int, dict, str]:  # noqa: ARG002
        """The interface the deadline flow uses (locust's adapter has the same)."""
        r = self.send(method, path, data)
        return r.status, r.headers, r.text

    def send(self, method: str, path: str, data=None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close", "User-Agent": "khoithidua-bench"}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            started = time.perf_counter()
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
            raw = resp.read()
            elapsed = time.perf_counter() - started
            for value in resp.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
            headers_out = {k.lower(): v for k, v in resp.getheaders()}
            return Response(resp.status, headers_out, raw, elapsed)
        finally:
            conn.close()


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(client, username: str, password: str) -> None:
    """POST the login form with its CSRF token; `client` is Http or locust's adapter (it keeps the cookies)."""
    status, _headers, text = client.request("GET", LOGIN_PATH, name="login form")
    match = CSRF_RE.search(text)
    if status != 200 or not match:
        raise BenchError(f"login page answered {status} without a CSRF token")
    status, headers, text = client.request(
        "POST",
        LOGIN_PATH,
        [("csrfmiddlewaretoken", match.group(1)), ("username", username), ("password", password)],
        name="login",
    )
    if status != 302 or urllib.parse.urlsplit(headers.get("location", "")).path == LOGIN_PATH:
        why = " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]
        raise BenchError(f"login of {username} failed (answer {status}): {why}")


def check_page(http: Http, path: str, expected: list[str]) -> Response:
    """GET path: it must answer 200 and contain every expected string."""
    r = http.send("GET", path)
    if r.status != 200:
        raise BenchError(f"GET {path} answered {r.status} (expected 200)")
    text = r.text
    missing = [s for s in expected if s not in text]
    if missing:
        raise BenchError(f"GET {path}: expected content missing: {missing[:3]}")
    return r


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn (2 sync workers) on a free loopback port in its own process group; stopped by its pid."""

    def __init__(self, env: dict, workers: int = 2, log_path: Path | None = None):
        self.env, self.workers = env, workers
        self.log_path = log_path or (TMP_DIR / "gunicorn.log")
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, port: int | None = None) -> Gunicorn:
        """Start on `port` (a restart keeps its port, so the sessions' clients stay valid) or a free one."""
        gunicorn = Path(sys.executable).with_name("gunicorn")
        cmd = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = port if (port and attempt == 0) else free_port()
            self.proc = subprocess.Popen(  # noqa: S603
                [
                    *cmd,
                    "khoithidua.wsgi:application",
                    "--workers",
                    str(self.workers),
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "300",
                    "--error-logfile",
                    str(self.log_path),
                    "--log-level",
                    "warning",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise BenchError(f"gunicorn did not start; see {self.log_path}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, http.client.HTTPException):
                if Http(self.url, timeout=5).send("GET", HELLO_PATH).status == 200:
                    return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        pid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # its own group (start_new_session): the master and its workers
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def write_static_reference(static_root: Path, body: bytes) -> Path:
    """The page's HTML as a static file (same size), for WhiteNoise to serve from STATIC_ROOT."""
    static_root.mkdir(parents=True, exist_ok=True)
    path = static_root / STATIC_NAME
    path.write_bytes(body)
    return path


# --------------------------------------------------------------------------------------------------------------
# Load: wrk, hey, or a threaded Python loop


def pick_tool(requested: str = "auto") -> str:
    if requested != "auto":
        if requested != "python" and shutil.which(requested) is None:
            raise BenchError(f"{requested} is not installed")
        return requested
    for tool in ("wrk", "hey"):
        if shutil.which(tool):
            return tool
    return "python"


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    def latency(pct: str) -> float | None:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return _to_ms(m.group(1), m.group(2)) if m else None

    requests = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if not (requests and rps):
        raise BenchError(f"cannot read wrk's output:\n{output}")
    socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
    return {
        "requests": int(requests.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + socket_errors,
        "socket_errors": socket_errors,
    }


def parse_hey(output: str) -> dict:
    def latency(pct: str) -> float | None:
        m = re.search(rf"^\s*{pct}%+ in ([\d.]+) secs", output, re.M)
        return float(m.group(1)) * 1000 if m else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    codes = {int(c): int(n) for c, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", output)}
    errors = re.search(r"Error distribution:\n((?:\s+\[\d+\].*\n?)+)", output)
    error_count = sum(int(n) for n in re.findall(r"\[(\d+)\]", errors.group(1))) if errors else 0
    if not rps:
        raise BenchError(f"cannot read hey's output:\n{output}")
    return {
        "requests": sum(codes.values()) + error_count,
        "rps": float(rps.group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": sum(n for c, n in codes.items() if not 200 <= c < 400) + error_count,
    }


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered), max(1, math.ceil(pct / 100 * len(ordered)))) - 1
    return ordered[k]


def python_load(base_url: str, path: str, cookie: str, duration: float, connections: int) -> dict:
    """The fallback load loop: `connections` threads, one request at a time each, for `duration` seconds."""
    parts = urllib.parse.urlsplit(base_url)
    host, port = parts.hostname, parts.port or 80
    headers = {"Host": f"{host}:{port}", "Connection": "close", "User-Agent": "khoithidua-bench"}
    if cookie:
        headers["Cookie"] = cookie
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop_at = time.perf_counter() + duration

    def worker(i: int) -> None:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=60)
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            latencies[i].append(time.perf_counter() - started)
            if not ok:
                errors[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x * 1000 for lst in latencies for x in lst]
    return {
        "requests": len(flat),
        "rps": len(flat) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(flat, 50),
        "p99_ms": percentile(flat, 99),
        "errors": sum(errors),
    }


def measure(
    base_url: str, path: str, cookie: str = "", *, duration: float = 10, connections: int = 8, tool: str = "python"
) -> dict:
    """p50/p99 latency (ms) and requests/s of GET path under `connections` concurrent clients."""
    url = base_url.rstrip("/") + path
    seconds = max(1, round(duration))
    if tool == "wrk":
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603
        result = parse_wrk(out.stdout)
    elif tool == "hey":
        cmd = ["hey", "-z", f"{seconds}s", "-c", str(connections), "-t", "30"]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603
        result = parse_hey(out.stdout)
    else:
        result = python_load(base_url, path, cookie, duration, connections)
        seconds = duration
    for key in ("rps", "p50_ms", "p99_ms"):
        if result.get(key) is not None:
            result[key] = round(result[key], 3 if key != "rps" else 1)
    return {"path": path, "tool": tool, "duration_s": seconds, "connections": connections, **result}


def warm_up(base_url: str, path: str, cookie: str = "", requests: int = 20, connections: int = 2) -> None:
    """A few requests spread over the workers first: templates compiled, database connections opened."""
    python_load_count(base_url, path, cookie, requests, connections)


def python_load_count(base_url: str, path: str, cookie: str, requests: int, connections: int) -> None:
    client = Http(base_url)
    client.cookies = dict(c.split("=", 1) for c in cookie.split("; ") if c)
    lock = threading.Lock()
    left = [requests]

    def worker() -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            with contextlib.suppress(OSError, http.client.HTTPException):
                client.send("GET", path)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --------------------------------------------------------------------------------------------------------------
# Deadline day


class FormParser(HTMLParser):
    """The fields of every <form> of a page: (name, value) of inputs, textareas and checked boxes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._textarea: list | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = True
            self.forms.append([])
        elif not self._in_form or "name" not in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.forms[-1].append((name, value.lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def report_form_fields(page: str) -> list[tuple[str, str]]:
    """The fields of the report form (the form carrying `version`)."""
    parser = FormParser()
    parser.feed(page)
    for form in parser.forms:
        if any(name == "version" for name, _value in form):
            return form
    raise BenchError("no report form (with a version field) on the page")


SECTION_RE = re.compile(r"^s(\d+)-(done|difficulties|next_steps)$")
RESULT_RE = re.compile(r"^s(\d+)-r(\d+)-(indicator|target|result)$")


def filled_report(fields: list[tuple[str, str]], who: str) -> list[tuple[str, str]]:
    """Every section field filled (results against targets included), the rest kept as the page had it."""
    texts = {
        "done": "Đơn vị đã triển khai đầy đủ nội dung {n}: ban hành kế hoạch, phân công, kiểm tra; "
        "kết quả đạt và vượt chỉ tiêu đề ra ({who}).",
        "difficulties": "Biên chế còn thiếu, khối lượng công việc lớn trong kỳ.",
        "next_steps": "Tiếp tục đôn đốc, kiểm tra; tổng hợp báo cáo đúng hạn.",
    }
    result_values = {"indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn", "target": "100%", "result": "100%"}
    out, sections, rows = [], set(), set()
    for name, value in fields:
        if m := SECTION_RE.match(name):
            sections.add(m.group(1))
            value = texts[m.group(2)].format(n=m.group(1), who=who)
        elif m := RESULT_RE.match(name):
            rows.add(m.group(1))
            value = value or result_values[m.group(3)]
        elif name == "general_proposals":
            value = "Đề nghị Hội đồng Thi đua - Khen thưởng tỉnh sớm hướng dẫn tiêu chí năm sau."
        out.append((name, value))
    for cid in sorted(sections - rows):
        out += [(f"s{cid}-r0-{k}", v) for k, v in result_values.items()]
    return out


def deadline_flow(client, edit_path: str, username: str, record: dict) -> None:
    """One officer on deadline day, logged in: open the draft, save it filled in, open it again, save and submit,
    see the submitted report. Fills record["claimed"] (the server answered that it was submitted) and
    record["errors"]. `client.request(method, path, data, name)` -> (status, headers, text), redirects not followed.
    """
    report_path = edit_path[: -len("edit/")]

    def step(method, path, data=None, name="", expect=200, location=None):
        record["requests"] += 1
        status, headers, text = client.request(method, path, data, name=name)
        where = urllib.parse.urlsplit(headers.get("location", "")).path
        if status != expect or (location is not None and where != location):
            raise BenchError(f"{name}: {method} {path} answered {status}{' → ' + where if where else ''}")
        return text

    try:
        page = step("GET", edit_path, name="open draft")
        step(
            "POST",
            edit_path,
            [*filled_report(report_form_fields(page), username), ("save", "")],
            name="save draft",
            expect=302,
            location=edit_path,
        )
        page = step("GET", edit_path, name="open draft again")
        record["submit_sent"] = True
        step(
            "POST",
            edit_path,
            [*filled_report(report_form_fields(page), username), ("submit", "")],
            name="save and submit",
            expect=302,
            location=report_path,
        )
        record["claimed"] = True
        step("GET", report_path, name="submitted report")
    except BenchError as e:
        record["errors"].append(str(e))
    except Exception as e:  # the load must go on: count it
        record["errors"].append(f"{type(e).__name__}: {e}")


def deadline_users(bloc_code: str, count: int, password: str) -> list[dict]:
    """Officers of `bloc_code` (its latest year) with a draft in the latest period that has drafts, by username."""
    from core.models import BlocYear, Profile
    from reports.models import ProgressReport

    current = BlocYear.objects.filter(bloc__code=bloc_code).order_by("-year").first()
    if current is None:
        raise BenchError(f"bloc {bloc_code} not found")
    drafts = ProgressReport.objects.filter(period__bloc_year=current, status=ProgressReport.Status.DRAFT)
    latest = drafts.order_by("-period__order").values_list("period_id", flat=True).first()
    reports = {r.unit_id: r for r in drafts.filter(period_id=latest)}
    officers = (
        Profile.objects.filter(role=Profile.Role.OFFICER, unit_id__in=reports, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    users, seen = [], set()
    for p in officers:
        if p.unit_id in seen:
            continue
        seen.add(p.unit_id)
        report = reports[p.unit_id]
        users.append(
            {
                "username": p.user.username,
                "password": password,
                "report_pk": report.pk,
                "edit_path": f"/blocs/{bloc_code}/{current.year}/reports/{report.pk}/edit/",
            }
        )
        if len(users) == count:
            break
    return users


def verify_deadline(users: list[dict], records: dict, since: dt.datetime) -> dict:
    """Count in the database: submitted exactly once, not submitted, twice; lost = the server answered 302 to the
    submission (or 200) but the report is not submitted exactly once."""
    from core.models import AuditEntry
    from reports.models import ProgressReport

    pks = [u["report_pk"] for u in users]
    status = dict(ProgressReport.objects.filter(pk__in=pks).values_list("pk", "status"))
    submits: dict[str, int] = {}
    for target_id in AuditEntry.objects.filter(
        action="report.submit",
        target_type="reports.progressreport",
        target_id__in=[str(pk) for pk in pks],
        at__gte=since,
    ).values_list("target_id", flat=True):
        submits[target_id] = submits.get(target_id, 0) + 1
    once = twice = not_submitted = lost = 0
    for u in users:
        n = submits.get(str(u["report_pk"]), 0)
        submitted = status.get(u["report_pk"]) == ProgressReport.Status.SUBMITTED
        ok = submitted and n == 1
        once += ok
        twice += n > 1
        not_submitted += not submitted
        if (records.get(u["username"], {}).get("claimed") and not ok) or n > 1:
            lost += 1
    return {"submitted_once": once, "submitted_twice": twice, "not_submitted": not_submitted, "lost": lost}


def restore_drafts(users: list[dict]) -> int:
    """Put the benchmark's reports back to draft, so that the next run submits the same ones."""
    from django.db.models import F

    from reports.models import ProgressReport

    return (
        ProgressReport.objects.filter(pk__in=[u["report_pk"] for u in users])
        .exclude(status=ProgressReport.Status.DRAFT)
        .update(
            status=ProgressReport.Status.DRAFT, first_submitted_at=None, submitted_at=None, version=F("version") + 1
        )
    )


def deadline_python(base_url: str, users: list[dict]) -> dict:
    """The deadline flow with one thread per user (used when locust is missing)."""
    barrier = threading.Barrier(len(users))
    records = {u["username"]: new_record() for u in users}
    marks: dict[str, float] = {}

    def run(u: dict) -> None:
        rec = records[u["username"]]
        client = Http(base_url)
        try:
            started = time.perf_counter()
            login(client, u["username"], u["password"])
            rec["login_s"] = time.perf_counter() - started
        except Exception as e:
            rec["errors"].append(f"login: {e}")
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=300)
        marks.setdefault("start", time.perf_counter())
        if not rec["errors"]:
            timed = TimedClient(client, rec)
            deadline_flow(timed, u["edit_path"], u["username"], rec)
        marks["end"] = max(marks.get("end", 0), time.perf_counter())

    threads = [threading.Thread(target=run, args=(u,), daemon=True) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"engine": "python", "records": records, "work_s": marks.get("end", 0) - marks.get("start", 0)}


def new_record() -> dict:
    return {"requests": 0, "errors": [], "claimed": False, "submit_sent": False, "latencies_ms": [], "login_s": None}


class TimedClient:
    """Wraps a client of the deadline flow to keep each request's latency."""

    def __init__(self, client, record: dict):
        self.client, self.record = client, record

    def request(self, method, path, data=None, name=None):
        started = time.perf_counter()
        try:
            return self.client.request(method, path, data, name=name)
        finally:
            self.record["latencies_ms"].append([name, (time.perf_counter() - started) * 1000])


def step_stats(records: dict) -> dict:
    """Per step of the flow: count, p50 and p99 latency in ms."""
    by_step: dict[str, list[float]] = {}
    for r in records.values():
        for name, ms in r["latencies_ms"]:
            by_step.setdefault(name, []).append(ms)
    return {
        name: {"count": len(v), "p50_ms": round(percentile(v, 50), 1), "p99_ms": round(percentile(v, 99), 1)}
        for name, v in by_step.items()
    }


def deadline_locust(base_url: str, users: list[dict], tmp_dir: Path, timeout: float = 600) -> dict:
    """The deadline flow in locust (headless): all users log in, wait for each other, then save and submit."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    config, result = tmp_dir / "deadline-users.json", tmp_dir / "deadline-result.json"
    config.write_text(json.dumps(users))
    result.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_DEADLINE_USERS=str(config), BENCH_DEADLINE_RESULT=str(result))
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(len(users)),
        "--spawn-rate",
        str(len(users)),
        "--host",
        base_url,
        "--run-time",
        f"{int(timeout)}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    out = subprocess.run(  # noqa: S603
        cmd, cwd=BENCH_DIR, env=env, capture_output=True, text=True, timeout=timeout + 60, stdin=subprocess.DEVNULL
    )
    if not result.exists():
        raise BenchError(f"locust wrote no result (exit {out.returncode}):\n{out.stderr[-3000:]}")
    data = json.loads(result.read_text())
    data["engine"] = "locust"
    data["locust_summary"] = out.stdout[-4000:]
    return data


def locust_available() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("locust") is not None
    except (ImportError, ValueError):
        return False


def deadline(
    base_url: str, users: list[dict], *, engine: str = "auto", tmp_dir: Path = TMP_DIR, restore: bool = True
) -> dict:
    """Run the deadline-day load and count errors and lost submissions in the database."""
    from django.utils import timezone

    if not users:
        raise BenchError("no officer with a draft report for the deadline-day load")
    if engine == "auto":
        engine = "locust" if locust_available() else "python"
    since = timezone.now()
    run = deadline_locust(base_url, users, tmp_dir) if engine == "locust" else deadline_python(base_url, users)
    records = run["records"]
    counts = verify_deadline(users, records, since)
    if restore:
        restore_drafts(users)
    latencies = [ms for r in records.values() for _name, ms in r["latencies_ms"]]
    work_requests = sum(r["requests"] for r in records.values())
    errors = [f"{name}: {e}" for name, r in records.items() for e in r["errors"]]
    work_s = run.get("work_s") or 0
    logins = [r["login_s"] for r in records.values() if r.get("login_s") is not None]
    return {
        "engine": run["engine"],
        "users": len(users),
        "requests": work_requests,
        "errors": len(errors),
        "error_details": errors[:20],
        "claimed": sum(1 for r in records.values() if r["claimed"]),
        **counts,
        "duration_s": round(work_s, 3),
        "rps": round(work_requests / work_s, 1) if work_s else 0.0,
        "login_s": round(max(logins), 3) if logins else None,
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "steps": step_stats(records),
        "restored_to_draft": restore,
    }


# --------------------------------------------------------------------------------------------------------------
# PDFs and LibreOffice


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def pdf_times(bloc_code: str, year: int, *, fresh_runs: int = 1, unchanged_runs: int = 3) -> dict:
    """The ranking PDF of a bloc year in this process, as the download view gets it (render.document_for).

    fresh: nothing stored for it (rendered now); unchanged: asked again, no data changed (found by the bloc's data
    version); settled: after a change to the year's data that leaves the ranking as it was (the year's version
    raised: the stored PDF must be checked again), once the worker's refresh that
    follows every change (render.refresh_ahead: only large blocs render ahead) has run — the wait of a user who
    prints once the data has settled. ahead_s is that refresh's time, spent by the worker, not by a user.
    """
    from core.dataversion import raise_versions
    from core.models import BlocYear
    from documents.models import RenderedDocument
    from documents.render import document_for, prepare, refresh_ahead, slot_of

    def load() -> BlocYear:
        return BlocYear.objects.select_related("bloc__province").get(bloc__code=bloc_code, year=year)

    fresh, unchanged, settled, ahead, pages, rows, size = [], [], [], [], None, None, None
    for _ in range(fresh_runs):
        bloc_year = load()
        RenderedDocument.objects.filter(slot=slot_of("ranking", bloc_year)).delete()
        started = time.perf_counter()
        document, prepared = document_for("ranking", bloc_year)
        fresh.append(time.perf_counter() - started)
        assert prepared is not None and bytes(document.pdf)[:4] == b"%PDF", "not rendered"  # noqa: S101
        pages, rows = document.pages, len(prepared.data["body"]["rows"])
    started = time.perf_counter()
    prepare("ranking", load())
    prepare_s = time.perf_counter() - started
    for _ in range(unchanged_runs):
        bloc_year = load()
        started = time.perf_counter()
        document, prepared = document_for("ranking", bloc_year)
        size = len(bytes(document.pdf))
        unchanged.append(time.perf_counter() - started)
        assert prepared is None, "the unchanged PDF was gathered again"  # noqa: S101
    for _ in range(unchanged_runs):
        bloc_year = load()
        raise_versions([bloc_year.bloc_id], bloc_year_ids=[bloc_year.pk])  # as a change to the year's data does
        bloc_year = load()
        started = time.perf_counter()
        refresh_ahead(bloc_year.bloc_id, bloc_year.bloc.data_version)
        ahead.append(time.perf_counter() - started)
        bloc_year = load()
        started = time.perf_counter()
        document, _prepared = document_for("ranking", bloc_year)
        assert bytes(document.pdf)[:4] == b"%PDF", "not a PDF"  # noqa: S101
        settled.append(time.perf_counter() - started)
    return {
        "bloc": bloc_code,
        "year": year,
        "rows": rows,
        "pages": pages,
        "pdf_bytes": size,
        "fresh_s": _median(fresh),
        "prepare_s": round(prepare_s, 4),
        "unchanged_s": _median(unchanged),
        "ahead_s": _median(ahead),
        "settled_s": _median(settled),
        "libreoffice_s": None,
    }


def libreoffice_time(bloc_code: str, year: int, work_dir: Path, runs: int = 3, warm: bool = True) -> float | None:
    """`soffice --headless --convert-to pdf` of the ranking as .xlsx (documents.exports.ranking_workbook), median."""
    soffice = soffice_path()
    if soffice is None:
        return None
    from core.models import BlocYear
    from documents.exports import ranking_workbook

    bloc_year = BlocYear.objects.select_related("bloc").get(bloc__code=bloc_code, year=year)
    work_dir.mkdir(parents=True, exist_ok=True)
    xlsx = work_dir / f"ranking-{bloc_code}-{year}.xlsx"
    ranking_workbook(bloc_year).save(xlsx)
    profile = work_dir / "lo-profile"
    times = []
    for i in range(0 if warm else 1, runs + 1):  # run 0 creates LibreOffice's profile: not counted
        out_dir = work_dir / f"lo-out-{i}"
        shutil.rmtree(out_dir, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        if not (out_dir / xlsx.with_suffix(".pdf").name).exists():
            raise BenchError(f"soffice wrote no PDF for {xlsx.name}")
        if i:
            times.append(elapsed)
    return _median(times)


def warm_pdf(bloc_code: str, year: int) -> None:
    """One render first: WeasyPrint's import and font loading are not what a user waits for."""
    from core.models import BlocYear
    from documents.render import prepare, render_pdf

    render_pdf(prepare("ranking", BlocYear.objects.get(bloc__code=bloc_code, year=year)))


# --------------------------------------------------------------------------------------------------------------
# Machine, results, table


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    with contextlib.suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    with contextlib.suppress(OSError):
        info["nproc"] = len(os.sched_getaffinity(0))
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    return info


def software() -> dict:
    import django

    out = {"django": django.get_version()}
    for name, cmd in (
        ("wrk", ["wrk", "-v"]),
        ("hey", None),
        ("soffice", [soffice_path() or "soffice", "--version"]),
        ("gunicorn", [sys.executable, "-m", "gunicorn", "--version"]),
        ("locust", [sys.executable, "-m", "locust", "--version"]),
    ):
        if name in ("wrk", "hey", "soffice") and not (soffice_path() if name == "soffice" else shutil.which(name)):
            out[name] = None
            continue
        if cmd is None:
            out[name] = "installed"
            continue
        with contextlib.suppress(Exception):
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)  # noqa: S603
            text = (r.stdout + r.stderr).strip().splitlines()
            out[name] = text[0][:120] if text else None
    with contextlib.suppress(Exception):
        from django.db import connection

        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SHOW server_version")
                out["database"] = f"PostgreSQL {cur.fetchone()[0]}"
            else:
                out["database"] = connection.vendor
    return out


def ratio(a, b) -> float | None:
    if a is None or b in (None, 0):
        return None
    return round(a / b, 3)


def compute_ratios(results: dict) -> dict:
    refs, pages, deadline_ = results["references"], results["pages"], results["deadline"]
    static_p50 = (refs.get("static") or {}).get("p50_ms")
    hello_rps = (refs.get("hello") or {}).get("rps")
    out = {
        "page_p50_over_static_p50": {name: ratio(p["p50_ms"], static_p50) for name, p in pages.items()},
        "page_rps_over_hello_rps": {name: ratio(p["rps"], hello_rps) for name, p in pages.items()},
        "deadline_rps_over_hello_rps": ratio((deadline_ or {}).get("rps"), hello_rps),
        "pdf_over_libreoffice": {},
    }
    for key, pdf in (results.get("pdf") or {}).items():
        if not isinstance(pdf, dict):
            continue
        lo = pdf.get("libreoffice_s")
        out["pdf_over_libreoffice"][key] = {
            "fresh": ratio(pdf.get("fresh_s"), lo),
            "unchanged": ratio(pdf.get("unchanged_s"), lo),
            "settled": ratio(pdf.get("settled_s"), lo),
        }
    return out


def evaluate_targets(results: dict) -> list[dict]:
    """Each target of the issue: what it asks, what was measured, met or not (None: not measured)."""
    r, out = results["ratios"], []
    q = results.get("queries") or {}
    demo, national = q.get("demo") or {}, q.get("national") or {}
    if demo and national:
        same = [p for p in demo if p in national and demo[p]["queries"] == national[p]["queries"]]
        out.append(
            {
                "target": "SQL queries per page equal at demo and national size",
                "measured": ", ".join(
                    f"{p} {demo[p]['queries']}/{national[p]['queries']}" for p in demo if p in national
                ),
                "met": len(same) == len(demo),
            }
        )
    for page, value in r["page_p50_over_static_p50"].items():
        out.append(
            {
                "target": f"{page}: p50 ≤ 3× the static file",
                "measured": None if value is None else f"{value:.1f}×",
                "met": None if value is None else value <= 3,
            }
        )
    d = results.get("deadline") or {}
    if d:
        out.append({"target": "deadline day: 0 errors", "measured": str(d["errors"]), "met": d["errors"] == 0})
        out.append(
            {
                "target": "deadline day: 0 lost submissions",
                "measured": f"{d['lost']} lost, {d['submitted_once']}/{d['users']} submitted exactly once",
                "met": d["lost"] == 0 and d["submitted_once"] == d["users"],
            }
        )
        value = r.get("deadline_rps_over_hello_rps")
        out.append(
            {
                "target": "deadline day: throughput ≥ 30 % of hello-world",
                "measured": None if value is None else f"{value * 100:.1f} %",
                "met": None if value is None else value >= 0.30,
            }
        )
    pdf = results.get("pdf") or {}
    lo_ratios = r.get("pdf_over_libreoffice") or {}
    for key, field_, limit, label in (
        ("small", "fresh", 0.1, "≥ 10× faster than LibreOffice, fresh"),
        ("small", "unchanged", 0.01, "≥ 100× faster than LibreOffice, data unchanged"),
        ("large", "settled", 1.0, "wait once data settled ≤ LibreOffice's conversion"),
        ("large", "fresh", None, "fresh render time (reported, no fixed target)"),
    ):
        if key not in pdf:
            continue
        value = (lo_ratios.get(key) or {}).get(field_)
        seconds = pdf[key].get(f"{field_}_s")
        if not value:
            speed = "LibreOffice not measured"
        else:
            speed = (
                f"{1 / value:.1f}× faster than LibreOffice" if value <= 1 else f"{value:.1f}× slower than LibreOffice"
            )
        out.append(
            {
                "target": f"{pdf[key].get('rows') or '?':,}-unit ranking PDF ({pdf[key]['bloc']}): {label}",
                "measured": f"{seconds:.3f} s, {speed}" if seconds is not None else None,
                "met": None if (value is None or limit is None) else value <= limit,
            }
        )
    return out


def validate_results(results: dict) -> list[str]:
    """What is missing or absurd in a results.json-shaped dict (empty: fine)."""
    problems = [f"missing key {k}" for k in RESULT_KEYS if k not in results]
    for group in ("references", "pages"):
        for name, m in (results.get(group) or {}).items():
            problems += [f"{group}.{name}: missing {k}" for k in MEASURE_KEYS if k not in m]
            if m.get("requests", 0) <= 0 or not (m.get("rps") or 0) > 0:
                problems.append(f"{group}.{name}: no requests measured")
            if m.get("p50_ms") is None or m.get("p99_ms") is None or not 0 < m["p50_ms"] <= m["p99_ms"]:
                problems.append(f"{group}.{name}: latencies not sane ({m.get('p50_ms')}, {m.get('p99_ms')})")
    d = results.get("deadline")
    if d:
        problems += [f"deadline: missing {k}" for k in DEADLINE_KEYS if k not in d]
    for key, pdf in (results.get("pdf") or {}).items():
        if isinstance(pdf, dict):
            problems += [f"pdf.{key}: missing {k}" for k in PDF_KEYS if k not in pdf]
            if not (pdf.get("fresh_s") or 0) > 0 or not (pdf.get("unchanged_s") or 0) > 0:
                problems.append(f"pdf.{key}: times not sane")
    for name in ("nproc", "cpu_model", "memory_gib"):
        if name not in (results.get("machine") or {}):
            problems.append(f"machine: missing {name}")
    return problems


def fmt(value, spec: str = ".1f", none: str = "—") -> str:
    return none if value is None else format(value, spec)


def table(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(
        f"Machine: {m.get('cpu_model', '?')}, {m.get('nproc')} CPUs, {m.get('memory_gib')} GiB; "
        f"{results['date']}; load tool {results['tool']} "
        f"(-c{results['config']['connections']}, {results['config']['duration_s']} s)"
    )
    lines.append("")
    lines.append(f"{'URL':<28} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>9} {'errors':>7} {'÷ static p50':>13}")
    static_p50 = (results["references"].get("static") or {}).get("p50_ms")
    for group in ("references", "pages"):
        for name, r in results[group].items():
            lines.append(
                f"{name:<28} {fmt(r['p50_ms'], '.2f'):>9} {fmt(r['p99_ms'], '.2f'):>9} {fmt(r['rps']):>9} "
                f"{r['errors']:>7} {fmt(ratio(r['p50_ms'], static_p50), '.1f') + '×':>13}"
            )
    d = results.get("deadline")
    if d:
        lines.append("")
        lines.append(
            f"Deadline day ({d['engine']}, {d['users']} officers): {d['requests']} requests in {d['duration_s']} s = "
            f"{d['rps']} req/s (p50 {d['p50_ms']} ms, p99 {d['p99_ms']} ms), {d['errors']} errors, "
            f"{d['submitted_once']}/{d['users']} submitted exactly once, {d['lost']} lost; "
            f"÷ hello-world {fmt(results['ratios']['deadline_rps_over_hello_rps'], '.3f')}"
        )
    q = results.get("queries") or {}
    if q:
        lines.append("")
        names = list(q)
        lines.append(
            f"{'SQL queries per page':<28} "
            + " ".join(f"{n:>10}" for n in names)
            + f" {'in-process ms':>14} {'of it SQL ms':>13} {'kept: queries':>14} {'kept: ms':>9}"
        )
        last = q[names[-1]]
        for page in PAGES:
            counts = " ".join(f"{(q[n].get(page) or {}).get('queries', '—'):>10}" for n in names)
            p = last.get(page, {})
            lines.append(
                f"{page:<28} {counts} {fmt(p.get('in_process_ms'), '.1f'):>14} "
                f"{fmt(p.get('sql_ms'), '.1f'):>13} {p.get('kept_queries', '—'):>14} "
                f"{fmt(p.get('kept_in_process_ms'), '.1f'):>9}"
            )
    pdf = results.get("pdf") or {}
    if pdf:
        lines.append("")
        lines.append(
            f"{'Ranking PDF':<28} {'rows':>6} {'fresh s':>9} {'unchanged s':>12} {'settled s':>10} "
            f"{'LibreOffice s':>14} {'fresh ÷ LO':>11} {'unch. ÷ LO':>11} {'settled ÷ LO':>13}"
        )
        for key, p in pdf.items():
            if not isinstance(p, dict):
                continue
            rr = results["ratios"]["pdf_over_libreoffice"].get(key, {})
            lines.append(
                f"{p['bloc'] + ' ' + str(p['year']):<28} {fmt(p['rows'], 'd'):>6} {fmt(p['fresh_s'], '.3f'):>9} "
                f"{fmt(p['unchanged_s'], '.4f'):>12} {fmt(p.get('settled_s'), '.4f'):>10} "
                f"{fmt(p['libreoffice_s'], '.3f'):>14} {fmt(rr.get('fresh'), '.3f'):>11} "
                f"{fmt(rr.get('unchanged'), '.4f'):>11} {fmt(rr.get('settled'), '.4f'):>13}"
            )
    lines.append("")
    lines.append("Targets of issue 7:")
    for t in results["targets"]:
        mark = {True: "MET    ", False: "NOT MET", None: "n/a    "}[t["met"]]
        lines.append(f"  [{mark}] {t['target']}: {t['measured']}")
    for note in results.get("notes") or []:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# The whole run


def measure_server(
    base_url: str,
    target: Target,
    sessions: dict[str, Http],
    *,
    duration: float,
    connections: int,
    tool: str,
    static_path: str = STATIC_PATH,
    warm_requests: int = 20,
) -> tuple[dict, dict]:
    """Reference URLs and pages under load, each warmed up and checked again after its run."""
    refs, pages = {}, {}
    plan = [
        ("references", "static", static_path, None, None),
        ("references", "hello", HELLO_PATH, None, None),
        ("references", "login_page", LOGIN_PATH, None, None),
    ] + [("pages", page, path, persona, page) for page, persona, path in target.pages()]
    for group, name, path, persona, page in plan:
        cookie = sessions[persona].cookie_header if persona else ""
        warm_up(base_url, path, cookie, requests=warm_requests)
        log(f"  measuring {name:<14} {path}")
        result = measure(base_url, path, cookie, duration=duration, connections=connections, tool=tool)
        if page:
            check_page(sessions[persona], path, target.expected[page])  # still logged in, still the right page
        (refs if group == "references" else pages)[name] = result
    return refs, pages


def login_personas(base_url: str, target: Target) -> dict[str, Http]:
    sessions = {}
    for persona, username in target.personas.items():
        client = Http(base_url)
        login(client, username, target.password)
        sessions[persona] = client
    return sessions


def check_pages(target: Target, sessions: dict[str, Http]) -> dict[str, Response]:
    return {page: check_page(sessions[persona], path, target.expected[page]) for page, persona, path in target.pages()}


def assemble(**parts) -> dict:
    results = {k: parts.get(k) for k in RESULT_KEYS}
    results["notes"] = list(parts.get("notes") or [])
    results["ratios"] = compute_ratios(results)
    results["targets"] = evaluate_targets(results)
    return results


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") in ("1", "true", "yes"),
        help="small scale data, its own database (khoithidua_bench_quick), results in bench/tmp/",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=float(os.environ.get("BENCH_DURATION", 10)),
        help="seconds of load per URL (default 10)",
    )
    p.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    p.add_argument("--tool", choices=["auto", "wrk", "hey", "python"], default="auto")
    p.add_argument("--deadline-users", type=int, default=50)
    p.add_argument("--deadline-engine", choices=["auto", "locust", "python"], default="auto")
    p.add_argument("--no-generate", action="store_true", help="reuse the data already in the database")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF and LibreOffice timings")
    p.add_argument("--output", type=Path, default=None, help="default bench/results.json (--quick: bench/tmp/)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    output = args.output or (TMP_DIR / "results-quick.json" if args.quick else RESULTS_PATH)
    url = database_url(args.quick)
    env = bench_env(url)
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    tool = pick_tool(args.tool)
    if tool != "wrk":
        notes.append(f"wrk not installed: load measured with {tool}" if args.tool == "auto" else f"tool {tool} chosen")
    log(
        f"Benchmark on {urllib.parse.urlsplit(url)._replace(netloc=urllib.parse.urlsplit(url).hostname or '').geturl()}"
        f" ({'quick' if args.quick else 'full size'}), load tool {tool}"
    )

    if ensure_database(url):
        log("created the database")
    timings = {}
    timings["migrate_s"] = manage(["migrate", "--noinput", "-v", "0"], env)
    timings["load_demo_s"] = manage(["load_demo", "-v", "0"], env, quiet=True)
    setup_django(env)
    scale = has_command("generate_scale_data")
    if not scale:
        notes.append("generate_scale_data is not in this checkout: measured on the demo bloc only (load_demo)")
    elif not args.no_generate:
        timings["generate_scale_data_s"] = manage(
            ["generate_scale_data", *(QUICK_SCALE_ARGS if args.quick else [])], env
        )
    timings["vacuum_analyze_s"] = analyze_database(url)
    timings["collectstatic_s"] = manage(["collectstatic", "--noinput", "-v", "0"], env)

    from django.db import connection

    demo = discover(DEMO)
    national = discover(NATIONAL) if scale and bloc_exists(NATIONAL["bloc"]) else None
    target = national or demo
    if scale and national is None:
        notes.append("bench-15 not in the database (generate_scale_data not run): measured on the demo bloc")
    log(
        f"Target: {target.bloc} {target.year} ({target.units} units), ranking {target.ranking_year}; "
        f"demo: {demo.bloc} {demo.year}"
    )
    data = {
        "counts": data_counts(),
        "target": target.name,
        "bloc": target.bloc,
        "year": target.year,
        "ranking_year": target.ranking_year,
        "units": target.units,
        "setup_timings_s": timings,
    }

    log("SQL queries per page (in process)…")
    queries = {"demo": count_queries(demo)}
    if national is not None:
        queries["national"] = count_queries(national)
    connection.close()

    stress = NATIONAL["stress_bloc"] if national is not None and bloc_exists(NATIONAL["stress_bloc"]) else None
    users = deadline_users(stress or demo.bloc, args.deadline_users, target.password if stress else demo.password)
    if len(users) < args.deadline_users:
        notes.append(f"deadline day: only {len(users)} officers with a draft found (asked {args.deadline_users})")
    engine = args.deadline_engine
    if engine == "auto":
        engine = "locust" if locust_available() else "python"
        if engine == "python":
            notes.append("locust not installed: deadline day run by threads in Python")

    server = Gunicorn(env)
    previous = {s: signal.signal(s, _raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        server.start()
        log(f"gunicorn on {server.url} (pid {server.proc.pid})")
        sessions = login_personas(server.url, target)
        checked = check_pages(target, sessions)
        write_static_reference(Path(env["STATIC_ROOT"]), checked["ranking"].body)
        server.stop()  # WhiteNoise lists STATIC_ROOT when a worker starts: restart to serve the new file
        server.start(port=server.port)
        for client in sessions.values():
            client.port = server.port
        log(f"gunicorn restarted on {server.url} (pid {server.proc.pid})")
        for path, size in ((STATIC_PATH, len(checked["ranking"].body)), (HELLO_PATH, None)):
            r = Http(server.url).send("GET", path)
            if r.status != 200 or (size is not None and len(r.body) != size):
                raise BenchError(f"GET {path} answered {r.status}, {len(r.body)} bytes")
        references, pages = measure_server(
            server.url, target, sessions, duration=args.duration, connections=args.connections, tool=tool
        )
        log(f"Deadline day: {len(users)} officers ({engine})…")
        deadline_result = deadline(server.url, users, engine=engine)
        connection.close()
    finally:
        server.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)

    pdf = {}
    if args.no_pdf:
        notes.append("PDF timings skipped (--no-pdf)")
    else:
        log("PDFs (in process, after one warm-up render)…")
        warm_pdf(target.bloc, target.ranking_year)
        pdf["small"] = pdf_times(target.bloc, target.ranking_year, fresh_runs=3, unchanged_runs=5)
        if stress:
            stress_year = ranking_year_of_code(stress)
            pdf["large"] = pdf_times(stress, stress_year, fresh_runs=1, unchanged_runs=3)
        if soffice_path():
            log("LibreOffice…")
            for p in pdf.values():
                p["libreoffice_s"] = libreoffice_time(p["bloc"], p["year"], TMP_DIR / "libreoffice")
        else:
            notes.append("soffice not installed: LibreOffice figures skipped")

    info = {**machine(), "load_average_at_start": load_at_start}
    busiest = max(load_at_start[0], info.get("load_average", [0])[0])
    if busiest > (info.get("nproc") or 1):
        notes.append(
            f"the machine was shared and busy (load average up to {busiest} on {info.get('nproc')} CPUs): absolute "
            "figures are low and noisy; the ratios compare URLs measured one after the other in the same conditions"
        )
    results = assemble(
        date=dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        machine=info,
        software=software(),
        config={
            "quick": args.quick,
            "duration_s": args.duration,
            "connections": args.connections,
            "gunicorn_workers": 2,
            "conn_max_age": 60,
            "deadline_users": len(users),
            "database": urllib.parse.urlsplit(url).path.lstrip("/"),
        },
        data=data,
        tool=tool,
        references=references,
        pages=pages,
        deadline=deadline_result,
        queries=queries,
        pdf=pdf,
        notes=notes,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log("")
    log(table(results))
    log(f"\nWritten {output.relative_to(BASE_DIR) if output.is_relative_to(BASE_DIR) else output}")
    problems = validate_results(results)
    if problems:
        log("Results incomplete: " + "; ".join(problems))
        return 1
    return 0


def ranking_year_of_code(code: str) -> int:
    from core.models import Bloc

    return ranking_year_of(Bloc.objects.get(code=code))


def _raise_exit(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)  # noqa: T201
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)

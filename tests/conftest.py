"""Test configuration: database-dependent skips, Playwright with Debian's Chromium, the page cache and data versions.

The test environment itself (test SECRET_KEY, immediate tasks, in-memory email, ...) is set by
khoithidua/test_settings.py, which pytest loads as the settings module.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps trying to reach the internet and fails on machines without it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium instead of a browser downloaded by `playwright install`."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path() or CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


def pytest_report_header(config):
    from django.db import connection

    chromium = chromium_path() or "absent"
    return [f"database: {connection.vendor}; chromium: {chromium}; REQUIRE_BROWSER={int(browser_required())}"]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    skip_browser = None
    if chromium_path() is None and not browser_required():
        skip_browser = pytest.mark.skip(
            reason=f"Chromium not found ({CHROMIUM}); apt-get install chromium, or set REQUIRE_BROWSER=1 to fail"
        )
    skip_postgres = None
    if connection.vendor != "postgresql":
        skip_postgres = pytest.mark.skip(
            reason="needs PostgreSQL (row locking, pg_dump, a throwaway cluster); this run uses SQLite"
        )

    for item in items:
        if skip_browser is not None and item.get_closest_marker("browser") is not None:
            item.add_marker(skip_browser)
        if skip_postgres is not None and item.get_closest_marker("postgres") is not None:
            item.add_marker(skip_postgres)


# The document tests read PDFs back with poppler-utils. Where it is missing (README, prerequisites) they are skipped
# with the reason, as the browser tests are without Chromium: a test that calls one of these tools and finds no such
# program is reported as skipped, not failed.
POPPLER_TOOLS = {"pdftotext", "pdffonts", "pdftoppm", "pdfinfo"}


def _poppler_missing(error: BaseException) -> str | None:
    missing = isinstance(error, FileNotFoundError) and error.filename in POPPLER_TOOLS
    if missing and shutil.which(error.filename) is None:
        return f"poppler-utils ({error.filename}) is not installed: apt-get install poppler-utils"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except FileNotFoundError as e:
        reason = _poppler_missing(e)
        if reason is None:
            raise
        pytest.skip(reason)


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server", "django_db_serialized_rollback"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _data_versions_and_page_cache(request, monkeypatch):
    """Most tests run inside a transaction that never commits: there, data versions are raised at once instead
    of after the commit. Every test starts with an empty page cache (SQLite reuses ids between tests) and an empty
    default cache (the per-minute throttles count every request from 127.0.0.1, whichever test made it)."""
    from django.core.cache import caches

    from core import dataversion

    caches["pages"].clear()
    caches["default"].clear()
    if not _commits(request):
        monkeypatch.setattr(dataversion, "after_commit", lambda callback: callback())


# --- personas and shared fixtures (tests helper) ---
from tests.personas import *  # noqa: F403

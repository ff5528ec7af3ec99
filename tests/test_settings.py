"""Production settings refuse to start insecurely and pass Django's deployment checks.

Each case runs in a fresh interpreter because settings are read once, at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables the test run sets (see conftest/Makefile) that must not leak into a "production" process.
OVERRIDDEN = {
    "DEBUG",
    "SECRET_KEY",
    "TESTING",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "TASKS_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

LOAD_SETTINGS = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OVERRIDDEN}
    clean["DJANGO_SETTINGS_MODULE"] = "khoithidua.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_without_secret_key_when_debug_off():
    result = run(["-c", LOAD_SETTINGS], DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_refuses_a_short_secret_key_when_debug_off():
    result = run(["-c", LOAD_SETTINGS], DEBUG="0", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = run(["-c", LOAD_SETTINGS], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_settings_pass_the_deployment_checks():
    result = run(
        ["manage.py", "check", "--deploy"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr

"""The settings of the test run, and the one source of its environment.

Tests run the production settings (DEBUG off) with the variables below: pytest loads this module (pyproject.toml,
DJANGO_SETTINGS_MODULE), which sets them before khoithidua/settings.py reads them, so that `make test` and a plain
`.venv/bin/pytest` behave alike; processes the tests start inherit them.
"""

import os

TEST_ENV = {
    "TESTING": "1",
    "SECRET_KEY": "test-only-secret-key-not-for-production-0123456789abcdef",
    "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SECURE_SSL_REDIRECT": "0",
}

os.environ.pop("DEBUG", None)  # the tests check the production behaviour
for _name, _value in TEST_ENV.items():
    os.environ.setdefault(_name, _value)
# Playwright's sync API runs an event loop in the test thread; without this the ORM raises SynchronousOnlyOperation
# in tests that use live_server and the ORM together.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from khoithidua.settings import *  # noqa: E402, F403

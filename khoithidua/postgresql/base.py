"""PostgreSQL, as Django's backend, but a new connection waits for a restarting database.

A restart (an upgrade, a failover, ``systemctl restart postgresql``) refuses connections for a few seconds. With
``CONN_HEALTH_CHECKS`` on, a request finds its kept connection dead and opens a new one; here that new connection is
tried again with growing pauses for up to ``DATABASE_CONNECT_RETRY_SECONDS`` (default 10) before the error reaches
the user, so that a restart costs a pause, not an error page. The task worker (ops/worker.py) benefits the same way.
"""

import logging
import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg2 import OperationalError

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "DATABASE_CONNECT_RETRY_SECONDS", 10)
        pause = 0.2
        while True:
            try:
                return super().get_new_connection(conn_params)
            except OperationalError:
                if time.monotonic() + pause > deadline:
                    raise
                logger.warning("database refuses connections; trying again in %.1f s", pause)
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

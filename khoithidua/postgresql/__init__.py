"""Django's PostgreSQL backend, waiting a few seconds for a database that is restarting instead of failing at once."""

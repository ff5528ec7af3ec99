"""Operations: what keeps the application running unattended, beside the domain apps.

This app owns
- backup and restore (``manage.py backup`` / ``restore``, ``archive.py``): the database, every file of the default
  storage (the evidence) and a manifest with checksums, verified before anything is written back;
- orphan files (``manage.py clean_orphan_files``, ``orphans.py``): files of the storage that no row points to, rows
  whose file is gone;
- the supervised task worker (``manage.py run_worker``, ``worker.py``): django-tasks-db's worker loop that rides out a
  database restart, writes a heartbeat, and re-queues the tasks a dead worker left running (``stale.py``);
- email deliveries (``mail.py``): an email sent by a task is recorded, so that a re-queued task never sends it twice.

It sits above the domain apps: it may read their models (the evidence files), they never import it.
"""

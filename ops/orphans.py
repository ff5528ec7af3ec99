"""Files of the default storage that no row points to, and rows whose file is gone.

Orphans come from uploads that failed half-way (the row rolled back, the file stayed, or was cut short by a full
disk), from restores, from hand edits. A file younger than ``min_age`` is never an orphan: an upload writes its
file before its row commits.
"""

import datetime
from dataclasses import dataclass

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from ops.archive import file_fields, storage_files


@dataclass(frozen=True)
class OrphanFile:
    name: str
    size: int | None
    modified: datetime.datetime | None


@dataclass(frozen=True)
class MissingFile:
    model: str
    pk: object
    name: str
    description: str


def _modified(storage: Storage, name: str) -> datetime.datetime | None:
    try:
        return storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


def _size(storage: Storage, name: str) -> int | None:
    try:
        return storage.size(name)
    except (NotImplementedError, OSError):
        return None


def referenced_files() -> dict[str, list[tuple[str, object, str]]]:
    """Every file name a row points to: name → [(model label, pk, row text)]."""
    names: dict[str, list[tuple[str, object, str]]] = {}
    for model, f in file_fields():
        for obj in model._default_manager.exclude(**{f.name: ""}).only("pk", f.name).iterator():
            name = getattr(obj, f.attname).name
            if name:
                names.setdefault(name, []).append((model._meta.label, obj.pk, f.name))
    return names


def scan(
    *, storage: Storage | None = None, min_age: datetime.timedelta = datetime.timedelta(hours=1), now=None
) -> tuple[list[OrphanFile], list[MissingFile]]:
    storage = storage or default_storage
    now = now or timezone.now()
    referenced = referenced_files()
    present = set()
    orphans = []
    for name in storage_files(storage):
        present.add(name)
        if name in referenced:
            continue
        modified = _modified(storage, name)
        if modified is not None and timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if modified is not None and now - modified < min_age:
            continue
        orphans.append(OrphanFile(name, _size(storage, name), modified))
    missing = [
        MissingFile(label, pk, name, field_name)
        for name, rows in sorted(referenced.items())
        if name not in present
        for label, pk, field_name in rows
    ]
    return orphans, missing


def delete(orphans: list[OrphanFile], *, storage: Storage | None = None) -> int:
    """Delete the orphans, checking again just before each one that no row points to it now."""
    storage = storage or default_storage
    referenced = referenced_files()
    deleted = 0
    for orphan in orphans:
        if orphan.name in referenced:
            continue
        storage.delete(orphan.name)
        deleted += 1
    return deleted

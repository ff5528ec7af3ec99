"""Backups: one tar file holding the database, every file of the default storage (the evidence) and a manifest.

Layout of ``khoithidua-YYYYMMDD-HHMMSS.tar``::

    database.pgdump | database.sqlite3   pg_dump --format=custom, or a copy made with SQLite's backup API
    files/<name in the storage>          each file of the default storage, as stored
    manifest.json                        what the archive holds, with the size and sha256 of every member

The database is read in one snapshot (PostgreSQL: a REPEATABLE READ transaction whose snapshot pg_dump shares;
SQLite: the copy itself), and the file names its rows point to are read in the same snapshot, so the manifest says
exactly which referenced files were missing from the storage. Files added after the snapshot are copied too (they
are orphans for the restored database; ``clean_orphan_files`` lists them).

The archive is written under a ``.partial`` name and renamed once complete. A restore reads it whole and checks
every checksum before it writes anything; then it writes the files (a file already there with the same content is
left alone), then replaces the database in one transaction. Stored PDFs live in the database
(``reports_rendereddocument``), so the dump carries them.

What is not in the archive and must be kept beside it: ``SECRET_KEY`` (an open ballot box is encrypted with a key
derived from it) and the environment file. The manifest carries a fingerprint of the key, never the key.
"""

import contextlib
import datetime
import hashlib
import hmac
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import models as db_models
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

logger = logging.getLogger(__name__)

FORMAT = "khoithidua-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
DATABASE_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, or an archive that must not be restored; the message says why (Vietnamese)."""


@dataclass
class Result:
    archive: Path
    manifest: dict
    warnings: list[str] = field(default_factory=list)
    restored_files: int = 0
    unchanged_files: int = 0


# --- helpers ----------------------------------------------------------------------------------------------------


def sha256_of(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class _Hashing:
    """A reader that hashes what passes through it (tarfile.addfile reads the member from it)."""

    def __init__(self, stream) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def secret_key_fingerprint(key: str) -> str:
    """A keyed digest that tells whether two keys are the same without revealing either."""
    return hmac.new(key.encode(), b"khoithidua.backup.secret-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy chương trình {name} (gói postgresql-client): cần để sao lưu và phục hồi.")
    return path


def app_version() -> dict:
    version = None
    with contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError):
        version = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"]
    commit = None
    git = shutil.which("git")
    if git is not None:
        try:
            out = subprocess.run(  # noqa: S603 (fixed arguments)
                [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
            )
            commit = out.stdout.strip() or None if out.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            pass
    return {"name": "khoithidua", "version": version, "commit": commit}


def storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in the storage, sorted per folder."""
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:  # a local storage whose folder does not exist yet holds nothing
        return
    prefix = f"{directory.rstrip('/')}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(dirs):
        yield from storage_files(storage, prefix + sub)


def file_fields() -> list[tuple[type[db_models.Model], db_models.FileField]]:
    """Every file field of the installed models: the rows that point into the storage."""
    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, db_models.FileField)
    ]


def safe_name(name: str) -> str:
    """A storage name from an archive: relative, no '..', no backslash (never written outside the storage)."""
    path = PurePosixPath(name)
    if not name or name != str(path) or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {name!r}.")
    return name


# --- what the database holds, read in the snapshot ------------------------------------------------------------


def _snapshot_facts(cursor, quote: Callable[[str], str]) -> dict:
    """Applied migrations, and the file names the rows point to (with their sha256 where the model keeps one)."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    referenced: dict[str, str | None] = {}
    for model, f in file_fields():
        checksum = model._meta.get_field("sha256").column if _has_field(model, "sha256") else None
        columns = quote(f.column) + (f", {quote(checksum)}" if checksum else "")
        cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")  # noqa: S608 (model metadata)
        for row in cursor.fetchall():
            if row[0]:
                referenced[row[0]] = row[1] if checksum else None
    return {"migrations": migrations, "referenced": referenced}


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def _dump_postgresql(target: Path) -> dict:
    """pg_dump in the snapshot of a REPEATABLE READ transaction that also reads the facts (own connection)."""
    pg_dump = tool("pg_dump")
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        conn.ensure_connection()
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            facts = _snapshot_facts(cursor, conn.ops.quote_name)
            params = conn.settings_dict
            result = subprocess.run(  # noqa: S603 (our arguments; the password goes through the environment)
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-password",
                    f"--file={target}",
                    *pg_connection_args(params),
                ],
                env=pg_environment(params),
                capture_output=True,
                text=True,
            )
            cursor.execute("COMMIT")
    finally:
        conn.close()
    if result.returncode != 0:
        raise BackupError(f"pg_dump thất bại: {result.stderr.strip()}")
    facts["server_version"] = server_version
    return facts


def pg_connection_args(params: dict) -> list[str]:
    args = [f"--dbname={params['NAME']}"]
    if params.get("HOST"):
        args.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        args.append(f"--port={params['PORT']}")
    if params.get("USER"):
        args.append(f"--username={params['USER']}")
    return args


def pg_environment(params: dict) -> dict:
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _dump_sqlite(target: Path) -> dict:
    """SQLite's online backup API: a consistent copy even while others write; the facts are read from the copy."""
    import sqlite3

    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        facts = _snapshot_facts(copy.cursor(), connection.ops.quote_name)
    finally:
        copy.close()
    facts["server_version"] = sqlite3.sqlite_version
    return facts


# --- backup -----------------------------------------------------------------------------------------------------


def default_archive_name(now: datetime.datetime | None = None) -> str:
    return f"khoithidua-{timezone.localtime(now or timezone.now()):%Y%m%d-%H%M%S}.tar"


def create_backup(output: Path, *, storage: Storage | None = None, log: Callable[[str], None] = logger.info) -> Result:
    """Write a complete archive to ``output`` (a new file; a directory gets a dated name inside it)."""
    storage = storage or default_storage
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    output = Path(output)
    if output.is_dir():
        output = output / default_archive_name()
    if output.exists():
        raise BackupError(f"Tệp {output} đã có: không ghi đè một bản sao lưu.")
    partial = output.with_name(output.name + ".partial")
    created_at = timezone.now()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="khoithidua-backup-") as tmp:
        dump = Path(tmp) / DATABASE_MEMBER[vendor]
        log(f"Sao lưu cơ sở dữ liệu ({vendor})…")
        facts = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
        try:
            # Owner-only from the first byte: the archive holds the whole database (password hashes included).
            raw = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
            with raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                with dump.open("rb") as stream:
                    database = _add(tar, DATABASE_MEMBER[vendor], stream, dump.stat().st_size)
                log("Sao lưu các tệp minh chứng…")
                files, checksums = [], {}
                for name in storage_files(storage):
                    with storage.open(name, "rb") as stream:
                        entry = _add(tar, FILES + name, stream, storage.size(name))
                    files.append({"path": name, **entry})
                    checksums[name] = entry["sha256"]
                missing = sorted(set(facts["referenced"]) - set(checksums))
                differing = sorted(
                    name
                    for name, expected in facts["referenced"].items()
                    if expected and name in checksums and checksums[name] != expected
                )
                if missing:
                    warnings.append(f"{len(missing)} tệp có dòng dữ liệu trỏ tới mà kho không có: {missing[:5]}")
                if differing:
                    warnings.append(f"{len(differing)} tệp khác mã sha256 ghi trong dữ liệu: {differing[:5]}")
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": created_at.isoformat(),
                    "app": app_version(),
                    "django": django.get_version(),
                    "database": {
                        "vendor": vendor,
                        "server_version": facts["server_version"],
                        "member": DATABASE_MEMBER[vendor],
                        **database,
                    },
                    "migrations": facts["migrations"],
                    "storage": {"backend": f"{type(storage).__module__}.{type(storage).__qualname__}"},
                    "files": files,
                    "files_total_size": sum(f["size"] for f in files),
                    "referenced_files": len(facts["referenced"]),
                    "missing_files": missing,
                    "checksum_mismatches": differing,
                    "secret_key_fingerprint": secret_key_fingerprint(settings.SECRET_KEY),
                    "kept_beside": ["SECRET_KEY", "the environment file (khoithidua.env)"],
                }
                encoded = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(encoded), int(created_at.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(encoded))
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
            partial.rename(output)
        except OSError as e:  # a full disk, an unreadable file: no partial archive is left behind
            partial.unlink(missing_ok=True)
            raise BackupError(f"Sao lưu thất bại, không để lại tệp dở: {e}") from e
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Result(output, manifest, warnings)


def _add(tar: tarfile.TarFile, member: str, stream, size: int) -> dict:
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    reader = _Hashing(stream)
    tar.addfile(info, reader)  # raises if the file is shorter than announced
    return {"name": member, "size": reader.size, "sha256": reader.digest.hexdigest()}


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest complete archives of the folder (by their dated names)."""
    archives = sorted(Path(directory).glob("khoithidua-*.tar"))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


# --- verify and restore -----------------------------------------------------------------------------------------


def verify_archive(path: Path) -> dict:
    """Read the whole archive and check it against its manifest; the manifest when everything matches.

    Refuses (BackupError) a file that is not a complete archive, a manifest of another format, a member missing or
    not listed, or one whose size or sha256 differs.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Không có tệp sao lưu {path}.")
    try:
        with tarfile.open(path, "r:") as tar:
            members = tar.getmembers()  # reads to the end: a truncated archive fails here
            by_name: dict[str, tarfile.TarInfo] = {}
            for member in members:
                if not member.isfile():
                    raise BackupError(f"Bản sao lưu có mục không phải tệp thường: {member.name!r}.")
                if member.name in by_name:
                    raise BackupError(f"Bản sao lưu có hai mục cùng tên {member.name!r}.")
                by_name[member.name] = member
            if MANIFEST not in by_name:
                raise BackupError("Bản sao lưu không có manifest.json: không đầy đủ hoặc không phải bản sao lưu này.")
            try:
                manifest = json.loads(tar.extractfile(by_name[MANIFEST]).read())
            except ValueError as e:
                raise BackupError(f"manifest.json hỏng: {e}.") from e
            if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"Không nhận ra định dạng bản sao lưu ({manifest.get('format')!r}, "
                    f"phiên bản {manifest.get('format_version')!r})."
                )
            expected = {manifest["database"]["name"]: manifest["database"]}
            for entry in manifest["files"]:
                safe_name(entry["path"])
                if entry["name"] != FILES + entry["path"]:
                    raise BackupError(f"Mục {entry['name']!r} không khớp tên tệp {entry['path']!r}.")
                expected[entry["name"]] = entry
            listed = set(expected) | {MANIFEST}
            absent = sorted(set(expected) - set(by_name))
            if absent:
                raise BackupError(f"Bản sao lưu thiếu {len(absent)} mục ghi trong manifest, ví dụ {absent[:3]}.")
            extra = sorted(set(by_name) - listed)
            if extra:
                raise BackupError(f"Bản sao lưu có {len(extra)} mục không ghi trong manifest, ví dụ {extra[:3]}.")
            bad = []
            for name, entry in expected.items():
                digest, size = sha256_of(tar.extractfile(by_name[name]))
                if size != entry["size"] or digest != entry["sha256"]:
                    bad.append(name)
            if bad:
                raise BackupError(f"{len(bad)} mục sai mã kiểm tra (sha256) hoặc kích thước, ví dụ {bad[:3]}.")
    except (tarfile.TarError, EOFError, OSError, KeyError, TypeError) as e:
        raise BackupError(f"Tệp sao lưu hỏng hoặc không đầy đủ ({type(e).__name__}: {e}).") from e
    return manifest


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations applied in the backup that this code does not have: it comes from a newer release."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    installed = {config.label for config in apps.get_app_configs()}  # rows of a removed app do not count
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known and app in installed
    )


def restore_archive(
    path: Path, *, storage: Storage | None = None, log: Callable[[str], None] = logger.info
) -> Result:
    """Verify the archive, then write its files into the storage and replace the database with its dump."""
    storage = storage or default_storage
    manifest = verify_archive(path)
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"Bản sao lưu là của cơ sở dữ liệu {manifest['database']['vendor']}, đang dùng {vendor}: không phục hồi."
        )
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            f"Bản sao lưu do phiên bản mới hơn tạo (có migration mà mã này không có: {', '.join(newer[:5])}). "
            "Cài đúng phiên bản rồi phục hồi."
        )
    if vendor == "postgresql":
        tools = {"pg_restore": tool("pg_restore"), "psql": tool("psql")}
    warnings = []
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if manifest["secret_key_fingerprint"] not in {secret_key_fingerprint(k) for k in keys}:
        warnings.append(
            "SECRET_KEY hiện tại khác khóa lúc sao lưu: phiếu của cuộc bỏ phiếu đang mở không giải mã được và mọi "
            "phiên đăng nhập mất hiệu lực. Đặt lại SECRET_KEY cũ (hoặc thêm nó vào SECRET_KEY_FALLBACKS)."
        )
    result = Result(Path(path), manifest, warnings)
    with tarfile.open(path, "r:") as tar, tempfile.TemporaryDirectory(prefix="khoithidua-restore-") as tmp:
        log(f"Phục hồi {len(manifest['files'])} tệp…")
        for entry in manifest["files"]:
            _restore_file(tar, entry, storage, result)
        dump = Path(tmp) / manifest["database"]["member"]
        with tar.extractfile(manifest["database"]["name"]) as source, dump.open("wb") as target:
            reader = _Hashing(source)
            shutil.copyfileobj(reader, target, CHUNK)
        if reader.digest.hexdigest() != manifest["database"]["sha256"]:
            raise BackupError("Tệp cơ sở dữ liệu trong bản sao lưu đã thay đổi trong lúc phục hồi: dừng lại.")
        log("Phục hồi cơ sở dữ liệu…")
        if vendor == "postgresql":
            _load_postgresql(dump, Path(tmp), tools)
        else:
            _load_sqlite(dump)
    from django.core.cache import caches

    caches["pages"].clear()  # pages kept for the data before the restore (their data versions may come back)
    return result


def _restore_file(tar: tarfile.TarFile, entry: dict, storage: Storage, result: Result) -> None:
    name = safe_name(entry["path"])
    if storage.exists(name):
        with storage.open(name, "rb") as current:
            if sha256_of(current)[0] == entry["sha256"]:
                result.unchanged_files += 1
                return
        storage.delete(name)
    with tar.extractfile(entry["name"]) as source:
        saved = storage.save(name, File(source, name=name))
    if saved != name:
        storage.delete(saved)
        raise BackupError(f"Kho tệp lưu {name!r} dưới tên khác ({saved!r}): dừng lại.")
    with storage.open(name, "rb") as written:
        if sha256_of(written) != (entry["sha256"], entry["size"]):
            raise BackupError(f"Tệp {name!r} ghi vào kho không khớp mã kiểm tra: dừng lại.")
    result.restored_files += 1


def _load_postgresql(dump: Path, tmp: Path, tools: dict) -> None:
    """The dump replaces the whole public schema in one transaction: the old data stays if anything fails."""
    connections.close_all()
    params = connections[DEFAULT_DB_ALIAS].settings_dict
    env = pg_environment(params)
    script = tmp / "restore.sql"
    result = subprocess.run(  # noqa: S603 (our arguments)
        [tools["pg_restore"], "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore không đọc được bản dump: {result.stderr.strip()}")
    preamble = tmp / "preamble.sql"
    # Waits at most 30 s for the tables: a web server or worker still running holds them (stop them first).
    preamble.write_text("SET lock_timeout = '30s';\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
    result = subprocess.run(  # noqa: S603 (our arguments)
        [
            tools["psql"],
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={preamble}",
            f"--file={script}",
            *pg_connection_args(params),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"Phục hồi cơ sở dữ liệu thất bại, dữ liệu cũ giữ nguyên: {result.stderr.strip()[-2000:]}")


def _load_sqlite(dump: Path) -> None:
    import sqlite3

    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # one step: replaces the whole database at once
    finally:
        source.close()

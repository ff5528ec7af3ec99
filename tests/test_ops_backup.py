"""manage.py backup and restore (ops/archive.py): what an archive holds, that a restore checks it whole before writing
anything, and that a restored demo prints the same ranking, keeps every evidence file and finds its PDF again."""

import hashlib
import io
import json
import shutil
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from core.models import Bloc, BlocYear
from documents.models import RenderedDocument
from ops import archive
from reports.models import Evidence
from reports.services import add_evidence
from tests.personas import make_bloc_year

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]

needs_pg_tools = pytest.mark.skipif(
    connection.vendor == "postgresql" and not all(shutil.which(t) for t in ("pg_dump", "pg_restore", "psql")),
    reason="pg_dump, pg_restore and psql (postgresql-client) are needed to back up PostgreSQL",
)
pytestmark = [needs_pg_tools]


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return settings.MEDIA_ROOT


@pytest.fixture
def year_with_evidence(transactional_db, media) -> BlocYear:
    year = make_bloc_year(units=2)
    for i, unit in enumerate(year.units):
        add_evidence(
            bloc_year=year,
            unit=unit,
            upload=SimpleUploadedFile(f"bao-cao-{i}.pdf", PDF + f"% {i}\n".encode()),
            summary=f"Báo cáo {i}",
            by=None,
        )
    return year


def backup(tmp_path: Path, **kwargs) -> Path:
    out = tmp_path / "backups"
    out.mkdir(exist_ok=True)
    call_command("backup", output=out, stdout=StringIO(), stderr=StringIO(), **kwargs)
    (archive_path,) = sorted(out.glob("khoithidua-*.tar"))
    return archive_path


def restore(path: Path, **kwargs) -> str:
    out = StringIO()
    call_command("restore", str(path), interactive=False, stdout=out, stderr=out, **kwargs)
    return out.getvalue()


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def rewrite(path: Path, target: Path, *, change=None, drop: str | None = None, add: dict | None = None) -> Path:
    """A copy of the archive with members changed (change(name, data) -> data), dropped or added."""
    contents = members(path)
    with tarfile.open(target, "w") as tar:
        for name, data in {**contents, **(add or {})}.items():
            if name == drop:
                continue
            if change is not None:
                data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def with_manifest(path: Path, target: Path, edit) -> Path:
    def change(name, data):
        if name != archive.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return rewrite(path, target, change=change)


def storage_snapshot() -> dict[str, str]:
    snapshot = {}
    for name in archive.storage_files(default_storage):
        with default_storage.open(name, "rb") as f:
            snapshot[name] = hashlib.sha256(f.read()).hexdigest()
    return snapshot


# What a backup holds ---------------------------------------------------------------------------------------------


def test_an_archive_holds_the_database_every_file_and_a_manifest_of_checksums(year_with_evidence, tmp_path, settings):
    orphan = default_storage.save("evidence/orphan.pdf", SimpleUploadedFile("orphan.pdf", PDF))
    path = backup(tmp_path)

    contents = members(path)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == "khoithidua-backup" and manifest["format_version"] == 1
    assert manifest["app"]["version"] == "0.1.0"
    assert manifest["database"]["vendor"] == connection.vendor
    assert hashlib.sha256(contents[manifest["database"]["name"]]).hexdigest() == manifest["database"]["sha256"]
    assert "0001_initial" in manifest["migrations"]["ops"]
    assert manifest["created_at"]
    # The key itself never goes into the archive, only a fingerprint that tells whether it is the same.
    assert settings.SECRET_KEY not in contents["manifest.json"].decode()
    assert manifest["secret_key_fingerprint"] == archive.secret_key_fingerprint(settings.SECRET_KEY)

    evidence = {e.file.name: e.sha256 for e in Evidence.objects.all()}
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {*evidence, orphan}
    for name, sha in evidence.items():
        assert listed[name]["sha256"] == sha
        assert hashlib.sha256(contents["files/" + name]).hexdigest() == sha
        assert listed[name]["size"] == len(contents["files/" + name])
    assert manifest["missing_files"] == [] and manifest["checksum_mismatches"] == []
    assert manifest["referenced_files"] == 2
    assert not list(path.parent.glob("*.partial"))


def test_a_row_whose_file_is_missing_is_reported_by_the_backup(year_with_evidence, tmp_path):
    gone = Evidence.objects.first()
    default_storage.delete(gone.file.name)
    err = StringIO()
    call_command("backup", output=tmp_path, stdout=StringIO(), stderr=err)
    (path,) = tmp_path.glob("khoithidua-*.tar")
    assert json.loads(members(path)["manifest.json"])["missing_files"] == [gone.file.name]
    assert "không có" in err.getvalue()


def test_backup_keep_removes_the_oldest_archives(year_with_evidence, tmp_path):
    for stamp in ("20200101-000000", "20200102-000000", "20200103-000000"):
        (tmp_path / f"khoithidua-{stamp}.tar").write_bytes(b"old")
    call_command("backup", output=tmp_path, keep=2, stdout=StringIO(), stderr=StringIO())
    names = sorted(p.name for p in tmp_path.glob("khoithidua-*.tar"))
    assert len(names) == 2 and names[0] == "khoithidua-20200103-000000.tar"


# Restore checks everything before it writes anything ------------------------------------------------------------


@pytest.fixture
def archived(year_with_evidence, tmp_path):
    """An archive of the year, then the data changed after it: a bloc added, the evidence and its files removed."""
    path = backup(tmp_path)
    for e in Evidence.objects.all():
        default_storage.delete(e.file.name)
    Evidence.objects.all().delete()
    Bloc.objects.filter(pk=year_with_evidence.bloc_id).update(name="Đổi tên sau sao lưu")
    return path


def assert_nothing_written(year: BlocYear) -> None:
    assert Evidence.objects.count() == 0
    assert Bloc.objects.get(pk=year.bloc_id).name == "Đổi tên sau sao lưu"
    assert storage_snapshot() == {}


def test_restore_refuses_a_file_changed_inside_the_archive(archived, year_with_evidence, tmp_path):
    first = next(n for n in members(archived) if n.startswith("files/"))
    bad = rewrite(archived, tmp_path / "bad.tar", change=lambda n, d: d + b"x" if n == first else d)
    with pytest.raises(CommandError, match="sai mã kiểm tra"):
        restore(bad)
    assert_nothing_written(year_with_evidence)


def test_restore_refuses_a_changed_database_dump(archived, year_with_evidence, tmp_path):
    def change(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("database.") else data

    with pytest.raises(CommandError, match="sai mã kiểm tra"):
        restore(rewrite(archived, tmp_path / "bad.tar", change=change))
    assert_nothing_written(year_with_evidence)


def test_restore_refuses_a_truncated_archive(archived, year_with_evidence, tmp_path):
    cut = tmp_path / "cut.tar"
    data = archived.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="hỏng hoặc không đầy đủ"):
        restore(cut)
    assert_nothing_written(year_with_evidence)


def test_restore_refuses_an_archive_with_a_member_missing_or_added(archived, year_with_evidence, tmp_path):
    first = next(n for n in members(archived) if n.startswith("files/"))
    with pytest.raises(CommandError, match="thiếu 1 mục"):
        restore(rewrite(archived, tmp_path / "missing.tar", drop=first))
    with pytest.raises(CommandError, match="không ghi trong manifest"):
        restore(rewrite(archived, tmp_path / "extra.tar", add={"files/evidence/extra.pdf": PDF}))
    with pytest.raises(CommandError, match="không có manifest"):
        restore(rewrite(archived, tmp_path / "nomanifest.tar", drop="manifest.json"))
    assert_nothing_written(year_with_evidence)


def test_restore_refuses_a_name_outside_the_storage(archived, year_with_evidence, tmp_path):
    def edit(manifest):
        entry = manifest["files"][0]
        entry["path"], entry["name"] = "../../escaped.pdf", "files/../../escaped.pdf"

    contents = members(archived)
    first = next(n for n in contents if n.startswith("files/"))
    bad = with_manifest(archived, tmp_path / "step.tar", edit)
    bad = rewrite(bad, tmp_path / "bad.tar", drop=first, add={"files/../../escaped.pdf": contents[first]})
    with pytest.raises(CommandError, match="không hợp lệ"):
        restore(bad)
    assert not (tmp_path / "escaped.pdf").exists()
    assert_nothing_written(year_with_evidence)


def test_restore_refuses_another_database_or_a_newer_release(archived, year_with_evidence, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    with pytest.raises(CommandError, match=f"của cơ sở dữ liệu {other}"):
        restore(with_manifest(archived, tmp_path / "vendor.tar", lambda m: m["database"].update(vendor=other)))
    with pytest.raises(CommandError, match=r"phiên bản mới hơn.*ops.9999_future"):
        restore(with_manifest(archived, tmp_path / "newer.tar", lambda m: m["migrations"]["ops"].append("9999_future")))
    assert_nothing_written(year_with_evidence)


def test_restore_check_only_verifies(archived, year_with_evidence):
    out = restore(archived, check=True)
    assert "mọi mã kiểm tra khớp" in out
    assert_nothing_written(year_with_evidence)


def test_restore_puts_the_data_and_the_files_back(archived, year_with_evidence):
    out = restore(archived)
    assert "Đã phục hồi cơ sở dữ liệu và 2 tệp" in out
    assert Bloc.objects.get(pk=year_with_evidence.bloc_id).name != "Đổi tên sau sao lưu"
    assert Evidence.objects.count() == 2
    for e in Evidence.objects.all():
        with e.file.open("rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == e.sha256
    # Again: the files already there are left alone, the database is replaced again.
    assert "2 tệp đã có sẵn" in restore(archived)


def test_restore_warns_when_the_secret_key_differs(archived, settings):
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdef"
    assert "SECRET_KEY hiện tại khác" in restore(archived)
    settings.SECRET_KEY_FALLBACKS = ["test-only-secret-key-not-for-production-0123456789abcdef"]
    assert "SECRET_KEY hiện tại khác" not in restore(archived)


# The demo round trip ---------------------------------------------------------------------------------------------


def ranking_csv(year: BlocYear) -> str:
    out = StringIO()
    call_command("ranking", bloc=year.bloc.code, year=year.year, stdout=out)
    return out.getvalue()


def evidence_checksums() -> dict[int, tuple[str, str, str]]:
    sums = {}
    for e in Evidence.objects.all():
        with e.file.open("rb") as f:
            sums[e.pk] = (e.file.name, e.sha256, hashlib.sha256(f.read()).hexdigest())
    return sums


def round_trip_the_demo(tmp_path: Path) -> None:
    from documents.render import document_for, prepare

    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    year = BlocYear.objects.select_related("bloc__province").get(bloc__code="khoi-tckt", year=2017)
    ranking = ranking_csv(year)
    checksums = evidence_checksums()
    assert checksums and all(row_sha == file_sha for _name, row_sha, file_sha in checksums.values())
    document, _prepared = document_for("ranking", year)
    code, pdf = document.code, bytes(document.pdf)
    assert pdf.startswith(b"%PDF")

    path = backup(tmp_path)

    call_command("flush", interactive=False, verbosity=0)
    for name in archive.storage_files(default_storage):
        default_storage.delete(name)
    assert not BlocYear.objects.exists() and storage_snapshot() == {}

    restore(path)

    year = BlocYear.objects.select_related("bloc__province").get(bloc__code="khoi-tckt", year=2017)
    assert ranking_csv(year) == ranking
    assert evidence_checksums() == checksums
    stored = RenderedDocument.objects.get(code=code)
    assert bytes(stored.pdf) == pdf
    assert prepare("ranking", year).code == code  # the restored data prints the same verification code
    assert document_for("ranking", year)[0].pk == stored.pk


@pytest.mark.postgres
def test_the_demo_round_trips_on_postgresql(transactional_db, media, tmp_path):
    round_trip_the_demo(tmp_path)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the round trip")
def test_the_demo_round_trips_on_sqlite(transactional_db, media, tmp_path):
    round_trip_the_demo(tmp_path)


def test_an_archive_is_readable_by_its_owner_only(year_with_evidence, tmp_path):
    assert backup(tmp_path).stat().st_mode & 0o777 == 0o600


def test_a_backup_that_fails_half_way_leaves_no_archive(year_with_evidence, tmp_path, monkeypatch):
    import errno

    def full_disk(name, mode="rb"):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(default_storage, "open", full_disk)
    out = tmp_path / "backups"
    out.mkdir()
    with pytest.raises(CommandError, match=r"Sao lưu thất bại, không để lại tệp dở.*No space left"):
        call_command("backup", output=out, stdout=StringIO(), stderr=StringIO())
    assert list(out.iterdir()) == []

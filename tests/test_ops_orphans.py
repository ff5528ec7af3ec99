"""manage.py clean_orphan_files: files of the storage no row points to, rows whose file is gone (ops/orphans.py)."""

import datetime
import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from reports.models import Evidence
from reports.services import add_evidence
from tests.personas import make_bloc_year

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def storage_with_orphans(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    year = make_bloc_year(units=2)
    kept = add_evidence(
        bloc_year=year, unit=year.units[0], upload=SimpleUploadedFile("a.pdf", PDF), summary="Giữ", by=None
    )
    lost = add_evidence(
        bloc_year=year, unit=year.units[1], upload=SimpleUploadedFile("b.pdf", PDF), summary="Mất tệp", by=None
    )
    default_storage.delete(lost.file.name)
    old = default_storage.save(f"evidence/{year.pk}/left-by-a-failed-upload.pdf", ContentFile(PDF[:10]))
    two_hours_ago = time.time() - 7200
    os.utime(default_storage.path(old), (two_hours_ago, two_hours_ago))
    uploading = default_storage.save(f"evidence/{year.pk}/being-uploaded.pdf", ContentFile(PDF))
    return {"kept": kept, "lost": lost, "old": old, "uploading": uploading}


def clean(**options) -> str:
    out = StringIO()
    call_command("clean_orphan_files", stdout=out, **options)
    return out.getvalue()


def test_lists_orphans_and_missing_files_and_deletes_nothing_by_default(storage_with_orphans):
    s = storage_with_orphans
    out = clean()
    assert f"mồ côi  {s['old']}  10 byte" in out
    assert s["uploading"] not in out  # younger than --min-age: an upload may still be writing its row
    assert s["kept"].file.name not in out
    assert f"mất tệp  reports.Evidence #{s['lost'].pk} (file)  {s['lost'].file.name}" in out
    assert "1 tệp mồ côi (10 byte); 1 dòng dữ liệu mất tệp" in out
    assert "Chạy thử: chưa xóa gì" in out
    assert default_storage.exists(s["old"]) and default_storage.exists(s["uploading"])


def test_delete_removes_the_orphans_only(storage_with_orphans):
    s = storage_with_orphans
    assert "Đã xóa 1 tệp mồ côi." in clean(delete=True)
    assert not default_storage.exists(s["old"])
    assert default_storage.exists(s["uploading"]) and default_storage.exists(s["kept"].file.name)
    assert Evidence.objects.filter(pk=s["lost"].pk).exists()  # rows are never deleted


def test_min_age_zero_takes_fresh_files_too(storage_with_orphans):
    assert "2 tệp mồ côi" in clean(min_age=0)


def test_a_file_that_gets_its_row_meanwhile_is_not_deleted(storage_with_orphans):
    from ops import orphans

    s = storage_with_orphans
    found, _missing = orphans.scan(min_age=datetime.timedelta(0))
    Evidence.objects.filter(pk=s["lost"].pk).update(file=s["old"])  # the row now points to it
    orphans.delete(found)
    assert default_storage.exists(s["old"])


def test_an_empty_storage_is_fine(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "does-not-exist"
    assert "0 tệp mồ côi (0 byte); 0 dòng dữ liệu mất tệp" in clean()

"""Faults around the requests: an evidence store that refuses a file, a render whose worker died, a document that
could not be made. Each answers in Vietnamese, keeps what the user typed, leaves no junk and never stays stuck."""

import datetime
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.models import BlocYear
from documents import render
from documents.models import RenderedDocument
from reports import services
from reports.models import Evidence
from tests.personas import make_bloc_year
from tests.test_reports_workflow import at

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    services.create_default_periods(bloc_year=by, by=None, at=at(2025, 2, 1))
    return by


def test_an_upload_the_store_refuses_keeps_the_typed_report_and_leaves_no_file(client, year, tmp_path, monkeypatch):
    q1 = year.periods.get(code="q1")
    officer = year.officers[1]
    report = services.start_report(period=q1, unit=year.units[1], by=officer, at=at(2025, 3, 20))
    first = report.sections.order_by("content__order").first()

    def full_disk(self, name, content, max_length=None):
        (tmp_path / "media").mkdir(parents=True, exist_ok=True)
        (tmp_path / "media" / "half-written.pdf").write_bytes(b"%PDF-1.4 trunc")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    client.force_login(officer)
    url = reverse("reports:edit", args=[year.bloc.code, year.year, report.pk])
    typed = "Đã tổ chức hội nghị quán triệt cho 45 cán bộ, công chức."
    response = client.post(url, {
        "version": report.version, "general_proposals": "",
        f"s{first.content_id}-done": typed,
        f"s{first.content_id}-difficulties": "",
        f"s{first.content_id}-next_steps": "",
        f"s{first.content_id}-upload": SimpleUploadedFile("kehoach.pdf", PDF, content_type="application/pdf"),
        f"s{first.content_id}-upload_summary": "Kế hoạch quán triệt",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "chưa lưu được tệp" in page and typed in page
    assert not Evidence.objects.exists()
    report.refresh_from_db()
    assert report.sections.get(pk=first.pk).done == ""  # nothing half-saved either


def test_add_evidence_turns_a_storage_error_into_a_vietnamese_refusal(year, monkeypatch):
    monkeypatch.setattr(FileSystemStorage, "_save", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "ro")))
    with pytest.raises(ServiceError, match="chưa lưu"):
        services.add_evidence(bloc_year=year, unit=year.units[1], upload=SimpleUploadedFile("a.pdf", PDF),
                              summary="Quyết định", by=None)


def test_a_render_left_pending_by_a_dead_worker_is_queued_again(year, settings):
    settings.DOCUMENT_PENDING_SECONDS = 60
    queued = []
    document, _prepared = render.document_for("covenant", year, schedule=queued.append)
    assert document.status == RenderedDocument.Status.PENDING and len(queued) == 1
    render.document_for("covenant", year, schedule=queued.append)
    assert len(queued) == 1  # still fresh: the worker is on it
    RenderedDocument.objects.filter(pk=document.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    render.document_for("covenant", year, schedule=queued.append)
    assert len(queued) == 2  # its worker died: queued again
    # Whoever waits for it (a small bloc's request, a command) renders it at once.
    done, _prepared = render.document_for("covenant", year)
    assert done.status == RenderedDocument.Status.DONE and bytes(done.pdf).startswith(b"%PDF")


def test_a_render_whose_data_cannot_be_gathered_is_marked_failed_not_pending(year, monkeypatch):
    document, _prepared = render.document_for("covenant", year, schedule=lambda prepared: None)

    def broken(*args, **kwargs):
        raise RuntimeError("dữ liệu hỏng")

    monkeypatch.setattr(render, "prepare", broken)
    with pytest.raises(RuntimeError):
        render.render_in_worker("covenant", year.pk, None, None)
    document.refresh_from_db()
    assert document.status == RenderedDocument.Status.FAILED and "dữ liệu hỏng" in document.error


def test_render_document_fails_loudly_instead_of_writing_an_empty_pdf(year, tmp_path, monkeypatch):
    out = tmp_path / "gu.pdf"
    call_command("render_document", "covenant", "--bloc", year.bloc.code, "--year", "2025", "-o", str(out),
                 stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")

    monkeypatch.setattr(render, "write_pdf", lambda html: (b"", 0))
    RenderedDocument.objects.all().delete()
    empty = tmp_path / "empty.pdf"
    with pytest.raises(CommandError, match="Không tạo được"):
        call_command("render_document", "covenant", "--bloc", year.bloc.code, "--year", "2025", "-o", str(empty),
                     stdout=io.StringIO())
    assert not empty.exists()

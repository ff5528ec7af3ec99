"""Evidence files (minh chứng): checked by their content before they are stored, removed again when the change
they came with fails."""

import contextlib
import datetime
import hashlib
import logging
from contextlib import contextmanager

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, record
from core.errors import ServiceError
from core.models import BlocYear, Membership, Unit
from reports.filecheck import check_content
from reports.models import Evidence

logger = logging.getLogger(__name__)


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Evidence -----------------------------------------------------------------------------------------

# Detected type → extensions a user may give it. Detection reads the file's content, not its name.
ALLOWED_TYPES = {
    "application/pdf": {"pdf"},
    "application/msword": {"doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.ms-excel": {"xls"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
}


def check_upload(upload: UploadedFile) -> str:
    """The upload's real content type, or a ServiceError in Vietnamese."""
    limit = settings.EVIDENCE_MAX_MB * 1024 * 1024
    size, name = upload.size or 0, upload.name or ""
    if size > limit:
        raise ServiceError(
            _("Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB.")
            % {
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": settings.EVIDENCE_MAX_MB,
            },
            field="file",
        )
    if size == 0:
        raise ServiceError(_("Tệp “%(name)s” rỗng.") % {"name": name}, field="file")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ServiceError(
            _("Tệp “%(name)s” không phải PDF, Word, Excel hay ảnh (kiểm tra theo nội dung tệp, không theo tên).")
            % {"name": upload.name},
            field="file",
        )
    if ext not in ALLOWED_TYPES[kind.mime]:
        raise ServiceError(
            _("Nội dung tệp “%(name)s” không khớp với phần mở rộng .%(ext)s.") % {"name": upload.name, "ext": ext},
            field="file",
        )
    reason = check_content(upload, kind.mime)
    if reason is not None:
        raise ServiceError(
            _("Tệp “%(name)s” bị từ chối: %(reason)s.") % {"name": upload.name, "reason": reason}, field="file"
        )
    return kind.mime


@contextmanager
def files_removed_on_error():
    """Collect evidence uploaded inside the block; if the block fails, remove their files too.

    The database rows roll back with the transaction, but files on disk do not: without this a failed
    save would leave files that nothing points to.
    """
    created: list[Evidence] = []
    try:
        yield created
    except BaseException:
        for evidence in created:
            evidence.file.storage.delete(evidence.file.name)
        raise


def _store(evidence: Evidence, upload: UploadedFile) -> None:
    """Write the file to the storage, or say in Vietnamese why it could not be kept (a full or read-only disk, an
    object store that refused it), leaving nothing half-written behind."""
    try:
        evidence.file.save(upload.name or "tep", upload, save=False)
    except Exception as e:  # OSError from a disk, botocore's ClientError/EndpointConnectionError from S3
        logger.exception("evidence file %r could not be stored", upload.name)
        if evidence.file.name:
            with contextlib.suppress(Exception):
                evidence.file.storage.delete(evidence.file.name)
        raise ServiceError(
            _(
                "Máy chủ chưa lưu được tệp “%(name)s” (kho lưu trữ đầy hoặc không ghi được). Nội dung bạn nhập "
                "vẫn còn trên trang: hãy thử lại sau ít phút hoặc báo quản trị hệ thống."
            )
            % {"name": upload.name},
            field="file",
        ) from e


@transaction.atomic
def add_evidence(
    *,
    bloc_year: BlocYear,
    unit: Unit,
    upload: UploadedFile,
    summary: str,
    number_symbol: str = "",
    issued_on: datetime.date | None = None,
    by: Actor,
    at: datetime.datetime | None = None,
) -> Evidence:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
    mime = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        bloc_year=bloc_year,
        unit=unit,
        number_symbol=number_symbol,
        issued_on=issued_on,
        summary=summary,
        original_name=(upload.name or "")[:255],
        content_type=mime,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=_now(at),
    )
    _store(evidence, upload)
    evidence.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="evidence.add",
        target=evidence,
        after={"summary": summary, "file": upload.name, "size": upload.size, "sha256": evidence.sha256},
        at=at,
    )
    return evidence

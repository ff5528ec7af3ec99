"""What an evidence file may contain beyond its type: office archives of bounded size, PDFs without active content,
no HTML hidden in a file of another type. Each check returns the Vietnamese reason for a refusal, or None."""

import re
import zipfile
from typing import IO

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Office Open XML and OpenDocument files are zip archives. A real report or table inflates to a few times its size
# and holds at most a few hundred parts; a zip bomb inflates a thousandfold.
ZIP_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_INFLATED = 200 * 1024 * 1024
_CHUNK = 1024 * 1024

# Keys and action types that run something when the file is opened or clicked, or carry other files.
PDF_ACTIVE_KEYS = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}
PDF_ACTIVE_ANNOTS = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"}
PDF_MAX_OBJECTS = 200_000
# The same names in the raw bytes (also written with #xx escapes), for a file pypdf cannot read and that has no
# stream: in compressed data three bytes like /JS turn up by chance.
_RAW_ACTIVE = re.compile(rb"/(?:JavaScript|JS|OpenAction|AA|EmbeddedFiles?|Launch|RichMedia|XFA)(?![A-Za-z0-9])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

# What makes a browser (or a mail client) take the bytes for a web page, whatever the file claims to be.
_HTML = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|object|embed|svg|meta|style)[\s/>]", re.I
)


# A file starts with the signature of its type, nothing before it (a reader that looks further in, as PDF readers
# do, would otherwise find a second file behind the first).
SIGNATURES = {"application/pdf": b"%PDF-", **dict.fromkeys(ZIP_TYPES, b"PK\x03\x04")}


def check_content(handle: IO[bytes], mime: str) -> str | None:
    """The first reason to refuse the file's content, or None. `handle` is read from its start."""
    handle.seek(0)
    signature = SIGNATURES.get(mime)
    reason = None
    if signature is not None and handle.read(len(signature)) != signature:
        reason = _("phần đầu tệp không đúng định dạng của nó")
    reason = reason or _check_html(handle)
    if reason is None and mime in ZIP_TYPES:
        reason = _check_zip(handle)
    if reason is None and mime == "application/pdf":
        reason = _check_pdf(handle)
    handle.seek(0)
    return reason


def _check_html(handle: IO[bytes]) -> str | None:
    handle.seek(0)
    tail = b""
    while chunk := handle.read(_CHUNK):
        if _HTML.search(tail + chunk):
            return _("tệp chứa mã trang web (HTML) lẫn trong nội dung")
        tail = chunk[-64:]
    return None


def _check_zip(handle: IO[bytes]) -> str | None:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return _("tệp nén chứa quá nhiều thành phần")
            # The sizes written in the archive can lie: count what actually comes out.
            inflated = 0
            for entry in entries:
                with archive.open(entry) as part:
                    while chunk := part.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > ZIP_MAX_INFLATED:
                            return _("tệp giải nén ra quá lớn (nghi là “bom nén”)")
    # zipfile raises NotImplementedError for a compression method it cannot read: a broken or foreign file too.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError):
        return _("tệp Word/Excel bị hỏng (không đọc được cấu trúc tệp)")
    return None


def _check_pdf(handle: IO[bytes]) -> str | None:
    handle.seek(0)
    try:
        return _active_reason() if _pdf_has_active(PdfReader(handle, strict=False)) else None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        pass
    handle.seek(0)
    raw = handle.read()
    if b"stream" in raw:  # compressed objects pypdf could not open might hide anything
        return _("tệp PDF bị hỏng hoặc có cấu trúc không kiểm tra được")
    if _RAW_ACTIVE.search(_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)):
        return _active_reason()
    return None


def _active_reason() -> str:
    return _("tệp PDF chứa mã chạy tự động (JavaScript, hành động khi mở) hoặc tệp đính kèm")


def _pdf_has_active(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (object streams included, names decoded by pypdf)."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    walked = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        walked += 1
        if walked > PDF_MAX_OBJECTS:
            return True
        if isinstance(obj, DictionaryObject):
            if PDF_ACTIVE_KEYS & set(obj.keys()):
                return True
            if obj.get("/S") in PDF_ACTIVE_ACTIONS or obj.get("/Subtype") in PDF_ACTIVE_ANNOTS:
                return True
            stack.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False

"""Uploads (issue 11, item 7): the request body is bounded before it is read, a file past the evidence limit is not
kept while it arrives, office archives are inflated with a bound, PDFs with active content or attachments are
refused, and so is a file with a web page hidden in it."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.errors import ServiceError
from core.models import BlocYear
from khoithidua.uploads import LimitedTemporaryFileUploadHandler
from reports import filecheck
from reports.models import Evidence
from reports.services.evidence import check_upload
from tests.personas import make_bloc_year

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def year(db):
    return make_bloc_year(units=2, year=2025, phase=BlocYear.Phase.REPORTING)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ServiceError) as e:
        check_upload(upload(name, data))
    return str(e.value)


def xlsx() -> bytes:
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["Đơn vị", 1])
    wb.save(buffer)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None, *, bomb_mb: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        if bomb_mb:
            with z.open("word/media/zeros.bin", "w") as part:
                block = b"\0" * (1024 * 1024)
                for _ in range(bomb_mb):
                    part.write(block)
    return buffer.getvalue()


def pdf(*, open_action=None, attachment=False, compress=True) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if open_action is not None:
        writer._root_object[NameObject("/OpenAction")] = open_action
    if attachment:
        writer.add_attachment("lenh.bat", b"format c:")
    if compress:
        for page in writer.pages:
            page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def javascript_action(code: str = "app.alert('x')") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})


def test_ordinary_office_files_and_pdfs_pass():
    assert check_upload(upload("bang.xlsx", xlsx())).endswith("spreadsheetml.sheet")
    assert check_upload(upload("bao-cao.docx", docx())) == DOCX
    assert check_upload(upload("quyet-dinh.pdf", pdf())) == "application/pdf"
    assert check_upload(upload("nho.pdf", MINIMAL_PDF)) == "application/pdf"


def test_a_zip_bomb_named_docx_is_refused_by_what_it_inflates_to(settings, monkeypatch):
    monkeypatch.setattr(filecheck, "ZIP_MAX_INFLATED", 64 * 1024 * 1024)
    bomb = docx(bomb_mb=80)
    assert len(bomb) < 1024 * 1024  # under a megabyte on the wire
    assert "bom nén" in refusal("bao-cao.docx", bomb)


def test_an_office_file_with_too_many_parts_is_refused():
    many = docx({f"word/p{i}.xml": b"<p/>" for i in range(filecheck.ZIP_MAX_ENTRIES)})
    assert "quá nhiều thành phần" in refusal("bao-cao.docx", many)


def test_a_broken_archive_named_docx_is_refused():
    data = docx()
    assert "bị hỏng" in refusal("bao-cao.docx", data[: len(data) // 2])


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf(open_action=javascript_action()), id="javascript-open-action"),
        pytest.param(pdf(open_action=javascript_action(), compress=False), id="uncompressed"),
        pytest.param(
            pdf(
                open_action=DictionaryObject(
                    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
                )
            ),
            id="launch",
        ),
        pytest.param(pdf(attachment=True), id="embedded-file"),
        # A name written with #xx escapes, in a file pypdf cannot read (no catalogue): the raw bytes are checked.
        pytest.param(b"%PDF-1.4\n1 0 obj<</#4Apen#41ction<</S/JavaScript>>>>endobj\ntrailer<<>>\n%%EOF\n", id="raw"),
    ],
)
def test_pdfs_with_active_content_or_attachments_are_refused(data):
    assert "mã chạy tự động" in refusal("cong-van.pdf", data)


def objstm_pdf() -> bytes:
    """A PDF whose catalogue (with its /OpenAction) and the JavaScript action sit in a compressed object stream."""
    inner = [(1, b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>"), (4, b"<</S/JavaScript/JS(app.alert(1))>>")]
    header, body = b"", b""
    for num, data in inner:
        header += b"%d %d " % (num, len(body))
        body += data + b"\n"
    stream = zlib.compress(header + body)
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def obj(num, data):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + data + b"\nendobj\n")

    obj(2, b"<</Type/Pages/Kids[3 0 R]/Count 1>>")
    obj(3, b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>")
    obj(
        5,
        b"<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length %d>>stream\n" % (len(header), len(stream))
        + stream
        + b"\nendstream",
    )
    xref_at = out.tell()
    rows = [(0, 0, 65535)]
    for num in range(1, 7):
        if num in (1, 4):
            rows.append((2, 5, [n for n, _ in inner].index(num)))
        elif num == 6:
            rows.append((1, xref_at, 0))
        else:
            rows.append((1, offsets[num], 0))
    data = b"".join(struct.pack(">BIH", *r) for r in rows)
    out.write(
        b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % len(data)
        + data
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def test_an_object_stream_hides_nothing():
    data = objstm_pdf()
    assert b"OpenAction" not in data and b"JavaScript" not in data  # compressed out of sight of a byte search
    assert "mã chạy tự động" in refusal("cong-van.pdf", data)


def test_an_unreadable_pdf_with_compressed_streams_is_refused():
    data = b"%PDF-1.5\n1 0 obj<</Length 5/Filter/FlateDecode>>stream\nxxxxx\nendstream endobj\n%%EOF\n"
    assert "không kiểm tra được" in refusal("hong.pdf", data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "poly.pdf",
            b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n" + MINIMAL_PDF[9:],
        ),
        ("poly.pdf", MINIMAL_PDF + b"<!DOCTYPE html><svg onload=alert(1)>"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32 + b"<SCRIPT>alert(1)</SCRIPT>"),
        ("bao-cao.docx", docx({"word/page.html": b"<html><script>alert(1)</script></html>"}, bomb_mb=0)),
    ],
)
def test_a_polyglot_with_a_web_page_inside_is_refused(name, data):
    if name.endswith(".docx"):  # stored uncompressed so that the page shows in the bytes
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w:document/>")
            z.writestr("word/page.html", "<html><script>alert(1)</script></html>")
        data = buffer.getvalue()
    assert "HTML" in refusal(name, data)


def test_a_file_must_begin_with_its_types_signature():
    # filetype tolerates a byte-order mark before %PDF; a PDF reader would read on.
    assert "phần đầu tệp" in refusal("bom.pdf", b"\xef\xbb\xbf" + MINIMAL_PDF)


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, year, settings):
    settings.REQUEST_MAX_MB = 1
    client.force_login(year.officers[1])
    url = reverse("reports:evidence", args=[year.bloc.code, year.year])
    response = client.post(url, data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.content.decode() and "tối đa 1 MB" in response.content.decode()
    # Under the limit the request goes through to the form.
    assert client.get(url).status_code == 200


def test_an_evidence_file_over_the_limit_is_refused_with_its_size(client, year, settings):
    settings.EVIDENCE_MAX_MB = 1
    client.force_login(year.officers[1])
    url = reverse("reports:evidence", args=[year.bloc.code, year.year])
    big = SimpleUploadedFile("lon.pdf", MINIMAL_PDF + b"%" * (3 * 1024 * 1024))
    response = client.post(url, {"file": big, "summary": "Tệp lớn"})
    assert response.status_code == 200
    assert "vượt giới hạn 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_upload_handler_keeps_no_more_than_the_limit_on_disk(settings):
    settings.EVIDENCE_MAX_MB = 1
    handler = LimitedTemporaryFileUploadHandler()
    handler.new_file("file", "lon.pdf", "application/pdf", 3 * 1024 * 1024)
    chunk = b"%" * (256 * 1024)
    for i in range(12):
        handler.receive_data_chunk(chunk, i * len(chunk))
    stored = handler.file_complete(12 * len(chunk))
    assert stored.size == 3 * 1024 * 1024  # the real size, for the refusal
    stored.seek(0, io.SEEK_END)
    assert stored.tell() <= 1024 * 1024

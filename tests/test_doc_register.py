"""The register of issued documents, the record copy, the legal frame page, the awards register and the Word
copies (issue 14 items 1, 2, 3, 7)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from awards.models import Award
from core.errors import ServiceError
from documents import services
from documents.models import DocumentSetup, IssuedDocument, LegalText
from documents.render import prepare
from tests.personas import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(year, name, *args):
    return reverse(name, args=[year.bloc.code, year.year, *args])


def test_issuing_gives_the_next_number_and_the_document_prints_it(bloc_year, secretariat):
    first = services.issue_document(
        bloc_year=bloc_year, kind_code="ranking", issued_on=datetime.date(2025, 3, 2), by=secretariat
    )
    second = services.issue_document(
        bloc_year=bloc_year, kind_code="summary", issued_on=datetime.date(2025, 3, 3), by=secretariat
    )
    assert (first.number, second.number) == (1, 2) and first.symbol == second.symbol  # one BC- series
    header = prepare("summary", bloc_year).data["header"]
    assert header["number_line"] == f"Số: 02/{second.symbol}"
    assert header["date_line"].endswith("ngày 03 tháng 3 năm 2025")
    assert second.code == prepare("summary", bloc_year).code
    with pytest.raises(ServiceError, match="đã được ban hành"):
        services.issue_document(bloc_year=bloc_year, kind_code="summary", issued_on=datetime.date(2025, 3, 4), by=None)
    with pytest.raises(ServiceError, match="sau hôm nay"):
        services.issue_document(bloc_year=bloc_year, kind_code="plan", issued_on=datetime.date(2999, 1, 1), by=None)
    # Another kind issued under the same symbol shares the series: a number taken is refused.
    DocumentSetup.objects.create(bloc_year=bloc_year, kind="plan", symbol=first.symbol)
    with pytest.raises(ServiceError, match="đã được dùng"):
        services.issue_document(
            bloc_year=bloc_year, kind_code="plan", issued_on=datetime.date(2025, 5, 1), number=2, by=None
        )


def test_the_register_page_issues_and_keeps_the_signed_copy(client, bloc_year, secretariat, officer_b, settings,
                                                           tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(secretariat)
    page = client.get(url(bloc_year, "documents:register"))
    assert page.status_code == 200 and "ranking::" in page.content.decode()
    response = client.post(url(bloc_year, "documents:issue"), {"document": "ranking::", "issued_on": "02/03/2025"})
    assert response.status_code == 302
    entry = IssuedDocument.objects.get(bloc_year=bloc_year, kind="ranking")
    assert entry.number == 1 and entry.issued_on == datetime.date(2025, 3, 2)
    # A text file named .pdf is refused by its content; a real PDF is kept and served back.
    client.post(url(bloc_year, "documents:scan_upload", entry.pk), {"scan": SimpleUploadedFile("ky.pdf", b"hello")})
    entry.refresh_from_db()
    assert not entry.scan
    client.post(url(bloc_year, "documents:scan_upload", entry.pk), {"scan": SimpleUploadedFile("ky.pdf", PDF)})
    entry.refresh_from_db()
    assert entry.scan and entry.scan_name == "ky.pdf"
    download = client.get(url(bloc_year, "documents:scan_download", entry.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # The ranking's PDF is for readers: so is its record copy.
    client.force_login(officer_b)
    assert client.get(url(bloc_year, "documents:scan_download", entry.pk)).status_code == 403


def test_the_secretariat_adds_its_provinces_texts_to_the_legal_frame(client, bloc_year, secretariat):
    client.force_login(secretariat)
    data = {"kind": "decision", "number": "08/2025/QĐ-UBND", "citation": "Quyết định số 08/2025/QĐ-UBND của UBND tỉnh",
            "effective_from": "01/01/2025", "effective_to": ""}
    assert client.post(url(bloc_year, "documents:legal_frame"), data).status_code == 302
    text = LegalText.objects.get(number="08/2025/QĐ-UBND")
    assert text.province == bloc_year.bloc.province
    # From then on the frame, not the covenant, grounds the documents: cited from its effective date only.
    bases = prepare("summary", bloc_year).data["body"]["opening"]["legal_bases"]
    assert bases == ["Căn cứ Quyết định số 08/2025/QĐ-UBND của UBND tỉnh."]
    page = client.post(
        url(bloc_year, "documents:legal_frame"), {**data, "number": "09/2025/QĐ-UBND", "effective_to": "01/01/2020"}
    )
    assert page.status_code == 200 and "hết hiệu lực phải sau" in page.content.decode()


def test_the_awards_register_feeds_nothing_twice_and_refuses_a_decision_twice(client, bloc_year, secretariat):
    client.force_login(secretariat)
    unit = bloc_year.units[1]
    data = {"unit": unit.pk, "kind": "province_certificate", "title": "", "year": 2023, "decision_number": "12/QĐ-UBND",
            "decision_date": "15/02/2024", "issuer": "UBND tỉnh"}
    assert client.post(reverse("awards:index", args=[bloc_year.bloc.code, bloc_year.year]), data).status_code == 302
    again = client.post(reverse("awards:index", args=[bloc_year.bloc.code, bloc_year.year]), data)
    assert again.status_code == 200 and "đã có trong sổ" in again.content.decode()
    assert Award.objects.filter(unit=unit).count() == 1


def test_word_copies_of_the_summary_and_the_submission(client, bloc_year, secretariat):
    client.force_login(secretariat)
    for kind, needle in (("summary", "BÁO CÁO"), ("submission", "TỜ TRÌNH")):
        response = client.get(url(bloc_year, "documents:docx", kind))
        assert response.status_code == 200
        assert response["Content-Type"].endswith("wordprocessingml.document")
        doc = Document(io.BytesIO(response.content))
        paragraphs = [p.text for p in doc.paragraphs]
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        assert needle in paragraphs and any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in c for c in cells)
        assert doc.sections[0].left_margin.mm == pytest.approx(30, abs=0.5)
    assert client.get(url(bloc_year, "documents:docx", "ranking")).status_code == 404
    officer = make_user("cb-x", role="officer", unit=bloc_year.units[2])
    client.force_login(officer)
    assert client.get(url(bloc_year, "documents:docx", "summary")).status_code == 403

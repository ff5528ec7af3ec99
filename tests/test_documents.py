"""Documents common to every kind: fonts, layout basics, verification codes, permissions, Excel, the command."""

import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.formatting import vn_number
from core.models import BlocYear
from documents.layout import date_line
from documents.models import DocumentSetup
from documents.render import prepare, render_pdf
from tests.personas import make_bloc_year, make_user


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


@pytest.fixture
def year(db):
    return make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)


def test_vietnamese_numbers_and_date_lines():
    assert vn_number(Decimal("83.50")) == "83,5"
    assert vn_number(Decimal("100.00")) == "100"
    assert vn_number(Decimal("1234.5")) == "1.234,5"
    import datetime

    assert date_line("Kon Tum", datetime.date(2017, 5, 16)) == "Kon Tum, ngày 16 tháng 5 năm 2017"
    assert date_line("Kon Tum", datetime.date(2018, 2, 5)) == "Kon Tum, ngày 05 tháng 02 năm 2018"


def test_ranking_pdf_has_the_decree_30_layout_and_the_units_in_rank_order(year, tmp_path):
    DocumentSetup.objects.create(
        bloc_year=year,
        kind="ranking",
        parent_body="UBND TỈNH",
        issuing_body="KHỐI THI ĐUA THỬ NGHIỆM",
        number="5",
        symbol="BC-KTN",
        place="Đà Lạt",
        sign_form="TM",
        authority="KHỐI THI ĐUA",
        signer_title="TRƯỞNG KHỐI",
        signer_name="Nguyễn Văn Thử",
        recipients="Hội đồng TĐKT tỉnh\nLưu: VT",
    )
    prepared = prepare("ranking", year)
    pdf, _pages = render_pdf(prepared)
    text = pdf_text(pdf, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "KHỐI THI ĐUA THỬ NGHIỆM" in text and "UBND TỈNH" in text
    assert "Số: 05/BC-KTN" in text
    assert "năm 2025" in text and "xếp hạng thi đua năm 2025" in text
    assert "TM. KHỐI THI ĐUA" in text and "TRƯỞNG KHỐI" in text and "Nguyễn Văn Thử" in text
    assert "Nơi nhận:" in text and "Hội đồng TĐKT tỉnh" in text
    raw = subprocess.run(["pdftotext", "-raw", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True).stdout
    assert "DỰ THẢO" in " ".join(raw.split())  # the rotated watermark reads in raw order
    assert prepared.code in text.replace("\n", " ")
    order = [text.index(u.name[:20]) for u in year.units]
    assert order == sorted(order)  # all equal at 0 points: listed in STT order, sharing rank 1


def test_only_the_shipped_fonts_are_embedded(year, tmp_path):
    pdf, _pages = render_pdf(prepare("ranking", year))
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    for row in fonts:
        assert "+KTTimes" in row[0], row
        assert row[-5] == "yes"  # emb


def test_the_fonts_do_not_depend_on_fonts_installed_on_the_server(year, tmp_path):
    """Render in a process whose fontconfig knows no fonts at all: the PDF must be the same family."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    html = tmp_path / "doc.html"
    from documents.render import html_for

    html.write_text(html_for(prepare("ranking", year)))
    out = tmp_path / "isolated.pdf"
    script = (
        "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[3]).write_pdf(sys.argv[2])"
    )
    from django.conf import settings

    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run(
        [sys.executable, "-c", script, str(html), str(out), str(settings.BASE_DIR)],
        env=env,
        check=True,
        capture_output=True,
    )
    fonts = pdf_fonts(out.read_bytes(), tmp_path)
    assert fonts and all("+KTTimes" in row[0] for row in fonts)
    assert "XÃ HỘI CHỦ NGHĨA" in pdf_text(out.read_bytes(), tmp_path)


def verdict_of(client, code: str) -> str:
    page = client.get(reverse("verify_code", args=[code])).content.decode()
    if "Không khớp" in page:
        return "mismatch"
    return "match" if "Khớp" in page else ("unknown" if "Không có văn bản nào mang mã này" in page else "?")


def test_verification_matches_until_a_printed_value_changes_for_anyone(client, year):
    """Printed by the secretariat, checked by an anonymous holder of the page."""
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    printer = Client()
    printer.force_login(secretariat)
    url = reverse("documents:pdf", args=[year.bloc.code, year.year, "ranking"])
    code = printer.get(url)["X-Verification-Code"]

    assert verdict_of(client, code) == "match"
    unit = year.units[2]
    unit.name = "Sở đổi tên"
    unit.save()
    assert verdict_of(client, code) == "mismatch"
    unit.name = year.units[2].name
    code = printer.get(url)["X-Verification-Code"]
    assert verdict_of(client, code) == "match"
    setup = DocumentSetup.objects.filter(bloc_year=year, kind="ranking").first() or DocumentSetup(
        bloc_year=year, kind="ranking"
    )
    setup.signer_name = "Người ký khác"
    setup.save()
    assert verdict_of(client, code) == "mismatch"
    # The form sends the code to its own address.
    response = client.get(reverse("verify"), {"code": code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("verify_code", args=[code])


def test_a_forged_or_never_printed_code_is_unknown_not_changed(client, year):
    printed = prepare("ranking", year)  # gathered, never rendered: no page carries its code
    forged = printed.code[:-10] + "0123456789"
    assert verdict_of(client, printed.code) == "unknown"
    assert verdict_of(client, forged) == "unknown"
    assert verdict_of(client, "XH-999-2017-ABCDEF0123") == "unknown"
    assert verdict_of(client, "không phải mã") == "unknown"


def test_verification_shows_only_what_the_page_printed(client, year):
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    printer = Client()
    printer.force_login(secretariat)
    code = printer.get(reverse("documents:pdf", args=[year.bloc.code, year.year, "ranking"]))["X-Verification-Code"]
    page = client.get(reverse("verify_code", args=[code])).content.decode()
    assert year.bloc.name in page and str(year.year) in page and "Số:" in page
    assert "bản dự thảo" in page  # printed as a draft, and it says so
    # Nothing beyond the printed header: no unit names, scores or other documents.
    assert year.units[1].name not in page
    assert "Tổng điểm" not in page and "Hạng" not in page


def test_verification_is_rate_limited_per_address(client, year, settings):
    settings.VERIFY_PER_MINUTE = 3
    from django.core.cache import cache

    cache.clear()
    statuses = [client.get(reverse("verify_code", args=["XH-1-2017-0000000000"])).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "quá nhiều mã" in client.get(reverse("verify_code", args=["X"])).content.decode()


def test_officers_print_only_their_own_unit_documents(client, year):
    officer = year.officers[1]
    client.force_login(officer)
    assert client.get(reverse("documents:pdf", args=[year.bloc.code, year.year, "ranking"])).status_code == 403
    assert client.get(reverse("documents:index", args=[year.bloc.code, year.year])).status_code == 200


def test_another_blocs_documents_are_not_found(client, year, other_bloc_year):
    other = make_user("vp-khac", role="secretariat", unit=other_bloc_year.units[0])
    client.force_login(other)
    assert client.get(reverse("documents:pdf", args=[year.bloc.code, year.year, "ranking"])).status_code == 404


def test_a_large_bloc_renders_in_the_background_and_keeps_the_result(client, year, settings):
    settings.DOCUMENT_INLINE_MAX_UNITS = 2
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    url = reverse("documents:pdf", args=[year.bloc.code, year.year, "ranking"])
    # Tests run tasks immediately, so the first request already finds the stored PDF.
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from documents.models import RenderedDocument

    assert RenderedDocument.objects.filter(status="done").count() == 1
    client.get(url)
    assert RenderedDocument.objects.count() == 1


def test_excel_exports_have_vietnamese_headers_and_numbers(client, year):
    client.force_login(make_user("vp", role="secretariat", unit=year.units[0]))
    response = client.get(reverse("documents:ranking_xlsx", args=[year.bloc.code, year.year]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws["A3"].value == "Hạng" and ws["B3"].value == "Đơn vị"
    assert isinstance(ws["C4"].value, int | float)
    response = client.get(reverse("documents:board_xlsx", args=[year.bloc.code, year.year]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A3"].value == "STT" and ws["B4"].value == year.units[0].name


def test_render_document_command_writes_the_pdf(year, tmp_path):
    out = tmp_path / "ranking.pdf"
    stdout = io.StringIO()
    call_command(
        "render_document", "ranking", "--bloc", year.bloc.code, "--year", str(year.year), "-o", str(out), stdout=stdout
    )
    assert out.read_bytes().startswith(b"%PDF") and "XH-" in stdout.getvalue()


def fresh_year(bloc_year):
    return BlocYear.objects.select_related("bloc__province").get(pk=bloc_year.pk)


def test_an_unchanged_document_is_served_without_gathering_its_data_again(year):
    from core import dataversion
    from documents.models import RenderedDocument
    from documents.render import document_for

    first, prepared = document_for("ranking", fresh_year(year))
    assert prepared is not None  # rendered
    again, prepared = document_for("ranking", fresh_year(year))
    assert prepared is None and again.pk == first.pk  # found by the data version alone

    dataversion.raise_versions([year.bloc_id])  # a change elsewhere in the bloc: the ranking prints the same
    after, prepared = document_for("ranking", fresh_year(year))
    assert prepared is not None and after.pk == first.pk  # gathered, same digest: not rendered again
    assert RenderedDocument.objects.count() == 1
    assert document_for("ranking", fresh_year(year))[1] is None


def test_a_stored_document_is_checked_again_on_a_new_day(year, monkeypatch):
    """Deductions for late and missing reports follow the calendar, not only edits."""
    import datetime

    from documents import render

    render.document_for("ranking", fresh_year(year))
    assert render.document_for("ranking", fresh_year(year))[1] is None
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(render.timezone, "localdate", lambda *a, **k: tomorrow)
    assert render.document_for("ranking", fresh_year(year))[1] is not None
    assert render.document_for("ranking", fresh_year(year))[1] is None


def test_a_large_blocs_year_end_documents_are_rendered_ahead_after_each_change(year, settings):
    from core.audit import record
    from documents.models import RenderedDocument
    from documents.render import document_for, slot_of

    settings.DOCUMENT_INLINE_MAX_UNITS = 2
    record(bloc_year=year, by=None, action="test.change", target=year)  # the worker runs at once in tests
    assert RenderedDocument.objects.filter(slot=slot_of("ranking", year), status="done").exists()
    document, prepared = document_for("ranking", fresh_year(year))
    assert prepared is None and bytes(document.pdf)[:4] == b"%PDF"


def test_refresh_documents_command_renders_large_blocs_for_the_day(year, settings):
    from documents.models import RenderedDocument
    from documents.render import slot_of

    settings.DOCUMENT_INLINE_MAX_UNITS = 2
    out = io.StringIO()
    call_command("refresh_documents", stdout=out)
    assert "1 khối lớn" in out.getvalue()
    assert RenderedDocument.objects.filter(slot=slot_of("ranking", year), status="done").exists()
    settings.DOCUMENT_INLINE_MAX_UNITS = 100
    RenderedDocument.objects.all().delete()
    call_command("refresh_documents", stdout=io.StringIO())
    assert not RenderedDocument.objects.exists()  # small blocs render when asked


def test_a_change_in_a_later_year_leaves_an_earlier_years_documents_found_at_once(year):
    from core.audit import record
    from documents.render import document_for

    later = make_bloc_year(units=1, year=2026, phase=BlocYear.Phase.SETUP)
    BlocYear.objects.filter(pk=later.pk).update(bloc=year.bloc)
    later.refresh_from_db()
    document_for("ranking", fresh_year(year))
    record(bloc_year=later, by=None, action="test.change", target=later)
    assert document_for("ranking", fresh_year(year))[1] is None  # 2026's change: 2025's ranking still current
    record(bloc_year=year, by=None, action="test.change", target=year)
    assert document_for("ranking", fresh_year(year))[1] is not None  # its own year's change: checked again

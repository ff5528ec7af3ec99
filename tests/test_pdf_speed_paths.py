"""The reuse paths of documents/pdf.py: one font configuration and parsed stylesheets per thread, the garbage
collector held off during a render. The PDFs must be exactly what WeasyPrint makes of the HTML on its own."""

import gc
import subprocess
import threading

import pytest
from django.conf import settings

from core.models import BlocYear
from documents import pdf as pdf_module
from documents.render import html_for, prepare
from tests.personas import make_bloc_year


def text_of(pdf: bytes, tmp_path, name="doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out


def fonts_of(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


@pytest.fixture
def years(db):
    return [make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING) for _ in range(2)]


def test_the_styles_are_taken_from_the_head_only():
    html = "<html><head><style>a{}</style><style>b{}</style></head><body><p>&lt;style&gt;x&lt;/style&gt;</p></body>"
    body, styles = pdf_module.split_styles(html)
    assert styles == ["a{}", "b{}"]
    assert body == "<html><head></head><body><p>&lt;style&gt;x&lt;/style&gt;</p></body>"


def test_each_document_keeps_its_own_verification_code_and_page_size(years, tmp_path):
    """The stylesheets are reused from render to render: what differs per document must not be reused."""
    first, second = (prepare("ranking", y) for y in years)
    assert first.code != second.code
    for _round in range(2):
        for prepared in (first, second):
            pdf, pages = pdf_module.write_pdf(html_for(prepared))
            text = " ".join(text_of(pdf, tmp_path).split())
            assert prepared.code in text
            assert pages >= 1
    portrait = prepare("covenant", years[0])
    pdf, _pages = pdf_module.write_pdf(html_for(portrait))
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89" in out  # A4 portrait after landscape rankings
    pdf, _pages = pdf_module.write_pdf(html_for(first))
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "841.89 x 595.276" in out


def test_same_pdf_as_weasyprint_alone(years, tmp_path):
    """The HTML stays a complete document: WeasyPrint without the reuse paths prints the same text and pages."""
    from weasyprint import HTML

    html = html_for(prepare("ranking", years[0]))
    pdf_module.write_pdf(html)  # warm the caches
    fast, fast_pages = pdf_module.write_pdf(html)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    plain = document.write_pdf()
    assert fast_pages == len(document.pages)
    assert text_of(fast, tmp_path, "fast.pdf") == text_of(plain, tmp_path, "plain.pdf")
    assert fonts_of(fast, tmp_path) and all("+KTTimes" in name for name in fonts_of(fast, tmp_path))


def test_another_thread_renders_with_its_own_configuration(years, tmp_path):
    html = html_for(prepare("ranking", years[0]))
    pdf_module.write_pdf(html)
    results = []
    thread = threading.Thread(target=lambda: results.append(pdf_module.write_pdf(html)))
    thread.start()
    thread.join()
    pdf, _pages = results[0]
    assert all("+KTTimes" in name for name in fonts_of(pdf, tmp_path))
    assert "XÃ HỘI CHỦ NGHĨA" in text_of(pdf, tmp_path)


def test_the_garbage_collector_is_back_on_after_a_render_even_a_failed_one(years, monkeypatch):
    html = html_for(prepare("ranking", years[0]))
    assert gc.isenabled()
    pdf_module.write_pdf(html)
    assert gc.isenabled()

    def boom(*args, **kwargs):
        raise RuntimeError("render failed")

    import weasyprint

    monkeypatch.setattr(weasyprint.HTML, "render", boom)
    with pytest.raises(RuntimeError):
        pdf_module.write_pdf(html)
    assert gc.isenabled()

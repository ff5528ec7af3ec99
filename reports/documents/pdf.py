"""HTML to PDF with WeasyPrint: the one place that knows how a document's HTML becomes pages."""

from django.conf import settings


def write_pdf(html: str) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)

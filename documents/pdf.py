"""HTML to PDF with WeasyPrint: the one place that knows how a document's HTML becomes pages.

What is reused from one render to the next, per thread (WeasyPrint objects are not shared between threads):

- the font configuration: the ``@font-face`` fonts (the shipped KTTimes files) are copied to a temporary folder and
  registered with fontconfig and Pango once, not at every render, and Pango's font and metrics caches stay warm;
- the parsed stylesheets: the templates' ``<style>`` blocks are the same text from one document to the next (what
  changes per document, the page size and the verification code, is in a small block of its own), so each block is
  parsed once and then passed to WeasyPrint ready-made instead of being parsed again from the page.

The HTML itself stays a complete document (its fonts and styles inline): rendered by WeasyPrint alone it gives the
same PDF. Python's cyclic garbage collector is held off during the render: WeasyPrint allocates hundreds of thousands
of short-lived objects and the collections it triggers walk all of them (and the whole Django process) again and
again; the garbage is collected once, at the end.
"""

import atexit
import gc
import os
import re
import shutil
import threading
import weakref
from collections import OrderedDict

from django.conf import settings

# The <style> blocks of the document's head. Only the head is searched: the body is data, escaped by the templates.
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_CACHED_SHEETS = 32
_SMALL_SHEET = 2000

_local = threading.local()
_renderers: "weakref.WeakSet[_Renderer]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """At exit, before the modules FontConfiguration's own clean-up needs are torn down."""
    for renderer in list(_renderers):
        renderer.close()


class _Renderer:
    """One thread's font configuration and the stylesheets parsed with it."""

    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration

        self.pid = os.getpid()
        self.font_config = FontConfiguration()
        self.sheets: OrderedDict[str, object] = OrderedDict()
        _renderers.add(self)  # weakly: a thread's renderer goes with the thread

    def sheet(self, text: str):
        from weasyprint import CSS

        if len(text) < _SMALL_SHEET:  # the per-document block (page size, verification code): not worth keeping
            return CSS(string=text, base_url=str(settings.BASE_DIR), font_config=self.font_config)
        css = self.sheets.get(text)
        if css is None:
            css = CSS(string=text, base_url=str(settings.BASE_DIR), font_config=self.font_config)
            self.sheets[text] = css
            if len(self.sheets) > _CACHED_SHEETS:
                self.sheets.popitem(last=False)
        else:
            self.sheets.move_to_end(text)
        return css

    def close(self):
        """Remove the folder of font copies: FontConfiguration does it when collected, which may not happen at exit.
        Only in the process that made it (a forked child inherits the object, not the folder's ownership)."""
        folder = getattr(self.font_config, "_folder", None)
        if folder and os.getpid() == self.pid:
            shutil.rmtree(folder, ignore_errors=True)
        self.font_config._folder = None


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None or renderer.pid != os.getpid():  # new thread, or a process forked after a render
        if renderer is not None:
            renderer.font_config._folder = None  # the parent's folder: not this process's to remove
        renderer = _local.renderer = _Renderer()
    return renderer


def split_styles(html: str) -> tuple[str, list[str]]:
    """The HTML without the <style> blocks of its head, and the text of those blocks in document order."""
    head_end = html.find("</head>")
    if head_end < 0:
        return html, []
    head = html[:head_end]
    styles = [m.group(1) for m in _STYLE.finditer(head)]
    return _STYLE.sub("", head) + html[head_end:], styles


def write_pdf(html: str) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages."""
    from weasyprint import HTML

    renderer = _renderer()
    body, styles = split_styles(html)
    sheets = [renderer.sheet(text) for text in styles]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        document = HTML(string=body, base_url=str(settings.BASE_DIR)).render(
            font_config=renderer.font_config, stylesheets=sheets
        )
        pdf = document.write_pdf()
        pages = len(document.pages)
        del document
    finally:
        if was_enabled:
            gc.enable()
    return pdf, pages

"""A Word (.docx) copy of a document, made from the same HTML as its PDF (python-docx): the unit finishes a
paragraph in its own editor and prints from there. Layout tables (header, signatures) keep their columns
without borders; data tables get a grid; the watermark and the verification footer are left out."""

import io
import re

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Mm, Pt

BLOCKS = {"p", "div", "table", "h1", "h2", "h3", "h4", "ul", "ol", "li"}
BOLD = {"issuer", "nation", "motto", "doctype", "summary", "title", "name", "form", "unit-name", "label", "form-mark"}
CENTRED = {"doctype", "summary", "unit-name", "title", "name", "form", "space", "note"}
ITALIC = {"dateline", "basis", "note", "label"}
UPPER = {"doctype", "issuer", "parent"}
FONT = "Times New Roman"


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _is_leaf(el) -> bool:
    return not any(isinstance(c.tag, str) and c.tag in BLOCKS for c in el.iterdescendants())


def _paragraph(container, el, *, centred: bool = False, size: float | None = None) -> None:
    text = _text(el)
    cls = _classes(el)
    if not text and "space" not in cls:
        return
    para = container.add_paragraph()
    if "form-mark" in cls:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif centred or cls & CENTRED or el.tag in ("h1",):
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif el.tag == "p":
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if "noindent" not in cls:
            para.paragraph_format.first_line_indent = Cm(1)
    para.paragraph_format.space_after = Pt(3)
    if "space" in cls:
        para.paragraph_format.space_after = Pt(48)
        return
    run = para.add_run(text.upper() if cls & UPPER else text)
    run.bold = bool(cls & BOLD) or el.tag in ("h1", "h2", "h3", "th")
    run.italic = bool(cls & ITALIC) or el.tag == "h4"
    if size:
        run.font.size = Pt(size)


def _borderless(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def _table(container, el) -> None:
    rows = list(el.iter("tr"))
    if not rows:
        return
    width = max(sum(int(c.get("colspan", 1)) for c in tr if c.tag in ("td", "th")) for tr in rows)
    data = "data" in _classes(el)
    table = container.add_table(rows=len(rows), cols=width)
    if data:
        table.style = "Table Grid"
    else:
        _borderless(table)
    for r, tr in enumerate(rows):
        col = 0
        for cell_el in (c for c in tr if c.tag in ("td", "th")):
            span = int(cell_el.get("colspan", 1))
            if col >= width:
                break
            cell = table.cell(r, col)
            if span > 1:
                cell = cell.merge(table.cell(r, min(col + span, width) - 1))
            first = cell.paragraphs[0]
            if data:
                run = first.add_run(_text(cell_el))
                run.bold = cell_el.tag == "th" or "chosen" in _classes(tr)
                run.font.size = Pt(12)
                if cell_el.tag == "th" or _classes(cell_el) & {"c", "num"}:
                    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                _walk(cell_el, cell, centred="label" not in _classes(cell_el) and "recipients" not in _classes(cell_el))
                if not first.text and len(cell.paragraphs) > 1:
                    first._element.getparent().remove(first._element)
            col += span
    container.add_paragraph()


def _walk(el, container, centred: bool = False) -> None:
    if _is_leaf(el) and el.tag in ("td", "th"):
        _paragraph(container, el, centred=centred)
        return
    for child in el:
        if not isinstance(child.tag, str) or child.tag in ("style", "script", "head", "title"):
            continue
        cls = _classes(child)
        if cls & {"watermark", "dots"}:
            continue
        if child.tag == "table":
            _table(container, child)
        elif "part" in cls and hasattr(container, "add_page_break"):
            container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _walk(child, container)
        elif child.tag in ("p", "h1", "h2", "h3", "h4", "li") or (child.tag in ("div", "span") and _is_leaf(child)):
            _paragraph(container, child, centred=centred)
        else:
            _walk(child, container, centred=centred)


def html_to_docx(html: str, *, landscape: bool = False) -> bytes:
    root = lxml.html.document_fromstring(html)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    # Decree 30/2020 margins, as in the PDF.
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT)
    body = root.find("body")
    _walk(body if body is not None else root, doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

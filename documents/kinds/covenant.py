"""GIAO ƯỚC THI ĐUA NĂM YYYY: the covenant the member units sign, with one signature block per unit."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Membership
from covenant.models import Covenant
from documents.grounds import legal_bases
from documents.layout import date_line, vn_date
from documents.registry import DocumentKind, register

# Up to this many members the signature grid has two columns, beyond it three (a 12-unit bloc fits 1½ pages).
TWO_COLUMNS_UP_TO = 6


def legal_basis_lines(texts: list[str]) -> list[str]:
    """ "Luật Thi đua, khen thưởng …" → "Căn cứ Luật Thi đua, khen thưởng …;" (kept as typed when it already
    starts with "Căn cứ"); each basis ends with ";", the last one with "."."""
    lines = []
    for text in texts:
        text = " ".join(text.split())
        if not text.lower().startswith(_("Căn cứ").lower()):
            text = _("Căn cứ %(basis)s") % {"basis": text}
        lines.append(text.rstrip(" ;.,") + ";")
    if lines:
        lines[-1] = lines[-1][:-1] + "."
    return lines


def content_paragraphs(body: str) -> list[str]:
    """The content's full text, one string per paragraph (line) as typed. A closing "./." (the end mark of a
    whole document, copied from the founding text) becomes a plain full stop, since the document goes on after
    the contents; a space typed before a comma or full stop is dropped."""
    paragraphs = [" ".join(line.split()) for line in body.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs:
        paragraphs[-1] = re.sub(r"\./\.$", ".", paragraphs[-1])
    return [re.sub(r"\s+([,.;:])(?=\s|$)", r"\1", p) for p in paragraphs]


def contents_data(covenant) -> list[dict]:
    if covenant is None:
        return []
    return [
        {"order": c.order, "title": c.title, "paragraphs": content_paragraphs(c.body)}
        for c in covenant.contents.order_by("order")
    ]


def signature_cells(bloc_year) -> list[dict]:
    roles = {Membership.Role.HEAD: _("TRƯỞNG KHỐI"), Membership.Role.DEPUTY: _("PHÓ TRƯỞNG KHỐI")}
    cells = []
    for m in bloc_year.memberships.select_related("unit").order_by("order"):
        cells.append(
            {
                "order": m.order,
                "role": roles.get(m.role, "").upper(),
                "represent": _("ĐẠI DIỆN %(unit)s") % {"unit": m.unit.name.upper()},
                "unit": m.unit.name,
                "signer": m.unit.head_name,
            }
        )
    return cells


def build(*, bloc_year, issue, **_rest) -> dict:
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    year = bloc_year.year
    bloc = bloc_year.bloc
    bases = legal_basis_lines(legal_bases(bloc_year, issue.grounded_on)) if covenant else []
    contents = contents_data(covenant)
    signed_on = covenant.signed_on if covenant else None
    signed_place = (covenant.signed_place if covenant else "") or bloc.province.name

    if signed_on:
        # "Hôm nay, ngày 15 tháng 3 năm 2017, tại Kon Tum, …": the date line's own wording, without the place.
        day = date_line("", signed_on).lstrip(", ")
        signing = _(
            "Hôm nay, %(day)s, tại %(place)s, các đơn vị thành viên %(bloc)s cùng nhau thống nhất ký kết "
            "Giao ước thi đua năm %(year)s với các nội dung sau:"
        ) % {"day": day, "place": signed_place, "bloc": bloc.name, "year": year}
    else:
        signing = _(
            "Các đơn vị thành viên %(bloc)s cùng nhau thống nhất ký kết Giao ước thi đua năm %(year)s "
            "với các nội dung sau:"
        ) % {"bloc": bloc.name, "year": year}

    cells = signature_cells(bloc_year)
    columns = 2 if len(cells) <= TWO_COLUMNS_UP_TO else 3
    title = (covenant.title.strip() if covenant and covenant.title.strip() else "") or _(
        "Giao ước thi đua năm %(year)s"
    ) % {"year": year}
    return {
        "doc_type": title.upper(),
        "summary": bloc.name,
        "year": year,
        "bloc": bloc.name,
        "legal_bases": bases,
        "signed_on": vn_date(signed_on),
        "signed_place": signed_place,
        "signing": signing,
        "contents": contents,
        "commitment": _(
            "Các đơn vị thành viên cam kết thực hiện tốt các nội dung giao ước trên; tổ chức quán triệt đến toàn "
            "thể cán bộ, công chức, viên chức, người lao động; định kỳ báo cáo kết quả thực hiện về Trưởng khối. "
            "Cuối năm, các đơn vị tự chấm điểm theo Bảng điểm thi đua, Khối tổ chức chấm điểm, bình xét và suy tôn "
            "các đơn vị dẫn đầu đề nghị cấp trên khen thưởng."
        ),
        "copies": _(
            "Giao ước này được lập thành %(n)s bản có giá trị như nhau, mỗi đơn vị thành viên giữ 01 bản, "
            "01 bản gửi Ban Thi đua - Khen thưởng tỉnh./."
        )
        % {"n": f"{len(cells) + 1:02d}"},
        "signatures_heading": _("ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN KÝ GIAO ƯỚC"),
        "sign_note": _("(Ký, ghi rõ họ tên, đóng dấu)"),
        "columns": columns,
        # Rows of the grid; "roles" when a cell of the row carries TRƯỞNG KHỐI / PHÓ TRƯỞNG KHỐI, so that the
        # other cells keep a blank line there and the unit names start level.
        "signature_rows": [
            {"cells": row, "roles": any(c["role"] for c in row)}
            for row in (cells[i : i + columns] for i in range(0, len(cells), columns))
        ],
    }


def prefill(setup, bloc_year) -> None:
    """The covenant is dated and placed where it was signed."""
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    if covenant is not None:
        setup.issued_on = covenant.signed_on
        setup.place = covenant.signed_place or setup.place


def signed_day(bloc_year, unit, period):  # noqa: ARG001 (the kinds' natural_day signature)
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    return covenant.signed_on if covenant else None


register(
    DocumentKind(
        code="covenant",
        natural_day=signed_day,
        short="GU",
        label=gettext_lazy("Giao ước thi đua"),
        prefill=prefill,
        # Decree 30 has no abbreviation for a covenant; "Giao ước thi đua" without the diacritics, as in UBND.
        doc_type="GUTĐ",
        template="documents/pdf/covenant.html",
        build=build,
        # Signed among the members themselves: no "Nơi nhận" by default (the secretariat may add some).
        default_recipients=(),
    )
)

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import vn_number
from documents.registry import DocumentKind, register
from scoring.sheets.charts import criterion_spread
from scoring.sheets.ranking import compute, tie_note


def build(*, bloc_year, **_rest) -> dict:
    ranking = compute(bloc_year)
    names = {u.membership.unit_id: u.membership.unit.short_name for u in ranking.units.values()}
    rows = []
    for row, u in ranking.lines():
        rows.append(
            {
                "rank": row.rank,
                "shared": row.shared,
                "unit": u.membership.unit.name,
                "criteria": [vn_number(v) for v in row.entry.criteria],
                "bonus": vn_number(row.bonus),
                "deductions": vn_number(row.deductions),
                "total": vn_number(row.total),
                "note": "; ".join(
                    [d.label + " (−" + vn_number(d.points) + ")" for d in u.deduction_lines]
                    + ([tie_note(row, names)] if row.tied_with else [])
                ),
            }
        )
    return {
        "doc_type": _("Bảng tổng hợp"),
        "summary": _("Kết quả chấm điểm và xếp hạng thi đua năm %(year)s") % {"year": bloc_year.year},
        "bloc": bloc_year.bloc.name,
        "criteria": [{"order": c.order, "title": c.title} for c in ranking.criteria],
        "rows": rows,
        "rules": [r.label for r in ranking.rules],
        "bonus_cap": vn_number(ranking.board.bonus_cap),
        "status": _("Kết quả đã được phê duyệt") if ranking.approved else _("Kết quả tạm tính, chưa phê duyệt"),
        "spread": [s.as_data() for s in criterion_spread(ranking)],
    }


register(
    DocumentKind(
        code="ranking",
        short="XH",
        label=gettext_lazy("Bảng tổng hợp kết quả chấm điểm và xếp hạng"),
        doc_type="BC",
        template="documents/pdf/ranking.html",
        build=build,
        year_end=True,
        landscape=True,
        default_recipients=(
            gettext_lazy("Hội đồng Thi đua - Khen thưởng tỉnh"),
            gettext_lazy("Các đơn vị trong Khối"),
            gettext_lazy("Lưu: VT"),
        ),
    )
)

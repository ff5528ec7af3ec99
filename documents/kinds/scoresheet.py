"""One unit's year-end score sheet (bảng điểm thi đua): self-score, review, bonus, deductions, total and rank."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from core.formatting import vn_number
from documents.layout import vn_date
from documents.registry import DocumentKind, register
from scoring.models import BonusClaim, Deduction, ItemScore, ScoreSheet, ScoringRound, SubItem
from scoring.sheets.ranking import compute

ZERO = Decimal(0)


def local_day(moment):
    return timezone.localdate(moment) if moment else None


def evidence_rows(label: str, items) -> list[dict]:
    ordered = sorted(items, key=lambda e: (e.issued_on or datetime.date.max, e.number_symbol, e.pk))
    return [
        {"item": label, "number_symbol": e.number_symbol, "date": vn_date(e.issued_on), "summary": e.summary}
        for e in ordered
    ]


def item_notes(item) -> list[str]:
    """Why the reviewed score differs, what the unit answered and how it was settled."""

    notes = []
    if item.review_reason.strip():
        notes.append(item.review_reason.strip())
    if item.contest == ItemScore.Contest.CONTESTED and item.contest_comment.strip():
        notes.append(_("Đơn vị đề nghị xem lại: %(c)s") % {"c": item.contest_comment.strip()})
    if item.settlement:
        text = item.get_settlement_display()
        if item.settlement_reason.strip():
            text = f"{text}: {item.settlement_reason.strip()}"
        notes.append(_("Giải quyết: %(s)s") % {"s": text})
    return notes


def status_line(sheet, scoring_round) -> str:
    parts = [_("Đơn vị nộp bảng tự chấm ngày %(d)s") % {"d": vn_date(local_day(sheet.submitted_at))}]
    if not (scoring_round is not None and scoring_round.is_released):
        parts.append(_("kết quả thẩm định chưa công bố"))
    elif sheet.status == ScoreSheet.Status.REVIEWED:
        parts.append(_("thẩm định xong ngày %(d)s") % {"d": vn_date(local_day(sheet.reviewed_at))})
    else:
        parts.append(_("chưa thẩm định xong"))
    if scoring_round is not None and scoring_round.approved_at:
        parts.append(_("kết quả được phê duyệt ngày %(d)s") % {"d": vn_date(local_day(scoring_round.approved_at))})
    elif scoring_round is not None and scoring_round.released_at:
        parts.append(
            _("kết quả thẩm định công bố ngày %(d)s, chưa phê duyệt")
            % {"d": vn_date(local_day(scoring_round.released_at))}
        )
    else:
        parts.append(_("kết quả chưa được phê duyệt"))
    return "; ".join(parts) + "."


def build(*, bloc_year, unit=None, **_rest) -> dict:
    if unit is None:
        raise ServiceError(_("Bảng điểm cần một đơn vị."))
    # One printed sheet for everyone who may open it, so it follows the rule of its least entitled reader, the unit
    # (scoring.sheets.access.sees_review): before the release nothing of the review is printed.
    scoring_round = ScoringRound.objects.filter(bloc_year=bloc_year).first()
    released = bool(scoring_round and scoring_round.is_released)
    sheet = (
        ScoreSheet.objects.filter(bloc_year=bloc_year, unit=unit)
        .exclude(status=ScoreSheet.Status.DRAFT)
        .select_related("reviewer_unit")
        .first()
    )
    if sheet is None:
        raise ServiceError(
            _("%(unit)s chưa nộp bảng tự chấm điểm năm %(year)s: chỉ in được bảng điểm đã nộp.")
            % {"unit": unit.name, "year": bloc_year.year}
        )
    ranking = compute(bloc_year)
    scores = ranking.units.get(unit.pk)
    row = next((r for r in ranking.rows if r.entry.unit_id == unit.pk), None)
    if scores is None or row is None:
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
    board = ranking.board

    items = {
        i.sub_item_id: i
        for i in ItemScore.objects.filter(sheet=sheet).select_related("sub_item").prefetch_related("evidence")
    }
    sub_items = {}
    for s in SubItem.objects.filter(criterion_id__in=[c.pk for c in ranking.criteria]).order_by(
        "criterion__order", "order"
    ):
        sub_items.setdefault(s.criterion_id, []).append(s)

    criteria, evidence, differences = [], [], 0
    for index, c in enumerate(ranking.criteria):
        rows, maximum, reviewed_all = [], ZERO, True
        for s in sub_items.get(c.pk, []):
            item = items.get(s.pk)
            number = f"{c.order}.{s.order}"
            maximum += s.max_points
            reviewed = item.reviewed_score if item and released else None
            reviewed_all = reviewed_all and reviewed is not None
            differs = bool(released and item and item.differs)
            differences += differs
            rows.append(
                {
                    "number": number,
                    "text": s.text,
                    "max": vn_number(s.max_points),
                    "self": vn_number(item.self_score) if item else "",
                    "reviewed": vn_number(reviewed),
                    "differs": differs,
                    "notes": item_notes(item) if item and released else [],
                }
            )
            if item is not None:
                evidence += evidence_rows(number, item.evidence.all())
        criteria.append(
            {
                "order": c.order,
                "title": c.title,
                "max": vn_number(maximum),
                "items": rows,
                "self": vn_number(scores.self_criteria[index]),
                "reviewed": vn_number(scores.criteria[index]) if reviewed_all and rows else "",
            }
        )

    review_labels = {
        BonusClaim.Review.ACCEPTED: _("Chấp nhận"),
        BonusClaim.Review.REJECTED: _("Không chấp nhận"),
        BonusClaim.Review.PENDING: _("Chưa thẩm định"),
    }
    bonus = []
    claimed = ZERO
    for n, claim in enumerate(
        sheet.bonus_claims.select_related("bonus_item").prefetch_related("evidence").order_by("bonus_item__order"),
        start=1,
    ):
        review = claim.review if released else BonusClaim.Review.PENDING
        if review != BonusClaim.Review.REJECTED:
            claimed += claim.bonus_item.points
        bonus.append(
            {
                "text": claim.bonus_item.text,
                "points": vn_number(claim.bonus_item.points),
                "review": review_labels.get(review, claim.get_review_display()),
                "counted": review != BonusClaim.Review.REJECTED,
                "reason": claim.review_reason.strip() if released else "",
            }
        )
        evidence += evidence_rows(_("Thưởng %(n)s") % {"n": n}, claim.evidence.all())

    # The ranking's deduction lines: the automatic ones (reporting record, not waived) come first, then the
    # manual ones, in the sheet's order. Waived automatic deductions are listed after them, not counted.
    sheet_deductions = list(Deduction.objects.filter(sheet=sheet).select_related("period").order_by("created_at"))
    manual_count = sum(1 for d in sheet_deductions if d.kind == Deduction.Kind.MANUAL)
    lines = list(scores.deduction_lines)
    automatic = lines[: len(lines) - manual_count]
    deductions = [
        {"label": d.label, "points": vn_number(d.points), "note": _("Theo kết quả theo dõi báo cáo định kỳ")}
        for d in automatic
    ] + [
        {"label": d.label, "points": vn_number(d.points), "note": _("Trừ điểm do vi phạm")}
        for d in (lines[len(automatic) :] if released else [])
    ]
    waivers = {(d.kind, d.period_id): d for d in sheet_deductions if d.kind != Deduction.Kind.MANUAL}
    for kind, periods, label, points in (
        (Deduction.Kind.WAIVE_LATE, scores.late, _("Báo cáo trễ hạn: %(p)s"), board.late_report_points),
        (Deduction.Kind.WAIVE_MISSING, scores.missing, _("Không nộp báo cáo: %(p)s"), board.missing_report_points),
    ):
        for p in periods:
            waiver = waivers.get((kind, p.pk))
            if waiver is not None:
                deductions.append(
                    {
                        "label": label % {"p": p.name},
                        "points": vn_number(points),
                        "waived": True,
                        "note": _("Được miễn trừ, không tính: %(r)s") % {"r": waiver.reason},
                    }
                )

    rank = ""
    if ranking.approved:
        rank = _("Xếp thứ %(rank)s/%(count)s đơn vị") % {"rank": row.rank, "count": len(ranking.rows)}
        if row.shared:
            rank += " " + _("(đồng hạng)")
    reviewer = None
    if sheet.reviewer_unit is not None:
        reviewer = {"unit": sheet.reviewer_unit.name, "head": sheet.reviewer_unit.head_name}

    return {
        "doc_type": _("Bảng điểm thi đua năm %(year)s") % {"year": bloc_year.year},
        "summary": _("Đơn vị: %(unit)s") % {"unit": unit.name},
        "unit": unit.name,
        "board_title": board.title,
        "status": status_line(sheet, scoring_round),
        "criteria": criteria,
        "differences": differences,
        "total_max": vn_number(sum((s.max_points for group in sub_items.values() for s in group), ZERO)),
        "bonus": bonus,
        "bonus_cap": vn_number(board.bonus_cap),
        "bonus_claimed": vn_number(claimed),
        "deductions": deductions,
        "totals": {
            "self_criteria": vn_number(sum(scores.self_criteria, ZERO)),
            "criteria": vn_number(row.criteria_total) if released else "",
            "bonus": vn_number(row.bonus) if released else "",
            "deductions": vn_number(row.deductions) if released else "",
            "total": vn_number(row.total) if released else "",
        },
        "rank": rank,
        "approved": ranking.approved,
        "evidence": evidence,
        "reviewer": reviewer,
        "unit_signer_title": (unit.head_title or _("Thủ trưởng đơn vị")).upper(),
        "unit_head": unit.head_name,
    }


def submitted(access, unit, period) -> bool:  # noqa: ARG001 (the kinds' visible() signature)
    """A unit's score sheet prints once it was submitted."""
    sheets = ScoreSheet.objects.filter(bloc_year=access.bloc_year, unit=unit)
    return sheets.exclude(status=ScoreSheet.Status.DRAFT).exists()


def approved_day(bloc_year, unit, period):  # noqa: ARG001 (the kinds' natural_day signature)
    """A unit's score sheet is dated the day the year's scores were approved (none before)."""
    scoring_round = ScoringRound.objects.filter(bloc_year=bloc_year).first()
    return local_day(scoring_round.approved_at) if scoring_round is not None else None


register(
    DocumentKind(
        code="scoresheet",
        natural_day=approved_day,
        short="BD",
        label=gettext_lazy("Bảng điểm thi đua của đơn vị"),
        doc_type="BC",
        template="documents/pdf/scoresheet.html",
        build=build,
        needs_unit=True,
        year_end=True,
        visible=submitted,
        default_recipients=(
            gettext_lazy("Hội đồng Thi đua - Khen thưởng tỉnh"),
            gettext_lazy("Đơn vị được chấm điểm"),
            gettext_lazy("Lưu: VT, Văn phòng khối"),
        ),
    )
)

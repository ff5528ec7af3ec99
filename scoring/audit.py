"""How the scoring app's audit entries read: the scoreboard, score sheets (keys "<criterion>.<sub-item>.<part>"),
the review, deductions, ballots and the meeting. A ballot entry never holds a choice."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit_display, visibility
from core.formatting import number
from scoring.models import BonusClaim, ItemScore, ScoreSheet

# Score sheet snapshots are keyed "<criterion>.<sub-item>.<part>", e.g. "1.2.reviewed".
SHEET_PART_LABELS = {
    "self": gettext_lazy("điểm tự chấm"),
    "explanation": gettext_lazy("giải trình"),
    "evidence": gettext_lazy("minh chứng"),
    "reviewed": gettext_lazy("điểm thẩm định"),
    "reason": gettext_lazy("lý do điều chỉnh"),
    "contest": gettext_lazy("ý kiến của đơn vị"),
    "settlement": gettext_lazy("giải quyết"),
}
_SHEET_KEY = re.compile(r"^(\d+)\.(\d+)\.(\w+)$")
_SUFFIX_CHOICES = {"contest": [ItemScore.Contest], "settlement": [ItemScore.Settlement], "review": [BonusClaim.Review]}


class ScoringVocabulary(audit_display.Vocabulary):
    def field_label(self, key: str) -> str | None:
        match = _SHEET_KEY.match(key)
        if match:
            criterion, item, part = match.groups()
            what = SHEET_PART_LABELS.get(part, part)
            return _("Mục %(item)s – %(what)s") % {"item": f"{criterion}.{item}", "what": what}
        if key.startswith("bonus."):
            return _("Điểm thưởng")
        return None

    def choice_enums(self, key: str, target_type: str) -> list | None:
        if key.endswith((".contest", ".settlement", ".review")):
            return _SUFFIX_CHOICES[key.rsplit(".", 1)[1]]
        return super().choice_enums(key, target_type)

    def is_number(self, key: str) -> bool:
        return super().is_number(key) or key.endswith((".self", ".reviewed"))

    def item_text(self, key: str, value) -> str | None:  # noqa: ARG002 (a hook)
        if not isinstance(value, dict) or not ({"max_points", "points"} & value.keys()):
            return None
        text = str(value.get("text", "")).strip()
        order = value.get("order")
        line = f"{order}. {text}" if order is not None and text else text
        if "max_points" in value:
            line += " – " + _("%(n)s điểm") % {"n": number(value["max_points"])}
            if value.get("evidence_required"):
                line += " (" + _("bắt buộc minh chứng") + ")"
        else:
            line += " – +" + number(value["points"])
        return line


VOCABULARY = audit_display.register(
    ScoringVocabulary(
        actions={
            "scoreboard.change": gettext_lazy("Sửa quy định chung của bảng điểm"),
            "criterion.create": gettext_lazy("Thêm tiêu chí"),
            "criterion.change": gettext_lazy("Sửa tiêu chí"),
            "criterion.delete": gettext_lazy("Xóa tiêu chí"),
            "bonus.change": gettext_lazy("Sửa điểm thưởng"),
            "tiebreak.change": gettext_lazy("Sửa quy tắc phân định khi bằng điểm"),
            "sheet.start": gettext_lazy("Bắt đầu tự chấm điểm"),
            "sheet.self_score": gettext_lazy("Lưu điểm tự chấm"),
            "sheet.submit": gettext_lazy("Nộp bảng tự chấm"),
            "sheet.review": gettext_lazy("Thẩm định điểm"),
            "sheet.respond": gettext_lazy("Đơn vị phản hồi kết quả thẩm định"),
            "sheet.settle": gettext_lazy("Giải quyết ý kiến của đơn vị"),
            "review.assign": gettext_lazy("Phân công thẩm định"),
            "review.release": gettext_lazy("Công bố kết quả thẩm định"),
            "scoring.approve": gettext_lazy("Phê duyệt kết quả chấm điểm"),
            "scoring.reopen": gettext_lazy("Mở lại kết quả chấm điểm"),
            "deduction.waive": gettext_lazy("Miễn trừ điểm"),
            "deduction.add": gettext_lazy("Thêm điểm trừ"),
            "deduction.remove": gettext_lazy("Bỏ điểm trừ hoặc miễn trừ"),
            "ballot.save": gettext_lazy("Chuẩn bị cuộc bỏ phiếu"),
            "ballot.open": gettext_lazy("Mở bỏ phiếu"),
            "ballot.voted": gettext_lazy("Đơn vị đã bỏ phiếu"),
            "ballot.close": gettext_lazy("Kết thúc bỏ phiếu"),
            "ballot.count": gettext_lazy("Ban kiểm phiếu kiểm phiếu"),
            "ballot.reopen": gettext_lazy("Mở lại cuộc bỏ phiếu"),
            "ballot.paper_count": gettext_lazy("Nhập kết quả kiểm phiếu giấy"),
            "meeting.save": gettext_lazy("Lưu thông tin hội nghị"),
            "outcome.save": gettext_lazy("Lưu đề nghị khen thưởng, bầu Trưởng khối"),
        },
        fields={
            "sub_items": gettext_lazy("Các mục chấm điểm"),
            "total_points": gettext_lazy("Tổng điểm chuẩn"),
            "score_step": gettext_lazy("Bước điểm"),
            "bonus_cap": gettext_lazy("Điểm thưởng tối đa"),
            "late_report_points": gettext_lazy("Điểm trừ mỗi báo cáo trễ hạn"),
            "missing_report_points": gettext_lazy("Điểm trừ mỗi báo cáo không nộp"),
            "bonus_items": gettext_lazy("Các mục điểm thưởng"),
            "tie_breaks": gettext_lazy("Quy tắc phân định khi bằng điểm"),
            "voters": gettext_lazy("Số đơn vị đã bỏ phiếu"),
            "units": gettext_lazy("Các đơn vị đã bỏ phiếu"),
            "papers": gettext_lazy("Số phiếu đã kiểm"),
            "reason": gettext_lazy("Lý do"),
        },
        target_fields={
            "scoring.scoreboard": {"title": gettext_lazy("Tên bảng điểm")},
            "scoring.criterion": {"title": gettext_lazy("Tên tiêu chí")},
        },
        number_keys=frozenset(
            {"total_points", "score_step", "bonus_cap", "late_report_points", "missing_report_points", "max_points",
             "points"}
        ),
    )
)


def _sheet_owners(ids: list[str]) -> dict[str, int]:
    return {str(pk): unit for pk, unit in ScoreSheet.objects.filter(pk__in=ids).values_list("pk", "unit_id")}


# The self-scores and explanations a unit saves before it submits its sheet are its draft.
visibility.register(
    visibility.DraftRule("scoring.scoresheet", frozenset({"sheet.self_score"}), visibility.by_owner(_sheet_owners))
)

"""How the reporting app's audit entries read: periods, extensions, reports (keys "<content>.<part>") and
evidence."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit_display, visibility
from reports.access import visible_evidence
from reports.models import ProgressReport, ReportingPeriod

# Report snapshots are keyed "<content number>.<part>", e.g. "3.done".
REPORT_PART_LABELS = {
    "done": gettext_lazy("kết quả thực hiện"),
    "difficulties": gettext_lazy("khó khăn, vướng mắc"),
    "next_steps": gettext_lazy("nhiệm vụ, giải pháp thời gian tới"),
    "results": gettext_lazy("chỉ tiêu và kết quả"),
    "evidence": gettext_lazy("minh chứng"),
}
_REPORT_KEY = re.compile(r"^(\d+)\.(\w+)$")


class ReportsVocabulary(audit_display.Vocabulary):
    def field_label(self, key: str) -> str | None:
        match = _REPORT_KEY.match(key)
        if match:
            number, part = match.groups()
            what = REPORT_PART_LABELS.get(part, part)
            return _("Nội dung %(n)s – %(what)s") % {"n": number, "what": what}
        return None

    def item_text(self, key: str, value) -> str | None:
        if isinstance(value, list) and key.endswith(".results") and len(value) == 3:
            indicator, target, result = value
            return _("%(indicator)s: kế hoạch %(target)s, kết quả %(result)s") % {
                "indicator": indicator or "—",
                "target": target or "—",
                "result": result or "—",
            }
        return None

    def shown(self, key: str, value) -> audit_display.Shown | None:
        # Evidence links (of report sections and of score sheet items) read as a count of files.
        if key.endswith(".evidence") and isinstance(value, list):
            return audit_display.Shown(text=_("%(n)s minh chứng") % {"n": len(value)} if value else "")
        return None


VOCABULARY = audit_display.register(
    ReportsVocabulary(
        actions={
            "periods.create_default": gettext_lazy("Tạo các kỳ báo cáo mặc định"),
            "period.create": gettext_lazy("Thêm kỳ báo cáo"),
            "period.change": gettext_lazy("Sửa kỳ báo cáo"),
            "extension.grant": gettext_lazy("Gia hạn nộp báo cáo"),
            "report.start": gettext_lazy("Lập báo cáo"),
            "report.save": gettext_lazy("Lưu báo cáo"),
            "report.submit": gettext_lazy("Nộp báo cáo"),
            "report.return": gettext_lazy("Trả lại báo cáo"),
            "report.accept": gettext_lazy("Tiếp nhận báo cáo"),
            "report.reopen": gettext_lazy("Mở lại báo cáo"),
            "evidence.add": gettext_lazy("Thêm minh chứng"),
            "period.remind_overdue": gettext_lazy("Nhắc đơn vị quá hạn nộp báo cáo"),
        },
        fields={
            "periods": gettext_lazy("Các kỳ báo cáo"),
            "kind": gettext_lazy("Loại báo cáo"),
            "opens_on": gettext_lazy("Ngày mở"),
            "deadline": gettext_lazy("Hạn nộp"),
            "lock_date": gettext_lazy("Ngày khóa sổ"),
            "submitted_at": gettext_lazy("Thời điểm nộp"),
            "resubmit_due": gettext_lazy("Hạn nộp lại"),
            "general_proposals": gettext_lazy("Đề xuất, kiến nghị chung"),
            "reminded": gettext_lazy("Đơn vị được nhắc"),
        },
        target_fields={
            "reports.reportingperiod": {
                "code": gettext_lazy("Mã kỳ"),
                "name": gettext_lazy("Tên kỳ báo cáo"),
                "order": gettext_lazy("Thứ tự"),
            },
        },
        choices={"status": [ProgressReport.Status], ("reports.reportingperiod", "kind"): [ReportingPeriod.Kind]},
        hidden_keys=frozenset({"snapshot", "sha256"}),
        inline_list_keys=frozenset({"periods"}),
    )
)


def _report_owners(ids: list[str]) -> dict[str, int]:
    return {str(pk): unit for pk, unit in ProgressReport.objects.filter(pk__in=ids).values_list("pk", "unit_id")}


def _visible_evidence(access, ids: list[str]) -> set[str]:
    """The unit's own evidence, and the evidence of submitted reports for those who read them (the files page's
    rule, reports.access.visible_evidence)."""
    return {str(pk) for pk in visible_evidence(access).filter(pk__in=ids).values_list("pk", flat=True)}


# What a unit writes into its report before it submits it is its draft: its texts appear in no history but its own.
visibility.register(
    visibility.DraftRule("reports.progressreport", frozenset({"report.save"}), visibility.by_owner(_report_owners))
)
visibility.register(
    visibility.DraftRule("reports.evidence", frozenset({"evidence.add"}), _visible_evidence, hides_name=True)
)

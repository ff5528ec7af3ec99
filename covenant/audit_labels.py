"""How audit entries read on screen: action names, field names and values in plain Vietnamese.

The audit log stores raw snapshots (field keys, choice codes, ISO dates, decimal strings, lists);
this module turns them into what a secretary expects to read. Unknown actions and keys fall back
to the stored code, so that nothing recorded is ever hidden.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACTION_LABELS = {
    "year.create": gettext_lazy("Tạo năm thi đua"),
    "member.add": gettext_lazy("Thêm đơn vị thành viên"),
    "member.remove": gettext_lazy("Bỏ đơn vị khỏi khối"),
    "member.change": gettext_lazy("Đổi STT, vai trò đơn vị"),
    "unit.create": gettext_lazy("Thêm đơn vị mới"),
    "covenant.change": gettext_lazy("Sửa thông tin giao ước"),
    "content.create": gettext_lazy("Thêm nội dung giao ước"),
    "content.change": gettext_lazy("Sửa nội dung giao ước"),
    "content.delete": gettext_lazy("Xóa nội dung giao ước"),
    "phase.advance": gettext_lazy("Chuyển giai đoạn"),
    "phase.revert": gettext_lazy("Quay lại giai đoạn trước"),
    "account.create": gettext_lazy("Tạo tài khoản"),
    "account.activate": gettext_lazy("Mở lại tài khoản"),
    "account.deactivate": gettext_lazy("Khóa tài khoản"),
    "account.password_reset": gettext_lazy("Đặt lại mật khẩu"),
    "scoreboard.change": gettext_lazy("Sửa quy định chung của bảng điểm"),
    "criterion.create": gettext_lazy("Thêm tiêu chí"),
    "criterion.change": gettext_lazy("Sửa tiêu chí"),
    "criterion.delete": gettext_lazy("Xóa tiêu chí"),
    "bonus.change": gettext_lazy("Sửa điểm thưởng"),
    "tiebreak.change": gettext_lazy("Sửa quy tắc phân định khi bằng điểm"),
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
    "ballot.paper_count": gettext_lazy("Nhập kết quả kiểm phiếu giấy"),
    "meeting.save": gettext_lazy("Lưu thông tin hội nghị"),
    "outcome.save": gettext_lazy("Lưu đề nghị khen thưởng, bầu Trưởng khối"),
    "document.setup": gettext_lazy("Sửa thông tin ban hành văn bản"),
    "synthesis.save": gettext_lazy("Lưu tổng hợp theo nội dung"),
}

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

FIELD_LABELS = {
    "year": gettext_lazy("Năm"),
    "order": gettext_lazy("Số thứ tự"),
    "role": gettext_lazy("Vai trò"),
    "code": gettext_lazy("Mã"),
    "name": gettext_lazy("Tên"),
    "short_name": gettext_lazy("Tên viết tắt"),
    "title": gettext_lazy("Tiêu đề"),
    "body": gettext_lazy("Nội dung đầy đủ"),
    "text": gettext_lazy("Nội dung"),
    "signed_on": gettext_lazy("Ngày ký giao ước"),
    "signed_place": gettext_lazy("Nơi ký"),
    "plan_number": gettext_lazy("Số kế hoạch thực hiện"),
    "plan_date": gettext_lazy("Ngày ban hành kế hoạch"),
    "legal_bases": gettext_lazy("Căn cứ"),
    "phase": gettext_lazy("Giai đoạn"),
    "contents": gettext_lazy("Nội dung giao ước liên quan"),
    "sub_items": gettext_lazy("Các mục chấm điểm"),
    "total_points": gettext_lazy("Tổng điểm chuẩn"),
    "score_step": gettext_lazy("Bước điểm"),
    "bonus_cap": gettext_lazy("Điểm thưởng tối đa"),
    "late_report_points": gettext_lazy("Điểm trừ mỗi báo cáo trễ hạn"),
    "missing_report_points": gettext_lazy("Điểm trừ mỗi báo cáo không nộp"),
    "bonus_items": gettext_lazy("Các mục điểm thưởng"),
    "tie_breaks": gettext_lazy("Quy tắc phân định khi bằng điểm"),
    "username": gettext_lazy("Tên đăng nhập"),
    "unit": gettext_lazy("Đơn vị"),
    "is_active": gettext_lazy("Tài khoản"),
    "periods": gettext_lazy("Các kỳ báo cáo"),
    "kind": gettext_lazy("Loại báo cáo"),
    "opens_on": gettext_lazy("Ngày mở"),
    "deadline": gettext_lazy("Hạn nộp"),
    "lock_date": gettext_lazy("Ngày khóa sổ"),
    "reason": gettext_lazy("Lý do"),
    "status": gettext_lazy("Trạng thái"),
    "submitted_at": gettext_lazy("Thời điểm nộp"),
    "resubmit_due": gettext_lazy("Hạn nộp lại"),
    "general_proposals": gettext_lazy("Đề xuất, kiến nghị chung"),
    "summary": gettext_lazy("Trích yếu"),
    "file": gettext_lazy("Tệp"),
    "size": gettext_lazy("Dung lượng"),
}

# The same key means something more precise on some objects (target_type: key: label).
TARGET_FIELD_LABELS = {
    "covenant.covenant": {"title": gettext_lazy("Tên giao ước")},
    "covenant.covenantcontent": {"title": gettext_lazy("Tiêu đề ngắn")},
    "covenant.unit": {"code": gettext_lazy("Mã đơn vị"), "name": gettext_lazy("Tên chính thức")},
    "scoring.scoreboard": {"title": gettext_lazy("Tên bảng điểm")},
    "scoring.criterion": {"title": gettext_lazy("Tên tiêu chí")},
    "reports.reportingperiod": {
        "code": gettext_lazy("Mã kỳ"),
        "name": gettext_lazy("Tên kỳ báo cáo"),
        "order": gettext_lazy("Thứ tự"),
    },
}

# Report snapshots are keyed "<content number>.<part>", e.g. "3.done".
REPORT_PART_LABELS = {
    "done": gettext_lazy("kết quả thực hiện"),
    "difficulties": gettext_lazy("khó khăn, vướng mắc"),
    "next_steps": gettext_lazy("nhiệm vụ, giải pháp thời gian tới"),
    "results": gettext_lazy("chỉ tiêu và kết quả"),
    "evidence": gettext_lazy("minh chứng"),
}

# Kept for the program (e.g. "changed since returned"), meaningless to read.
HIDDEN_KEYS = {"snapshot", "sha256", "version"}
NUMBER_KEYS = {
    "total_points",
    "score_step",
    "bonus_cap",
    "late_report_points",
    "missing_report_points",
    "max_points",
    "points",
}
# Lists of numbers or short codes, read inline: "1, 7", "q1, 6t, q3, nam".
INLINE_LIST_KEYS = {"contents", "periods"}
# Longer lists are cut to this many items, with "and n more".
MAX_ITEMS = 8

_REPORT_KEY = re.compile(r"^(\d+)\.(\w+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def field_label(key: str, target_type: str = "") -> str:
    specific = TARGET_FIELD_LABELS.get(target_type, {})
    if key in specific:
        return str(specific[key])
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    match = _SHEET_KEY.match(key)
    if match:
        criterion, item, part = match.groups()
        what = SHEET_PART_LABELS.get(part, part)
        return _("Mục %(item)s – %(what)s") % {"item": f"{criterion}.{item}", "what": what}
    if key.startswith("bonus."):
        return _("Điểm thưởng")
    match = _REPORT_KEY.match(key)
    if match:
        number, part = match.groups()
        what = REPORT_PART_LABELS.get(part, part)
        return _("Nội dung %(n)s – %(what)s") % {"n": number, "what": what}
    return key


@dataclass
class Shown:
    """One value ready to display: a short text, or a list of items (with how many more were cut)."""

    text: str = ""
    items: list[str] = field(default_factory=list)
    more: int = 0
    is_list: bool = False

    @property
    def empty(self) -> bool:
        return not self.text and not self.items

    def __str__(self) -> str:
        return self.text or "; ".join(self.items)


def plain_number(value) -> str:
    """100.00 -> "100", 0.50 -> "0,5" (localized, no trailing zeros, never in exponent form)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return number_format(number, use_l10n=True)


def _date(value: str) -> str:
    try:
        if _ISO_DATE.match(value):
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _choice(key: str, value: str, target_type: str) -> str | None:
    """The label of a stored choice code, or None when the key holds no choice."""
    from covenant.models import BlocYear, Membership, Profile

    choices = {
        "phase": [BlocYear.Phase],
        "role": [Membership.Role, Profile.Role],
    }.get(key, [])
    if key == "status" or (key == "kind" and target_type == "reports.reportingperiod"):
        try:
            from reports.models import ProgressReport, ReportingPeriod
        except ImportError:  # pragma: no cover - the reports app is always installed
            return None
        choices = [ProgressReport.Status] if key == "status" else [ReportingPeriod.Kind]
    if key.endswith((".contest", ".settlement", ".review")):
        from scoring.models import BonusClaim, ItemScore

        choices = {"contest": [ItemScore.Contest], "settlement": [ItemScore.Settlement], "review": [BonusClaim.Review]}[
            key.rsplit(".", 1)[1]
        ]
    for enum in choices:
        try:
            return str(enum(value).label)
        except ValueError:
            continue
    return None


def _scalar(key: str, value, target_type: str = "") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        if key == "is_active":
            return _("Đang hoạt động") if value else _("Đã khóa")
        return _("Có") if value else _("Không")
    if key in NUMBER_KEYS or key.endswith((".self", ".reviewed")):
        return plain_number(value)
    if key == "size" and isinstance(value, int):
        return str(filesizeformat(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        label = _choice(key, value, target_type)
        if label is not None:
            return label
        if _ISO_DATE.match(value) or _ISO_DATETIME.match(value):
            return _date(value)
        return value
    if isinstance(value, dict):
        return _item(key, value)
    if isinstance(value, list):
        return ", ".join(_scalar(key, v, target_type) for v in value)
    return str(value)


def _item(key: str, value) -> str:
    """One element of a stored list, as one line."""
    if isinstance(value, dict):
        text = str(value.get("text", "")).strip()
        order = value.get("order")
        line = f"{order}. {text}" if order is not None and text else text
        if "max_points" in value:
            line += " – " + _("%(n)s điểm") % {"n": plain_number(value["max_points"])}
            if value.get("evidence_required"):
                line += " (" + _("bắt buộc minh chứng") + ")"
        elif "points" in value:
            line += " – +" + plain_number(value["points"])
        if not line:
            line = "; ".join(f"{field_label(k)}: {_scalar(k, v)}" for k, v in value.items())
        return line
    if isinstance(value, list) and key.endswith(".results") and len(value) == 3:
        indicator, target, result = value
        return _("%(indicator)s: kế hoạch %(target)s, kết quả %(result)s") % {
            "indicator": indicator or "—",
            "target": target or "—",
            "result": result or "—",
        }
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return _scalar(key, value)


def _bulleted(key: str, value) -> bool:
    """Lists read as bullet points (legal bases, sub-items, ...); numbers and short codes read inline."""
    return (
        isinstance(value, list) and key not in INLINE_LIST_KEYS and not all(isinstance(v, int | float) for v in value)
    )


def _items(values: list[str]) -> Shown:
    return Shown(items=values[:MAX_ITEMS], more=max(0, len(values) - MAX_ITEMS), is_list=True)


def show_value(key: str, value, target_type: str = "") -> Shown:
    if key.endswith(".evidence") and isinstance(value, list):
        return Shown(text=_("%(n)s minh chứng") % {"n": len(value)} if value else "")
    if _bulleted(key, value):
        return _items([_item(key, v) for v in value])
    return Shown(text=_scalar(key, value, target_type))


def show_change(key: str, old, new, target_type: str = "") -> tuple[Shown, Shown] | None:
    """What was before and after; for lists only the items removed and added. None when nothing shows."""
    if _bulleted(key, old) or _bulleted(key, new):
        old_items = [_item(key, v) for v in old or []]
        new_items = [_item(key, v) for v in new or []]
        removed = [i for i in old_items if i not in new_items]
        added = [i for i in new_items if i not in old_items]
        if not removed and not added:
            if old_items == new_items:
                return None
            return Shown(is_list=True), Shown(text=_("Đổi thứ tự %(n)s mục") % {"n": len(new_items)}, is_list=True)
        return _items(removed), _items(added)
    before, after = show_value(key, old, target_type), show_value(key, new, target_type)
    if str(before) == str(after):
        return None
    return before, after

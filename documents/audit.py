"""How the documents' audit entries read."""

from django.utils.translation import gettext_lazy

from core import audit_display

VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "document.setup": gettext_lazy("Sửa thông tin ban hành văn bản"),
            "synthesis.save": gettext_lazy("Lưu tổng hợp theo nội dung"),
            "synthesis.year": gettext_lazy("Lưu đánh giá chung của năm"),
            "document.issue": gettext_lazy("Ban hành văn bản (cấp số, ngày)"),
            "document.scan": gettext_lazy("Lưu bản có chữ ký của văn bản"),
            "legal.add": gettext_lazy("Thêm văn bản vào khung pháp lý"),
        },
    )
)

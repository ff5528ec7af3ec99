"""How the documents' audit entries read."""

from django.utils.translation import gettext_lazy

from core import audit_display

VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "document.setup": gettext_lazy("Sửa thông tin ban hành văn bản"),
            "synthesis.save": gettext_lazy("Lưu tổng hợp theo nội dung"),
        },
    )
)

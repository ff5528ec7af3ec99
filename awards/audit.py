"""How the awards register's audit entries read."""

from django.utils.translation import gettext_lazy

from core import audit_display

VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "award.record": gettext_lazy("Ghi khen thưởng đã nhận"),
            "award.delete": gettext_lazy("Xóa khen thưởng khỏi sổ"),
        },
    )
)

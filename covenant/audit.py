"""How the covenant's audit entries read."""

from django.utils.translation import gettext_lazy

from core import audit_display

VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "covenant.change": gettext_lazy("Sửa thông tin giao ước"),
            "content.create": gettext_lazy("Thêm nội dung giao ước"),
            "content.change": gettext_lazy("Sửa nội dung giao ước"),
            "content.delete": gettext_lazy("Xóa nội dung giao ước"),
            "secretariat.handover": gettext_lazy("Bàn giao Văn phòng khối cho Trưởng khối năm sau"),
        },
        fields={
            "signed_on": gettext_lazy("Ngày ký giao ước"),
            "signed_place": gettext_lazy("Nơi ký"),
            "plan_number": gettext_lazy("Số kế hoạch thực hiện"),
            "plan_date": gettext_lazy("Ngày ban hành kế hoạch"),
            "legal_bases": gettext_lazy("Căn cứ"),
            "contents": gettext_lazy("Nội dung giao ước liên quan"),
            "accounts": gettext_lazy("Tài khoản"),
        },
        target_fields={
            "covenant.covenant": {"title": gettext_lazy("Tên giao ước")},
            "covenant.covenantcontent": {"title": gettext_lazy("Tiêu đề ngắn")},
        },
        inline_list_keys=frozenset({"contents", "accounts"}),
    )
)

"""How the council's audit entries read."""

from django.utils.translation import gettext_lazy

from core import audit_display

VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "bloc.create": gettext_lazy("Tạo khối thi đua"),
            "bloc.change": gettext_lazy("Sửa thông tin khối thi đua"),
            "account.create_secretariat": gettext_lazy("Tạo tài khoản Văn phòng khối"),
            "unit.move": gettext_lazy("Chuyển đơn vị sang khối khác"),
            "unit.rename": gettext_lazy("Đổi tên đơn vị"),
            "unit.merge": gettext_lazy("Sáp nhập đơn vị"),
            "quota.set": gettext_lazy("Đặt chỉ tiêu khen thưởng"),
            "dossier.submit": gettext_lazy("Gửi hồ sơ đề nghị khen thưởng lên tỉnh"),
            "dossier.return": gettext_lazy("Tỉnh trả lại hồ sơ đề nghị khen thưởng"),
            "dossier.accept": gettext_lazy("Tỉnh tiếp nhận hồ sơ đề nghị khen thưởng"),
            "dossier.decide": gettext_lazy("Ghi nhận quyết định khen thưởng"),
            "year.import": gettext_lazy("Nhập kết quả năm từ tệp Excel"),
        },
        fields={
            "from": gettext_lazy("Từ khối"),
            "to": gettext_lazy("Sang khối"),
            "into": gettext_lazy("Sáp nhập vào"),
            "submissions": gettext_lazy("Lần gửi"),
            "decision_number": gettext_lazy("Số quyết định"),
            "decision_date": gettext_lazy("Ngày quyết định"),
            "decision_signer": gettext_lazy("Người ký"),
            "awards": gettext_lazy("Khen thưởng"),
            "flags": gettext_lazy("Số Cờ thi đua"),
            "certificates": gettext_lazy("Số Bằng khen"),
        },
    )
)

"""python manage.py load_demo: the demo bloc of Kon Tum, 2017 and the current year (DEMO ONLY)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.builder import load_demo


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu minh họa (demo) từ fixtures/demo/: khối thi đua tỉnh Kon Tum, năm 2017 và năm hiện tại, "
        "cùng các tài khoản demo. Chạy lại nhiều lần không tạo trùng. DEMO ONLY."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            type=Path,
            default=None,
            help="Thư mục dữ liệu demo (mặc định: fixtures/demo/ trong mã nguồn).",
        )

    def handle(self, *args, fixtures=None, verbosity=1, **options):
        log = self.stdout.write if verbosity >= 1 else (lambda _msg: None)
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "Cảnh báo: DEBUG đang tắt. Dữ liệu và tài khoản demo dùng mật khẩu công khai; "
                    "không nạp vào hệ thống thật."
                )
            )
        loader = load_demo(root=fixtures, log=log)
        self.stdout.write(
            self.style.SUCCESS(f"Xong: {loader.created} mục tạo mới, {loader.skipped} mục đã có (bỏ qua).")
        )
        rows = loader.account_rows()
        header = ("Tên đăng nhập", "Vai trò", "Đơn vị / phạm vi")
        width = max(len(r[0]) for r in [header, *rows])
        role_width = max(len(r[1]) for r in [header, *rows])
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(f"TÀI KHOẢN DEMO — CHỈ DÙNG ĐỂ CHẠY THỬ (DEMO ONLY). Mật khẩu chung: {loader.password}")
        )
        self.stdout.write(f"{header[0]:<{width}}  {header[1]:<{role_width}}  {header[2]}")
        for username, role, scope in rows:
            self.stdout.write(f"{username:<{width}}  {role:<{role_width}}  {scope}")
        self.stdout.write("Không có tài khoản quản trị (superuser) nào được tạo.")

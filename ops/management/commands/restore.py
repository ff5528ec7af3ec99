"""python manage.py restore ARCHIVE: check a backup whole, then put its files and its database back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ops.archive import BackupError, restore_archive, verify_archive


class Command(BaseCommand):
    help = (
        "Phục hồi từ một bản sao lưu của lệnh backup. Kiểm tra mọi mã kiểm tra trước khi ghi bất cứ gì; bản sao "
        "lưu sai hoặc thiếu bị từ chối. Thay TOÀN BỘ cơ sở dữ liệu hiện tại: dừng máy chủ web và tiến trình xử lý "
        "nền trước."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="Tệp .tar do lệnh backup tạo.")
        parser.add_argument("--check", action="store_true", help="Chỉ kiểm tra bản sao lưu, không ghi gì.")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Không hỏi xác nhận."
        )

    def handle(self, *args, archive: Path, check: bool, interactive: bool, verbosity: int = 1, **options) -> None:
        log = self.stdout.write if verbosity >= 1 else (lambda _msg: None)
        try:
            manifest = verify_archive(archive)
        except BackupError as e:
            raise CommandError(f"Không phục hồi: {e}") from e
        log(
            f"Bản sao lưu hợp lệ: tạo lúc {manifest['created_at']}, phiên bản {manifest['app']['version']} "
            f"({manifest['app']['commit'] or 'không rõ commit'}), {manifest['database']['vendor']}, "
            f"{len(manifest['files'])} tệp; mọi mã kiểm tra khớp."
        )
        if check:
            return
        name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        if interactive:
            answer = input(
                f"Dữ liệu hiện có trong cơ sở dữ liệu {name} sẽ bị THAY THẾ hoàn toàn. Gõ 'yes' để tiếp tục: "
            )
            if answer.strip() != "yes":
                raise CommandError("Đã hủy: không thay đổi gì.")
        try:
            result = restore_archive(archive, log=log)
        except BackupError as e:
            raise CommandError(f"Không phục hồi: {e}") from e
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Cảnh báo: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã phục hồi cơ sở dữ liệu và {result.restored_files} tệp "
                f"({result.unchanged_files} tệp đã có sẵn, giống hệt)."
            )
        )
        self.stdout.write(
            "Tiếp theo: python manage.py migrate (nếu mã mới hơn bản sao lưu), rồi khởi động lại máy chủ web và "
            "tiến trình xử lý nền. Tệp trong kho không có trong bản sao lưu được giữ lại: xem clean_orphan_files."
        )

"""python manage.py backup: the database, the evidence files and a manifest with checksums, in one tar file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.archive import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ: cơ sở dữ liệu (gồm các văn bản PDF đã tạo), mọi tệp minh chứng trong kho tệp và bản kê "
        "(manifest.json) có mã kiểm tra sha256, vào một tệp .tar. Giữ SECRET_KEY và tệp môi trường bên cạnh bản "
        "sao lưu: chúng không nằm trong đó."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="Tệp hoặc thư mục đích (mặc định BACKUP_DIR; trong thư mục, tên tệp là khoithidua-NGÀY-GIỜ.tar).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Sau khi sao lưu xong, chỉ giữ N bản mới nhất trong thư mục đích (0: giữ tất cả).",
        )

    def handle(self, *args, output: Path | None, keep: int, verbosity: int = 1, **options) -> None:
        log = self.stdout.write if verbosity >= 1 else (lambda _msg: None)
        target = output or settings.BACKUP_DIR
        if output is None:
            Path(target).mkdir(parents=True, exist_ok=True)
        try:
            result = create_backup(target, log=log)
        except BackupError as e:
            raise CommandError(str(e)) from e
        manifest = result.manifest
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Cảnh báo: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {result.archive}: cơ sở dữ liệu {manifest['database']['size']:,} byte, "
                f"{len(manifest['files'])} tệp ({manifest['files_total_size']:,} byte)."
            )
        )
        self.stdout.write("Giữ SECRET_KEY và tệp môi trường cùng bản sao lưu (không nằm trong tệp .tar).")
        if keep:
            for path in prune_backups(result.archive.parent, keep):
                log(f"Đã xóa bản sao lưu cũ {path}")

"""python manage.py clean_orphan_files [--delete]: files of the storage with no row, and rows with no file."""

import datetime

from django.core.management.base import BaseCommand

from ops import orphans


class Command(BaseCommand):
    help = (
        "Liệt kê các tệp trong kho tệp minh chứng mà không dòng dữ liệu nào trỏ tới (tệp mồ côi) và các minh chứng "
        "mất tệp. Mặc định chỉ liệt kê (chạy thử); --delete để xóa tệp mồ côi. Không bao giờ xóa dòng dữ liệu."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="Xóa các tệp mồ côi đã liệt kê.")
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="Bỏ qua tệp mới hơn N phút (một lượt tải lên đang dở ghi tệp trước khi ghi dòng). Mặc định 60.",
        )

    def handle(self, *args, delete: bool, min_age: int, **options) -> None:
        found, missing = orphans.scan(min_age=datetime.timedelta(minutes=min_age))
        for orphan in found:
            size = "?" if orphan.size is None else f"{orphan.size:,}"
            when = f"{orphan.modified:%d/%m/%Y %H:%M}" if orphan.modified else "?"
            self.stdout.write(f"mồ côi  {orphan.name}  {size} byte  {when}")
        for row in missing:
            self.stdout.write(f"mất tệp  {row.model} #{row.pk} ({row.description})  {row.name}")
        total = sum(o.size or 0 for o in found)
        self.stdout.write(
            f"{len(found)} tệp mồ côi ({total:,} byte); {len(missing)} dòng dữ liệu mất tệp "
            f"(không tự sửa: cần tải lại tệp hoặc xóa minh chứng qua giao diện)."
        )
        if not delete:
            if found:
                self.stdout.write("Chạy thử: chưa xóa gì. Thêm --delete để xóa các tệp mồ côi.")
            return
        deleted = orphans.delete(found)
        self.stdout.write(self.style.SUCCESS(f"Đã xóa {deleted} tệp mồ côi."))

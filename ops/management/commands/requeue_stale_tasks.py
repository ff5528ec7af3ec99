"""python manage.py requeue_stale_tasks: put back in the queue the tasks that dead workers left running."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.stale import requeue_stale_tasks, stale_tasks


class Command(BaseCommand):
    help = (
        "Đưa lại vào hàng đợi các việc nền còn ở trạng thái “đang chạy” mà tiến trình xử lý đã dừng (không có "
        "nhịp hoạt động quá TASK_STALE_SECONDS giây); báo lỗi các việc đã thử TASK_MAX_ATTEMPTS lần. run_worker "
        "tự làm việc này; lệnh này để chạy tay hoặc khi chỉ dùng db_worker."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không thay đổi gì.")
        parser.add_argument(
            "--stale-seconds",
            type=int,
            default=None,
            help=f"Ngưỡng (giây), mặc định TASK_STALE_SECONDS = {settings.TASK_STALE_SECONDS}.",
        )

    def handle(self, *args, dry_run: bool, stale_seconds: int | None, **options) -> None:
        for task in stale_tasks(stale_seconds=stale_seconds):
            worker = task.worker_ids[-1] if task.worker_ids else "?"
            self.stdout.write(f"{task.pk}  {task.task_path}  bắt đầu {task.started_at:%d/%m/%Y %H:%M:%S}  {worker}")
        reaped = requeue_stale_tasks(stale_seconds=stale_seconds, dry_run=dry_run)
        verb = "Sẽ đưa lại" if dry_run else "Đã đưa lại"
        self.stdout.write(
            f"{verb} vào hàng đợi: {len(reaped.requeued)} việc; "
            f"{'sẽ báo' if dry_run else 'đã báo'} lỗi (quá số lần thử): {len(reaped.failed)} việc."
        )

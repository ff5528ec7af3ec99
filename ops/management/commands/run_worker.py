"""python manage.py run_worker: the task worker for production (db_worker's options, supervised; see ops/worker.py)."""

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import logger

from ops.worker import SupervisedWorker, default_worker_id


class Command(DbWorkerCommand):
    help = (
        "Chạy tiến trình xử lý nền (gửi thư, tạo văn bản lớn) như db_worker, nhưng không dừng khi cơ sở dữ liệu "
        "khởi động lại, ghi nhịp hoạt động (heartbeat) và đưa lại vào hàng đợi các việc mà một tiến trình đã chết "
        "bỏ dở."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # db_worker draws its default id once, when its module is imported; ours names the host and process.
        parser.set_defaults(worker_id=None)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: autoreload is off.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SupervisedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or default_worker_id(),
            excluded_queue_names=excluded,
        )
        if reload:
            import os

            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the reloaded child
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

"""Bring the year-end documents of large blocs up to date for the day; meant for cron, just after midnight."""

from django.core.management.base import BaseCommand

from core.models import Bloc
from documents.render import large_bloc_years, refresh_ahead


class Command(BaseCommand):
    help = (
        "Làm mới văn bản cuối năm của các khối lớn cho ngày mới (điểm trừ báo cáo trễ hạn, thiếu báo cáo tính theo "
        "ngày), để người dùng không phải chờ. Chạy hằng ngày, sau nửa đêm."
    )

    def handle(self, *args, **options):
        bloc_ids = {by.bloc_id for by in large_bloc_years(Bloc.objects.values_list("pk", flat=True))}
        done = 0
        for bloc_id, data_version in Bloc.objects.filter(pk__in=bloc_ids).values_list("pk", "data_version"):
            done += len(refresh_ahead(bloc_id, data_version))
        self.stdout.write(f"{len(bloc_ids)} khối lớn, {done} văn bản đã cập nhật.")

"""Print a bloc year's ranking as CSV on standard output."""

import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from core.formatting import plain
from core.models import BlocYear
from core.spreadsheet import csv_row
from scoring.sheets.models import ScoreSheet
from scoring.sheets.ranking import compute


class Command(BaseCommand):
    help = "In bảng xếp hạng của một khối trong một năm ra CSV (số dùng dấu chấm thập phân)."

    def add_arguments(self, parser):
        parser.add_argument("--bloc", required=True, help="Mã khối, ví dụ khoi-tckt")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args, bloc, year, **options):
        bloc_year = BlocYear.objects.filter(bloc__code=bloc, year=year).first()
        if bloc_year is None:
            self.stderr.write(f"Không có khối {bloc} năm {year}.")
            sys.exit(1)
        if not ScoreSheet.objects.filter(bloc_year=bloc_year).exclude(status=ScoreSheet.Status.DRAFT).exists():
            self.stderr.write(f"Khối {bloc} năm {year} chưa có điểm.")
            sys.exit(1)
        try:
            ranking = compute(bloc_year)
        except Exception as e:
            raise CommandError(str(e)) from e
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(
            csv_row(
                [
                    "rank",
                    "unit_code",
                    "unit_name",
                    *[f"criterion_{i}" for i in range(1, len(ranking.criteria) + 1)],
                    "bonus",
                    "deductions",
                    "total",
                    "status",
                ]
            )
        )
        status = "approved" if ranking.approved else "provisional"
        for row, unit in ranking.lines():
            writer.writerow(
                csv_row(
                    [
                        row.rank,
                        unit.membership.unit.code,
                        unit.membership.unit.name,
                        *[plain(v) for v in row.entry.criteria],
                        plain(row.bonus),
                        plain(row.deductions),
                        plain(row.total),
                        status,
                    ]
                )
            )

"""Print a document to a PDF file from a script: render_document ranking --bloc khoi-tckt --year 2017 -o f.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.models import BlocYear, Unit
from documents.models import RenderedDocument
from documents.registry import load_all
from documents.render import get_pdf, prepare
from reports.models import ReportingPeriod


class Command(BaseCommand):
    help = "Xuất một văn bản ra tệp PDF."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(load_all()))
        parser.add_argument("--bloc", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--unit", help="Mã đơn vị (bảng điểm, báo cáo định kỳ)")
        parser.add_argument("--period", help="Mã kỳ báo cáo, ví dụ q1 (báo cáo định kỳ)")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, kind, bloc, year, unit, period, output, **options):
        spec = load_all()[kind]
        bloc_year = BlocYear.objects.select_related("bloc__province").filter(bloc__code=bloc, year=year).first()
        if bloc_year is None:
            raise CommandError(f"Không có khối {bloc} năm {year}.")
        unit_obj = period_obj = None
        if spec.needs_unit:
            if not unit:
                raise CommandError(f"Văn bản {kind} cần --unit.")
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None or not bloc_year.memberships.filter(unit=unit_obj).exists():
                raise CommandError(f"Đơn vị {unit} không thuộc khối năm {year}.")
        if spec.needs_period:
            if not period:
                raise CommandError(f"Văn bản {kind} cần --period.")
            period_obj = ReportingPeriod.objects.filter(bloc_year=bloc_year, code=period).first()
            if period_obj is None:
                raise CommandError(f"Không có kỳ báo cáo {period} trong năm {year}.")
        try:
            prepared = prepare(kind, bloc_year, unit_obj, period_obj)
        except Exception as e:
            raise CommandError(str(e)) from e
        try:
            document = get_pdf(prepared)
        except Exception as e:
            raise CommandError(f"Không tạo được văn bản {kind}: {e}") from e
        pdf = bytes(document.pdf)
        if document.status != RenderedDocument.Status.DONE or not pdf.startswith(b"%PDF") or document.pages < 1:
            raise CommandError(f"Không tạo được văn bản {kind}: {document.error or 'tệp PDF rỗng'}")
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{output}: {document.pages} trang, mã kiểm tra {prepared.code}")

"""python manage.py generate_scale_data: national-scale benchmark data (BENCHMARK ONLY). See bench/scale.py."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.scale import PASSWORD, PREFIX, Options, ScaleGenerator


def _range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise CommandError(f"--{name} phải từ {low} đến {high} (đang là {value}).")


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu thử nghiệm hiệu năng ở quy mô cả nước (BENCHMARK ONLY): P tỉnh bench-p01…, mỗi tỉnh B khối "
        "bench-p01-b01…, mỗi khối M đơn vị, Y năm gần nhất đến năm hiện tại (các năm trước đã công bố: báo cáo, "
        "minh chứng, chấm điểm, xếp hạng, bỏ phiếu, đề nghị khen thưởng; năm hiện tại đang báo cáo với một kỳ đang "
        "mở); luôn kèm khối 15 đơn vị bench-15 và khối chịu tải bench-1000 (tỉnh bench-tinh), mỗi đơn vị có một "
        "báo cáo nháp trong kỳ đang mở, và các tài khoản bench15-…, bench1000-…, bench-…-viewer (mật khẩu "
        f"{PASSWORD}). Mỗi lần chạy trước hết XÓA toàn bộ dữ liệu bench của lần trước (tỉnh, khối, đơn vị, tài "
        f"khoản có mã hoặc tên đăng nhập bắt đầu bằng “{PREFIX}” cùng mọi dữ liệu của chúng) rồi tạo lại; dữ liệu "
        "khác (kể cả khối demo khoi-tckt) không bị động đến. Chèn hàng loạt (bulk), mỗi tỉnh một giao dịch."
    )

    def add_arguments(self, parser):
        defaults = Options()
        parser.add_argument("--provinces", type=int, default=defaults.provinces,
                            help=f"Số tỉnh sinh ra (mặc định {defaults.provinces}; 0: chỉ bench-15 và bench-1000).")
        parser.add_argument("--blocs-per-province", type=int, default=defaults.blocs_per_province,
                            help=f"Số khối mỗi tỉnh (mặc định {defaults.blocs_per_province}).")
        parser.add_argument("--units-per-bloc", type=int, default=defaults.units_per_bloc,
                            help=f"Số đơn vị mỗi khối (mặc định {defaults.units_per_bloc}).")
        parser.add_argument("--years", type=int, default=defaults.years,
                            help=f"Số năm, kết thúc ở năm hiện tại (mặc định {defaults.years}).")
        parser.add_argument("--stress-units", type=int, default=defaults.stress_units,
                            help=f"Số đơn vị của khối chịu tải bench-1000 (mặc định {defaults.stress_units}).")
        parser.add_argument("--seed", type=int, default=defaults.seed,
                            help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng ngày chạy thì cùng dữ liệu.")
        parser.add_argument("--delete-only", action="store_true",
                            help="Chỉ xóa dữ liệu bench của lần chạy trước, không tạo lại.")

    def handle(self, *args, verbosity=1, **opts):
        _range("provinces", opts["provinces"], 0, 99)
        _range("blocs-per-province", opts["blocs_per_province"], 1, 99)
        _range("units-per-bloc", opts["units_per_bloc"], 2, 99)
        _range("years", opts["years"], 1, 20)
        _range("stress-units", opts["stress_units"], 2, 9999)
        options = Options(
            provinces=opts["provinces"],
            blocs_per_province=opts["blocs_per_province"],
            units_per_bloc=opts["units_per_bloc"],
            years=opts["years"],
            stress_units=opts["stress_units"],
            seed=opts["seed"],
        )
        log = self.stdout.write if verbosity >= 1 else (lambda _msg: None)
        if not settings.DEBUG and verbosity >= 1:
            self.stderr.write(
                self.style.WARNING(f"Dữ liệu thử nghiệm, tài khoản dùng mật khẩu công khai {PASSWORD}: "
                                   "không chạy trên hệ thống thật.")
            )
        started = time.monotonic()
        generator = ScaleGenerator(options, log=log)
        if not opts["delete_only"]:
            log(
                f"Tạo {options.provinces} tỉnh × {options.blocs_per_province} khối × {options.units_per_bloc} đơn vị, "
                f"năm {generator.years[0]}–{generator.years[-1]}, cùng bench-15 và bench-1000 "
                f"({options.stress_units} đơn vị); kỳ đang mở: {generator.open_index + 1}."
            )
        counts = generator.run(delete_only=opts["delete_only"])
        took = time.monotonic() - started
        if opts["delete_only"]:
            self.stdout.write(self.style.SUCCESS(f"Đã xóa dữ liệu bench ({took:.1f} s)."))
            return
        if verbosity >= 1:
            width = max(len(label) for label in counts)
            log("Số dòng đã tạo:")
            for label, n in sorted(counts.items(), key=lambda x: -x[1]):
                log(f"  {label:<{width}}  {n:>10,}")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Xong: {total:,} dòng trong {took:.1f} s."))

"""Close every online ballot whose scheduled window has ended (from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from scoring.meeting.services import close_due_ballots


class Command(BaseCommand):
    help = (
        "Kết thúc các cuộc bỏ phiếu trực tuyến đã hết giờ hẹn đóng (chạy định kỳ; tác vụ nền cũng đóng đúng giờ, "
        "lệnh này đóng nốt cuộc nào bị bỏ sót)."
    )

    def handle(self, *args, **options):
        closed = close_due_ballots()
        self.stdout.write(f"{closed}")

"""Repair stored texts that took the interface language (English) when a year was opened from an English page:
covenant and scoreboard titles, default period names, the default signature and recipient lines of the
documents' setups. They print on Vietnamese documents."""

import re

from django.db import migrations
from django.utils import translation

# The Vietnamese defaults whose English rendering may have been stored (translated at run time with the
# catalogue the English was made from).
PERIODS = ["Báo cáo quý I", "Báo cáo sơ kết 6 tháng đầu năm", "Báo cáo quý III", "Báo cáo tổng kết năm"]
SETUP_LINES = [
    "KHỐI THI ĐUA",
    "TRƯỞNG KHỐI",
    "Hội đồng Thi đua - Khen thưởng tỉnh",
    "Ban Thi đua - Khen thưởng tỉnh",
    "Các đơn vị thành viên Khối",
    "Các đơn vị trong Khối",
    "Lưu: VT",
    "Lưu: VT, hồ sơ",
    "Lưu: VT, Văn phòng khối",
    "Như trên",
    "Đơn vị được chấm điểm",
    "Hội đồng Thi đua - Khen thưởng tỉnh (kèm Tờ trình)",
]


def english_of(texts: list[str]) -> dict[str, str]:
    with translation.override("en"):
        pairs = {translation.gettext(t): t for t in texts}
    return {en: vi for en, vi in pairs.items() if en != vi}


def repair(apps, schema_editor):
    Covenant = apps.get_model("covenant", "Covenant")
    Scoreboard = apps.get_model("scoring", "Scoreboard")
    ReportingPeriod = apps.get_model("reports", "ReportingPeriod")
    DocumentSetup = apps.get_model("documents", "DocumentSetup")
    for model, pattern, vi in (
        (Covenant, re.compile(r"^\s*emulation covenant (\d{4})\s*$", re.I), "Giao ước thi đua năm {}"),
        (Scoreboard, re.compile(r"^\s*scoreboard (\d{4})\s*$", re.I), "Bảng điểm thi đua năm {}"),
    ):
        for row in model.objects.filter(title__iregex=pattern.pattern):
            row.title = vi.format(pattern.match(row.title).group(1))
            row.save(update_fields=["title"])
    periods = english_of(PERIODS)
    for period in ReportingPeriod.objects.filter(name__in=list(periods)):
        period.name = periods[period.name]
        period.save(update_fields=["name"])
    lines = english_of(SETUP_LINES)
    upper = {en.upper(): vi.upper() for en, vi in lines.items()}
    for setup in DocumentSetup.objects.all():
        changed = False
        for field in ("authority", "signer_title"):
            value = getattr(setup, field)
            if value.strip().upper() in upper:
                setattr(setup, field, upper[value.strip().upper()])
                changed = True
        recipients = [lines.get(r.strip(), r) for r in setup.recipients.splitlines()]
        if "\n".join(recipients) != setup.recipients:
            setup.recipients, changed = "\n".join(recipients), True
        if changed:
            setup.save(update_fields=["authority", "signer_title", "recipients"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_i14_register_legal_frame"),
        ("covenant", "0005_tenancy_moved_to_core"),
        ("scoring", "0005_i14_meeting_hours_discussion"),
        ("reports", "0005_tenancy_and_documents_moved"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]

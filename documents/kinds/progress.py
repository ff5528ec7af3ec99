"""A unit's periodic progress report as submitted (báo cáo định kỳ): issued and signed by the unit itself."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from documents.layout import date_line, vn_date
from documents.registry import DocumentKind, register
from reports.models import ProgressReport, ReportSection


def paragraphs(text: str) -> list[str]:
    """The unit's text as paragraphs: one per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def period_phrase(period, year: int) -> str:
    """ "Báo cáo quý I" → "quý I năm 2017"; "Báo cáo sơ kết 6 tháng đầu năm" → "sơ kết 6 tháng đầu năm 2017"."""
    name = period.name.strip()
    prefix = _("Báo cáo").lower()
    if name.lower().startswith(prefix + " "):
        name = name[len(prefix) + 1 :].strip()
    if name and name[0].isupper() and not name.split()[0].isupper():
        name = name[0].lower() + name[1:]
    if str(year) in name:
        return name
    year_word = _("năm")
    if name.endswith(" " + year_word) or name == year_word:
        return f"{name} {year}"
    return _("%(period)s năm %(year)s") % {"period": name, "year": year}


def local_day(moment):
    return timezone.localdate(moment) if moment else None


def status_line(report) -> str:
    Status = ProgressReport.Status
    parts = [_("Nộp lần đầu ngày %(d)s") % {"d": vn_date(local_day(report.first_submitted_at))}]
    if report.submitted_at and local_day(report.submitted_at) != local_day(report.first_submitted_at):
        parts.append(_("nộp lại ngày %(d)s") % {"d": vn_date(local_day(report.submitted_at))})
    if report.status == Status.RETURNED:
        parts.append(
            _("Văn phòng khối trả lại ngày %(d)s để bổ sung, chỉnh sửa") % {"d": vn_date(local_day(report.returned_at))}
        )
    elif report.status == Status.ACCEPTED:
        parts.append(_("Văn phòng khối tiếp nhận ngày %(d)s") % {"d": vn_date(local_day(report.accepted_at))})
    else:
        parts.append(_("chờ Văn phòng khối tiếp nhận"))
    return "; ".join(parts) + "."


def evidence_rows(items) -> list[dict]:
    ordered = sorted(items, key=lambda e: (e.issued_on or datetime.date.max, e.number_symbol, e.pk))
    return [{"number_symbol": e.number_symbol, "date": vn_date(e.issued_on), "summary": e.summary} for e in ordered]


def unit_parent_body(unit, bloc) -> str:
    """The body above a unit on its own documents: its own parent (Cục Thuế: Tổng cục Thuế), else the bloc's."""
    return (unit.parent_body or bloc.parent_body or bloc.province.name).upper()


def unit_signer_title(unit) -> str:
    return (unit.head_title or _("Thủ trưởng đơn vị")).upper()


def submitted_day(bloc_year, unit, period):  # noqa: ARG001 (the kinds' natural_day signature)
    """A unit's report is dated the day it was submitted (last submitted when it was resubmitted)."""
    report = ProgressReport.objects.filter(period=period, unit=unit).exclude(status=ProgressReport.Status.DRAFT).first()
    return local_day(report.submitted_at or report.first_submitted_at) if report else None


def build(*, bloc_year, unit=None, period=None, issue=None, **_rest) -> dict:
    if unit is None or period is None or period.bloc_year_id != bloc_year.pk:
        raise ServiceError(_("Báo cáo định kỳ cần một đơn vị và một kỳ báo cáo của năm thi đua này."))
    report = (
        ProgressReport.objects.filter(period=period, unit=unit)
        .exclude(status=ProgressReport.Status.DRAFT)
        .select_related("period", "unit")
        .first()
    )
    if report is None:
        raise ServiceError(
            _("%(unit)s chưa nộp “%(period)s”: chỉ in được báo cáo đã nộp.")
            % {"unit": unit.name, "period": period.name}
        )
    bloc = bloc_year.bloc
    year = bloc_year.year
    phrase = period_phrase(period, year)
    covenant_title = getattr(getattr(bloc_year, "covenant", None), "title", "") or _(
        "Giao ước thi đua năm %(year)s"
    ) % {"year": year}

    sections = []
    for s in (
        ReportSection.objects.filter(report=report)
        .select_related("content")
        .prefetch_related("results", "evidence")
        .order_by("content__order")
    ):
        letters = iter("abcdefgh")
        parts = [
            {
                "label": f"{next(letters)}) " + _("Kết quả thực hiện"),
                "paragraphs": paragraphs(s.done),
                "results": [
                    {"indicator": r.indicator, "target": r.target, "result": r.result} for r in s.results.all()
                ],
            }
        ]
        if paragraphs(s.difficulties):
            parts.append(
                {"label": f"{next(letters)}) " + _("Khó khăn, vướng mắc"), "paragraphs": paragraphs(s.difficulties)}
            )
        if paragraphs(s.next_steps):
            parts.append(
                {
                    "label": f"{next(letters)}) " + _("Nhiệm vụ, giải pháp thời gian tới"),
                    "paragraphs": paragraphs(s.next_steps),
                }
            )
        evidence = evidence_rows(s.evidence.all())
        if evidence:
            parts.append({"label": f"{next(letters)}) " + _("Minh chứng kèm theo"), "evidence": evidence})
        sections.append({"number": s.content.order, "title": s.content.title, "parts": parts})

    short = "".join((unit.short_name or "").split())
    return {
        # The unit issues its own report: its header replaces the bloc's.
        "parent_body": unit_parent_body(unit, bloc),
        "issuing_body": unit.name.upper(),
        "number_line": _("Số: %(number)s/%(symbol)s")
        % {
            "number": (issue.number if issue else "") or "\u2002\u2002\u2002",
            "symbol": f"BC-{short}" if short else "BC",
        },
        "date_line": date_line(
            bloc.province.name,
            issue.day if issue else local_day(report.submitted_at or report.first_submitted_at),
            issue.year if issue else year,
        ),
        "doc_type": _("Báo cáo"),
        "summary": _("Kết quả thực hiện Giao ước thi đua %(period)s") % {"period": phrase},
        "intro": _("Thực hiện %(covenant)s của %(bloc)s, %(unit)s báo cáo kết quả thực hiện %(period)s như sau:")
        % {"covenant": covenant_title, "bloc": bloc.name, "unit": unit.name, "period": phrase},
        "part_one": _("I. Kết quả thực hiện các nội dung giao ước thi đua"),
        "sections": sections,
        "part_two": _("II. Đề xuất, kiến nghị"),
        "proposals": paragraphs(report.general_proposals),
        "closing": _("Trên đây là báo cáo kết quả thực hiện Giao ước thi đua %(period)s của %(unit)s./.")
        % {"period": phrase, "unit": unit.name},
        "recipients": [
            _("Văn phòng Khối thi đua (để tổng hợp)"),
            _("Lưu: VT"),
        ],
        "signer_title": unit_signer_title(unit),
        "signer_name": unit.head_name,
        "status": status_line(report),
    }


def submitted(access, unit, period) -> bool:  # noqa: ARG001 (the kinds' visible() signature)
    """A unit's report prints once it was submitted (a draft is nobody's to print)."""
    return (
        period is not None
        and ProgressReport.objects.filter(period=period, unit=unit).exclude(status=ProgressReport.Status.DRAFT).exists()
    )


register(
    DocumentKind(
        code="progress",
        natural_day=submitted_day,
        short="BC",
        label=gettext_lazy("Báo cáo định kỳ của đơn vị"),
        doc_type="BC",
        template="documents/pdf/progress.html",
        build=build,
        needs_unit=True,
        needs_period=True,
        visible=submitted,
    )
)

"""Periodic progress reports: periods and extensions, the report workflow, evidence, reminders.

Dates follow DOMAIN.md (assumptions, configurable): Q1, the mid-year report (covers Q2), Q3 and the
annual report (covers Q4); each due on the 10th day after its quarter ends and locked
REPORT_LOCK_DAYS later. Deadlines and lock dates are applied at the end of their day in the
project's time zone.
"""

import datetime
import hashlib
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from covenant.models import BlocYear, CovenantContent, Membership, Unit
from covenant.services import ConflictError, ServiceError, bump_version, record, snapshot
from reports.models import (
    Evidence,
    Extension,
    ProgressReport,
    ReportingPeriod,
    ReportSection,
    ResultRow,
    end_of_day,
)
from reports.tasks import notify_report

Status = ProgressReport.Status


def _d(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Periods ------------------------------------------------------------------------------------------

# (code, kind, name, first month of the covered quarter)
DEFAULT_PERIODS = [
    ("q1", ReportingPeriod.Kind.QUARTER, gettext_lazy("Báo cáo quý I"), 1),
    ("6t", ReportingPeriod.Kind.MIDYEAR, gettext_lazy("Báo cáo sơ kết 6 tháng đầu năm"), 4),
    ("q3", ReportingPeriod.Kind.QUARTER, gettext_lazy("Báo cáo quý III"), 7),
    ("nam", ReportingPeriod.Kind.ANNUAL, gettext_lazy("Báo cáo tổng kết năm"), 10),
]


def default_period_dates(year: int, first_month: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Opening date (two weeks before the quarter ends), deadline and lock date of a quarter's report."""
    end_month = first_month + 2
    quarter_end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
    opens = quarter_end - datetime.timedelta(days=14)
    deadline = quarter_end + datetime.timedelta(days=settings.REPORT_DEADLINE_DAYS)
    lock = deadline + datetime.timedelta(days=settings.REPORT_LOCK_DAYS)
    return opens, deadline, lock


@transaction.atomic
def create_default_periods(*, bloc_year: BlocYear, by, at: datetime.datetime | None = None) -> list[ReportingPeriod]:
    if bloc_year.periods.exists():
        raise ServiceError(_("Năm thi đua đã có kỳ báo cáo."))
    periods = []
    for order, (code, kind, name, month) in enumerate(DEFAULT_PERIODS, start=1):
        opens, deadline, lock = default_period_dates(bloc_year.year, month)
        periods.append(
            ReportingPeriod.objects.create(
                bloc_year=bloc_year,
                code=code,
                kind=kind,
                name=str(name),
                order=order,
                opens_on=opens,
                deadline=deadline,
                lock_date=lock,
            )
        )
    record(
        bloc_year=bloc_year,
        by=by,
        action="periods.create_default",
        target=bloc_year,
        after={"periods": [p.code for p in periods]},
        at=at,
    )
    return periods


PERIOD_FIELDS = ("code", "name", "kind", "order", "opens_on", "deadline", "lock_date")


@transaction.atomic
def save_period(
    *,
    bloc_year: BlocYear,
    period: ReportingPeriod | None,
    data: dict,
    expected_version: int | None,
    by,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> ReportingPeriod:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    reason = (reason or "").strip()
    if period is not None and period.reports.exclude(status=Status.DRAFT).exists() and not reason:
        raise ServiceError(_("Kỳ báo cáo đã có đơn vị nộp: phải ghi lý do thay đổi."), field="reason")
    if not (data["opens_on"] <= data["deadline"] <= data["lock_date"]):
        raise ServiceError(_("Phải có: ngày mở ≤ hạn nộp ≤ ngày khóa sổ."))
    for key, msg in (("code", _("Mã kỳ “%(v)s” đã có trong năm.")), ("order", _("Thứ tự %(v)s đã được dùng."))):
        clash = ReportingPeriod.objects.filter(bloc_year=bloc_year, **{key: data[key]})
        if period is not None:
            clash = clash.exclude(pk=period.pk)
        if clash.exists():
            raise ServiceError(msg % {"v": data[key]}, field=key)
    if period is None:
        period = ReportingPeriod.objects.create(bloc_year=bloc_year, **{f: data[f] for f in PERIOD_FIELDS})
        record(
            bloc_year=bloc_year,
            by=by,
            action="period.create",
            target=period,
            after=snapshot(period, PERIOD_FIELDS),
            reason=reason,
            at=at,
        )
        return period
    bump_version(ReportingPeriod, period.pk, expected_version)
    period.refresh_from_db()
    before = snapshot(period, PERIOD_FIELDS)
    for f in PERIOD_FIELDS:
        setattr(period, f, data[f])
    period.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="period.change",
        target=period,
        before=before,
        after=snapshot(period, PERIOD_FIELDS),
        reason=reason,
        at=at,
    )
    return period


@transaction.atomic
def grant_extension(
    *,
    period: ReportingPeriod,
    unit: Unit,
    deadline: datetime.date,
    lock_date: datetime.date,
    reason: str,
    by,
    at: datetime.datetime | None = None,
) -> Extension:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Phải ghi lý do gia hạn."), field="reason")
    if period.bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if not Membership.objects.filter(bloc_year=period.bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."), field="unit")
    if lock_date < deadline:
        raise ServiceError(_("Ngày khóa sổ mới không được trước hạn nộp mới."), field="lock_date")
    if deadline < period.deadline:
        raise ServiceError(
            _("Hạn nộp mới phải sau hạn nộp chung %(d)s.") % {"d": _d(period.deadline)}, field="deadline"
        )
    ext = Extension.objects.filter(period=period, unit=unit).first()
    before = snapshot(ext, ("deadline", "lock_date", "reason"))
    if ext is None:
        ext = Extension(period=period, unit=unit)
    ext.deadline, ext.lock_date, ext.reason = deadline, lock_date, reason
    ext.granted_by, ext.granted_at = by, _now(at)
    ext.save()
    record(
        bloc_year=period.bloc_year,
        by=by,
        action="extension.grant",
        target=ext,
        before=before,
        after=snapshot(ext, ("deadline", "lock_date", "reason")),
        reason=reason,
        at=at,
    )
    return ext


# Timeliness ---------------------------------------------------------------------------------------


class Timeliness(StrEnum):
    NOT_OPEN = "not_open"
    NOT_DUE = "not_due"
    OVERDUE = "overdue"  # after the deadline, before the lock date, never submitted
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


TIMELINESS_LABELS = {
    Timeliness.NOT_OPEN: gettext_lazy("Chưa mở"),
    Timeliness.NOT_DUE: gettext_lazy("Chưa đến hạn"),
    Timeliness.OVERDUE: gettext_lazy("Quá hạn, chưa nộp"),
    Timeliness.ON_TIME: gettext_lazy("Đúng hạn"),
    Timeliness.LATE: gettext_lazy("Trễ hạn"),
    Timeliness.MISSING: gettext_lazy("Không nộp"),
}


@dataclass(frozen=True)
class Dates:
    opens_on: datetime.date
    deadline: datetime.date
    lock_date: datetime.date
    extended: bool = False


def unit_dates(period: ReportingPeriod, extension: Extension | None) -> Dates:
    if extension is None:
        return Dates(period.opens_on, period.deadline, period.lock_date)
    return Dates(period.opens_on, extension.deadline, extension.lock_date, extended=True)


def timeliness(
    period: ReportingPeriod, report: ProgressReport | None, extension: Extension | None, now: datetime.datetime
) -> Timeliness:
    dates = unit_dates(period, extension)
    first = report.first_submitted_at if report else None
    if first is not None:
        return Timeliness.ON_TIME if first <= end_of_day(dates.deadline) else Timeliness.LATE
    if now > end_of_day(dates.lock_date):
        return Timeliness.MISSING
    if now > end_of_day(dates.deadline):
        return Timeliness.OVERDUE
    if timezone.localdate(now) < dates.opens_on:
        return Timeliness.NOT_OPEN
    return Timeliness.NOT_DUE


# Reports ------------------------------------------------------------------------------------------


def _check_year_open(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if bloc_year.phase == BlocYear.Phase.SETUP:
        raise ServiceError(_("Năm thi đua chưa mở giai đoạn báo cáo."))


@transaction.atomic
def start_report(*, period: ReportingPeriod, unit: Unit, by, at: datetime.datetime | None = None) -> ProgressReport:
    """The unit's report for the period, created with one section per covenant content."""
    existing = ProgressReport.objects.filter(period=period, unit=unit).first()
    if existing is not None:
        return existing
    _check_year_open(period.bloc_year)
    now = _now(at)
    if timezone.localdate(now) < period.opens_on:
        raise ServiceError(_("Kỳ báo cáo mở từ ngày %(d)s.") % {"d": _d(period.opens_on)})
    contents = list(CovenantContent.objects.filter(covenant__bloc_year=period.bloc_year).order_by("order"))
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(period=period, unit=unit)
    except IntegrityError:
        # Two officers of the unit opened it at the same moment: take the one that won.
        return ProgressReport.objects.get(period=period, unit=unit)
    ReportSection.objects.bulk_create(ReportSection(report=report, content=c) for c in contents)
    record(bloc_year=period.bloc_year, by=by, action="report.start", target=report, at=now)
    return report


@dataclass
class SectionData:
    done: str = ""
    difficulties: str = ""
    next_steps: str = ""
    results: list[tuple[str, str, str]] = field(default_factory=list)
    evidence_ids: list[int] = field(default_factory=list)


@dataclass
class Written:
    """What the unit wrote in a report, as stored: its sections (with their content), and per section id the
    result rows ([indicator, target, result], in order) and the ids of the linked evidence."""

    sections: list[ReportSection]
    results: dict[int, list[list[str]]]
    evidence: dict[int, list[int]]


def load_written(report: ProgressReport) -> Written:
    """Three queries whatever the number of sections; plain values for the rows and links (no model instances)."""
    sections = list(report.sections.select_related("content").order_by("content__order"))
    results: dict[int, list[list[str]]] = {}
    for section_id, indicator, target, result in (
        ResultRow.objects.filter(section__report_id=report.pk)
        .order_by("section_id", "order")
        .values_list("section_id", "indicator", "target", "result")
    ):
        results.setdefault(section_id, []).append([indicator, target, result])
    evidence: dict[int, list[int]] = {}
    for section_id, evidence_id in ReportSection.evidence.through.objects.filter(
        reportsection__report_id=report.pk
    ).values_list("reportsection_id", "evidence_id"):
        evidence.setdefault(section_id, []).append(evidence_id)
    return Written(sections, results, evidence)


def _order(row: ResultRow) -> int:
    return row.order


def _prefetched_written(report: ProgressReport) -> Written | None:
    """The same from a report loaded with its sections, results and evidence prefetched (no query), else None."""
    cache = getattr(report, "_prefetched_objects_cache", {})
    if "sections" not in cache:
        return None
    sections = list(cache["sections"])
    if not all("results" in getattr(s, "_prefetched_objects_cache", {}) for s in sections) or not all(
        "evidence" in s._prefetched_objects_cache for s in sections
    ):
        return None
    return Written(
        sections,
        {s.pk: [[r.indicator, r.target, r.result] for r in sorted(s.results.all(), key=_order)] for s in sections},
        {s.pk: [e.pk for e in s.evidence.all()] for s in sections},
    )


def snapshot_of(report: ProgressReport, written: Written) -> dict:
    data: dict = {"general_proposals": report.general_proposals}
    for s in sorted(written.sections, key=lambda s: s.content.order):
        key = str(s.content.order)
        data[f"{key}.done"] = s.done
        data[f"{key}.difficulties"] = s.difficulties
        data[f"{key}.next_steps"] = s.next_steps
        data[f"{key}.results"] = [list(r) for r in written.results.get(s.pk, [])]
        data[f"{key}.evidence"] = sorted(written.evidence.get(s.pk, []))
    return data


def report_snapshot(report: ProgressReport) -> dict:
    """Everything the unit wrote, keyed by content number (used for history and change marks).

    Uses the sections, results and evidence already prefetched on the report (the report pages load them), else
    reads them in three queries.
    """
    return snapshot_of(report, _prefetched_written(report) or load_written(report))


def _locked_report(report: ProgressReport, expected_version: int | None) -> ProgressReport:
    locked = ProgressReport.objects.select_for_update().select_related("period__bloc_year", "unit").get(pk=report.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "Báo cáo vừa được %(who)s lưu lúc %(when)s, sau khi bạn mở trang. Thay đổi của bạn chưa được lưu: "
                "hãy tải lại trang để xem bản mới nhất rồi nhập lại."
            )
            % {
                "who": (locked.updated_by.get_full_name() or locked.updated_by.username) if locked.updated_by else "?",
                "when": date_format(timezone.localtime(locked.updated_at), "SHORT_DATETIME_FORMAT"),
            }
        )
    return locked


SECTION_TEXT = ("done", "difficulties", "next_steps")


def _save_locked(
    report: ProgressReport,
    *,
    sections: dict[int, SectionData],
    general_proposals: str,
    by,
    at: datetime.datetime | None,
) -> Written:
    """Write the unit's changes to a locked report: only what differs from the stored report, in a fixed number of
    queries (one per kind of row changed, not one per section). Nothing is written when nothing changed.
    Returns what is stored afterwards."""
    _check_year_open(report.period.bloc_year)
    if not report.is_editable_by_unit:
        raise ServiceError(_("Báo cáo đã nộp hoặc đã được tiếp nhận: đơn vị không thể sửa cho đến khi bị trả lại."))
    written = load_written(report)
    by_content = {s.content_id: s for s in written.sections}
    if set(sections) - set(by_content):
        raise ServiceError(_("Dữ liệu gửi lên không khớp với các nội dung của báo cáo. Hãy tải lại trang."))
    wanted_evidence = {pk for data in sections.values() for pk in data.evidence_ids}
    if wanted_evidence:
        own = set(
            Evidence.objects.filter(
                pk__in=wanted_evidence, bloc_year=report.period.bloc_year, unit=report.unit
            ).values_list("pk", flat=True)
        )
        if wanted_evidence - own:
            raise ServiceError(_("Chỉ được gắn minh chứng của chính đơn vị mình."))
    before = snapshot_of(report, written)
    texts: list[ReportSection] = []
    results: dict[int, list[list[str]]] = {}
    evidence: dict[int, list[int]] = {}
    for content_id, data in sections.items():
        section = by_content[content_id]
        new_text = (data.done, data.difficulties, data.next_steps)
        if tuple(getattr(section, f) for f in SECTION_TEXT) != new_text:
            section.done, section.difficulties, section.next_steps = new_text
            texts.append(section)
        rows = [[indicator, target, result] for indicator, target, result in data.results]
        if rows != written.results.get(section.pk, []):
            results[section.pk] = rows
        linked = sorted(set(data.evidence_ids))
        if linked != sorted(written.evidence.get(section.pk, [])):
            evidence[section.pk] = linked
    if not (texts or results or evidence or general_proposals != report.general_proposals):
        return written
    if texts:
        ReportSection.objects.bulk_update(texts, list(SECTION_TEXT))
    if results:
        ResultRow.objects.filter(section_id__in=results).delete()
        ResultRow.objects.bulk_create(
            ResultRow(section_id=section_id, order=i, indicator=indicator, target=target, result=result)
            for section_id, rows in results.items()
            for i, (indicator, target, result) in enumerate(rows, start=1)
        )
        written.results.update(results)
    if evidence:
        through = ReportSection.evidence.through
        through.objects.filter(reportsection_id__in=evidence).delete()
        through.objects.bulk_create(
            through(reportsection_id=section_id, evidence_id=evidence_id)
            for section_id, ids in evidence.items()
            for evidence_id in ids
        )
        written.evidence.update(evidence)
    report.general_proposals = general_proposals
    report.updated_by = by
    report.version += 1
    report.save(update_fields=["general_proposals", "updated_by", "version", "updated_at"])
    after = snapshot_of(report, written)
    changed = sorted(k for k in after if before.get(k) != after[k])
    if changed:
        record(
            bloc_year=report.period.bloc_year,
            by=by,
            action="report.save",
            target=report,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
            at=at,
        )
    return written


@transaction.atomic
def save_report(
    *,
    report: ProgressReport,
    sections: dict[int, SectionData],
    general_proposals: str,
    expected_version: int | None,
    by,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    """Save the unit's draft (or returned report being corrected); the only way the unit writes it.

    A save that changes nothing writes nothing (the version stays, so a page opened before it can still save).
    """
    report = _locked_report(report, expected_version)
    _save_locked(report, sections=sections, general_proposals=general_proposals, by=by, at=at)
    return report


@transaction.atomic
def save_and_submit_report(
    *,
    report: ProgressReport,
    sections: dict[int, SectionData],
    general_proposals: str,
    expected_version: int | None,
    by,
    at: datetime.datetime | None = None,
) -> tuple[ProgressReport, ServiceError | None]:
    """Save the unit's report and submit it, in one transaction under one lock.

    A refused save raises (nothing is written). A refused submission does not: the save is kept (and committed) and
    the reason is returned with the report, as when the unit saves and then submits.
    """
    report = _locked_report(report, expected_version)
    written = _save_locked(report, sections=sections, general_proposals=general_proposals, by=by, at=at)
    try:
        _submit_locked(report, by=by, now=_now(at), sections=written.sections)
    except ServiceError as e:
        return report, e
    return report, None


def submission_problems(report: ProgressReport, sections: Sequence[ReportSection] | None = None) -> list[str]:
    problems = []
    if sections is None:
        sections = report.sections.select_related("content")
    for s in sorted(sections, key=lambda s: s.content.order):
        if not s.done.strip():
            problems.append(
                _("Nội dung %(n)s “%(title)s” chưa có kết quả thực hiện.")
                % {"n": s.content.order, "title": s.content.title}
            )
    return problems


@transaction.atomic
def submit_report(
    *, report: ProgressReport, expected_version: int | None, by, at: datetime.datetime | None = None
) -> ProgressReport:
    report = _locked_report(report, None)
    _refuse_resubmission(report)
    if expected_version is not None and report.version != expected_version:
        raise ConflictError(
            _("Báo cáo vừa được người khác sửa sau khi bạn mở trang. Hãy tải lại trang, kiểm tra rồi nộp lại.")
        )
    return _submit_locked(report, by=by, now=_now(at))


def _refuse_resubmission(report: ProgressReport) -> None:
    if report.status in (Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED):
        raise ServiceError(_("Báo cáo đã được nộp trước đó (có thể từ một cửa sổ khác); không nộp lại lần nữa."))


def _submit_locked(
    report: ProgressReport, *, by, now: datetime.datetime, sections: Sequence[ReportSection] | None = None
) -> ProgressReport:
    """Submit a locked report. Every check comes before the first write: a refusal leaves the report untouched."""
    _refuse_resubmission(report)
    _check_year_open(report.period.bloc_year)
    dates = unit_dates(report.period, Extension.objects.filter(period=report.period, unit=report.unit).first())
    if report.status == Status.DRAFT and now > end_of_day(dates.lock_date):
        raise ServiceError(
            _(
                "Đã quá ngày khóa sổ %(d)s: báo cáo không thể nộp và được tính là không nộp. "
                "Liên hệ Văn phòng khối nếu cần gia hạn."
            )
            % {"d": _d(dates.lock_date)}
        )
    if report.status == Status.RETURNED and report.resubmit_due and now > end_of_day(report.resubmit_due):
        raise ServiceError(_("Đã quá hạn nộp lại %(d)s. Liên hệ Văn phòng khối.") % {"d": _d(report.resubmit_due)})
    problems = submission_problems(report, sections)
    if problems:
        raise ServiceError(_("Chưa thể nộp: %(p)s") % {"p": " ".join(problems)})
    before = {"status": report.status}
    report.status = Status.SUBMITTED if report.status == Status.DRAFT else Status.RESUBMITTED
    report.first_submitted_at = report.first_submitted_at or now
    report.submitted_at = now
    report.updated_by = by
    report.version += 1
    report.save(update_fields=["status", "first_submitted_at", "submitted_at", "updated_by", "version", "updated_at"])
    record(
        bloc_year=report.period.bloc_year,
        by=by,
        action="report.submit",
        target=report,
        before=before,
        after={"status": report.status, "submitted_at": now.isoformat()},
        at=now,
    )
    transaction.on_commit(lambda: notify_report.enqueue("submitted", report.pk))
    return report


def _require_reviewable(report: ProgressReport) -> None:
    if report.status not in (Status.SUBMITTED, Status.RESUBMITTED):
        raise ServiceError(_("Chỉ xem xét được báo cáo đã nộp và chưa được tiếp nhận."))


def _save_comments(report: ProgressReport, comments: dict[int, str]) -> None:
    for s in report.sections.all():
        if s.content_id in comments and comments[s.content_id] != s.reviewer_comment:
            s.reviewer_comment = comments[s.content_id]
            s.save(update_fields=["reviewer_comment"])


@transaction.atomic
def return_report(
    *,
    report: ProgressReport,
    reason: str,
    due: datetime.date | None = None,
    comments: dict[int, str] | None = None,
    expected_version: int | None = None,
    by,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    report = _locked_report(report, expected_version)
    _check_year_open(report.period.bloc_year)
    _require_reviewable(report)
    _save_comments(report, comments or {})
    return _send_back(
        report,
        reason=reason,
        due=due,
        action="report.return",
        by=by,
        at=at,
        missing_reason=_("Phải ghi lý do trả lại báo cáo."),
    )


def _send_back(report: ProgressReport, *, reason: str, due, action: str, by, at, missing_reason: str):
    """Return a report to its unit (after review, or reopened after acceptance) with a reason and a due date."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(missing_reason, field="reason")
    now = _now(at)
    due = due or (timezone.localdate(now) + datetime.timedelta(days=settings.RESUBMIT_DAYS))
    if due < timezone.localdate(now):
        raise ServiceError(_("Hạn nộp lại không được trước hôm nay."), field="due")
    before = {"status": report.status}
    report.status, report.returned_at, report.return_reason, report.resubmit_due = Status.RETURNED, now, reason, due
    report.accepted_at = None
    report.version += 1
    report.save()
    # The snapshot taken here is what "changed since it was last returned" compares against.
    record(
        bloc_year=report.period.bloc_year,
        by=by,
        action=action,
        target=report,
        before=before,
        after={"status": report.status, "resubmit_due": due.isoformat(), "snapshot": report_snapshot(report)},
        reason=reason,
        at=now,
    )
    transaction.on_commit(lambda: notify_report.enqueue("returned", report.pk))
    return report


@transaction.atomic
def accept_report(
    *,
    report: ProgressReport,
    comments: dict[int, str] | None = None,
    expected_version: int | None = None,
    by,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    report = _locked_report(report, expected_version)
    _check_year_open(report.period.bloc_year)
    _require_reviewable(report)
    now = _now(at)
    _save_comments(report, comments or {})
    before = {"status": report.status}
    report.status, report.accepted_at = Status.ACCEPTED, now
    report.version += 1
    report.save()
    record(
        bloc_year=report.period.bloc_year,
        by=by,
        action="report.accept",
        target=report,
        before=before,
        after={"status": report.status},
        at=now,
    )
    return report


@transaction.atomic
def reopen_report(
    *,
    report: ProgressReport,
    reason: str,
    due: datetime.date | None = None,
    by,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    report = _locked_report(report, None)
    _check_year_open(report.period.bloc_year)
    if report.status != Status.ACCEPTED:
        raise ServiceError(_("Chỉ mở lại được báo cáo đã tiếp nhận."))
    return _send_back(
        report,
        reason=reason,
        due=due,
        action="report.reopen",
        by=by,
        at=at,
        missing_reason=_("Phải ghi lý do mở lại báo cáo."),
    )


def changed_since_return(report: ProgressReport, history) -> set[str]:
    """Keys of report_snapshot that differ from the snapshot taken when the report was last returned."""
    last = next((e for e in history if e.action in ("report.return", "report.reopen")), None)
    if last is None or not last.after or "snapshot" not in last.after:
        return set()
    old, new = last.after["snapshot"], report_snapshot(report)
    return {k for k in new if old.get(k) != new[k]}


# Evidence -----------------------------------------------------------------------------------------

# Detected type → extensions a user may give it. Detection reads the file's content, not its name.
ALLOWED_TYPES = {
    "application/pdf": {"pdf"},
    "application/msword": {"doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.ms-excel": {"xls"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
}


def check_upload(upload: UploadedFile) -> str:
    """The upload's real content type, or a ServiceError in Vietnamese."""
    limit = settings.EVIDENCE_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ServiceError(
            _("Tệp “%(name)s” nặng %(size)s MB, vượt giới hạn %(limit)s MB.")
            % {
                "name": upload.name,
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": settings.EVIDENCE_MAX_MB,
            },
            field="file",
        )
    if upload.size == 0:
        raise ServiceError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name}, field="file")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ServiceError(
            _("Tệp “%(name)s” không phải PDF, Word, Excel hay ảnh (kiểm tra theo nội dung tệp, không theo tên).")
            % {"name": upload.name},
            field="file",
        )
    if ext not in ALLOWED_TYPES[kind.mime]:
        raise ServiceError(
            _("Nội dung tệp “%(name)s” không khớp với phần mở rộng .%(ext)s.") % {"name": upload.name, "ext": ext},
            field="file",
        )
    return kind.mime


@contextmanager
def files_removed_on_error():
    """Collect evidence uploaded inside the block; if the block fails, remove their files too.

    The database rows roll back with the transaction, but files on disk do not: without this a failed
    save would leave files that nothing points to.
    """
    created: list[Evidence] = []
    try:
        yield created
    except BaseException:
        for evidence in created:
            evidence.file.storage.delete(evidence.file.name)
        raise


@transaction.atomic
def add_evidence(
    *,
    bloc_year: BlocYear,
    unit: Unit,
    upload: UploadedFile,
    summary: str,
    number_symbol: str = "",
    issued_on: datetime.date | None = None,
    by,
    at: datetime.datetime | None = None,
) -> Evidence:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
    mime = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        bloc_year=bloc_year,
        unit=unit,
        number_symbol=number_symbol,
        issued_on=issued_on,
        summary=summary,
        original_name=upload.name[:255],
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=_now(at),
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="evidence.add",
        target=evidence,
        after={"summary": summary, "file": upload.name, "size": upload.size, "sha256": evidence.sha256},
        at=at,
    )
    return evidence


# Board --------------------------------------------------------------------------------------------


@dataclass
class Cell:
    period: ReportingPeriod
    unit: Unit
    report: ProgressReport | None
    timeliness: Timeliness
    extension: Extension | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""

    @property
    def timeliness_label(self) -> str:
        return TIMELINESS_LABELS[self.timeliness]


@dataclass
class Board:
    periods: list[ReportingPeriod]
    members: list[Membership]
    cells: dict[tuple[int, int], Cell]

    def row(self, unit_id: int) -> list[Cell]:
        return [self.cells[(unit_id, p.pk)] for p in self.periods]

    def rows(self) -> list[tuple[Membership, list[Cell], dict]]:
        return [(m, (cells := self.row(m.unit_id)), rates(cells)) for m in self.members]

    def period_rates(self) -> list[dict]:
        return [rates([self.cells[(m.unit_id, p.pk)] for m in self.members]) for p in self.periods]


def rates(cells: Sequence[Cell]) -> dict:
    """Counts for a row or column of the board.

    `units` cells in all; `received` reports submitted (early ones included); `due` cells whose deadline
    has passed or that were submitted anyway; rates are taken among the due cells.
    """
    received = [c for c in cells if c.timeliness in (Timeliness.ON_TIME, Timeliness.LATE)]
    due = [
        c
        for c in cells
        if c.timeliness in (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.OVERDUE)
    ]
    on_time = [c for c in received if c.timeliness == Timeliness.ON_TIME]
    n = len(due)
    return {
        "units": len(cells),
        "expected": n,
        "received": len(received),
        "on_time": len(on_time),
        "late": sum(1 for c in received if c.timeliness == Timeliness.LATE),
        "missing": sum(1 for c in due if c.timeliness == Timeliness.MISSING),
        "overdue": sum(1 for c in due if c.timeliness == Timeliness.OVERDUE),
        "received_rate": round(100 * len(received) / n) if n else None,
        "on_time_rate": round(100 * len(on_time) / n) if n else None,
    }


def completeness_board(bloc_year: BlocYear, now: datetime.datetime | None = None) -> Board:
    """Units × periods in three queries, whatever the number of units."""
    now = _now(now)
    periods = list(bloc_year.periods.order_by("order"))
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    reports = {
        (r.unit_id, r.period_id): r
        for r in ProgressReport.objects.filter(period__bloc_year=bloc_year).only(
            "id", "unit_id", "period_id", "status", "first_submitted_at", "submitted_at", "resubmit_due"
        )
    }
    extensions = {(e.unit_id, e.period_id): e for e in Extension.objects.filter(period__bloc_year=bloc_year)}
    cells = {}
    for m in members:
        for p in periods:
            report = reports.get((m.unit_id, p.pk))
            ext = extensions.get((m.unit_id, p.pk))
            cells[(m.unit_id, p.pk)] = Cell(p, m.unit, report, timeliness(p, report, ext, now), ext)
    return Board(periods=periods, members=members, cells=cells)


def reporting_record(bloc_year: BlocYear, now: datetime.datetime | None = None) -> dict[int, dict]:
    """Per unit: the late and missing reports (what the scoring deductions are computed from)."""
    board = completeness_board(bloc_year, now)
    return {
        m.unit_id: {
            "late": [c.period for c in board.row(m.unit_id) if c.timeliness == Timeliness.LATE],
            "missing": [c.period for c in board.row(m.unit_id) if c.timeliness == Timeliness.MISSING],
        }
        for m in board.members
    }


def dashboard_summary(bloc_year: BlocYear, unit: Unit | None, now: datetime.datetime | None = None) -> dict:
    """What the year's home page shows about reporting: the board's totals, the unit's own row, the review queue."""
    now = _now(now)
    board = completeness_board(bloc_year, now)
    own = board.row(unit.pk) if unit is not None and any(m.unit_id == unit.pk for m in board.members) else []
    awaiting = [
        c for c in board.cells.values() if c.report and c.report.status in (Status.SUBMITTED, Status.RESUBMITTED)
    ]
    awaiting.sort(key=lambda c: c.report.submitted_at)
    return {
        "periods": list(zip(board.periods, board.period_rates(), strict=True)),
        "own": own,
        "own_todo": [
            c
            for c in own
            if (c.report is None or c.report.status in (Status.DRAFT, Status.RETURNED))
            and c.timeliness in (Timeliness.NOT_DUE, Timeliness.OVERDUE)
            or (c.report is not None and c.report.status == Status.RETURNED)
        ],
        "awaiting": awaiting,
    }


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def copy_periods(*, source: BlocYear, target: BlocYear) -> None:
    """Copy a year's reporting periods into another year, dates moved by the difference in years."""
    shift = target.year - source.year
    ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            bloc_year=target,
            code=p.code,
            name=p.name,
            kind=p.kind,
            order=p.order,
            opens_on=_shift_year(p.opens_on, shift),
            deadline=_shift_year(p.deadline, shift),
            lock_date=_shift_year(p.lock_date, shift),
        )
        for p in source.periods.order_by("order")
    )

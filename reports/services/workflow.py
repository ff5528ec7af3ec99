"""The report workflow: a unit starts, saves and submits its report (with new evidence in the same transaction);
the secretariat returns or accepts it, and may reopen an accepted one. Every step is atomic, locks the report and
records what changed."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import Actor, record
from core.errors import ConflictError, ServiceError
from core.formatting import short_date
from core.models import BlocYear, Membership, Unit
from covenant.models import CovenantContent
from reports import inbox
from reports.models import (
    Evidence,
    Extension,
    ProgressReport,
    ReportingPeriod,
    ReportSection,
    ResultRow,
    end_of_day,
)
from reports.services.evidence import add_evidence, files_removed_on_error
from reports.services.periods import unit_dates
from reports.tasks import notify_report

Status = ProgressReport.Status
_d = short_date


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Reports ------------------------------------------------------------------------------------------


def _check_year_open(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if bloc_year.phase == BlocYear.Phase.SETUP:
        raise ServiceError(_("Năm thi đua chưa mở giai đoạn báo cáo."))


@transaction.atomic
def start_report(
    *, period: ReportingPeriod, unit: Unit, by: Actor, at: datetime.datetime | None = None
) -> ProgressReport:
    """The unit's report for the period, created with one section per covenant content."""
    if not Membership.objects.filter(bloc_year_id=period.bloc_year_id, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
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
    by: Actor,
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
    by: Actor,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    """Save the unit's draft (or returned report being corrected); the only way the unit writes it.

    A save that changes nothing writes nothing (the version stays, so a page opened before it can still save).
    """
    report = _locked_report(report, expected_version)
    _save_locked(report, sections=sections, general_proposals=general_proposals, by=by, at=at)
    return report


@dataclass
class Upload:
    """A new evidence file posted with a report section."""

    file: UploadedFile
    summary: str
    number_symbol: str = ""


@transaction.atomic
def save_report_with_uploads(
    *,
    report: ProgressReport,
    sections: dict[int, SectionData],
    uploads: dict[int, Upload],
    general_proposals: str,
    expected_version: int | None,
    submit: bool = False,
    by: Actor,
    at: datetime.datetime | None = None,
) -> tuple[ProgressReport, ServiceError | None]:
    """The report form's save (and submit, when asked): the new evidence files and the report in one transaction.

    A refused save writes nothing and leaves no file behind. Returns the report and, when the submission was
    refused (the draft is saved all the same), why.
    """
    with files_removed_on_error() as created:
        for content_id, upload in uploads.items():
            evidence = add_evidence(
                bloc_year=report.period.bloc_year,
                unit=report.unit,
                upload=upload.file,
                summary=upload.summary,
                number_symbol=upload.number_symbol,
                by=by,
                at=at,
            )
            created.append(evidence)
            sections[content_id].evidence_ids.append(evidence.pk)
        if submit:
            return save_and_submit_report(
                report=report,
                sections=sections,
                general_proposals=general_proposals,
                expected_version=expected_version,
                by=by,
                at=at,
            )
        saved = save_report(
            report=report,
            sections=sections,
            general_proposals=general_proposals,
            expected_version=expected_version,
            by=by,
            at=at,
        )
        return saved, None


@transaction.atomic
def save_and_submit_report(
    *,
    report: ProgressReport,
    sections: dict[int, SectionData],
    general_proposals: str,
    expected_version: int | None,
    by: Actor,
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
        sections = list(report.sections.select_related("content"))
    for s in sorted(sections, key=lambda s: s.content.order):
        if not s.done.strip():
            problems.append(
                _("Nội dung %(n)s “%(title)s” chưa có kết quả thực hiện.")
                % {"n": s.content.order, "title": s.content.title}
            )
    return problems


@transaction.atomic
def submit_report(
    *, report: ProgressReport, expected_version: int | None, by: Actor, at: datetime.datetime | None = None
) -> ProgressReport:
    report = _locked_report(report, None)
    _refuse_resubmission(report)
    if expected_version is not None and report.version != expected_version:
        raise ConflictError(
            _("Báo cáo vừa được người khác sửa sau khi bạn mở trang. Hãy tải lại trang, kiểm tra rồi nộp lại.")
        )
    return _submit_locked(report, by=by, now=_now(at))


def unit_deadline(report: ProgressReport) -> datetime.date:
    """The unit's own deadline for the report's period: the period's, or its extension's."""
    extension = Extension.objects.filter(period=report.period, unit=report.unit).first()
    return unit_dates(report.period, extension).deadline


def _refuse_resubmission(report: ProgressReport) -> None:
    if report.status in (Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED):
        raise ServiceError(_("Báo cáo đã được nộp trước đó (có thể từ một cửa sổ khác); không nộp lại lần nữa."))


def _submit_locked(
    report: ProgressReport, *, by: Actor, now: datetime.datetime, sections: Sequence[ReportSection] | None = None
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
    # Queued in the transaction: the queue is a table of this database, so the email is lost with the change or not
    # at all (a crash after the commit cannot skip it). The worker only sees it once committed.
    notify_report.enqueue("submitted", report.pk)
    inbox.report_submitted(report, now, by)
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
    by: Actor,
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


def _send_back(
    report: ProgressReport,
    *,
    reason: str,
    due,
    action: str,
    by: Actor,
    at: datetime.datetime | None,
    missing_reason: str,
):
    """Return a report to its unit (after review, or reopened after acceptance) with a reason and a due date."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(missing_reason, field="reason")
    now = _now(at)
    # A return never shortens the time the unit had: its own deadline (with an extension) still holds.
    own = unit_deadline(report)
    default = timezone.localdate(now) + datetime.timedelta(days=settings.RESUBMIT_DAYS)
    due = due or max(default, own)
    if due < timezone.localdate(now):
        raise ServiceError(_("Hạn nộp lại không được trước hôm nay."), field="due")
    if due < own:
        raise ServiceError(
            _("Hạn nộp lại không được sớm hơn hạn nộp của đơn vị (%(d)s).") % {"d": _d(own)}, field="due"
        )
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
    notify_report.enqueue("returned", report.pk)  # in the transaction (see _submit_locked)
    inbox.report_sent_back(report, reopened=action == "report.reopen", at=now)
    return report


@transaction.atomic
def accept_report(
    *,
    report: ProgressReport,
    comments: dict[int, str] | None = None,
    expected_version: int | None = None,
    by: Actor,
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
    inbox.report_accepted(report, now)
    return report


@transaction.atomic
def reopen_report(
    *,
    report: ProgressReport,
    reason: str,
    due: datetime.date | None = None,
    by: Actor,
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

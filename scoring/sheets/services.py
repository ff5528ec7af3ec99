"""Year-end scoring: self-score sheets, review, release, contest and settlement, approval.

Every function is atomic, takes the acting user and time, records each score change (who, when,
before, after, reason) and raises ServiceError in Vietnamese when the rules refuse the change.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import Actor, record
from core.errors import ConflictError, ServiceError
from core.formatting import number
from core.forms import NumberInputError, parse_decimal
from core.models import BlocYear, Membership, Unit
from reports.models import Evidence, Extension, ReportingPeriod, end_of_day
from scoring.scoreboard.models import BonusItem, Scoreboard, SubItem
from scoring.scoreboard.services import is_multiple_of
from scoring.sheets import inbox
from scoring.sheets.models import (
    ApprovedRecord,
    BonusClaim,
    Deduction,
    ItemScore,
    RankSnapshot,
    ScoreSheet,
    ScoringRound,
)
from scoring.sheets.ranking import compute, record_data

Status = ScoreSheet.Status


def _now(at: datetime.datetime | None):
    return at or timezone.now()


def scoring_round(bloc_year: BlocYear) -> ScoringRound:
    return ScoringRound.objects.get_or_create(bloc_year=bloc_year)[0]


def _locked_round(bloc_year: BlocYear) -> ScoringRound:
    scoring_round(bloc_year)
    return ScoringRound.objects.select_for_update().get(bloc_year=bloc_year)


def _check_phase(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: điểm đã khóa, không thể thay đổi."))
    if bloc_year.phase != BlocYear.Phase.SCORING:
        raise ServiceError(_("Năm thi đua chưa ở giai đoạn chấm điểm."))


def _check_not_approved(r: ScoringRound) -> None:
    if r.is_approved:
        raise ServiceError(_("Kết quả chấm điểm đã được phê duyệt và khóa. Muốn sửa phải mở lại, có ghi lý do."))


def _refuse_wrong_inputs(wrong: dict[str, str]) -> None:
    """Every wrong input of a sheet at once (keyed by the form's field names), not only the first."""
    if not wrong:
        return
    first = next(iter(wrong.values()))
    message = first if len(wrong) == 1 else _("%(n)s ô nhập chưa đúng, đầu tiên: %(first)s") % {
        "n": len(wrong), "first": first}
    raise ServiceError(message, errors=wrong)


def parse_score(raw, sub_item: SubItem, step: Decimal) -> Decimal | None:
    """A score typed by a person: empty, or a number in [0, max] on the step. Accepts 8,5 and 8.5."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = parse_decimal(raw)
    except NumberInputError as e:
        raise ServiceError(_("Mục %(item)s: %(error)s") % {"item": label(sub_item), "error": e}) from None
    if value < 0:
        raise ServiceError(_("Mục %(item)s: điểm không được âm.") % {"item": label(sub_item)})
    if value > sub_item.max_points:
        raise ServiceError(
            _("Mục %(item)s: điểm %(v)s vượt điểm tối đa %(max)s.")
            % {"item": label(sub_item), "v": number(value), "max": number(sub_item.max_points)}
        )
    if not is_multiple_of(value, step):
        raise ServiceError(
            _("Mục %(item)s: điểm %(v)s không đúng bước điểm %(step)s.")
            % {"item": label(sub_item), "v": number(value), "step": number(step)}
        )
    return value


def label(sub_item: SubItem) -> str:
    return f"{sub_item.criterion.order}.{sub_item.order}"


def _key(item: ItemScore, what: str) -> str:
    return f"{label(item.sub_item)}.{what}"


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value.normalize() if value == value.to_integral() else value)


# Sheets -------------------------------------------------------------------------------------------


@transaction.atomic
def get_or_create_sheet(
    *, bloc_year: BlocYear, unit: Unit, by: Actor, at: datetime.datetime | None = None
) -> ScoreSheet:
    sheet = ScoreSheet.objects.filter(bloc_year=bloc_year, unit=unit).first()
    if sheet is not None:
        return sheet
    _check_phase(bloc_year)
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(bloc_year=bloc_year, unit=unit, updated_by=by)
    except IntegrityError:
        return ScoreSheet.objects.get(bloc_year=bloc_year, unit=unit)
    items = SubItem.objects.filter(criterion__scoreboard__bloc_year=bloc_year)
    ItemScore.objects.bulk_create(ItemScore(sheet=sheet, sub_item=s) for s in items)
    record(bloc_year=bloc_year, by=by, action="sheet.start", target=sheet, at=at)
    return sheet


def _locked_sheet(sheet: ScoreSheet, expected_version: int | None) -> ScoreSheet:
    locked = ScoreSheet.objects.select_for_update().select_related("bloc_year", "unit").get(pk=sheet.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "Bảng điểm vừa được người khác lưu sau khi bạn mở trang. Hãy tải lại trang để xem "
                "bản mới nhất rồi nhập lại."
            )
        )
    return locked


@dataclass
class SelfRow:
    score: str | Decimal | None
    explanation: str = ""
    evidence_ids: list[int] = field(default_factory=list)


@dataclass
class ClaimRow:
    explanation: str
    evidence_ids: list[int] = field(default_factory=list)


@transaction.atomic
def save_self_score(
    *,
    sheet: ScoreSheet,
    rows: dict[int, SelfRow],
    claims: dict[int, ClaimRow],
    expected_version: int | None,
    by: Actor,
    at: datetime.datetime | None = None,
) -> ScoreSheet:
    """Save the unit's own scores (by sub-item id) and bonus claims (by bonus item id)."""
    sheet = _locked_sheet(sheet, expected_version)
    _check_phase(sheet.bloc_year)
    if sheet.status != Status.DRAFT:
        raise ServiceError(_("Bảng tự chấm đã nộp: đơn vị không thể sửa."))
    board = Scoreboard.objects.get(bloc_year=sheet.bloc_year)
    items = {i.sub_item_id: i for i in sheet.items.select_related("sub_item__criterion").prefetch_related("evidence")}
    if set(rows) - set(items):
        raise ServiceError(_("Dữ liệu gửi lên không khớp với bảng điểm. Hãy tải lại trang."))
    bonus_items = {b.pk: b for b in BonusItem.objects.filter(scoreboard=board)}
    if set(claims) - set(bonus_items):
        raise ServiceError(_("Mục điểm thưởng không thuộc bảng điểm này. Hãy tải lại trang."))
    own_evidence = set(Evidence.objects.filter(bloc_year=sheet.bloc_year, unit=sheet.unit).values_list("pk", flat=True))
    parsed, wrong = {}, {}
    for sub_id, row in rows.items():
        if set(row.evidence_ids) - own_evidence:
            raise ServiceError(_("Chỉ được gắn minh chứng của chính đơn vị mình."))
        try:
            parsed[sub_id] = parse_score(row.score, items[sub_id].sub_item, board.score_step)
        except ServiceError as e:
            wrong[f"i{sub_id}-score"] = e.message
    for bonus_id, claim in claims.items():
        if set(claim.evidence_ids) - own_evidence:
            raise ServiceError(_("Chỉ được gắn minh chứng của chính đơn vị mình."))
        if not claim.explanation.strip():
            wrong[f"b{bonus_id}-explanation"] = _("Đề nghị điểm thưởng phải có giải trình.")
    _refuse_wrong_inputs(wrong)
    before, after = {}, {}
    for sub_id, row in rows.items():
        item = items[sub_id]
        old = (_s(item.self_score), item.explanation, sorted(e.pk for e in item.evidence.all()))
        item.self_score, item.explanation = parsed[sub_id], row.explanation.strip()
        item.save(update_fields=["self_score", "explanation"])
        item.evidence.set(row.evidence_ids)
        new = (_s(item.self_score), item.explanation, sorted(row.evidence_ids))
        for what, o, n in zip(("self", "explanation", "evidence"), old, new, strict=True):
            if o != n:
                before[_key(item, what)], after[_key(item, what)] = o, n
    existing = {c.bonus_item_id: c for c in sheet.bonus_claims.all()}
    for bonus_id, claim in claims.items():
        c = existing.pop(bonus_id, None) or BonusClaim(sheet=sheet, bonus_item=bonus_items[bonus_id])
        if c.pk is None or c.explanation != claim.explanation.strip():
            before[f"bonus.{bonus_id}"] = c.explanation if c.pk else None
            after[f"bonus.{bonus_id}"] = claim.explanation.strip()
        old_evidence = sorted(e.pk for e in c.evidence.all()) if c.pk else []
        if old_evidence != sorted(claim.evidence_ids):
            before[f"bonus.{bonus_id}.evidence"] = old_evidence
            after[f"bonus.{bonus_id}.evidence"] = sorted(claim.evidence_ids)
        c.explanation = claim.explanation.strip()
        c.save()
        c.evidence.set(claim.evidence_ids)
    for c in existing.values():
        before[f"bonus.{c.bonus_item_id}"], after[f"bonus.{c.bonus_item_id}"] = c.explanation, None
        c.delete()
    sheet.updated_by, sheet.version = by, sheet.version + 1
    sheet.save()
    if before or after:
        record(
            bloc_year=sheet.bloc_year, by=by, action="sheet.self_score", target=sheet, before=before, after=after, at=at
        )
    return sheet


def submission_problems(sheet: ScoreSheet) -> list[str]:
    problems = []
    for item in sheet.items.select_related("sub_item__criterion").prefetch_related("evidence"):
        if item.self_score is None:
            problems.append(_("Mục %(item)s chưa có điểm tự chấm.") % {"item": label(item.sub_item)})
        elif item.sub_item.evidence_required and not item.evidence.all():
            problems.append(_("Mục %(item)s bắt buộc có minh chứng.") % {"item": label(item.sub_item)})
    return problems


@transaction.atomic
def submit_sheet(
    *, sheet: ScoreSheet, expected_version: int | None, by: Actor, at: datetime.datetime | None = None
) -> ScoreSheet:
    sheet = _locked_sheet(sheet, None)
    _check_phase(sheet.bloc_year)
    if sheet.status != Status.DRAFT:
        raise ServiceError(_("Bảng tự chấm đã được nộp trước đó."))
    if expected_version is not None and sheet.version != expected_version:
        raise ConflictError(_("Bảng điểm vừa được người khác sửa. Hãy tải lại trang, kiểm tra rồi nộp lại."))
    problems = submission_problems(sheet)
    if problems:
        raise ServiceError(_("Chưa thể nộp: %(p)s") % {"p": " ".join(problems)})
    now = _now(at)
    sheet.status, sheet.submitted_at, sheet.updated_by, sheet.version = Status.SUBMITTED, now, by, sheet.version + 1
    sheet.save()
    record(
        bloc_year=sheet.bloc_year,
        by=by,
        action="sheet.submit",
        target=sheet,
        before={"status": "draft"},
        after={"status": sheet.status},
        at=now,
    )
    inbox.sheet_submitted(sheet, now, by)
    return sheet


# Reviewers ----------------------------------------------------------------------------------------


def _derangement(units: list[int], rng: random.Random) -> list[int]:
    """A random permutation with no unit in its own place (reviewers drawn by lot, never oneself)."""
    if len(units) < 2:
        raise ServiceError(_("Cần ít nhất hai đơn vị để chấm chéo."))
    while True:
        shuffled = units[:]
        rng.shuffle(shuffled)
        if all(a != b for a, b in zip(units, shuffled, strict=True)):
            return shuffled


@transaction.atomic
def assign_reviewers(
    *, bloc_year: BlocYear, mode: str, by: Actor, at: datetime.datetime | None = None, rng: random.Random | None = None
) -> ScoringRound:
    """Secretariat mode: the secretariat reviews every sheet but the head unit's own, which goes to the deputy
    (or, without a deputy, to a member drawn by lot). Cross mode: every sheet goes to another unit, by lot."""
    _check_phase(bloc_year)
    r = _locked_round(bloc_year)
    _check_not_approved(r)
    if r.is_released:
        raise ServiceError(_("Đã công bố kết quả thẩm định: không thể phân công lại."))
    rng = rng or random.SystemRandom()
    members = list(bloc_year.memberships.order_by("order"))
    units = [m.unit_id for m in members]
    for unit_id in units:
        get_or_create_sheet(bloc_year=bloc_year, unit=Unit(pk=unit_id), by=by, at=at)
    reviewers: dict[int, int | None]
    if mode == ScoringRound.Mode.CROSS:
        reviewers = dict(zip(units, _derangement(units, rng), strict=True))
    elif mode == ScoringRound.Mode.SECRETARIAT:
        head = next((m.unit_id for m in members if m.role == Membership.Role.HEAD), None)
        deputy = next((m.unit_id for m in members if m.role == Membership.Role.DEPUTY), None)
        reviewers = dict.fromkeys(units)
        if head is not None:
            others = [u for u in units if u != head]
            if not others:
                raise ServiceError(_("Cần ít nhất hai đơn vị để thẩm định bảng điểm của Trưởng khối."))
            reviewers[head] = deputy or rng.choice(others)
    else:
        raise ServiceError(_("Cách thẩm định không hợp lệ."))
    assigned = list(ScoreSheet.objects.filter(bloc_year=bloc_year).select_related("unit"))
    for sheet in assigned:
        sheet.reviewer_unit_id = reviewers.get(sheet.unit_id)
        sheet.save(update_fields=["reviewer_unit"])
    r.mode, r.assigned_at, r.version = mode, _now(at), r.version + 1
    r.save()
    names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "short_name"))
    record(
        bloc_year=bloc_year,
        by=by,
        action="review.assign",
        target=r,
        after={
            "mode": mode,
            "reviewers": {names[u]: names.get(v) if v else _("Văn phòng khối") for u, v in reviewers.items()},
        },
        at=at,
    )
    inbox.reviewers_assigned(bloc_year, assigned, at)
    return r


# Review -------------------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    score: str | Decimal | None
    reason: str = ""


@dataclass
class ClaimReview:
    review: str  # BonusClaim.Review value
    reason: str = ""


@transaction.atomic
def save_review(
    *,
    sheet: ScoreSheet,
    rows: dict[int, ReviewRow],
    claims: dict[int, ClaimReview] | None = None,
    expected_version: int | None,
    by: Actor,
    at: datetime.datetime | None = None,
) -> ScoreSheet:
    """The reviewer's score per sub-item (by sub-item id); every difference from the self-score needs a reason.
    When every sub-item has a reviewed score the sheet counts as reviewed."""
    sheet = _locked_sheet(sheet, expected_version)
    _check_phase(sheet.bloc_year)
    r = scoring_round(sheet.bloc_year)
    _check_not_approved(r)
    if r.is_released:
        raise ServiceError(_("Đã công bố kết quả thẩm định: điểm chỉ thay đổi qua giải quyết ý kiến của đơn vị."))
    if sheet.status == Status.DRAFT:
        raise ServiceError(_("Đơn vị chưa nộp bảng tự chấm: chưa thể thẩm định."))
    board = Scoreboard.objects.get(bloc_year=sheet.bloc_year)
    items = {i.sub_item_id: i for i in sheet.items.select_related("sub_item__criterion")}
    if set(rows) - set(items):
        raise ServiceError(_("Dữ liệu gửi lên không khớp với bảng điểm. Hãy tải lại trang."))
    parsed, wrong = {}, {}
    for sub_id, row in rows.items():
        try:
            parsed[sub_id] = parse_score(row.score, items[sub_id].sub_item, board.score_step)
        except ServiceError as e:
            wrong[f"i{sub_id}-score"] = e.message
    for sub_id, value in parsed.items():
        item = items[sub_id]
        if value is not None and value != item.self_score and not rows[sub_id].reason.strip():
            wrong[f"i{sub_id}-reason"] = _("Mục %(item)s: điểm thẩm định khác điểm tự chấm, phải ghi lý do.") % {
                "item": label(item.sub_item)
            }
    claim_objs = {c.bonus_item_id: c for c in sheet.bonus_claims.all()}
    for bonus_id, review in (claims or {}).items():
        if bonus_id not in claim_objs or review.review not in BonusClaim.Review.values:
            raise ServiceError(_("Dữ liệu gửi lên không khớp với bảng điểm. Hãy tải lại trang."))
        if review.review == BonusClaim.Review.REJECTED and not review.reason.strip():
            wrong[f"b{bonus_id}-reason"] = _("Không chấp nhận điểm thưởng phải ghi lý do.")
    _refuse_wrong_inputs(wrong)
    before, after = {}, {}
    for sub_id, value in parsed.items():
        item = items[sub_id]
        reason = rows[sub_id].reason.strip() if value is not None and value != item.self_score else ""
        if (item.reviewed_score, item.review_reason) != (value, reason):
            before[_key(item, "reviewed")], after[_key(item, "reviewed")] = _s(item.reviewed_score), _s(value)
            if reason or item.review_reason:
                before[_key(item, "reason")], after[_key(item, "reason")] = item.review_reason, reason
            item.reviewed_score, item.review_reason = value, reason
            item.save(update_fields=["reviewed_score", "review_reason"])
    for bonus_id, review in (claims or {}).items():
        c = claim_objs[bonus_id]
        if (c.review, c.review_reason) != (review.review, review.reason.strip()):
            before[f"bonus.{bonus_id}.review"], after[f"bonus.{bonus_id}.review"] = c.review, review.review
            c.review, c.review_reason = review.review, review.reason.strip()
            c.save(update_fields=["review", "review_reason"])
    complete = all(i.reviewed_score is not None for i in items.values())
    now = _now(at)
    sheet.status = Status.REVIEWED if complete else Status.SUBMITTED
    sheet.reviewed_at = now if complete else None
    sheet.updated_by, sheet.version = by, sheet.version + 1
    sheet.save()
    if before:
        record(
            bloc_year=sheet.bloc_year,
            by=by,
            action="sheet.review",
            target=sheet,
            before=before,
            after=after,
            reason="; ".join(f"{k}: {v}" for k, v in after.items() if k.endswith(".reason") and v),
            at=now,
        )
    return sheet


# Deductions ---------------------------------------------------------------------------------------


@transaction.atomic
def waive_deduction(
    *, sheet: ScoreSheet, kind: str, period, reason: str, by: Actor, at: datetime.datetime | None = None
) -> Deduction:
    _check_phase(sheet.bloc_year)
    _check_not_approved(scoring_round(sheet.bloc_year))
    if kind not in (Deduction.Kind.WAIVE_LATE, Deduction.Kind.WAIVE_MISSING):
        raise ServiceError(_("Loại miễn trừ không hợp lệ."))
    if not reason.strip():
        raise ServiceError(_("Phải ghi lý do miễn trừ điểm."), field="reason")
    if period.bloc_year_id != sheet.bloc_year_id:
        raise ServiceError(_("Kỳ báo cáo không thuộc năm này."))
    try:
        with transaction.atomic():
            d = Deduction.objects.create(
                sheet=sheet, kind=kind, period=period, reason=reason.strip(), created_by=by, created_at=_now(at)
            )
    except IntegrityError:
        raise ServiceError(_("Điểm trừ này đã được miễn.")) from None
    record(
        bloc_year=sheet.bloc_year,
        by=by,
        action="deduction.waive",
        target=sheet,
        after={"waive": f"{d.get_kind_display()}: {period.name}"},
        reason=d.reason,
        at=at,
    )
    return d


@transaction.atomic
def add_manual_deduction(
    *, sheet: ScoreSheet, points, reason: str, by: Actor, at: datetime.datetime | None = None
) -> Deduction:
    _check_phase(sheet.bloc_year)
    _check_not_approved(scoring_round(sheet.bloc_year))
    try:
        value = parse_decimal(points)
    except NumberInputError as e:
        raise ServiceError(_("Điểm trừ: %(error)s") % {"error": e}, field="points") from None
    if value <= 0 or value > 100:
        raise ServiceError(_("Điểm trừ phải lớn hơn 0 và không quá 100."), field="points")
    if not reason.strip():
        raise ServiceError(_("Phải ghi lý do trừ điểm (vi phạm có văn bản chứng minh)."), field="reason")
    d = Deduction.objects.create(
        sheet=sheet, kind=Deduction.Kind.MANUAL, points=value, reason=reason.strip(), created_by=by, created_at=_now(at)
    )
    record(
        bloc_year=sheet.bloc_year,
        by=by,
        action="deduction.add",
        target=sheet,
        after={"deduction": f"-{_s(value)}"},
        reason=d.reason,
        at=at,
    )
    return d


@transaction.atomic
def remove_deduction(*, deduction: Deduction, reason: str, by: Actor, at: datetime.datetime | None = None) -> None:
    sheet = deduction.sheet
    _check_phase(sheet.bloc_year)
    _check_not_approved(scoring_round(sheet.bloc_year))
    if not reason.strip():
        raise ServiceError(_("Phải ghi lý do."), field="reason")
    record(
        bloc_year=sheet.bloc_year,
        by=by,
        action="deduction.remove",
        target=sheet,
        before={"deduction": str(deduction)},
        reason=reason.strip(),
        at=at,
    )
    deduction.delete()


# Release, contest, settle, approve ----------------------------------------------------------------


@transaction.atomic
def release_review(*, bloc_year: BlocYear, by: Actor, at: datetime.datetime | None = None) -> ScoringRound:
    _check_phase(bloc_year)
    r = _locked_round(bloc_year)
    _check_not_approved(r)
    if r.is_released:
        raise ServiceError(_("Kết quả thẩm định đã được công bố."))
    members = set(bloc_year.memberships.values_list("unit_id", flat=True))
    reviewed = set(
        ScoreSheet.objects.filter(bloc_year=bloc_year, status=Status.REVIEWED).values_list("unit_id", flat=True)
    )
    missing = members - reviewed
    if missing:
        names = ", ".join(Unit.objects.filter(pk__in=missing).order_by("name").values_list("short_name", flat=True))
        raise ServiceError(_("Chưa thể công bố: bảng điểm của %(units)s chưa được thẩm định xong.") % {"units": names})
    r.released_at, r.version = _now(at), r.version + 1
    r.save()
    record(bloc_year=bloc_year, by=by, action="review.release", target=r, at=at)
    inbox.review_released(bloc_year, r.released_at)
    return r


@dataclass
class Response:
    contest: str  # ItemScore.Contest value: accepted or contested
    comment: str = ""


@transaction.atomic
def respond(
    *, sheet: ScoreSheet, responses: dict[int, Response], by: Actor, at: datetime.datetime | None = None
) -> ScoreSheet:
    """The unit accepts or contests its reviewed sub-items (by sub-item id) after the release."""
    sheet = _locked_sheet(sheet, None)
    _check_phase(sheet.bloc_year)
    r = scoring_round(sheet.bloc_year)
    _check_not_approved(r)
    if not r.is_released:
        raise ServiceError(_("Kết quả thẩm định chưa được công bố."))
    items = {i.sub_item_id: i for i in sheet.items.select_related("sub_item__criterion")}
    if set(responses) - set(items):
        raise ServiceError(_("Dữ liệu gửi lên không khớp với bảng điểm. Hãy tải lại trang."))
    before, after = {}, {}
    newly_contested = 0
    for sub_id, resp in responses.items():
        item = items[sub_id]
        if resp.contest not in (ItemScore.Contest.ACCEPTED, ItemScore.Contest.CONTESTED, ""):
            raise ServiceError(_("Ý kiến không hợp lệ."))
        if resp.contest == ItemScore.Contest.CONTESTED and not resp.comment.strip():
            raise ServiceError(_("Mục %(item)s: đề nghị xem lại phải nêu ý kiến.") % {"item": label(item.sub_item)})
        if item.settlement and (resp.contest, resp.comment.strip()) != (item.contest, item.contest_comment):
            raise ServiceError(
                _("Mục %(item)s đã được giải quyết: không thể thay đổi ý kiến.") % {"item": label(item.sub_item)}
            )
        if (item.contest, item.contest_comment) != (resp.contest, resp.comment.strip()):
            before[_key(item, "contest")] = item.contest
            after[_key(item, "contest")] = resp.contest
            newly_contested += resp.contest == ItemScore.Contest.CONTESTED and item.contest != resp.contest
            item.contest, item.contest_comment = resp.contest, resp.comment.strip()
            item.save(update_fields=["contest", "contest_comment"])
    if before:
        record(
            bloc_year=sheet.bloc_year, by=by, action="sheet.respond", target=sheet, before=before, after=after, at=at
        )
    if newly_contested:
        inbox.contested(sheet, newly_contested, at, by)
    return sheet


@transaction.atomic
def settle(
    *, item: ItemScore, decision: str, score=None, reason: str, by: Actor, at: datetime.datetime | None = None
) -> ItemScore:
    """The secretariat keeps or changes a contested reviewed score, with a reason."""
    sheet = item.sheet
    _check_phase(sheet.bloc_year)
    _check_not_approved(scoring_round(sheet.bloc_year))
    item = ItemScore.objects.select_for_update().select_related("sub_item__criterion", "sheet").get(pk=item.pk)
    if item.contest != ItemScore.Contest.CONTESTED:
        raise ServiceError(_("Mục này không có ý kiến đề nghị xem lại."))
    if not reason.strip():
        raise ServiceError(_("Phải ghi lý do giải quyết."), field="reason")
    board = Scoreboard.objects.get(bloc_year=sheet.bloc_year)
    before = {_key(item, "reviewed"): _s(item.reviewed_score), _key(item, "settlement"): item.settlement}
    if decision == ItemScore.Settlement.CHANGED:
        value = parse_score(score, item.sub_item, board.score_step)
        if value is None:
            raise ServiceError(_("Hãy nhập điểm sau điều chỉnh."), field="score")
        if value == item.reviewed_score:
            raise ServiceError(_("Điểm điều chỉnh bằng điểm thẩm định: hãy chọn “Giữ điểm thẩm định”."), field="score")
        item.reviewed_score = value
    elif decision != ItemScore.Settlement.KEPT:
        raise ServiceError(_("Cách giải quyết không hợp lệ."))
    item.settlement, item.settlement_reason = decision, reason.strip()
    item.save(update_fields=["reviewed_score", "settlement", "settlement_reason"])
    record(
        bloc_year=sheet.bloc_year,
        by=by,
        action="sheet.settle",
        target=sheet,
        before=before,
        after={_key(item, "reviewed"): _s(item.reviewed_score), _key(item, "settlement"): item.settlement},
        reason=item.settlement_reason,
        at=at,
    )
    inbox.settled(item, label(item.sub_item), at)
    return item


def approval_waits_for(bloc_year: BlocYear, now: datetime.datetime | None = None) -> list[str]:
    """What an approval now would not wait for: the units' contest window after the release, and the lock dates
    still ahead (a report's timeliness, hence its deduction, is final only once its lock date has passed)."""
    now = _now(now)
    waits = []
    r = ScoringRound.objects.filter(bloc_year=bloc_year).first()
    if r is not None and r.released_at is not None:
        window_end = r.released_at + datetime.timedelta(days=settings.CONTEST_WINDOW_DAYS)
        if now < window_end:
            waits.append(
                _("các đơn vị còn thời hạn phản hồi điểm thẩm định đến %(when)s")
                % {"when": timezone.localtime(window_end).strftime("%H:%M %d/%m/%Y")}
            )
    ahead = []
    extensions: dict[int, list[datetime.date]] = {}
    for e in Extension.objects.filter(period__bloc_year=bloc_year):
        extensions.setdefault(e.period_id, []).append(e.lock_date)
    for p in ReportingPeriod.objects.filter(bloc_year=bloc_year).order_by("order"):
        last = max([p.lock_date, *extensions.get(p.pk, [])])
        if now <= end_of_day(last):
            ahead.append(
                _("%(period)s (khóa sổ ngày %(date)s)") % {"period": p.name, "date": last.strftime("%d/%m/%Y")}
            )
    if ahead:
        waits.append(_("chưa đến ngày khóa sổ của kỳ báo cáo %(periods)s") % {"periods": ", ".join(ahead)})
    return waits


@transaction.atomic
def approve(*, bloc_year: BlocYear, by: Actor, reason: str = "", at: datetime.datetime | None = None) -> ScoringRound:
    """Approve the results: scores lock, and the ranking as it stands is kept as the approved record that pages and
    documents read from then on. Before the contest window ends or while a lock date is ahead, only with a reason
    (the deductions are then fixed as they stand)."""

    _check_phase(bloc_year)
    r = _locked_round(bloc_year)
    _check_not_approved(r)
    if not r.is_released:
        raise ServiceError(_("Phải công bố kết quả thẩm định cho các đơn vị trước khi phê duyệt."))
    open_contests = ItemScore.objects.filter(
        sheet__bloc_year=bloc_year, contest=ItemScore.Contest.CONTESTED, settlement=""
    ).count()
    if open_contests:
        raise ServiceError(_("Còn %(n)s ý kiến đề nghị xem lại chưa được giải quyết.") % {"n": open_contests})
    now = _now(at)
    reason = (reason or "").strip()
    waits = approval_waits_for(bloc_year, now)
    if waits and not reason:
        raise ServiceError(
            _("Chưa nên phê duyệt: %(waits)s. Muốn phê duyệt ngay phải ghi lý do (điểm trừ được giữ như hiện tại).")
            % {"waits": "; ".join(waits)},
            field="reason",
        )
    ranking = compute(bloc_year, now, live=True)
    ApprovedRecord.objects.create(
        bloc_year=bloc_year,
        approved_at=now,
        approved_by=by if by is not None and by.is_authenticated else None,
        reason=reason,
        data=record_data(ranking, now),
    )
    RankSnapshot.objects.filter(bloc_year=bloc_year).delete()
    RankSnapshot.objects.bulk_create(
        RankSnapshot(bloc_year=bloc_year, unit_id=row.entry.unit_id, rank=row.rank, total=row.total)
        for row in ranking.rows
    )
    r.approved_at, r.version = now, r.version + 1
    r.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="scoring.approve",
        target=r,
        after={
            "ranking": [
                f"{row.rank}. {ranking.units[row.entry.unit_id].membership.unit.short_name} {_s(row.total)}"
                for row in ranking.rows
            ],
            **({"waited_not_for": waits} if waits else {}),
        },
        reason=reason,
        at=now,
    )
    inbox.approved(bloc_year, now)
    return r


@transaction.atomic
def reopen(*, bloc_year: BlocYear, reason: str, by: Actor, at: datetime.datetime | None = None) -> ScoringRound:
    """Reopen an approval, in its own audited step: the approved record is kept as a former version."""
    _check_phase(bloc_year)
    r = _locked_round(bloc_year)
    if not r.is_approved:
        raise ServiceError(_("Kết quả chưa được phê duyệt."))
    if not reason.strip():
        raise ServiceError(_("Phải ghi lý do mở lại kết quả chấm điểm."), field="reason")
    now = _now(at)
    current = ApprovedRecord.objects.select_for_update().filter(bloc_year=bloc_year, reopened_at__isnull=True).first()
    if current is not None:
        current.reopened_at, current.reopen_reason = now, reason.strip()
        current.reopened_by = by if by is not None and by.is_authenticated else None
        current.save(update_fields=["reopened_at", "reopen_reason", "reopened_by"])
    r.approved_at, r.version = None, r.version + 1
    r.save()
    RankSnapshot.objects.filter(bloc_year=bloc_year).delete()
    record(
        bloc_year=bloc_year,
        by=by,
        action="scoring.reopen",
        target=r,
        before={"approved_at": current.approved_at.isoformat()} if current else None,
        reason=reason.strip(),
        at=now,
    )
    return r


def reviewable_by(sheet: ScoreSheet, *, unit_id: int | None, is_secretariat: bool) -> bool:
    """The secretariat reviews sheets with no reviewer unit; a reviewer unit reviews the sheets assigned to it."""
    if sheet.reviewer_unit_id is None:
        return is_secretariat
    return unit_id == sheet.reviewer_unit_id


def approval_problems(bloc_year: BlocYear) -> list[str]:
    """What keeps a year from leaving its scoring phase."""
    if not ScoringRound.objects.filter(bloc_year=bloc_year, approved_at__isnull=False).exists():
        return [_("Kết quả chấm điểm chưa được phê duyệt.")]
    return []


def open_scoring_work(bloc_year: BlocYear) -> list[str]:
    """What a phase step out of scoring would leave behind: sheets not submitted or not reviewed, open contests."""
    if bloc_year.phase != BlocYear.Phase.SCORING:
        return []
    members = bloc_year.memberships.count()
    statuses = list(
        ScoreSheet.objects.filter(bloc_year=bloc_year, unit__memberships__bloc_year=bloc_year).values_list(
            "status", flat=True
        )
    )
    work = []
    not_in = members - sum(1 for s in statuses if s != Status.DRAFT)
    if not_in:
        work.append(ngettext("%(n)s bảng tự chấm chưa nộp", "%(n)s bảng tự chấm chưa nộp", not_in) % {"n": not_in})
    waiting = sum(1 for s in statuses if s == Status.SUBMITTED)
    if waiting:
        work.append(
            ngettext("%(n)s bảng điểm chưa thẩm định xong", "%(n)s bảng điểm chưa thẩm định xong", waiting)
            % {"n": waiting}
        )
    contests = ItemScore.objects.filter(
        sheet__bloc_year=bloc_year, contest=ItemScore.Contest.CONTESTED, settlement=""
    ).count()
    if contests:
        work.append(
            ngettext(
                "%(n)s ý kiến đề nghị xem lại chưa giải quyết", "%(n)s ý kiến đề nghị xem lại chưa giải quyết", contests
            )
            % {"n": contests}
        )
    return work


def approved_revert_problems(bloc_year: BlocYear) -> list[str]:
    """Going back from scoring past an approval: the approval is reopened first, with a reason, in its own step."""
    if ScoringRound.objects.filter(bloc_year=bloc_year, approved_at__isnull=False).exists():
        return [_("Kết quả chấm điểm đã được phê duyệt: hãy mở lại kết quả (có ghi lý do) trước khi quay lại.")]
    return []


def scores_not_fitting(scoreboard: Scoreboard) -> list[str]:
    """Entered scores that an edited scoreboard no longer admits: above the sub-item's maximum or off the step."""
    out = []
    items = (
        ItemScore.objects.filter(sheet__bloc_year_id=scoreboard.bloc_year_id)
        .select_related("sub_item__criterion", "sheet__unit")
        .order_by("sheet__unit__short_name", "sub_item__criterion__order", "sub_item__order")
    )
    for item in items:
        for value in (item.self_score, item.reviewed_score):
            if value is None:
                continue
            if value > item.sub_item.max_points or not is_multiple_of(value, scoreboard.score_step):
                out.append(
                    _("%(unit)s, mục %(item)s: %(v)s (tối đa %(max)s)")
                    % {
                        "unit": item.sheet.unit.short_name,
                        "item": label(item.sub_item),
                        "v": number(value),
                        "max": number(item.sub_item.max_points),
                    }
                )
                break
    return out

"""Changes to a bloc year's scoreboard. Frozen from the scoring phase on (DOMAIN.md)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, ProtectedError, Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.audit import Actor, bump_version, jsonable, record, snapshot
from core.errors import ServiceError
from core.formatting import number
from core.lifecycle import NextYear, check_editable
from core.models import BlocYear
from covenant.models import CovenantContent
from scoring.scoreboard.models import BonusItem, Criterion, Scoreboard, SubItem, TieBreak

SETTINGS_FIELDS = ("title", "total_points", "score_step", "bonus_cap", "late_report_points", "missing_report_points")


# What the sheets say no longer fits an edited scoreboard (scores above a lowered maximum or off a new step):
# registered from the app's ready(), as the scoreboard does not read the sheets above it.
_SCORE_CHECKS: list = []


def on_scores_check(fn) -> None:
    if fn not in _SCORE_CHECKS:
        _SCORE_CHECKS.append(fn)


def check_scores_still_fit(scoreboard: Scoreboard) -> None:
    """Scores entered before the edit must fit the edited scoreboard; the edit is refused (and rolled back) with
    the list of those that do not."""
    misfits = [m for check in _SCORE_CHECKS for m in check(scoreboard)]
    if misfits:
        shown = "; ".join(misfits[:20]) + ("…" if len(misfits) > 20 else "")
        raise ServiceError(
            _("Đã có điểm chấm không còn phù hợp với bảng điểm sau khi sửa (%(n)s điểm): %(list)s.")
            % {"n": len(misfits), "list": shown}
        )


def check_scoreboard_editable(bloc_year: BlocYear, reason: str) -> str:
    if bloc_year.scoreboard_frozen:
        raise ServiceError(_("Từ giai đoạn chấm điểm, bảng điểm đã được cố định và không thể thay đổi."))
    return check_editable(bloc_year, reason)


def is_multiple_of(value: Decimal, step: Decimal) -> bool:
    return step > 0 and (value / step) == (value / step).to_integral_value()


def scoreboard_total(scoreboard: Scoreboard) -> Decimal:
    return SubItem.objects.filter(criterion__scoreboard=scoreboard).aggregate(s=Sum("max_points"))["s"] or Decimal(0)


def scoreboard_problems(bloc_year: BlocYear) -> list[str]:
    scoreboard = Scoreboard.objects.filter(bloc_year=bloc_year).first()
    if scoreboard is None or not scoreboard.criteria.exists():
        return [_("Bảng điểm chưa có tiêu chí nào.")]
    problems = []
    total = scoreboard_total(scoreboard)
    if total != scoreboard.total_points:
        problems.append(
            _("Tổng điểm tối đa của các mục chấm là %(sum)s, chưa bằng tổng điểm chuẩn %(total)s.")
            % {"sum": number(total), "total": number(scoreboard.total_points)}
        )
    if SubItem.objects.filter(criterion__scoreboard=scoreboard).count() == 0:
        problems.append(_("Bảng điểm chưa có mục chấm điểm nào."))
    return problems


@transaction.atomic
def update_settings(
    *,
    scoreboard: Scoreboard,
    data: dict,
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Scoreboard:
    reason = check_scoreboard_editable(scoreboard.bloc_year, reason)
    bump_version(Scoreboard, scoreboard.pk, expected_version)
    scoreboard.refresh_from_db()
    step = data.get("score_step", scoreboard.score_step)
    off_step = SubItem.objects.filter(criterion__scoreboard=scoreboard).values_list("max_points", flat=True)
    if any(not is_multiple_of(m, step) for m in off_step):
        raise ServiceError(
            _("Có mục chấm có điểm tối đa không chia hết cho bước điểm %(step)s.") % {"step": number(step)},
            field="score_step",
        )
    before = snapshot(scoreboard, SETTINGS_FIELDS)
    for field in SETTINGS_FIELDS:
        if field in data:
            setattr(scoreboard, field, data[field])
    scoreboard.save()
    check_scores_still_fit(scoreboard)
    after = snapshot(scoreboard, SETTINGS_FIELDS)
    if before != after:
        record(
            bloc_year=scoreboard.bloc_year,
            by=by,
            action="scoreboard.change",
            target=scoreboard,
            before=before,
            after=after,
            reason=reason,
            at=at,
        )
    return scoreboard


@dataclass(frozen=True)
class SubItemRow:
    order: int
    text: str
    max_points: Decimal
    guidance: str = ""
    evidence_required: bool = False
    pk: int | None = None


def _criterion_snapshot(criterion: Criterion) -> dict:
    return {
        "order": criterion.order,
        "title": criterion.title,
        "contents": sorted(c.order for c in criterion.contents.all()),
        "sub_items": [
            {
                "order": s.order,
                "text": s.text,
                "max_points": str(s.max_points),
                "guidance": s.guidance,
                "evidence_required": s.evidence_required,
            }
            for s in criterion.sub_items.all()
        ],
    }


@transaction.atomic
def save_criterion(
    *,
    scoreboard: Scoreboard,
    criterion: Criterion | None,
    order: int,
    title: str,
    contents: Sequence[CovenantContent],
    sub_items: Sequence[SubItemRow],
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Criterion:
    """Create or change a criterion with its sub-items in one step.

    Checked across rows: sub-item order numbers unique, every maximum on the step, and the
    scoreboard's maxima not adding up beyond its total.
    """
    bloc_year = scoreboard.bloc_year
    reason = check_scoreboard_editable(bloc_year, reason)
    clash = Criterion.objects.filter(scoreboard=scoreboard, order=order)
    if criterion is not None:
        clash = clash.exclude(pk=criterion.pk)
    if clash.exists():
        raise ServiceError(_("Đã có tiêu chí số %(order)s.") % {"order": order}, field="order")
    if not sub_items:
        raise ServiceError(_("Tiêu chí phải có ít nhất một mục chấm điểm."))
    orders = [s.order for s in sub_items]
    if len(set(orders)) != len(orders):
        raise ServiceError(_("Số thứ tự các mục chấm trong một tiêu chí không được trùng nhau."))
    for s in sub_items:
        if s.max_points <= 0:
            raise ServiceError(_("Điểm tối đa của mỗi mục phải lớn hơn 0."))
        if not is_multiple_of(s.max_points, scoreboard.score_step):
            raise ServiceError(
                _("Điểm tối đa %(max)s của mục %(order)s không chia hết cho bước điểm %(step)s.")
                % {"max": number(s.max_points), "order": s.order, "step": number(scoreboard.score_step)}
            )
    if any(c.covenant.bloc_year_id != bloc_year.pk for c in contents):
        raise ServiceError(_("Nội dung giao ước không thuộc năm thi đua này."))
    others = (
        SubItem.objects.filter(criterion__scoreboard=scoreboard)
        .exclude(criterion=criterion)
        .aggregate(s=Sum("max_points"))["s"]
        if criterion is not None
        else scoreboard_total(scoreboard)
    ) or Decimal(0)
    new_total = others + sum((s.max_points for s in sub_items), Decimal(0))
    if new_total > scoreboard.total_points:
        raise ServiceError(
            _("Tổng điểm tối đa của bảng điểm sẽ là %(sum)s, vượt quá tổng điểm chuẩn %(total)s.")
            % {"sum": number(new_total), "total": number(scoreboard.total_points)}
        )

    if criterion is None:
        criterion = Criterion.objects.create(scoreboard=scoreboard, order=order, title=title)
        before = None
    else:
        bump_version(Criterion, criterion.pk, expected_version)
        before = _criterion_snapshot(criterion)
        criterion.order, criterion.title = order, title
        criterion.save(update_fields=["order", "title"])
    criterion.contents.set(contents)
    existing = {s.pk: s for s in criterion.sub_items.all()}
    keep = {s.pk for s in sub_items if s.pk in existing}
    try:
        with transaction.atomic():
            SubItem.objects.filter(criterion=criterion).exclude(pk__in=keep).delete()
    except ProtectedError:
        raise ServiceError(_("Không thể bỏ mục chấm đã có điểm chấm của đơn vị.")) from None
    # Park kept rows on free order numbers so that reordering never trips the unique constraint.
    top = max([*orders, *(s.order for s in existing.values()), 0]) + 1
    for i, pk in enumerate(keep):
        SubItem.objects.filter(pk=pk).update(order=top + i)
    for s in sub_items:
        values = {
            "order": s.order,
            "text": s.text,
            "max_points": s.max_points,
            "guidance": s.guidance,
            "evidence_required": s.evidence_required,
        }
        if s.pk in keep:
            SubItem.objects.filter(pk=s.pk).update(**values)
        else:
            SubItem.objects.create(criterion=criterion, **values)
    criterion = Criterion.objects.prefetch_related("contents", "sub_items").get(pk=criterion.pk)
    check_scores_still_fit(scoreboard)
    record(
        bloc_year=bloc_year,
        by=by,
        action="criterion.create" if before is None else "criterion.change",
        target=criterion,
        before=before,
        after=_criterion_snapshot(criterion),
        reason=reason,
        at=at,
    )
    return criterion


@transaction.atomic
def delete_criterion(*, criterion: Criterion, by: Actor, reason: str = "", at: datetime.datetime | None = None) -> None:
    bloc_year = criterion.scoreboard.bloc_year
    reason = check_scoreboard_editable(bloc_year, reason)
    record(
        bloc_year=bloc_year,
        by=by,
        action="criterion.delete",
        target=criterion,
        before=_criterion_snapshot(criterion),
        reason=reason,
        at=at,
    )
    try:
        with transaction.atomic():
            criterion.delete()
    except ProtectedError:
        raise ServiceError(_("Không thể xóa tiêu chí đã có điểm chấm của đơn vị.")) from None


@dataclass(frozen=True)
class BonusRow:
    order: int
    text: str
    points: Decimal


@transaction.atomic
def save_bonus_items(
    *,
    scoreboard: Scoreboard,
    rows: Sequence[BonusRow],
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> None:
    reason = check_scoreboard_editable(scoreboard.bloc_year, reason)
    orders = [r.order for r in rows]
    if len(set(orders)) != len(orders):
        raise ServiceError(_("Số thứ tự các mục điểm thưởng không được trùng nhau."))
    if any(r.points <= 0 for r in rows):
        raise ServiceError(_("Điểm thưởng của mỗi mục phải lớn hơn 0."))
    before = [{"order": b.order, "text": b.text, "points": jsonable(b.points)} for b in scoreboard.bonus_items.all()]
    after = [
        {"order": r.order, "text": r.text, "points": jsonable(r.points)} for r in sorted(rows, key=lambda r: r.order)
    ]
    bump_version(Scoreboard, scoreboard.pk, expected_version)
    if before == after:
        return
    scoreboard.bonus_items.all().delete()
    BonusItem.objects.bulk_create(
        BonusItem(scoreboard=scoreboard, order=r.order, text=r.text, points=r.points)
        for r in sorted(rows, key=lambda r: r.order)
    )
    record(
        bloc_year=scoreboard.bloc_year,
        by=by,
        action="bonus.change",
        target=scoreboard,
        before={"bonus_items": before},
        after={"bonus_items": after},
        reason=reason,
        at=at,
    )


@transaction.atomic
def save_tie_breaks(
    *,
    scoreboard: Scoreboard,
    rules: Sequence[tuple[str, Criterion | None]],
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> None:
    """Replace the ordered tie-break rules; each rule at most once."""
    reason = check_scoreboard_editable(scoreboard.bloc_year, reason)
    keys = []
    for kind, criterion in rules:
        if kind == TieBreak.Kind.CRITERION:
            if criterion is None:
                raise ServiceError(_("Quy tắc theo điểm tiêu chí phải chọn tiêu chí."))
            if criterion.scoreboard_id != scoreboard.pk:
                raise ServiceError(_("Tiêu chí không thuộc bảng điểm này."))
        elif criterion is not None:
            raise ServiceError(_("Chỉ quy tắc theo điểm tiêu chí mới chọn tiêu chí."))
        keys.append((kind, criterion.pk if criterion else None))
    if len(set(keys)) != len(keys):
        raise ServiceError(_("Mỗi quy tắc phân định chỉ được dùng một lần."))
    bump_version(Scoreboard, scoreboard.pk, expected_version)
    before = [str(t) for t in scoreboard.tie_breaks.select_related("criterion")]
    scoreboard.tie_breaks.all().delete()
    TieBreak.objects.bulk_create(
        TieBreak(scoreboard=scoreboard, order=i, kind=kind, criterion=criterion)
        for i, (kind, criterion) in enumerate(rules, start=1)
    )
    after = [str(t) for t in scoreboard.tie_breaks.select_related("criterion")]
    if before != after:
        record(
            bloc_year=scoreboard.bloc_year,
            by=by,
            action="tiebreak.change",
            target=scoreboard,
            before={"tie_breaks": before},
            after={"tie_breaks": after},
            reason=reason,
            at=at,
        )


def make_scoreboard(bloc_year: BlocYear, **_rest: object) -> None:
    # Stored titles print on Vietnamese documents, whatever the language of the page that opened the year.
    with override("vi"):
        title = _("Bảng điểm thi đua năm %(year)s") % {"year": bloc_year.year}
    Scoreboard.objects.create(bloc_year=bloc_year, title=title)


def copy_scoreboard(step: NextYear) -> None:
    """The scoreboard into the next year, its criteria linked to the covenant contents copied before it."""
    content_map: dict[int, CovenantContent] = step.maps.get("contents", {})
    old = Scoreboard.objects.filter(bloc_year=step.previous).first()
    if old is None:
        return
    new = step.new.scoreboard
    for field in SETTINGS_FIELDS[1:]:
        setattr(new, field, getattr(old, field))
    new.save()
    criterion_map = {}
    for c in old.criteria.prefetch_related("sub_items", "contents"):
        nc = Criterion.objects.create(scoreboard=new, order=c.order, title=c.title)
        nc.contents.set([content_map[x.pk] for x in c.contents.all() if x.pk in content_map])
        SubItem.objects.bulk_create(
            SubItem(
                criterion=nc,
                order=s.order,
                text=s.text,
                max_points=s.max_points,
                guidance=s.guidance,
                evidence_required=s.evidence_required,
            )
            for s in c.sub_items.all()
        )
        criterion_map[c.pk] = nc
    BonusItem.objects.bulk_create(
        BonusItem(scoreboard=new, order=b.order, text=b.text, points=b.points) for b in old.bonus_items.all()
    )
    TieBreak.objects.bulk_create(
        TieBreak(
            scoreboard=new,
            order=t.order,
            kind=t.kind,
            criterion=criterion_map.get(t.criterion_id) if t.criterion_id else None,
        )
        for t in old.tie_breaks.all()
    )


def scoreboard_with_items(bloc_year: BlocYear) -> Scoreboard | None:
    """The year's scoreboard with its criteria (sub-items and contents in order), bonus items and tie-breaks: one
    query each, whatever their number."""
    return (
        Scoreboard.objects.filter(bloc_year=bloc_year)
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.prefetch_related(
                    Prefetch("sub_items", queryset=SubItem.objects.order_by("order")),
                    Prefetch("contents", queryset=CovenantContent.objects.order_by("order")),
                ).order_by("order"),
            ),
            "bonus_items",
            "tie_breaks__criterion",
        )
        .first()
    )

"""Who sees which score sheet, phase by phase (issue: "Who sees what")."""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.access import Access
from scoring.sheets.models import ScoreSheet, ScoringRound


def visible_sheets(access: Access) -> QuerySet[ScoreSheet]:
    """A unit always sees its own sheet; a reviewer unit the submitted sheets assigned to it; the secretariat,
    leaders and provincial viewers every submitted sheet. Nobody but the unit sees a draft."""
    qs = ScoreSheet.objects.filter(bloc_year=access.bloc_year)
    visible = Q(pk__in=[])
    if access.unit is not None:
        visible |= Q(unit_id=access.unit.pk)
        visible |= Q(reviewer_unit_id=access.unit.pk) & ~Q(status=ScoreSheet.Status.DRAFT)
    if access.reads_submitted:
        visible |= ~Q(status=ScoreSheet.Status.DRAFT)
    return qs.filter(visible)


def get_sheet(access: Access, sheet_pk: int, queryset=None) -> ScoreSheet:
    qs = queryset if queryset is not None else ScoreSheet.objects.all()
    sheet = qs.filter(pk=sheet_pk, pk__in=visible_sheets(access).values("pk")).first()
    if sheet is None:
        raise Http404
    return sheet


def sees_review(access: Access, sheet: ScoreSheet, scoring_round: ScoringRound | None) -> bool:
    """Reviewed scores are shown to the reviewer and readers at once, to the unit only after the release."""
    if access.reads_submitted:
        return True
    if access.unit is not None and sheet.reviewer_unit_id == access.unit.pk:
        return True
    return bool(scoring_round and scoring_round.is_released)


def sees_ranking(access: Access, scoring_round: ScoringRound | None) -> bool:
    """Readers see the (provisional) ranking at any time; members once the results are approved."""
    return access.reads_submitted or bool(scoring_round and scoring_round.is_approved and access.unit is not None)


def sheet_evidence(access: Access) -> Q:
    """Evidence attached to a score sheet's items or bonus claims is readable by whoever may read the sheet."""
    sheets = visible_sheets(access).values("pk")
    return Q(item_scores__sheet__in=sheets) | Q(bonus_claims__sheet__in=sheets)

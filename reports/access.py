"""Who may read, write and review periodic reports. Built on covenant.access."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from core.access import Access
from reports.models import Evidence, ProgressReport

Status = ProgressReport.Status


def visible_reports(access: Access) -> QuerySet[ProgressReport]:
    """A unit sees its own reports in every state; readers see every unit's, never a draft."""
    qs = ProgressReport.objects.filter(period__bloc_year=access.bloc_year)
    own = Q(unit_id=access.unit.pk) if access.unit else Q(pk__in=[])
    if access.reads_submitted:
        return qs.filter(own | ~Q(status=Status.DRAFT))
    if access.unit:
        return qs.filter(own)
    return qs.none()


def get_report(access: Access, report_pk: int, queryset: QuerySet | None = None) -> ProgressReport:
    qs = queryset if queryset is not None else ProgressReport.objects.all()
    report = qs.filter(pk__in=visible_reports(access).values("pk"), pk=report_pk).first()
    if report is None:
        raise Http404
    return report


def require_unit_writer(access: Access, report: ProgressReport) -> None:
    """Only an officer of the report's own unit writes it (the secretariat of the head unit writes its own)."""
    if access.unit is None or access.unit.pk != report.unit_id:
        raise PermissionDenied


# Apps above this one that attach evidence elsewhere (score-sheet items, bonus claims) say who may read it there:
# (access) -> Q over Evidence. Registered from their AppConfig.ready().
EVIDENCE_READERS: list[Callable[[Access], Q]] = []


def evidence_read_through(fn: Callable[[Access], Q]) -> Callable[[Access], Q]:
    EVIDENCE_READERS.append(fn)
    return fn


def visible_evidence(access: Access) -> QuerySet[Evidence]:
    """A unit's own files; readers those of submitted reports; and whatever the objects the user may open
    carry (a score sheet's items for its reviewer, say: EVIDENCE_READERS)."""
    qs = Evidence.objects.filter(bloc_year=access.bloc_year)
    visible = Q(unit_id=access.unit.pk) if access.unit else Q(pk__in=[])
    if access.reads_submitted:
        visible |= Q(
            sections__report__in=ProgressReport.objects.filter(period__bloc_year=access.bloc_year).exclude(
                status=Status.DRAFT
            )
        )
    for reader in EVIDENCE_READERS:
        visible |= reader(access)
    # pk__in keeps the joins of the alternatives from repeating rows.
    return qs.filter(pk__in=Evidence.objects.filter(visible).values("pk"))

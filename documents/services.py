"""Changes to what the documents print: each kind's setup before printing and the secretariat's synthesis per
covenant content for the summary report. Atomic, recorded, refused once the year is published."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import Actor, record
from core.errors import ServiceError
from core.models import BlocYear
from covenant.models import CovenantContent
from documents.models import ContentSynthesis, DocumentSetup
from reports.models import ProgressReport, ReportSection


def _check_open(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))


@transaction.atomic
def save_setup(
    *, setup: DocumentSetup, bloc_year: BlocYear, kind: str, changed: Sequence[str], by: Actor
) -> DocumentSetup:
    """Keep the number, date, signer and recipients of one kind of document of the year."""
    setup.bloc_year, setup.kind = bloc_year, kind
    setup.save()
    record(
        bloc_year=bloc_year,
        by=by,
        action="document.setup",
        target=setup,
        after={f: str(getattr(setup, f)) for f in changed},
    )
    return setup


@transaction.atomic
def save_synthesis(*, bloc_year: BlocYear, texts: dict[int, str], changed: Sequence[int], by: Actor) -> None:
    """Keep the secretariat's synthesis of each covenant content (content pk → text)."""
    _check_open(bloc_year)
    contents = {c.pk: c for c in CovenantContent.objects.filter(covenant__bloc_year=bloc_year, pk__in=list(texts))}
    for pk, text in texts.items():
        if pk in contents:
            ContentSynthesis.objects.update_or_create(
                bloc_year=bloc_year, content=contents[pk], defaults={"text": text, "updated_by": by}
            )
    record(
        bloc_year=bloc_year,
        by=by,
        action="synthesis.save",
        target=bloc_year,
        after={"contents": sorted(contents[pk].order for pk in changed if pk in contents)},
    )


def prefilled_synthesis(bloc_year: BlocYear) -> dict[int, str]:
    """Per content, the units' accepted reports of the latest period, one paragraph a unit."""
    periods = list(bloc_year.periods.order_by("-order"))
    texts: dict[int, list[str]] = {}
    sections = (
        ReportSection.objects.filter(report__period__bloc_year=bloc_year, report__status=ProgressReport.Status.ACCEPTED)
        .select_related("report__unit", "report__period")
        .order_by("report__unit__name")
    )
    latest: dict[tuple[int, int], ReportSection] = {}
    rank = {p.pk: i for i, p in enumerate(periods)}
    for s in sections:
        key = (s.content_id, s.report.unit_id)
        if key not in latest or rank[s.report.period_id] < rank[latest[key].report.period_id]:
            latest[key] = s
    for (content_id, _unit), s in sorted(latest.items(), key=lambda kv: kv[1].report.unit.name):
        if s.done.strip():
            texts.setdefault(content_id, []).append(f"- {s.report.unit.name}: {s.done.strip()}")
    return {k: "\n".join(v) for k, v in texts.items()}

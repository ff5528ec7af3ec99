"""Recording an award a unit received: atomic and in the unit's bloc's audit log."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from awards.models import Award
from core.audit import Actor, record
from core.errors import ServiceError
from core.models import BlocYear, Unit


@transaction.atomic
def record_award(
    *,
    bloc_year: BlocYear | None,
    unit: Unit,
    kind: str,
    year: int,
    decision_number: str,
    decision_date: datetime.date,
    issuer: str,
    title: str = "",
    source: str = Award.Source.REGISTER,
    by: Actor,
    at: datetime.datetime | None = None,
) -> Award:
    """Keep one award of a unit (decision number, date, issuer); the same decision twice is refused."""
    if decision_date.year < year:
        raise ServiceError(_("Ngày quyết định không thể trước năm thành tích."), field="decision_date")
    try:
        with transaction.atomic():
            award = Award.objects.create(
                unit=unit,
                kind=kind,
                title=title.strip(),
                year=year,
                decision_number=decision_number.strip(),
                decision_date=decision_date,
                issuer=issuer.strip(),
                source=source,
                recorded_by=by if by is not None and by.is_authenticated else None,
            )
    except IntegrityError:
        raise ServiceError(
            _("Quyết định này đã có trong sổ khen thưởng của đơn vị."), field="decision_number"
        ) from None
    record(
        bloc_year=bloc_year,
        by=by,
        action="award.record",
        target=award,
        after={"unit": unit.name, "kind": kind, "year": year, "decision": award.decision_number},
        at=at,
    )
    return award


@transaction.atomic
def delete_award(*, bloc_year: BlocYear | None, award: Award, by: Actor) -> None:
    record(
        bloc_year=bloc_year,
        by=by,
        action="award.delete",
        target=award,
        before={"unit": award.unit.name, "kind": award.kind, "year": award.year, "decision": award.decision_number},
    )
    award.delete()


def awards_of(unit: Unit, before_year: int | None = None) -> list[Award]:
    """The unit's awards, oldest first; those for achievements before ``before_year`` when given."""
    awards = Award.objects.filter(unit=unit)
    if before_year is not None:
        awards = awards.filter(year__lt=before_year)
    return list(awards.order_by("year", "decision_date", "pk"))

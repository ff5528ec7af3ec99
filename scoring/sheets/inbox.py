"""The in-app notifications of year-end scoring (core/notifications.py), written by the services in the event's
own transaction. None of these steps sends an email: the app is where officers learn that self-scoring opened, that
their reviewed scores are out and until when they may answer, and what became of a contested score."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import notifications
from core.models import BlocYear
from scoring.sheets.models import ItemScore, ScoreSheet


def _args(bloc_year: BlocYear) -> list:
    return [bloc_year.bloc.code, bloc_year.year]


def contest_window_end(released_at: datetime.datetime) -> datetime.datetime:
    """Until when the units may answer their reviewed scores before the approval needs a reason."""
    return released_at + datetime.timedelta(days=settings.CONTEST_WINDOW_DAYS)


def when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def phase_entered(bloc_year: BlocYear, *, by=None, at: datetime.datetime | None = None) -> None:  # noqa: ARG001
    """A step forward into scoring opens self-scoring; into publication, the results are out."""
    if bloc_year.phase == BlocYear.Phase.SCORING:
        notifications.notify(
            notifications.member_officers(bloc_year),
            gettext_noop("Đã mở tự chấm điểm năm %(year)s: hãy tự chấm, gắn minh chứng và nộp bảng điểm của đơn vị."),
            reverse("scores:overview", args=_args(bloc_year)),
            params={"year": str(bloc_year.year)},
            bloc_year=bloc_year,
            at=at,
        )
    elif bloc_year.phase == BlocYear.Phase.PUBLISHED:
        notifications.notify(
            [
                *notifications.member_officers(bloc_year).values_list("pk", flat=True),
                *notifications.leaders(bloc_year).values_list("pk", flat=True),
            ],
            gettext_noop("Kết quả thi đua năm %(year)s của khối đã được công bố."),
            reverse("workspace:dashboard", args=_args(bloc_year)),
            params={"year": str(bloc_year.year)},
            bloc_year=bloc_year,
            at=at,
        )


def sheet_submitted(sheet: ScoreSheet, at: datetime.datetime | None, by=None) -> None:
    """To whoever reviews the sheet: the secretariat, or the reviewer unit drawn by lot."""
    bloc_year = sheet.bloc_year
    reviewers = (
        notifications.secretariat(bloc_year)
        if sheet.reviewer_unit_id is None
        else notifications.unit_officers([sheet.reviewer_unit_id])
    )
    notifications.notify(
        reviewers,
        gettext_noop("%(unit)s đã nộp bảng tự chấm điểm: chờ thẩm định."),
        reverse("scores:review", args=[*_args(bloc_year), sheet.pk]),
        params={"unit": sheet.unit.short_name},
        bloc_year=bloc_year,
        at=at,
        by=by,
    )


def reviewers_assigned(bloc_year: BlocYear, sheets: list[ScoreSheet], at: datetime.datetime | None) -> None:
    """To each reviewer unit: whose sheet it reviews (the secretariat's own sheets need no word)."""
    for sheet in sheets:
        if sheet.reviewer_unit_id is None:
            continue
        notifications.notify(
            notifications.unit_officers([sheet.reviewer_unit_id]),
            gettext_noop("Đơn vị được phân công thẩm định bảng điểm của %(unit)s."),
            reverse("scores:overview", args=_args(bloc_year)),
            params={"unit": sheet.unit.short_name},
            bloc_year=bloc_year,
            at=at,
        )


def review_released(bloc_year: BlocYear, released_at: datetime.datetime) -> None:
    notifications.notify(
        notifications.member_officers(bloc_year),
        gettext_noop(
            "Đã công bố kết quả thẩm định: xem điểm của đơn vị và đồng ý hoặc đề nghị xem lại trước %(until)s."
        ),
        reverse("scores:overview", args=_args(bloc_year)),
        params={"until": when(contest_window_end(released_at))},
        bloc_year=bloc_year,
        at=released_at,
    )


def contested(sheet: ScoreSheet, count: int, at: datetime.datetime | None, by=None) -> None:
    """To the secretariat: a unit asks for a second look at some of its reviewed scores."""
    bloc_year = sheet.bloc_year
    notifications.notify(
        notifications.secretariat(bloc_year),
        gettext_noop("%(unit)s đề nghị xem lại %(n)s mục điểm thẩm định."),
        reverse("scores:sheet", args=[*_args(bloc_year), sheet.pk]),
        params={"unit": sheet.unit.short_name, "n": count},
        bloc_year=bloc_year,
        at=at,
        by=by,
    )


def settled(item: ItemScore, label: str, at: datetime.datetime | None) -> None:
    sheet = item.sheet
    text = (
        gettext_noop("Mục %(item)s: Văn phòng khối giữ điểm thẩm định sau khi xem lại.")
        if item.settlement == ItemScore.Settlement.KEPT
        else gettext_noop("Mục %(item)s: điểm thẩm định được điều chỉnh sau khi xem lại.")
    )
    notifications.notify(
        notifications.unit_officers([sheet.unit_id]),
        text,
        reverse("scores:sheet", args=[*_args(sheet.bloc_year), sheet.pk]),
        params={"item": label},
        bloc_year=sheet.bloc_year,
        at=at,
    )


def approved(bloc_year: BlocYear, at: datetime.datetime) -> None:
    notifications.notify(
        notifications.member_officers(bloc_year),
        gettext_noop("Kết quả chấm điểm năm %(year)s đã được phê duyệt."),
        reverse("scores:ranking", args=_args(bloc_year)),
        params={"year": str(bloc_year.year)},
        bloc_year=bloc_year,
        at=at,
    )

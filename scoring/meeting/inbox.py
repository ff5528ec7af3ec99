"""The in-app notifications of the review meeting (core/notifications.py): an online ballot opened or reopened, to
every member unit's officers. Casting a vote notifies nobody: a notification's time would say when a unit voted."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_noop

from core import notifications
from scoring.meeting.models import Ballot
from scoring.sheets.inbox import when


def ballot_opened(ballot: Ballot, *, reopened: bool, at: datetime.datetime) -> None:
    if ballot.mode != Ballot.Mode.ONLINE:
        return  # paper ballots are cast at the meeting, not in the app
    bloc_year = ballot.bloc_year
    if ballot.closes_at is not None:
        text = (
            gettext_noop("Cuộc bỏ phiếu “%(ballot)s” được mở lại: đơn vị chưa bỏ phiếu hãy bỏ phiếu trước %(until)s.")
            if reopened
            else gettext_noop("Đã mở bỏ phiếu “%(ballot)s”: hãy bỏ phiếu cho đơn vị trước %(until)s.")
        )
    else:
        text = (
            gettext_noop("Cuộc bỏ phiếu “%(ballot)s” được mở lại: đơn vị chưa bỏ phiếu hãy bỏ phiếu.")
            if reopened
            else gettext_noop("Đã mở bỏ phiếu “%(ballot)s”: hãy bỏ phiếu cho đơn vị.")
        )
    notifications.notify(
        notifications.member_officers(bloc_year),
        text,
        reverse("review:vote", args=[bloc_year.bloc.code, bloc_year.year, ballot.pk]),
        params={
            "ballot": notifications.in_site_language(Ballot.Kind(ballot.kind).label),
            **({"until": when(ballot.closes_at)} if ballot.closes_at else {}),
        },
        bloc_year=bloc_year,
        at=at,
    )

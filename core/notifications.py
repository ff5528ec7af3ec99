"""In-app notifications: who is told, written in the event's own transaction, and read per user.

``notify`` is called by the services wherever an email goes out (reports submitted, returned, reminders) and where
officers would expect word but get no email (self-scoring opened, reviewed scores released, a ballot opened). It
writes the rows and raises each recipient's unread counter on their profile in the caller's transaction: the event
and its notification commit together or not at all (the email alone waits for the commit, through the task queue).

The text is a Vietnamese msgid (mark it with ``gettext_noop``) with its parameters, translated when shown. A
notification never says how a unit voted: voting itself notifies nobody.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme

from core.models import BlocYear, Membership, Notification, Profile

User = get_user_model()


def _active() -> QuerySet:
    return User.objects.filter(is_active=True)


def unit_officers(unit_ids: Iterable[int]) -> QuerySet:
    """The active officers' accounts of the units."""
    return _active().filter(profile__role=Profile.Role.OFFICER, profile__unit_id__in=list(unit_ids))


def member_officers(bloc_year: BlocYear) -> QuerySet:
    """The active officers of every member unit of the year."""
    return _active().filter(
        profile__role=Profile.Role.OFFICER,
        profile__unit_id__in=Membership.objects.filter(bloc_year=bloc_year).values("unit_id"),
    )


def secretariat(bloc_year: BlocYear) -> QuerySet:
    """The active accounts of the year's secretariat (the head unit's office)."""
    head = Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD).values("unit_id")
    return _active().filter(profile__role=Profile.Role.SECRETARIAT, profile__unit_id__in=head)


def leaders(bloc_year: BlocYear) -> QuerySet:
    return _active().filter(profile__role=Profile.Role.LEADER, profile__bloc_id=bloc_year.bloc_id)


@transaction.atomic
def notify(
    users: Iterable | QuerySet,
    text: str,
    url: str = "",
    *,
    params: dict | None = None,
    bloc_year: BlocYear | None = None,
    at: datetime.datetime | None = None,
    by=None,
) -> int:
    """Tell each user once (users, ids or a queryset of users) but `by`, who did what is told of; returns how many
    were told."""
    if isinstance(users, QuerySet):
        ids = sorted(set(users.values_list("pk", flat=True)))
    else:
        ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    if by is not None and getattr(by, "pk", None) in ids:
        ids.remove(by.pk)
    if not ids:
        return 0
    now = at or timezone.now()
    Notification.objects.bulk_create(
        Notification(user_id=i, bloc_year=bloc_year, created_at=now, text=text, params=params or {}, url=url)
        for i in ids
    )
    Profile.objects.filter(user_id__in=ids).update(unread_notifications=F("unread_notifications") + 1)
    return len(ids)


@transaction.atomic
def mark_read(
    user, pk: int | None = None, *, before: datetime.datetime | None = None, at: datetime.datetime | None = None
) -> int:
    """Mark the user's notification (or, with no pk, all of them, or all written before a time) read; returns how
    many were unread.

    The rows are taken by the update itself: two tabs marking the same one count it once, and the counter drops by
    exactly the rows this call turned read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    if before is not None:
        unread = unread.filter(created_at__lt=before)
    n = unread.update(read_at=at or timezone.now())
    if n:
        Profile.objects.filter(user=user).update(unread_notifications=F("unread_notifications") - n)
    return n


def unread_count(user) -> int:
    """The badge's number: the profile's counter (loaded with the user), 0 without a profile."""
    try:
        return user.profile.unread_notifications
    except (AttributeError, Profile.DoesNotExist):
        return 0


def safe_url(request: HttpRequest, url: str) -> str | None:
    """The stored link when it points to this site, else None (never an open redirect)."""
    allowed = {request.get_host()}
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=allowed, require_https=request.is_secure()):
        return url
    return None


def in_site_language(text) -> str:
    """A label as stored: in the site's language (Vietnamese), whatever the page's; translated again when shown."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)

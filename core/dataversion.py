"""The data version of a bloc: a counter raised by every change to the bloc's data, in the change's own transaction.

Cached pages (core/pagecache.py) and stored documents (documents/render.py) are keyed on it, so they are reused
exactly until the data changes. A request reads the version before it reads the data: a page computed from newer
data than its version says is only ever replaced sooner, never served stale.

Every service change goes through ``core.audit.record`` (the audit log), which calls ``changed``; edits made in the
admin (units, blocs, provinces) are caught by the signals below. The counters are raised inside the transaction that
changes the data, so that a process dying between the commit and anything run after it cannot leave a page or a
document keyed on the old version: the data and its new version commit together or not at all. Writers of one bloc
then queue on the bloc's row for the rest of their transaction (milliseconds); provinces are not raised by bloc
changes (their overview is keyed on the sum of their blocs' versions, see ``province_version``), so blocs of a
province never wait on each other.

``versions_raised`` is sent once the transaction commits: what listens to it (the documents rendered ahead for large
blocs) is an optimisation that the next request or the nightly refresh does anyway.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from core.models import Bloc, BlocYear, Membership, Province, Unit

_PENDING = "_kt_changed_blocs"

# Sent after blocs' versions were raised and committed (bloc_ids=[...]).
versions_raised = Signal()


def changed(bloc_id: int, bloc_year_id: int | None = None) -> None:
    """Raise the bloc's version and the year's (or every year's when none is named), in the current transaction."""
    raise_versions([bloc_id], bloc_year_ids=None if bloc_year_id is None else [bloc_year_id], announce=False)
    connection = transaction.get_connection()
    if not hasattr(connection, _PENDING):
        setattr(connection, _PENDING, set())
    getattr(connection, _PENDING).add(bloc_id)
    # One callback per call, but only the first to run has work to do: after a rollback the set may still hold
    # ids of the rolled-back transaction, which only costs those blocs one spare announcement.
    after_commit(lambda: _announce(connection))


def after_commit(callback) -> None:
    """Run once the transaction commits (at once outside one). The test suite, whose tests never commit, runs
    callbacks at once.

    Robust: the data is already committed, so a failure here is logged, not turned into an error page.
    """
    transaction.on_commit(callback, robust=True)


def _announce(connection) -> None:
    pending: set[int] = getattr(connection, _PENDING, set())
    if not pending:
        return
    bloc_ids = sorted(pending)
    pending.clear()
    versions_raised.send(sender=Bloc, bloc_ids=bloc_ids)


def raise_versions(
    bloc_ids: Iterable[int], *, bloc_year_ids: Iterable[int] | None = None, announce: bool = True
) -> None:
    """Raise the blocs' versions; and the versions of the named bloc years, or of every year of those blocs when none
    is named (a change to the bloc itself or to a unit's name)."""
    ids = sorted(bloc_ids)
    if not ids:
        return
    Bloc.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)
    if bloc_year_ids is None:
        years = BlocYear.objects.filter(bloc_id__in=ids)
    else:
        years = BlocYear.objects.filter(pk__in=sorted(bloc_year_ids))
    years.update(data_version=F("data_version") + 1)
    if announce:
        versions_raised.send(sender=Bloc, bloc_ids=ids)


def province_version(province: Province) -> str:
    """What a province's pages depend on: its own counter (its edits, blocs moved in or out, deleted) and every one of
    its blocs' (counters only grow, so their sum changes with any of them). One query."""
    blocs = Bloc.objects.filter(province=province).aggregate(total=Sum("data_version"), count=Count("pk"))
    return f"{province.data_version}.{blocs['total'] or 0}.{blocs['count']}"


def _raise_province(province_id: int) -> None:
    Province.objects.filter(pk=province_id).update(data_version=F("data_version") + 1)


@receiver(pre_save, sender=Bloc)
def _bloc_saving(*, instance: Bloc, raw: bool = False, **kwargs) -> None:
    """A bloc moved to another province leaves the old province's overview too."""
    if raw or instance.pk is None:
        return
    old = Bloc.objects.filter(pk=instance.pk).values_list("province_id", flat=True).first()
    if old is not None and old != instance.province_id:
        _raise_province(old)


@receiver(post_save, sender=Bloc)
def _bloc_saved(*, instance: Bloc, raw: bool = False, **kwargs) -> None:
    if not raw:
        changed(instance.pk)


@receiver(post_delete, sender=Bloc)
def _bloc_deleted(*, instance: Bloc, **kwargs) -> None:
    _raise_province(instance.province_id)


@receiver(post_save, sender=Province)
def _province_saved(*, instance: Province, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    _raise_province(instance.pk)
    for bloc_id in Bloc.objects.filter(province=instance).values_list("pk", flat=True):
        changed(bloc_id)


@receiver(post_save, sender=Unit)
def _unit_saved(*, instance: Unit, raw: bool = False, **kwargs) -> None:
    """A unit's name is printed by every bloc it belongs to."""
    if raw:
        return
    for bloc_id in set(
        Membership.objects.filter(unit=instance).values_list("bloc_year__bloc_id", flat=True).distinct()
    ):
        changed(bloc_id)

"""The data version of a bloc: a counter raised after every committed change to the bloc's data.

Cached pages (core/pagecache.py) and stored documents (documents/render.py) are keyed on it, so they
are reused exactly until the data changes. A request reads the version before it reads the data: a page computed
from newer data than its version says is only ever replaced sooner, never served stale.

Every service change goes through ``core.audit.record`` (the audit log), which calls ``changed``; edits made
in the admin (units, blocs, provinces) are caught by the signals below. The counter is raised after the commit, in
its own short statement, so that writers of one bloc never wait on each other's row lock.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from core.models import Bloc, BlocYear, Membership, Province, Unit

_PENDING = "_kt_changed_blocs"

# Sent after blocs' versions were raised (bloc_ids=[...]): the documents app renders large documents ahead.
versions_raised = Signal()


def changed(bloc_id: int, bloc_year_id: int | None = None) -> None:
    """Raise the bloc's version (and the year's, or every year's when none is named) once the current transaction
    commits (at once outside a transaction)."""
    connection = transaction.get_connection()
    if not hasattr(connection, _PENDING):
        setattr(connection, _PENDING, set())
    getattr(connection, _PENDING).add((bloc_id, bloc_year_id))
    # One callback per call, but only the first to run has work to do: after a rollback the set may still hold
    # ids of the rolled-back transaction, which only costs those blocs one spare raise.
    after_commit(lambda: _flush(connection))


def after_commit(callback) -> None:
    """Run once the transaction commits. The test suite, whose tests never commit, runs callbacks at once.

    Robust: the data is already committed, so a failure here is logged, not turned into an error page, and the
    callbacks queued after it (the notification emails) still run.
    """
    transaction.on_commit(callback, robust=True)


def _flush(connection) -> None:
    pending: set[tuple[int, int | None]] = getattr(connection, _PENDING, set())
    if not pending:
        return
    changes = set(pending)
    pending.clear()
    whole = {bloc_id for bloc_id, year_id in changes if year_id is None}
    if whole:
        raise_versions(whole)
    years = {year_id for bloc_id, year_id in changes if year_id is not None and bloc_id not in whole}
    if years:
        raise_versions({bloc_id for bloc_id, _year_id in changes} - whole, bloc_year_ids=years)


def raise_versions(bloc_ids: Iterable[int], *, bloc_year_ids: Iterable[int] | None = None) -> None:
    """Raise the blocs' versions and their provinces'; and the versions of the named bloc years, or of every year
    of those blocs when none is named (a change to the bloc itself or to a unit's name)."""
    ids = sorted(bloc_ids)
    if not ids:
        return
    Bloc.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)
    Province.objects.filter(blocs__in=ids).update(data_version=F("data_version") + 1)
    if bloc_year_ids is None:
        years = BlocYear.objects.filter(bloc_id__in=ids)
    else:
        years = BlocYear.objects.filter(pk__in=sorted(bloc_year_ids))
    years.update(data_version=F("data_version") + 1)
    versions_raised.send(sender=Bloc, bloc_ids=ids)


def _raise_province(province_id: int) -> None:
    after_commit(lambda: Province.objects.filter(pk=province_id).update(data_version=F("data_version") + 1))


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

"""Work that must happen on time without a visitor (issue 13 item 7): ballots close at their window's end in the
worker, or from cron."""

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.models import AuditEntry
from scoring.meeting import services as voting
from scoring.models import Ballot
from tests.test_voting import certificate_ballot, review_year


@pytest.fixture
def year(db):
    return review_year(4)


def test_the_close_ballots_command_closes_every_ballot_past_its_window_and_no_other(year):
    now = timezone.now()
    due = certificate_ballot(year, closes_at=now - datetime.timedelta(minutes=1))
    later = voting.open_ballot(
        ballot=voting.save_ballot(
            bloc_year=year,
            ballot=None,
            by=None,
            data={
                "kind": Ballot.Kind.FLAG,
                "max_choices": 1,
                "candidates_from": "all",
                "mode": "online",
                "closes_at": now + datetime.timedelta(hours=1),
            },
        ),
        by=None,
    )
    call_command("close_ballots")
    assert Ballot.objects.get(pk=due.pk).status == Ballot.Status.CLOSED
    assert Ballot.objects.get(pk=later.pk).status == Ballot.Status.OPEN
    closing = AuditEntry.objects.get(action="ballot.close", target_id=str(due.pk))
    assert closing.actor is None  # the system closed it, nobody opened a page
    call_command("close_ballots")  # a second run finds nothing to do
    assert AuditEntry.objects.filter(action="ballot.close").count() == 1


def test_the_worker_task_closes_the_ballot_only_once_its_window_has_ended(year):
    ballot = certificate_ballot(year, closes_at=timezone.now() + datetime.timedelta(hours=1))
    assert voting.close_ballot_at_window_end.call(ballot.pk) is False  # too early (a reopened or moved window)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    assert voting.close_ballot_at_window_end.call(ballot.pk) is True
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.CLOSED
    assert voting.close_ballot_at_window_end.call(ballot.pk) is False  # already closed


def test_opening_a_timed_ballot_queues_its_close_for_the_window_end(year):
    from django_tasks import task_backends

    closes = timezone.now() + datetime.timedelta(hours=2)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        backend = task_backends["default"]
        assert backend.supports_defer
        ballot = certificate_ballot(year, closes_at=closes)
        queued = [r for r in backend.results if r.task.name == "close_ballot_at_window_end"]
        assert [(list(r.args), r.task.run_after) for r in queued] == [([ballot.pk], closes)]

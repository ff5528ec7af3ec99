"""Secret ballots: secrecy on the schema and on stored rows, one ballot per unit, the rules, the results."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from core import lifecycle
from core.errors import ServiceError
from core.models import AuditEntry, BlocYear
from scoring.meeting import services as voting
from scoring.models import Ballot, Choice, ScoringRound, VoterRecord
from tests.personas import make_bloc_year


def review_year(units: int) -> BlocYear:
    year = make_bloc_year(units=units, year=2025, phase=BlocYear.Phase.SCORING)
    now = timezone.now()
    ScoringRound.objects.create(bloc_year=year, released_at=now, approved_at=now)
    reviewed = lifecycle.advance_phase(bloc_year=year, by=None)
    reviewed.units, reviewed.officers = year.units, year.officers
    return reviewed


@pytest.fixture
def year(db):
    return review_year(12)


def certificate_ballot(year, **overrides):
    data = {
        "kind": Ballot.Kind.CERTIFICATE,
        "max_choices": 2,
        "candidates_from": Ballot.Candidates.ALL,
        "forbid_own_unit": True,
        "mode": Ballot.Mode.ONLINE,
        **overrides,
    }
    ballot = voting.save_ballot(bloc_year=year, ballot=None, data=data, by=None)
    return voting.open_ballot(ballot=ballot, by=None)


def candidate_of(ballot, unit):
    return ballot.candidates.get(unit=unit).pk


def test_the_choice_table_cannot_name_a_voter_or_a_time():
    names = {f.name for f in Choice._meta.get_fields()}
    assert names == {"id", "ballot", "candidate"}
    assert Choice._meta.pk.get_internal_type() == "UUIDField"
    voter_fields = {f.name for f in VoterRecord._meta.get_fields()}
    assert voter_fields == {"id", "ballot", "unit"}  # who voted, not when, not what


def test_stored_choices_do_not_follow_the_order_of_voting_and_name_nobody(year):
    ballot = certificate_ballot(year, max_choices=1, forbid_own_unit=False)
    voting_order = []
    for i, (unit, officer) in enumerate(zip(year.units, year.officers, strict=True)):
        target = year.units[(i + 1) % len(year.units)]  # each unit votes for a different candidate
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, target)], by=officer)
        voting_order.append(candidate_of(ballot, target))
        # While the ballot is open nothing readable is stored: no Choice rows, an encrypted box.
        assert not Choice.objects.filter(ballot=ballot).exists()
        box = bytes(Ballot.objects.get(pk=ballot.pk).sealed_box)
        assert box.startswith(b"gAAAAA") and b"[" not in box  # a Fernet token, not the JSON list of papers
    voting.close_ballot(ballot=ballot, by=None)
    with connection.cursor() as cursor:
        table = Choice._meta.db_table
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — physical row order, no ORDER BY
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert columns == ["id", "ballot_id", "candidate_id"]
    stored = [row[2] for row in rows]
    assert sorted(stored) == sorted(voting_order)
    assert stored != voting_order
    by_id = list(Choice.objects.order_by("id").values_list("candidate_id", flat=True))
    assert by_id != voting_order
    user_ids = {o.pk for o in year.officers}
    unit_ids = {u.pk for u in year.units}
    for row in rows:
        assert not isinstance(row[0], int)  # random UUIDs, not a counter
    # The audit trail knows who voted, never for whom.
    entries = AuditEntry.objects.filter(target_type="scoring.ballot")
    assert entries.filter(action="ballot.voted").count() == 12
    for entry in entries.filter(action="ballot.voted"):
        assert set(entry.after) == {"unit"} and entry.before is None and entry.reason == ""
    assert set(entries.values_list("action", flat=True)) == {
        "ballot.save",
        "ballot.open",
        "ballot.voted",
        "ballot.close",
    }
    closed = entries.get(action="ballot.close")
    assert closed.after == {"voters": 12}
    assert {v.unit_id for v in VoterRecord.objects.filter(ballot=ballot)} == unit_ids
    assert user_ids


def test_a_unit_cannot_vote_twice(year):
    ballot = certificate_ballot(year)
    voting.cast_vote(
        ballot=ballot, unit=year.units[0], candidate_ids=[candidate_of(ballot, year.units[1])], by=year.officers[0]
    )
    with pytest.raises(ServiceError, match="đã bỏ phiếu"):
        voting.cast_vote(
            ballot=ballot, unit=year.units[0], candidate_ids=[candidate_of(ballot, year.units[2])], by=year.officers[0]
        )
    assert VoterRecord.objects.filter(ballot=ballot).count() == 1


@pytest.mark.parametrize(
    ("make_choice", "message"),
    [
        (lambda b, y: [candidate_of(b, y.units[0])], "chính đơn vị mình"),
        (lambda b, y: [candidate_of(b, u) for u in y.units[1:4]], "tối đa 2"),
        (lambda b, y: [999999], "không nằm trong danh sách"),
        (lambda b, y: [candidate_of(b, y.units[1])] * 2, "một lần"),
    ],
)
def test_bad_ballots_are_refused_and_nothing_is_stored(year, make_choice, message):
    ballot = certificate_ballot(year)
    with pytest.raises(ServiceError, match=message):
        voting.cast_vote(
            ballot=ballot, unit=year.units[0], candidate_ids=make_choice(ballot, year), by=year.officers[0]
        )
    assert not VoterRecord.objects.filter(ballot=ballot).exists()
    assert voting._open_box(Ballot.objects.get(pk=ballot.pk)) == []


def test_votes_outside_the_window_are_refused(year):
    now = timezone.now()
    ballot = certificate_ballot(
        year, opens_at=now + timezone.timedelta(hours=1), closes_at=now + timezone.timedelta(hours=2)
    )
    with pytest.raises(ServiceError, match="Chưa đến giờ"):
        voting.cast_vote(ballot=ballot, unit=year.units[0], candidate_ids=[], by=year.officers[0])
    with pytest.raises(ServiceError, match="hết giờ"):
        voting.cast_vote(
            ballot=ballot,
            unit=year.units[0],
            candidate_ids=[],
            by=year.officers[0],
            at=now + timezone.timedelta(hours=3),
        )
    draft = voting.save_ballot(
        bloc_year=year,
        ballot=None,
        by=None,
        data={"kind": Ballot.Kind.FLAG, "max_choices": 1, "candidates_from": "all", "mode": "online"},
    )
    with pytest.raises(ServiceError, match="không mở"):
        voting.cast_vote(ballot=draft, unit=year.units[0], candidate_ids=[], by=year.officers[0])


def test_results_appear_only_after_the_close_with_shares_threshold_and_ties(year):
    ballot = certificate_ballot(year, max_choices=1, forbid_own_unit=False)
    a, b = year.units[1], year.units[2]
    for i, unit in enumerate(year.units):
        choice = a if i < 6 else b
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, choice)], by=year.officers[i])
    with pytest.raises(ServiceError, match="sau khi kết thúc"):
        voting.results(ballot, 12)
    ballot = voting.close_ballot(ballot=ballot, by=None)
    result = voting.results(ballot, 12)
    top = {r.candidate.unit_id: r for r in result.rows}
    assert (top[a.pk].votes, top[b.pk].votes) == (6, 6)
    assert not top[a.pk].passed  # 6 of 12 is not more than half
    assert result.quorum_met and result.quorum_needed == 8


def test_paper_counts_are_checked(year):
    ballot = voting.save_ballot(
        bloc_year=year,
        ballot=None,
        by=None,
        data={"kind": Ballot.Kind.FLAG, "max_choices": 1, "candidates_from": "all", "mode": "paper"},
    )
    ballot = voting.open_ballot(ballot=ballot, by=None)
    ids = list(ballot.candidates.values_list("pk", flat=True))
    votes = dict.fromkeys(ids, 0)
    votes[ids[0]] = 9
    with pytest.raises(ServiceError, match="bằng số phiếu thu về"):
        voting.enter_paper_count(ballot=ballot, issued=12, received=11, valid=10, invalid=0, votes=votes, by=None)
    with pytest.raises(ServiceError, match="lớn hơn số phiếu phát ra"):
        voting.enter_paper_count(ballot=ballot, issued=10, received=11, valid=11, invalid=0, votes=votes, by=None)
    voting.enter_paper_count(ballot=ballot, issued=12, received=11, valid=10, invalid=1, votes=votes, by=None)
    ballot = voting.close_ballot(ballot=ballot, by=None)
    result = voting.results(ballot, 12)
    assert result.rows[0].votes == 9 and result.rows[0].elected


def test_candidates_are_frozen_once_open(year):
    ballot = certificate_ballot(year)
    with pytest.raises(ServiceError, match="đã mở"):
        voting.save_ballot(
            bloc_year=year,
            ballot=ballot,
            by=None,
            data={"kind": ballot.kind, "max_choices": 1, "candidates_from": "all", "mode": "online"},
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_cast_one_ballot():
    year = review_year(3)
    ballot = certificate_ballot(year, forbid_own_unit=False)
    cid = candidate_of(ballot, year.units[1])
    barrier = threading.Barrier(2)
    outcomes = []

    def vote():
        try:
            barrier.wait()
            voting.cast_vote(ballot=ballot, unit=year.units[0], candidate_ids=[cid], by=year.officers[0])
            outcomes.append("ok")
        except ServiceError as e:
            outcomes.append(e.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert VoterRecord.objects.filter(ballot=ballot).count() == 1
    assert len(voting._open_box(Ballot.objects.get(pk=ballot.pk))) == 1


def test_publishing_needs_every_ballot_closed_and_locks_the_year(year):
    ballot = certificate_ballot(year)
    with pytest.raises(ServiceError, match="chưa kết thúc"):
        lifecycle.advance_phase(bloc_year=year, by=None)
    voting.close_ballot(ballot=ballot, by=None)
    published = lifecycle.advance_phase(bloc_year=year, by=None, override_reason="Thử nghiệm")
    assert published.is_published
    with pytest.raises(ServiceError, match=r"đã công bố|đã khóa"):
        voting.save_meeting(bloc_year=published, data={"place": "Kon Tum"}, present_unit_ids=[], by=None)
    reopened = lifecycle.revert_phase(bloc_year=published, by=None, reason="Sửa biên bản")
    assert reopened.phase == BlocYear.Phase.REVIEW
    assert AuditEntry.objects.filter(action="phase.revert", reason="Sửa biên bản").exists()


def test_the_elected_head_and_deputy_prefill_next_year(year):
    voting.save_outcome(
        bloc_year=year,
        proposals=[voting.ProposalRow(unit_id=year.units[3].pk, award="flag", rank=1, votes=10, basis="xếp hạng 1")],
        elected_head_id=year.units[4].pk,
        elected_deputy_id=year.units[5].pk,
        by=None,
    )
    nxt = lifecycle.start_next_year(previous=year, by=None)
    roles = dict(nxt.memberships.values_list("unit_id", "role"))
    assert roles[year.units[4].pk] == "head" and roles[year.units[5].pk] == "deputy"
    assert roles[year.units[0].pk] == "member"


def test_scoring_must_be_approved_before_the_review_phase(db):
    scoring_year = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SCORING)
    with pytest.raises(ServiceError, match="phê duyệt"):
        lifecycle.advance_phase(bloc_year=scoring_year, by=None)


def test_a_ballot_never_opened_does_not_block_publishing(year):
    voting.create_default_ballots(bloc_year=year, by=None)
    published = lifecycle.advance_phase(bloc_year=year, by=None, override_reason="Thử nghiệm")
    assert published.is_published

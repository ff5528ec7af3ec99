"""Secret ballots: secrecy on the schema and on stored rows, one ballot per unit, the rules, the results."""

import base64
import json
import threading

import nacl.public
import pytest
from cryptography.fernet import InvalidToken
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core import lifecycle
from core.errors import ServiceError
from core.models import AuditEntry, BlocYear
from scoring.meeting import services as voting
from scoring.models import Ballot, Choice, ScoringRound, SealedVote, VoterRecord
from tests.personas import LEFT_OPEN, make_bloc_year


def review_year(units: int) -> BlocYear:
    year = make_bloc_year(units=units, year=2025, phase=BlocYear.Phase.SCORING)
    now = timezone.now()
    ScoringRound.objects.create(bloc_year=year, released_at=now, approved_at=now)
    reviewed = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
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


def test_the_choice_and_paper_tables_cannot_name_a_voter_or_a_time():
    names = {f.name for f in Choice._meta.get_fields()}
    assert names == {"id", "ballot", "candidate"}
    assert Choice._meta.pk.get_internal_type() == "UUIDField"
    assert {f.name for f in SealedVote._meta.get_fields()} == {"id", "ballot", "sealed"}
    assert SealedVote._meta.pk.get_internal_type() == "UUIDField"
    voter_fields = {f.name for f in VoterRecord._meta.get_fields()}
    assert voter_fields == {"id", "ballot", "unit"}  # who voted, not when, not what


def test_each_vote_is_one_new_sealed_paper_only_the_board_key_opens(year):
    ballot = certificate_ballot(year, max_choices=3, forbid_own_unit=False)
    board = nacl.public.SealedBox(nacl.public.PrivateKey(base64.b64decode(ballot.board_key)))
    stored_ballot = Ballot.objects.get(pk=ballot.pk)
    assert bytes(stored_ballot.board_public_key) == bytes(
        nacl.public.PrivateKey(base64.b64decode(ballot.board_key)).public_key
    )
    assert stored_ballot.board_key is None  # the private key is on the instance open_ballot returned, nowhere else
    sizes = set()
    for i, (unit, officer) in enumerate(zip(year.units[:4], year.officers, strict=False)):
        chosen = year.units[1 : 1 + (i % 3) + 1]  # 1, 2 or 3 choices: the paper's size must not tell
        before = {(i, bytes(b)) for i, b in SealedVote.objects.filter(ballot=ballot).values_list("id", "sealed")}
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, u) for u in chosen], by=officer)
        after = {(i, bytes(b)) for i, b in SealedVote.objects.filter(ballot=ballot).values_list("id", "sealed")}
        assert before < after and len(after - before) == 1  # the earlier papers are untouched
        ((_paper_id, sealed),) = after - before
        sizes.add(len(bytes(sealed)))
        orders = [ballot.candidates.get(unit=u).order for u in chosen]
        assert voting._marks(board.decrypt(bytes(sealed))) == sorted(orders)
        with pytest.raises(InvalidToken):
            voting._fernet().decrypt(bytes(sealed))  # SECRET_KEY does not open it
    assert len(sizes) == 1
    assert not Choice.objects.filter(ballot=ballot).exists()


def test_closing_without_the_board_key_leaves_the_papers_sealed_until_the_board_counts(year):
    ballot = certificate_ballot(year, max_choices=1, forbid_own_unit=False)
    key = ballot.board_key
    for i, (unit, officer) in enumerate(zip(year.units, year.officers, strict=True)):
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, year.units[i % 2])], by=officer)
    closed = voting.close_ballot(ballot=ballot, by=None)
    assert closed.status == Ballot.Status.CLOSED and not closed.is_counted
    with pytest.raises(ServiceError, match="chưa kiểm phiếu"):
        voting.results(closed, 12)
    assert "chưa được ban kiểm phiếu kiểm" in " ".join(voting.publish_problems(year))
    other = base64.b64encode(bytes(nacl.public.PrivateKey.generate())).decode()
    with pytest.raises(ServiceError, match="không phải khóa kiểm phiếu"):
        voting.count_ballot(ballot=closed, board_key=other, by=None)
    with pytest.raises(ServiceError, match="không hợp lệ"):
        voting.count_ballot(ballot=closed, board_key="not a key", by=None)
    counted = voting.count_ballot(ballot=closed, board_key=key, by=None)
    assert counted.is_counted
    assert not SealedVote.objects.filter(ballot=ballot).exists()  # the sealed papers are gone once counted
    rows = {r.candidate.unit_id: r.votes for r in voting.results(counted, 12).rows}
    assert rows[year.units[0].pk] == 6 and rows[year.units[1].pk] == 6


def test_stored_choices_do_not_follow_the_order_of_voting_and_name_nobody(year):
    ballot = certificate_ballot(year, max_choices=1, forbid_own_unit=False)
    voting_order = []
    for i, (unit, officer) in enumerate(zip(year.units, year.officers, strict=True)):
        target = year.units[(i + 1) % len(year.units)]  # each unit votes for a different candidate
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, target)], by=officer)
        voting_order.append(candidate_of(ballot, target))
        assert not Choice.objects.filter(ballot=ballot).exists()
    voting.close_ballot(ballot=ballot, by=None, board_key=ballot.board_key)
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
    for row in rows:
        assert not isinstance(row[0], int)  # random UUIDs, not a counter
    # The audit trail knows who voted (one sorted list at the close), never for whom nor in which order.
    entries = AuditEntry.objects.filter(target_type="scoring.ballot")
    assert set(entries.values_list("action", flat=True)) == {
        "ballot.save",
        "ballot.open",
        "ballot.close",
        "ballot.count",
    }
    closed = entries.get(action="ballot.close")
    assert closed.after == {"voters": 12, "units": sorted(u.short_name for u in year.units)}
    assert entries.get(action="ballot.count").after == {"papers": 12}
    assert {v.unit_id for v in VoterRecord.objects.filter(ballot=ballot)} == {u.pk for u in year.units}


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
    assert not SealedVote.objects.filter(ballot=ballot).exists()


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
    ballot = voting.close_ballot(ballot=ballot, by=None, board_key=ballot.board_key)
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
    assert SealedVote.objects.filter(ballot=ballot).count() == 1


def test_publishing_needs_every_ballot_closed_and_locks_the_year(year):
    ballot = certificate_ballot(year)
    with pytest.raises(ServiceError, match="chưa kết thúc"):
        lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    voting.close_ballot(ballot=ballot, by=None, board_key=ballot.board_key)
    published = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    assert published.is_published
    with pytest.raises(ServiceError, match=r"đã công bố|đã khóa"):
        voting.save_meeting(bloc_year=published, data={"place": "Kon Tum"}, present_unit_ids=[], by=None)
    reopened = lifecycle.revert_phase(bloc_year=published, by=None, reason="Sửa biên bản")
    assert reopened.phase == BlocYear.Phase.REVIEW
    assert AuditEntry.objects.filter(action="phase.revert", reason="Sửa biên bản").exists()


def test_the_elected_head_and_deputy_prefill_next_year(year):
    voting.save_outcome(
        bloc_year=year,
        proposals=[voting.ProposalRow(unit_id=year.units[3].pk, award="flag", rank=1, votes=10, basis="xếp hạng 1",
                                       override_reason="Hội nghị thống nhất (không bỏ phiếu)")],
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
        lifecycle.advance_phase(bloc_year=scoring_year, by=None, reason=LEFT_OPEN)


def test_a_ballot_never_opened_does_not_block_publishing(year):
    voting.create_default_ballots(bloc_year=year, by=None)
    published = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    assert published.is_published


def test_closing_early_states_the_quorum_and_a_ballot_closed_by_mistake_reopens_with_a_reason(year):
    ballot = certificate_ballot(year, max_choices=1, forbid_own_unit=False)
    key = ballot.board_key
    for unit, officer in zip(year.units[:3], year.officers, strict=False):
        voting.cast_vote(ballot=ballot, unit=unit, candidate_ids=[candidate_of(ballot, year.units[5])], by=officer)
    consequence = voting.close_consequence(ballot, 12)
    assert (consequence.voters, consequence.quorum_needed, consequence.quorum_met) == (3, 8, False)
    closed = voting.close_ballot(ballot=ballot, by=None, board_key=key)
    assert not voting.results(closed, 12).quorum_met
    with pytest.raises(ServiceError, match="lý do"):
        voting.reopen_ballot(ballot=closed, reason="  ", by=None)
    reopened = voting.reopen_ballot(ballot=closed, reason="Kết thúc nhầm", by=None)
    assert reopened.status == Ballot.Status.OPEN and reopened.counted_at is None
    with pytest.raises(ServiceError, match="đã bỏ phiếu"):  # who voted stays voted
        voting.cast_vote(ballot=reopened, unit=year.units[0], candidate_ids=[], by=year.officers[0])
    for unit, officer in zip(year.units[3:], year.officers[3:], strict=True):
        voting.cast_vote(ballot=reopened, unit=unit, candidate_ids=[candidate_of(ballot, year.units[6])], by=officer)
    result = voting.results(voting.close_ballot(ballot=reopened, by=None, board_key=key), 12)
    votes = {r.candidate.unit_id: r.votes for r in result.rows}
    assert (votes[year.units[5].pk], votes[year.units[6].pk], result.received) == (3, 9, 12)
    assert result.quorum_met
    entry = AuditEntry.objects.get(action="ballot.reopen")
    assert entry.after == {"reason": "Kết thúc nhầm"}  # the reason, never a choice


def test_a_legacy_open_ballot_box_is_split_into_papers_by_the_migration(transactional_db):
    """Migration 0005_i11b: an open ballot's one box becomes one sealed paper a row; a closed one counts as counted."""
    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0004_tenancy_moved_to_core")])
    old = executor.loader.project_state([("scoring", "0004_tenancy_moved_to_core")]).apps
    year = review_year(4)
    OldBallot, OldCandidate = old.get_model("scoring", "Ballot"), old.get_model("scoring", "Candidate")
    opened = OldBallot.objects.create(bloc_year_id=year.pk, kind="flag", status="open", max_choices=2)
    done = OldBallot.objects.create(bloc_year_id=year.pk, kind="head", status="closed", closed_at=timezone.now())
    cands = [OldCandidate.objects.create(ballot=opened, unit_id=u.pk, order=i) for i, u in enumerate(year.units, 1)]
    papers = [[cands[0].pk], [cands[0].pk, cands[2].pk], []]
    opened.sealed_box = voting._fernet().encrypt(json.dumps(papers).encode())
    opened.save()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ballot = Ballot.objects.get(pk=opened.pk)
    assert SealedVote.objects.filter(ballot=ballot).count() == 3
    assert Ballot.objects.get(pk=done.pk).is_counted
    for u in year.units[:3]:
        VoterRecord.objects.create(ballot=ballot, unit=u)
    counted = voting.close_ballot(ballot=ballot, by=None)  # sealed to the server: counted at the close
    votes = sorted(Choice.objects.filter(ballot=counted).values_list("candidate__order", flat=True))
    assert votes == [1, 1, 3]

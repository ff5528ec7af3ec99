"""Proposals follow the vote (issue 13 item 4): a flag or certificate goes to a unit that passed its ballot, or the
meeting writes why not, and the minutes and the submission letter print that reason."""

import html
import re

import pytest
from django.urls import reverse

from core.errors import ServiceError
from core.models import Profile
from documents.render import html_for, prepare
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, ReviewMeeting
from tests.personas import make_user
from tests.test_voting import review_year

REASON = "Đơn vị có thành tích đột xuất được Chính phủ tặng Cờ thi đua"


@pytest.fixture
def year(db):
    year = review_year(6)
    flag = voting.save_ballot(
        bloc_year=year,
        ballot=None,
        by=None,
        data={
            "kind": Ballot.Kind.FLAG,
            "max_choices": 1,
            "candidates_from": Ballot.Candidates.ALL,
            "forbid_own_unit": False,
            "mode": Ballot.Mode.ONLINE,
        },
    )
    flag = voting.open_ballot(ballot=flag, by=None)
    winner = flag.candidates.get(unit=year.units[0]).pk
    for unit in year.units[:5]:
        voting.cast_vote(ballot=flag, unit=unit, candidate_ids=[winner], by=None)
    voting.cast_vote(
        ballot=flag, unit=year.units[5], candidate_ids=[flag.candidates.get(unit=year.units[1]).pk], by=None
    )
    voting.close_ballot(ballot=flag, by=None, board_key=flag.board_key)
    # The certificates were voted on paper: unit 3 has 4 of 6, unit 4 none.
    cert = voting.save_ballot(
        bloc_year=year,
        ballot=None,
        by=None,
        data={
            "kind": Ballot.Kind.CERTIFICATE,
            "max_choices": 2,
            "candidates_from": Ballot.Candidates.ALL,
            "forbid_own_unit": False,
            "mode": Ballot.Mode.PAPER,
        },
    )
    cert = voting.open_ballot(ballot=cert, by=None)
    voting.enter_paper_count(
        ballot=cert,
        issued=6,
        received=6,
        valid=6,
        invalid=0,
        by=None,
        votes={c.pk: (4 if c.unit_id == year.units[2].pk else 0) for c in cert.candidates.all()},
    )
    voting.close_ballot(ballot=cert, by=None, board_key=cert.board_key)
    voting.save_meeting(
        bloc_year=year,
        data={"place": "Kon Tum", "chair": "Trưởng khối"},
        present_unit_ids=[u.pk for u in year.units],
        by=None,
    )
    return year


def row(unit, award, reason=""):
    return voting.ProposalRow(unit.pk, award, None, None, "", override_reason=reason)


def test_a_flag_for_the_unit_that_lost_the_vote_is_refused_then_accepted_with_a_printed_reason(year):
    loser = year.units[1]
    with pytest.raises(ServiceError, match="không theo kết quả bỏ phiếu") as refused:
        voting.save_outcome(
            bloc_year=year, proposals=[row(loser, "flag")], elected_head_id=None, elected_deputy_id=None, by=None
        )
    assert loser.name in refused.value.message
    assert not AwardProposal.objects.filter(bloc_year=year).exists()

    voting.save_outcome(
        bloc_year=year,
        proposals=[row(loser, "flag", REASON), row(year.units[2], "certificate")],
        elected_head_id=None,
        elected_deputy_id=None,
        by=None,
    )
    assert AwardProposal.objects.get(bloc_year=year, award="flag").override_reason == REASON
    for kind in ("minutes", "submission"):
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", html_for(prepare(kind, year)))))
        assert REASON in text, kind


def test_a_certificate_for_a_unit_with_no_paper_votes_is_refused(year):
    with pytest.raises(ServiceError, match="không theo kết quả bỏ phiếu"):
        voting.save_outcome(
            bloc_year=year,
            proposals=[row(year.units[3], "certificate")],
            elected_head_id=None,
            elected_deputy_id=None,
            by=None,
        )
    voting.save_outcome(
        bloc_year=year,
        proposals=[row(year.units[0], "flag"), row(year.units[2], "certificate")],
        elected_head_id=None,
        elected_deputy_id=None,
        by=None,
    )
    assert set(AwardProposal.objects.filter(bloc_year=year).values_list("override_reason", flat=True)) == {""}


def test_the_outcome_form_asks_for_the_reason_at_its_field(client, year):
    client.force_login(make_user("vp-ket-qua", role=Profile.Role.SECRETARIAT, unit=year.units[0]))
    url = reverse("review:outcome", args=[year.bloc.code, year.year])
    version = ReviewMeeting.objects.get(bloc_year=year).version
    response = client.post(url, {"flag": year.units[1].pk, "version": version})
    assert response.status_code == 200 and "không theo kết quả bỏ phiếu" in html.unescape(response.content.decode())
    response = client.post(url, {"flag": year.units[1].pk, "flag_override": REASON, "version": version})
    assert response.status_code == 302
    assert AwardProposal.objects.get(bloc_year=year).override_reason == REASON

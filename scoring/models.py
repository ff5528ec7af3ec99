"""The scoring app's models, kept side by side with their feature (scoreboard, sheets, meeting) and gathered here,
where Django and the migrations look for them."""

from scoring.meeting.models import (
    AwardProposal,
    Ballot,
    Candidate,
    Choice,
    ReviewMeeting,
    SealedVote,
    VoterRecord,
    random_id,
)
from scoring.scoreboard.models import BonusItem, Criterion, Scoreboard, SubItem, TieBreak
from scoring.sheets.models import (
    ApprovedRecord,
    BonusClaim,
    Deduction,
    ItemScore,
    RankSnapshot,
    ScoreSheet,
    ScoringRound,
)

__all__ = [
    "ApprovedRecord",
    "AwardProposal",
    "Ballot",
    "BonusClaim",
    "BonusItem",
    "Candidate",
    "Choice",
    "Criterion",
    "Deduction",
    "ItemScore",
    "RankSnapshot",
    "ReviewMeeting",
    "ScoreSheet",
    "Scoreboard",
    "ScoringRound",
    "SealedVote",
    "SubItem",
    "TieBreak",
    "VoterRecord",
    "random_id",
]

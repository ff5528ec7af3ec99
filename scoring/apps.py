from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Bảng điểm và chấm điểm")

    def ready(self) -> None:
        from core import lifecycle
        from reports.access import evidence_read_through
        from scoring import audit  # noqa: F401  (audit vocabulary)
        from scoring.meeting import services as meeting
        from scoring.scoreboard import services as scoreboard
        from scoring.sheets import inbox as sheets_inbox
        from scoring.sheets import services as sheets
        from scoring.sheets.access import sheet_evidence

        Phase = lifecycle.Phase
        lifecycle.on_year_created(scoreboard.make_scoreboard)
        lifecycle.phase_check(Phase.SETUP, scoreboard.scoreboard_problems)
        lifecycle.phase_check(Phase.SCORING, sheets.approval_problems)
        lifecycle.phase_check(Phase.REVIEW, meeting.publish_problems)
        lifecycle.on_next_year(scoreboard.copy_scoreboard)
        lifecycle.next_year_roles(meeting.elected_roles)
        evidence_read_through(sheet_evidence)
        lifecycle.open_work(sheets.open_scoring_work)
        lifecycle.open_work(meeting.open_review_work)
        lifecycle.revert_check(Phase.SCORING, sheets.approved_revert_problems)
        scoreboard.on_scores_check(sheets.scores_not_fitting)
        lifecycle.on_phase_entered(sheets_inbox.phase_entered)

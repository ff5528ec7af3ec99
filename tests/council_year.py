"""A published bloc year with everything a dossier needs, built through the services: the annual reports of the
proposed units, approved scores, a flag and a certificate ballot counted on paper, the meeting, the proposals."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core import lifecycle
from core.models import BlocYear
from reports import services as reports
from reports.models import ReportingPeriod
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, RankSnapshot, ScoringRound
from tests.personas import LEFT_OPEN, make_bloc_year

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def paper_ballot(year: BlocYear, kind: str, votes: dict, max_choices: int = 1) -> Ballot:
    members = year.memberships.count()
    ballot = voting.save_ballot(bloc_year=year, ballot=None, by=None, data={
        "kind": kind, "max_choices": max_choices, "candidates_from": "all", "mode": Ballot.Mode.PAPER})
    ballot = voting.open_ballot(ballot=ballot, by=None)
    counts = {c.pk: votes.get(c.unit_id, 0) for c in ballot.candidates.all()}
    voting.enter_paper_count(ballot=ballot, issued=members, received=members, valid=members, invalid=0,
                             votes=counts, by=None)
    return voting.close_ballot(ballot=ballot, by=None)


def review_year(units: int = 3, code: str | None = None, year: int = 2025, province=None, *,
                annual_reports: bool = True) -> BlocYear:
    """The year in its review phase: the flag proposed for unit 1 and a certificate for unit 2, both voted by every
    member; units ranked in STT order (rank snapshots as the approval leaves them)."""
    by = make_bloc_year(units=units, code=code, year=year, province=province, phase=BlocYear.Phase.REPORTING)
    u, o = by.units, by.officers
    periods = reports.create_default_periods(bloc_year=by, by=None)
    annual = next(p for p in periods if p.kind == ReportingPeriod.Kind.ANNUAL)
    when = datetime.datetime.combine(annual.opens_on, datetime.time(9), tzinfo=VN) + datetime.timedelta(days=1)
    if annual_reports:
        for unit, officer in ((u[0], o[0]), (u[1], o[1])):
            report = reports.start_report(period=annual, unit=unit, by=officer, at=when)
            sections = {s.content_id: reports.SectionData(done="Hoàn thành.") for s in report.sections.all()}
            report = reports.save_report(report=report, sections=sections, general_proposals="",
                                         expected_version=None, by=officer, at=when)
            reports.submit_report(report=report, expected_version=report.version, by=officer, at=when)
    by = lifecycle.advance_phase(bloc_year=by, by=None, reason=LEFT_OPEN)
    now = datetime.datetime.now(tz=VN)
    ScoringRound.objects.update_or_create(bloc_year=by, defaults={"released_at": now, "approved_at": now})
    RankSnapshot.objects.bulk_create(
        RankSnapshot(bloc_year=by, unit=unit, rank=i, total=Decimal(100 - i)) for i, unit in enumerate(u, start=1)
    )
    by = lifecycle.advance_phase(bloc_year=by, by=None, reason=LEFT_OPEN)
    n = len(u)
    paper_ballot(by, Ballot.Kind.FLAG, {u[0].pk: n})
    paper_ballot(by, Ballot.Kind.CERTIFICATE, {u[1].pk: n, u[2].pk: 1}, max_choices=2)
    voting.save_meeting(bloc_year=by, data={"held_on": datetime.date(year + 1, 1, 20), "place": "Hội trường"},
                        present_unit_ids=[x.pk for x in u], by=None)
    voting.save_outcome(bloc_year=by, proposals=[
        voting.ProposalRow(u[0].pk, AwardProposal.Award.FLAG, 1, n, "Dẫn đầu khối"),
        voting.ProposalRow(u[1].pk, AwardProposal.Award.CERTIFICATE, 2, n, ""),
    ], elected_head_id=None, elected_deputy_id=None, by=None)
    by.units, by.officers = u, o
    return by


def published_year(units: int = 3, code: str | None = None, year: int = 2025, province=None, **kwargs) -> BlocYear:
    by = review_year(units, code, year, province, **kwargs)
    u, o = by.units, by.officers
    by = lifecycle.advance_phase(bloc_year=by, by=None, reason=LEFT_OPEN)
    by = BlocYear.objects.select_related("bloc__province").get(pk=by.pk)
    by.units, by.officers = u, o
    return by


def run_short_year(by: BlocYear, secretariat) -> BlocYear:
    """Take a bloc year from its setup (members listed) to published, as its secretariat would, in a few steps: one
    covenant content, a one-criterion scoreboard, officers for the first two units with their annual reports,
    approved scores, the flag for unit 1 and a certificate for unit 2 voted on paper, the meeting."""
    from covenant import services as covenant
    from scoring.scoreboard import services as scoreboard

    members = list(by.memberships.select_related("unit").order_by("order"))
    u = [m.unit for m in members]
    content = covenant.save_content(covenant=by.covenant, content=None, order=1, title="Nhiệm vụ chính trị",
                                    body="Hoàn thành nhiệm vụ được giao.", expected_version=None, by=secretariat)
    scoreboard.save_criterion(
        scoreboard=by.scoreboard, criterion=None, order=1, title="Thực hiện nhiệm vụ", contents=[content],
        sub_items=[scoreboard.SubItemRow(order=1, text="Hoàn thành chỉ tiêu", max_points=Decimal(100),
                                         evidence_required=False)],
        expected_version=None, by=secretariat,
    )
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat, reason=LEFT_OPEN)
    periods = reports.create_default_periods(bloc_year=by, by=secretariat)
    annual = next(p for p in periods if p.kind == ReportingPeriod.Kind.ANNUAL)
    when = datetime.datetime.combine(annual.opens_on, datetime.time(9), tzinfo=VN) + datetime.timedelta(days=1)
    for i, unit in enumerate(u[:2], start=1):
        officer = covenant.create_officer(bloc_year=by, unit=unit, username=f"cb-{by.bloc.code}-{i}",
                                          full_name=f"Cán bộ {unit.short_name}", email=f"cb{i}@example.vn",
                                          password=None, by=secretariat)
        report = reports.start_report(period=annual, unit=unit, by=officer, at=when)
        sections = {s.content_id: reports.SectionData(done="Hoàn thành.") for s in report.sections.all()}
        report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                     by=officer, at=when)
        reports.submit_report(report=report, expected_version=report.version, by=officer, at=when)
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat, reason=LEFT_OPEN)
    now = datetime.datetime.now(tz=VN)
    ScoringRound.objects.update_or_create(bloc_year=by, defaults={"released_at": now, "approved_at": now})
    RankSnapshot.objects.bulk_create(
        RankSnapshot(bloc_year=by, unit=unit, rank=i, total=Decimal(100 - i)) for i, unit in enumerate(u, start=1)
    )
    by = lifecycle.advance_phase(bloc_year=by, by=secretariat, reason=LEFT_OPEN)
    n = len(u)
    paper_ballot(by, Ballot.Kind.FLAG, {u[0].pk: n})
    paper_ballot(by, Ballot.Kind.CERTIFICATE, {u[1].pk: n}, max_choices=2)
    voting.save_meeting(bloc_year=by, data={"held_on": datetime.date(by.year + 1, 1, 20), "place": "Hội trường"},
                        present_unit_ids=[x.pk for x in u], by=secretariat)
    voting.save_outcome(bloc_year=by, proposals=[
        voting.ProposalRow(u[0].pk, AwardProposal.Award.FLAG, 1, n, "Dẫn đầu khối"),
        voting.ProposalRow(u[1].pk, AwardProposal.Award.CERTIFICATE, 2, n, ""),
    ], elected_head_id=None, elected_deputy_id=None, by=secretariat)
    return lifecycle.advance_phase(bloc_year=by, by=secretariat, reason="Năm thử nghiệm rút gọn")

"""Every service checks the scope of the objects it is given, not only the view (issue 11, item 1).

Each service is handed, next to its own object, an object of another bloc in another province (a unit, an evidence
file, a period, a candidate, a covenant content, an officer): it refuses, and nothing is written.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ServiceError
from core.models import AuditEntry, BlocYear
from covenant import services as covenant
from reports import services as reports
from scoring.meeting import services as voting
from scoring.models import Ballot, ScoringRound
from scoring.sheets import services as sheets

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WHEN = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def phase(bloc_year, value):
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=value)
    bloc_year.phase = value


@pytest.fixture
def two(bloc_year, other_bloc_year, settings, tmp_path):
    """This bloc and another bloc of another province, both reporting, each with a Q1 period and an evidence file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for by in (bloc_year, other_bloc_year):
        phase(by, BlocYear.Phase.REPORTING)
        by.q1 = reports.create_default_periods(bloc_year=by, by=None, at=WHEN)[0]
        by.the_evidence = reports.add_evidence(bloc_year=by, unit=by.units[1], upload=SimpleUploadedFile("a.pdf", PDF),
                                           summary="Quyết định", by=None, at=WHEN)
    return bloc_year, other_bloc_year


def refused(call, match=None):
    before = AuditEntry.objects.count()
    with pytest.raises(ServiceError, match=match):
        call()
    assert AuditEntry.objects.count() == before


def test_reports_services_refuse_another_blocs_unit_evidence_and_period(two):
    mine, foreign = two
    refused(lambda: reports.start_report(period=mine.q1, unit=foreign.units[1], by=None, at=WHEN), "không thuộc khối")
    refused(lambda: reports.add_evidence(bloc_year=mine, unit=foreign.units[1], summary="x", by=None, at=WHEN,
                                         upload=SimpleUploadedFile("b.pdf", PDF)), "không thuộc khối")
    refused(lambda: reports.grant_extension(period=mine.q1, unit=foreign.units[1], deadline=mine.q1.deadline,
                                            lock_date=mine.q1.lock_date, reason="x", by=None), "không thuộc khối")
    report = reports.start_report(period=mine.q1, unit=mine.units[1], by=None, at=WHEN)
    content = mine.contents[0].pk
    sections = {content: reports.SectionData(done="x", evidence_ids=[foreign.the_evidence.pk])}
    refused(lambda: reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                        by=None, at=WHEN), "chính đơn vị")
    # Another unit's evidence of the same bloc is refused too.
    other_unit_evidence = reports.add_evidence(bloc_year=mine, unit=mine.units[2], summary="y", by=None, at=WHEN,
                                               upload=SimpleUploadedFile("c.pdf", PDF))
    sections = {content: reports.SectionData(done="x", evidence_ids=[other_unit_evidence.pk])}
    refused(lambda: reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                        by=None, at=WHEN), "chính đơn vị")


def test_covenant_services_refuse_another_blocs_content_unit_and_officer(two):
    mine, foreign = two
    phase(mine, BlocYear.Phase.SETUP)
    covenant_of = mine.contents[0].covenant
    refused(lambda: covenant.save_content(covenant=covenant_of, content=foreign.contents[0], order=99, title="x",
                                          body="x", expected_version=None, by=None), "không thuộc")
    refused(lambda: covenant.create_officer(bloc_year=mine, unit=foreign.units[1], username="chiem-quyen",
                                            full_name="X", email="", password="Mat-khau-chiem-quyen-2025",
                                            by=None))
    refused(lambda: covenant.set_account_password(bloc_year=mine, user=foreign.officers[1],
                                                  password="Mat-khau-chiem-quyen-2025", by=None))
    refused(lambda: covenant.set_account_active(bloc_year=mine, user=foreign.officers[1], active=False, by=None))


def test_sheet_services_refuse_another_blocs_unit_evidence_period_and_items(two):
    mine, foreign = two
    phase(mine, BlocYear.Phase.SCORING)
    phase(foreign, BlocYear.Phase.SCORING)
    refused(lambda: sheets.get_or_create_sheet(bloc_year=mine, unit=foreign.units[1], by=None), "không thuộc khối")
    sheet = sheets.get_or_create_sheet(bloc_year=mine, unit=mine.units[1], by=None)
    item = sheet.items.select_related("sub_item").first()
    rows = {item.sub_item_id: sheets.SelfRow(score=item.sub_item.max_points, evidence_ids=[foreign.the_evidence.pk])}
    refused(lambda: sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=None))
    foreign_sheet = sheets.get_or_create_sheet(bloc_year=foreign, unit=foreign.units[1], by=None)
    foreign_item = foreign_sheet.items.first()
    rows = {foreign_item.sub_item_id: sheets.SelfRow(score="1")}
    refused(lambda: sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=None))
    refused(lambda: sheets.save_review(sheet=sheet, rows={foreign_item.sub_item_id: sheets.ReviewRow(score="1")},
                                       expected_version=None, by=None))
    refused(lambda: sheets.waive_deduction(sheet=sheet, kind="waive_late", period=foreign.q1, reason="x", by=None),
            "không thuộc năm")


def test_meeting_services_refuse_another_blocs_units_and_another_ballots_candidates(two):
    mine, foreign = two
    for by in (mine, foreign):
        ScoringRound.objects.create(bloc_year=by, released_at=WHEN, approved_at=WHEN)
        phase(by, BlocYear.Phase.REVIEW)
    data = {"kind": Ballot.Kind.FLAG, "max_choices": 1, "candidates_from": "all", "mode": "online"}
    ballot = voting.open_ballot(ballot=voting.save_ballot(bloc_year=mine, ballot=None, data=data, by=None), by=None)
    theirs = voting.open_ballot(ballot=voting.save_ballot(bloc_year=foreign, ballot=None, data=data, by=None), by=None)
    own_candidate = ballot.candidates.first().pk
    refused(lambda: voting.cast_vote(ballot=ballot, unit=foreign.units[1], candidate_ids=[own_candidate], by=None),
            "không thuộc khối")
    refused(lambda: voting.cast_vote(ballot=ballot, unit=mine.units[1], by=None,
                                     candidate_ids=[theirs.candidates.first().pk]), "danh sách đề cử")
    paper = voting.open_ballot(by=None, ballot=voting.save_ballot(
        bloc_year=mine, ballot=None, by=None, data={**data, "kind": Ballot.Kind.HEAD, "mode": "paper"}))
    votes = {c.pk: 0 for c in paper.candidates.all()} | {theirs.candidates.first().pk: 1}
    refused(lambda: voting.enter_paper_count(ballot=paper, issued=3, received=3, valid=3, invalid=0, votes=votes,
                                             by=None))
    refused(lambda: voting.save_meeting(bloc_year=mine, data={}, present_unit_ids=[foreign.units[1].pk], by=None),
            "thành viên")
    refused(lambda: voting.save_outcome(bloc_year=mine, proposals=[], elected_head_id=foreign.units[1].pk,
                                        elected_deputy_id=None, by=None), "thành viên")

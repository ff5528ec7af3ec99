"""Evidence attached only to a score sheet (its items, its bonus claims) opens for whoever may read that sheet, and
for nobody else (issue 11, item 8)."""

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import BlocYear
from reports.services import add_evidence
from scoring.models import BonusItem, ScoreSheet, ScoringRound
from scoring.sheets import services as sheets
from tests.personas import make_bloc_year, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def year(db):
    return make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)


def _evidence(year, unit, name):
    upload = SimpleUploadedFile(name, PNG, content_type="image/png")
    return add_evidence(bloc_year=year, unit=unit, upload=upload, summary=name, by=None)


def _download(client, user, year, evidence):
    client.force_login(user)
    return client.get(reverse("reports:evidence_download", args=[year.bloc.code, year.year, evidence.pk])).status_code


def test_sheet_evidence_opens_for_the_sheets_readers_only(client, year, other_bloc_year):
    unit = year.units[2]
    item_file, claim_file = _evidence(year, unit, "muc-cham.png"), _evidence(year, unit, "diem-thuong.png")
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=unit, by=None)
    first = sheet.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    bonus = BonusItem.objects.filter(scoreboard__bloc_year=year).first()
    sheets.save_self_score(
        sheet=sheet,
        rows={first.sub_item_id: sheets.SelfRow(score="1", evidence_ids=[item_file.pk])},
        claims={bonus.pk: sheets.ClaimRow(explanation="Có thành tích", evidence_ids=[claim_file.pk])},
        expected_version=None,
        by=None,
    )
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    leader = make_user("ld", role="leader", bloc=year.bloc)
    own, reviewer, other = year.officers[2], year.officers[3], year.officers[1]
    foreign = make_user("vp2", role="secretariat", unit=other_bloc_year.units[0])
    # A draft sheet is its unit's alone, and so are the files on it.
    for evidence in (item_file, claim_file):
        assert _download(client, own, year, evidence) == 200
        for who in (secretariat, leader, reviewer, other):
            assert _download(client, who, year, evidence) == 404
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())
    for s in ScoreSheet.objects.filter(bloc_year=year).exclude(pk=sheet.pk):
        ScoreSheet.objects.filter(pk=s.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())
    for u in year.units:
        if not ScoreSheet.objects.filter(bloc_year=year, unit=u).exists():
            s = sheets.get_or_create_sheet(bloc_year=year, unit=u, by=None)
            ScoreSheet.objects.filter(pk=s.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())
    for seed in range(200):
        sheets.assign_reviewers(bloc_year=year, mode=ScoringRound.Mode.CROSS, by=None, rng=random.Random(seed))
        if ScoreSheet.objects.get(pk=sheet.pk).reviewer_unit_id == year.units[3].pk:
            break
    assert ScoreSheet.objects.get(pk=sheet.pk).reviewer_unit_id == year.units[3].pk
    # Submitted: the unit, its reviewer and the readers open both files; another member and another bloc do not.
    for evidence in (item_file, claim_file):
        for who in (own, reviewer, secretariat, leader):
            assert _download(client, who, year, evidence) == 200, who.username
        assert _download(client, other, year, evidence) == 404
        assert _download(client, foreign, year, evidence) == 404
    # The sheet page links them, and the link works for the reviewer.
    client.force_login(reviewer)
    page = client.get(reverse("scores:sheet", args=[year.bloc.code, year.year, sheet.pk])).content.decode()
    assert reverse("reports:evidence_download", args=[year.bloc.code, year.year, item_file.pk]) in page


def test_the_evidence_list_of_a_unit_still_shows_its_own_files_only(client, year):
    mine, theirs = _evidence(year, year.units[1], "cua-toi.png"), _evidence(year, year.units[2], "cua-ho.png")
    assert _download(client, year.officers[1], year, mine) == 200
    assert _download(client, year.officers[1], year, theirs) == 404

"""Who sees which score sheet, phase by phase: draft, submitted, reviewed, released, approved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import BlocYear
from scoring.models import ScoreSheet, ScoringRound
from scoring.sheets import services as sheets
from tests.personas import make_bloc_year, make_user


@pytest.fixture
def year(db):
    return make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)


@pytest.fixture
def people(year):
    return {
        "secretariat": make_user("vp", role="secretariat", unit=year.units[0]),
        "leader": make_user("ld", role="leader", bloc=year.bloc),
        "own": year.officers[2],  # unit 3, whose sheet we follow
        "reviewer": year.officers[3],  # unit 4, assigned as reviewer in cross mode
        "other": year.officers[1],  # unit 2: a member, neither the unit nor its reviewer
    }


def url(year, name, *args):
    return reverse(f"scores:{name}", args=[year.bloc.code, year.year, *args])


def status(client, user, path):
    client.force_login(user)
    return client.get(path).status_code


def fill(sheet):
    rows = {i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points) for i in sheet.items.select_related("sub_item")}
    sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=None)
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())


def test_visibility_phase_by_phase(client, year, people):
    sheet = sheets.get_or_create_sheet(bloc_year=year, unit=year.units[2], by=people["own"])
    detail = url(year, "sheet", sheet.pk)
    # A draft: only its unit.
    assert status(client, people["own"], detail) == 200
    for who in ("secretariat", "leader", "reviewer", "other"):
        assert status(client, people[who], detail) == 404, who
    for s in [sheet] + [
        sheets.get_or_create_sheet(bloc_year=year, unit=u, by=None) for u in year.units if u.pk != year.units[2].pk
    ]:
        fill(s)
    # Cross review drawn so that unit 4 reviews unit 3's sheet.
    import random

    for seed in range(200):
        sheets.assign_reviewers(bloc_year=year, mode=ScoringRound.Mode.CROSS, by=None, rng=random.Random(seed))
        if ScoreSheet.objects.get(pk=sheet.pk).reviewer_unit_id == year.units[3].pk:
            break
    sheet.refresh_from_db()
    assert sheet.reviewer_unit_id == year.units[3].pk
    # Submitted, before release: the unit, its reviewer and the readers; never another member.
    for who in ("own", "secretariat", "leader", "reviewer"):
        assert status(client, people[who], detail) == 200, who
    assert status(client, people["other"], detail) == 404
    assert status(client, people["reviewer"], url(year, "review", sheet.pk)) == 200
    assert status(client, people["other"], url(year, "review", sheet.pk)) == 404
    # The reviewer's reason is not shown to the unit before the release.
    first = sheet.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    for s in ScoreSheet.objects.filter(bloc_year=year):
        rows = {i.sub_item_id: sheets.ReviewRow(score=i.self_score) for i in s.items.all()}
        if s.pk == sheet.pk:
            rows[first.sub_item_id] = sheets.ReviewRow(score="6", reason="Lý do kín trước khi công bố")
        sheets.save_review(sheet=s, rows=rows, expected_version=None, by=None)
    client.force_login(people["own"])
    assert "Lý do kín trước khi công bố" not in client.get(detail).content.decode()
    assert status(client, people["own"], url(year, "ranking")) == 403
    # Released: the unit sees its reviewed sheet and the reason; other members still see nothing of it.
    sheets.release_review(bloc_year=year, by=None)
    client.force_login(people["own"])
    assert "Lý do kín trước khi công bố" in client.get(detail).content.decode()
    assert status(client, people["other"], detail) == 404
    assert status(client, people["own"], url(year, "ranking")) == 403
    # Approved: every member sees the ranking with every unit's total; sheets stay with their readers.
    sheets.approve(bloc_year=year, by=None, reason="Phê duyệt tại hội nghị (thử nghiệm).")
    client.force_login(people["other"])
    ranking = client.get(url(year, "ranking"))
    assert ranking.status_code == 200
    assert all(u.name in ranking.content.decode() for u in year.units)
    assert status(client, people["other"], detail) == 404
    assert status(client, people["leader"], url(year, "ranking")) == 200

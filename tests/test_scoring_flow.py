"""Year-end scoring through the pages: self-score, review with a reason, release, contest, settle, approve."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import BlocYear
from scoring.models import ItemScore, ScoreSheet, ScoringRound
from tests.personas import make_bloc_year, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def year(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SCORING)


def url(year, name, *args):
    return reverse(f"scores:{name}", args=[year.bloc.code, year.year, *args])


def fill_and_submit(client, year, officer, scores):
    client.force_login(officer)
    response = client.post(url(year, "mine"))
    sheet = ScoreSheet.objects.get(bloc_year=year, unit=officer.profile.unit)
    assert response.status_code == 302
    page = client.get(url(year, "edit", sheet.pk))
    assert page.status_code == 200
    data = {"version": sheet.version, "submit": "1"}
    for item in sheet.items.select_related("sub_item"):
        data[f"i{item.sub_item_id}-score"] = scores(item)
        data[f"i{item.sub_item_id}-explanation"] = "Giải trình"
        if item.sub_item.evidence_required:
            data[f"i{item.sub_item_id}-upload"] = SimpleUploadedFile("kh.pdf", PDF)
            data[f"i{item.sub_item_id}-upload_summary"] = "Kế hoạch"
    response = client.post(url(year, "edit", sheet.pk), data)
    sheet.refresh_from_db()
    return sheet, response


def test_the_whole_flow_through_the_pages(client, year):
    secretariat = make_user("vp", role="secretariat", unit=year.units[0])
    a, b, head = year.officers[1], year.officers[2], year.officers[0]
    for officer in (a, b, head):
        sheet, response = fill_and_submit(client, year, officer, lambda i: str(i.sub_item.max_points).replace(".", ","))
        assert response.status_code == 302
        assert sheet.status == ScoreSheet.Status.SUBMITTED
    client.force_login(secretariat)
    assert client.get(url(year, "overview")).status_code == 200
    client.post(url(year, "assign"), {"mode": ScoringRound.Mode.SECRETARIAT})
    for sheet in ScoreSheet.objects.filter(bloc_year=year).select_related("reviewer_unit"):
        reviewer = (
            secretariat
            if sheet.reviewer_unit is None
            else next(o for o in year.officers if o.profile.unit_id == sheet.reviewer_unit_id)
        )
        client.force_login(reviewer)
        page = client.get(url(year, "review", sheet.pk))
        assert page.status_code == 200
        data = {"version": sheet.version}
        for item in sheet.items.select_related("sub_item"):
            data[f"i{item.sub_item_id}-score"] = str(item.self_score)
            data[f"i{item.sub_item_id}-reason"] = ""
        if sheet.unit_id == a.profile.unit_id:
            first = sheet.items.order_by("sub_item__criterion__order", "sub_item__order").first()
            data[f"i{first.sub_item_id}-score"] = "5"
            response = client.post(url(year, "review", sheet.pk), data)
            assert "phải ghi lý do" in response.content.decode()
            data[f"i{first.sub_item_id}-reason"] = "Thiếu minh chứng kế hoạch"
        response = client.post(url(year, "review", sheet.pk), data)
        assert response.status_code == 302, response.content.decode()[:3000]
    client.force_login(secretariat)
    client.post(url(year, "release"))
    assert ScoringRound.objects.get(bloc_year=year).is_released
    sheet_a = ScoreSheet.objects.get(bloc_year=year, unit=a.profile.unit)
    client.force_login(a)
    detail = client.get(url(year, "sheet", sheet_a.pk)).content.decode()
    assert "Thiếu minh chứng kế hoạch" in detail
    first = sheet_a.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    response = client.post(
        url(year, "respond", sheet_a.pk),
        {
            f"i{first.sub_item_id}-contest": "contested",
            f"i{first.sub_item_id}-comment": "Đã có kế hoạch số 12/KH",
        },
    )
    assert response.status_code == 302
    client.force_login(secretariat)
    response = client.post(url(year, "approve"))
    assert not ScoringRound.objects.get(bloc_year=year).is_approved
    item = ItemScore.objects.get(pk=first.pk)
    client.post(url(year, "settle", item.pk), {"decision": "changed", "score": "8", "reason": "Đã xem kế hoạch"})
    # Seconds after the release the units may still contest: approving now needs a reason.
    response = client.post(url(year, "approve"), follow=True)
    assert "còn thời hạn phản hồi" in response.content.decode()
    assert not ScoringRound.objects.get(bloc_year=year).is_approved
    client.post(url(year, "approve"), {"reason": "Các đơn vị đã phản hồi đủ tại hội nghị"})
    assert ScoringRound.objects.get(bloc_year=year).is_approved
    ranking = client.get(url(year, "ranking"))
    assert ranking.status_code == 200
    client.force_login(a)
    assert client.get(url(year, "ranking")).status_code == 200

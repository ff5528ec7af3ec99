"""Search across the reports and evidence of every year the user may open (issue 16, item 6): found where it may be
read, never in another unit's draft; snippets escaped with the match marked; both paths (PostgreSQL full text and the
plain "contains" of SQLite, which runs on PostgreSQL too when asked)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core.models import BlocYear, Profile
from reports import search as search_module
from reports import services
from reports.services import SectionData
from tests.personas import make_bloc_year, make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Zq8BiMatNhap"


def at(y, m, d):
    return datetime.datetime(y, m, d, 10, 0, tzinfo=VN)


PATHS = [
    pytest.param(True, id="full-text", marks=pytest.mark.postgres),
    pytest.param(False, id="contains"),
]


@pytest.fixture(params=PATHS)
def full_text(request, monkeypatch):
    if not request.param:
        monkeypatch.setattr(search_module, "uses_full_text", lambda: False)
    return request.param


def report(period, unit, officer, *, done, proposals="", submit=True, evidence=()):
    r = services.start_report(period=period, unit=unit, by=officer, at=at(period.bloc_year.year, 4, 2))
    sections = {s.content_id: SectionData(done=done, evidence_ids=list(evidence)) for s in r.sections.all()}
    r = services.save_report(report=r, sections=sections, general_proposals=proposals, expected_version=None,
                             by=officer, at=at(period.bloc_year.year, 4, 2))
    if submit:
        r = services.submit_report(report=r, expected_version=r.version, by=officer, at=at(period.bloc_year.year, 4, 2))
    return r


@pytest.fixture
def world(db, settings, tmp_path):
    """Two years of one bloc (2024 and 2025), the same units; unit 2 submitted reports both years; unit 3 keeps
    the secret word in a draft report (2025) and in a file linked to nothing submitted; another bloc elsewhere
    holds the same word in a submitted report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    y25 = make_bloc_year(units=3, code="khoi-tim", year=2025, phase=BlocYear.Phase.REPORTING)
    from core import lifecycle

    y24 = lifecycle.create_bloc_year(bloc=y25.bloc, year=2024, by=None)
    from covenant import services as covenant_services

    covenant_services.save_members(
        bloc_year=y24, rows=[covenant_services.MemberRow(unit=u, order=i, role=m.role) for i, (u, m) in
                             enumerate(zip(y25.units, y25.memberships.order_by("order"), strict=True), start=1)],
        expected_version=None, by=None)
    for i, title in enumerate(["Nhiệm vụ chính trị", "Cải cách hành chính"], start=1):
        covenant_services.save_content(covenant=y24.covenant, content=None, order=i, title=title, body=title,
                                       expected_version=None, by=None)
    BlocYear.objects.filter(pk=y24.pk).update(phase=BlocYear.Phase.REPORTING)
    y24.refresh_from_db()
    q1_25 = services.create_default_periods(bloc_year=y25, by=None, at=at(2025, 2, 1))[0]
    q1_24 = services.create_default_periods(bloc_year=y24, by=None, at=at(2024, 2, 1))[0]
    a, b = y25.units[1], y25.units[2]
    oa, ob = y25.officers[1], y25.officers[2]
    report(q1_24, a, oa, done="Triển khai chuyển đổi số toàn diện năm trước.")
    # Linked to a submitted report: readers may open it (a file of no submitted report is the unit's draft).
    shown = services.add_evidence(bloc_year=y25, unit=a, upload=SimpleUploadedFile("chuyen-doi-so.pdf", PDF),
                                  summary="Quyết định về chuyển đổi số", by=oa, at=at(2025, 4, 2))
    report(q1_25, a, oa, done="Chuyển đổi số: <script>alert(1)</script> hoàn thành & vượt kế hoạch.",
           proposals="Đề nghị hỗ trợ kinh phí chuyển đổi số.", evidence=[shown.pk])
    report(q1_25, b, ob, done=f"Chuyển đổi số, ghi chú {SECRET} còn đang soạn.", submit=False)
    services.add_evidence(bloc_year=y25, unit=b, upload=SimpleUploadedFile("nhap.pdf", PDF),
                          summary=f"Tệp {SECRET} chưa nộp", by=ob, at=at(2025, 4, 2))
    other = make_bloc_year(units=2, code="khoi-xa", year=2025, phase=BlocYear.Phase.REPORTING)
    other_q1 = services.create_default_periods(bloc_year=other, by=None, at=at(2025, 2, 1))[0]
    report(other_q1, other.units[1], other.officers[1], done=f"Khối khác: {SECRET} đã nộp.")
    people = {
        "officer_a": oa,
        "officer_b": ob,
        "secretariat": make_user("vp-tim", role=Profile.Role.SECRETARIAT, unit=y25.units[0]),
        "leader": make_user("ld-tim", role=Profile.Role.LEADER, bloc=y25.bloc),
        "provincial": make_user("tinh-tim", role=Profile.Role.PROVINCIAL, province=y25.bloc.province),
        "council": make_user("hd-tim", role=Profile.Role.COUNCIL, province=y25.bloc.province),
        "other_officer": other.officers[1],
        "superuser": make_user("qt-tim", is_superuser=True),
    }
    return {"y25": y25, "y24": y24, "people": people, "evidence": shown, "other": other}


def hits(client, user, q, **extra):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q, **extra})
    assert response.status_code == 200
    return response, (response.context["results"].hits if response.context["results"] else [])


@pytest.mark.parametrize("role", ["officer_a", "secretariat", "leader", "provincial", "council", "superuser"])
def test_a_word_in_another_units_draft_is_found_by_nobody_who_may_not_open_it(client, world, full_text, role):
    response, found = hits(client, world["people"][role], SECRET)
    page = response.content.decode()
    own_bloc = [h for h in found if h.bloc_year.bloc_id == world["y25"].bloc_id]
    assert own_bloc == []
    # Only the echo of the query: never a snippet of the draft.
    assert "còn đang soạn" not in page and "chưa nộp" not in page.split('id="search-count"')[-1]
    if role == "superuser":  # the other bloc's submitted report is the superuser's to read
        assert found and {h.bloc_year.bloc_id for h in found} == {world["other"].bloc_id}


def test_the_unit_finds_its_own_draft_and_the_other_bloc_finds_its_submitted_report(client, world, full_text):
    _, found = hits(client, world["people"]["officer_b"], SECRET)
    assert {(h.kind, h.unit.pk) for h in found} == {("report", world["y25"].units[2].pk),
                                                    ("evidence", world["y25"].units[2].pk)}
    assert all(h.status_label in ("Đang soạn", "") for h in found)
    _, found = hits(client, world["people"]["other_officer"], SECRET)
    assert found and {h.bloc_year.bloc_id for h in found} == {world["other"].bloc_id}


def test_results_span_every_year_grouped_newest_first_with_unit_period_and_content(client, world, full_text):
    response, found = hits(client, world["people"]["secretariat"], "chuyển đổi")
    reports = [h for h in found if h.kind == "report"]
    assert reports[0].bloc_year.year == 2025 and reports[-1].bloc_year.year == 2024
    assert {h.unit.pk for h in found} == {world["y25"].units[1].pk}  # unit 3's draft is not the secretariat's
    assert any(h.kind == "evidence" and h.url.endswith(f"/{world['evidence'].pk}/download/") for h in found)
    assert any(h.content is None and h.field_label == "Đề xuất, kiến nghị chung" for h in found)
    section = next(h for h in reports if h.content is not None and h.bloc_year.year == 2025)
    assert section.url.endswith(f"#section-{section.content.order}") and section.period.code == "q1"
    page = response.content.decode()
    assert "Năm 2025" in page and "Năm 2024" in page
    assert page.index("Năm 2025") < page.index("Năm 2024")
    # The snippet is escaped; the match is marked.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>Chuyển</mark> <mark>đổi</mark>" in page
    # Every link opens for this user.
    for h in found:
        assert client.get(h.url.split("#")[0]).status_code == 200, h.url
    # Filter by year and by kind.
    _, only_2024 = hits(client, world["people"]["secretariat"], "chuyển đổi", year=2024)
    assert only_2024 and {h.bloc_year.year for h in only_2024} == {2024}
    _, files = hits(client, world["people"]["secretariat"], "chuyển đổi", kind="evidence")
    assert files and {h.kind for h in files} == {"evidence"}
    _, ranked = hits(client, world["people"]["secretariat"], "chuyển đổi", sort="relevance")
    assert len(ranked) == len(found) and [h.rank for h in ranked] == sorted((h.rank for h in ranked), reverse=True)


def test_diacritics_are_kept_every_word_must_match_and_case_is_ignored(client, world, full_text):
    user = world["people"]["officer_a"]
    assert hits(client, user, "CHUYỂN ĐỔI SỐ")[1]
    # No folding: "chuyen" is not "chuyển"; only the file named without diacritics matches.
    assert [(h.kind, h.field_label) for h in hits(client, user, "chuyen doi so")[1]] == [("evidence", "Tên tệp")]
    assert hits(client, user, "chuyển kinhphíkhôngcó")[1] == []
    assert len(hits(client, user, "kinh phí")[1]) == 1


def test_bad_queries_get_a_vietnamese_message_not_a_500(client, world, full_text):
    client.force_login(world["people"]["leader"])
    for q in ("x" * 5000, "!!! ''' && |", "\x00", "ą" * 199 + "'"):
        response = client.get(reverse("search"), {"q": q, "year": "abc", "kind": "nope", "sort": "drop"})
        assert response.status_code == 200, q[:20]
    page = client.get(reverse("search"), {"q": "x" * 5000}).content.decode()
    assert "Từ khóa tìm kiếm dài tối đa 200 ký tự" in page and "is-invalid" in page
    page = client.get(reverse("search"), {"q": "!!! &&"}).content.decode()
    assert "Hãy nhập ít nhất một chữ hoặc số để tìm." in page
    page = client.get(reverse("search"), {"q": "chuyển", "year": "1999"}).content.decode()
    assert "is-invalid" in page


def test_the_top_bar_has_the_search_box_on_every_page(client, world):
    client.force_login(world["people"]["officer_a"])
    page = client.get(reverse("reports:index", args=[world["y25"].bloc.code, 2025])).content.decode()
    assert f'action="{reverse("search")}"' in page and 'name="q"' in page


def test_full_text_is_used_on_postgresql():
    assert search_module.uses_full_text() == (connection.vendor == "postgresql")

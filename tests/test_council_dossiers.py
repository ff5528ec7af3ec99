"""A bloc's dossier sent to the province, checked, returned and sent again, accepted, and decided."""


import pytest
from django.urls import reverse

from core import lifecycle
from core.errors import ServiceError
from core.models import AuditEntry, Notification, Profile
from council import services
from council.models import Dossier
from tests.council_year import published_year, review_year
from tests.marking import assert_every_error_is_marked
from tests.personas import make_user


@pytest.fixture
def year(db):
    return published_year(code="khoi-hs")


@pytest.fixture
def staff(year):
    return make_user("hd-tinh", role=Profile.Role.COUNCIL, province=year.bloc.province)


@pytest.fixture
def office(year):
    return make_user("vp-hs", role=Profile.Role.SECRETARIAT, unit=year.units[0])


@pytest.fixture
def quota(year, staff):
    return services.set_quota(province=year.bloc.province, year=year.year, flags=1, certificates=3, by=staff)


def checks(bloc_year) -> dict:
    return {c.key: c.ok for c in services.checklist(bloc_year)}


def test_only_a_published_year_is_submitted(db):
    by = review_year(code="khoi-chua")
    with pytest.raises(ServiceError, match="công bố"):
        services.submit_dossier(bloc_year=by, by=None)


def test_the_secretariat_submits_through_its_page_and_the_step_is_audited(client, year, office):
    client.force_login(office)
    page = client.get(reverse("dossier:status", args=[year.bloc.code, year.year])).content.decode()
    assert "Gửi hồ sơ lên tỉnh" in page
    response = client.post(reverse("dossier:submit", args=[year.bloc.code, year.year]))
    assert response.status_code == 302
    dossier = Dossier.objects.get(bloc_year=year)
    assert dossier.status == Dossier.Status.SUBMITTED and dossier.submitted_by == office
    assert AuditEntry.objects.filter(bloc_year=year, action="dossier.submit", actor=office).exists()
    with pytest.raises(ServiceError, match="đã được gửi"):
        services.submit_dossier(bloc_year=year, by=office)


def test_a_complete_dossier_within_the_quota_passes_every_check(year, quota):
    assert checks(year) == {"minutes": True, "vote": True, "reports": True, "quota": True}


def test_the_checklist_finds_a_missing_quota_a_quota_exceeded_and_missing_reports(db, staff):
    year = published_year(code="khoi-thieu", annual_reports=False)
    assert checks(year)["reports"] is False
    assert checks(year)["quota"] is False
    services.set_quota(province=year.bloc.province, year=year.year, flags=0, certificates=5, by=staff)
    assert checks(year)["quota"] is False


def test_the_quota_counts_what_other_blocs_of_the_province_already_had_accepted(year, quota, staff):
    services.accept_dossier(dossier=services.submit_dossier(bloc_year=year, by=None), expected_version=None,
                            by=staff)
    second = published_year(code="khoi-hai", province=year.bloc.province)
    result = {c.key: c for c in services.checklist(second)}
    assert result["quota"].ok is False and "chỉ tiêu 1" in result["quota"].detail


def test_a_vote_under_the_threshold_fails_the_check(year, quota):
    from scoring.models import Ballot, Candidate

    ballot = Ballot.objects.get(bloc_year=year, kind=Ballot.Kind.CERTIFICATE)
    Candidate.objects.filter(ballot=ballot, unit=year.units[1]).update(votes=1)  # 1 of 3: not above half
    result = {c.key: c for c in services.checklist(year)}
    assert result["vote"].ok is False and year.units[1].short_name in result["vote"].detail


def test_returned_with_a_reason_resubmitted_then_accepted(year, quota, staff, office):
    dossier = services.submit_dossier(bloc_year=year, by=office)
    with pytest.raises(ServiceError, match="lý do"):
        services.return_dossier(dossier=dossier, reason=" ", expected_version=None, by=staff)
    dossier = services.return_dossier(dossier=dossier, reason="Thiếu biên bản kiểm phiếu", expected_version=None,
                                      by=staff)
    assert dossier.status == Dossier.Status.RETURNED
    with pytest.raises(ServiceError):
        services.accept_dossier(dossier=dossier, expected_version=None, by=staff)
    dossier = services.submit_dossier(bloc_year=year, by=office)
    assert (dossier.status, dossier.submissions) == (Dossier.Status.SUBMITTED, 2)
    dossier = services.accept_dossier(dossier=dossier, expected_version=None, by=staff)
    assert dossier.status == Dossier.Status.ACCEPTED
    assert [c["key"] for c in dossier.checklist] == ["minutes", "vote", "reports", "quota"]
    actions = list(AuditEntry.objects.filter(bloc_year=year, action__startswith="dossier.").order_by("at", "id")
                   .values_list("action", flat=True))
    assert actions == ["dossier.submit", "dossier.return", "dossier.submit", "dossier.accept"]
    assert AuditEntry.objects.get(action="dossier.return").reason == "Thiếu biên bản kiểm phiếu"
    # The secretariat hears of both answers in the app (issue 16, item 7).
    told = [n.message for n in Notification.objects.filter(user=office).order_by("created_at", "pk")
            if "hồ sơ" in n.message]
    assert told == [f"Tỉnh trả lại hồ sơ đề nghị khen thưởng năm {year.year}: Thiếu biên bản kiểm phiếu",
                    f"Tỉnh đã tiếp nhận hồ sơ đề nghị khen thưởng năm {year.year}."]


def test_a_dossier_failing_a_check_is_not_accepted(year, staff):
    dossier = services.submit_dossier(bloc_year=year, by=None)
    with pytest.raises(ServiceError, match="chỉ tiêu"):
        services.accept_dossier(dossier=dossier, expected_version=None, by=staff)
    assert Dossier.objects.get(pk=dossier.pk).status == Dossier.Status.SUBMITTED


def test_the_council_returns_through_its_page_and_the_bloc_reads_the_reason(client, year, staff, office):
    version = services.submit_dossier(bloc_year=year, by=office).version
    client.force_login(staff)
    url = reverse("council:dossier_return", args=[year.bloc.province.code, year.bloc.code, year.year])
    assert assert_every_error_is_marked(client.post(url, {"reason": "", "version": version})) == 1
    assert Dossier.objects.get(bloc_year=year).status == Dossier.Status.SUBMITTED
    client.post(url, {"reason": "Đề nghị bổ sung báo cáo thành tích", "version": version})
    client.force_login(office)
    page = client.get(reverse("dossier:status", args=[year.bloc.code, year.year])).content.decode()
    assert "Đề nghị bổ sung báo cáo thành tích" in page and "Gửi lại hồ sơ lên tỉnh" in page


def test_accepting_from_a_page_shown_before_the_dossier_was_sent_again_is_refused(client, year, quota, staff):
    dossier = services.submit_dossier(bloc_year=year, by=None)
    services.return_dossier(dossier=dossier, reason="Thiếu biên bản", expected_version=None, by=staff)
    stale = Dossier.objects.get(pk=dossier.pk).version
    services.submit_dossier(bloc_year=year, by=None)
    client.force_login(staff)
    url = reverse("council:dossier_accept", args=[year.bloc.province.code, year.bloc.code, year.year])
    page = client.post(url, {"version": stale}, follow=True).content.decode()
    assert "vừa được người khác lưu trước bạn" in page
    assert "Trang đã cũ" in client.post(url, {}, follow=True).content.decode()
    back = reverse("council:dossier_return", args=[year.bloc.province.code, year.bloc.code, year.year])
    assert "Trang đã cũ" in client.post(back, {"reason": "Thiếu biên bản"}, follow=True).content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Dossier.Status.SUBMITTED


def test_a_stale_form_is_refused(year, staff):
    dossier = services.submit_dossier(bloc_year=year, by=None)
    with pytest.raises(ServiceError, match="người khác"):
        services.return_dossier(dossier=dossier, reason="x", expected_version=dossier.version + 5, by=staff)


def test_a_council_page_of_a_dossier_shows_the_checklist(client, year, quota, staff):
    services.submit_dossier(bloc_year=year, by=None)
    client.force_login(staff)
    page = client.get(reverse("council:dossier", args=[year.bloc.province.code, year.bloc.code, year.year]))
    text = page.content.decode()
    assert "Biên bản hội nghị tổng kết" in text and "Tiếp nhận hồ sơ" in text


def test_a_bad_decision_marks_every_field_and_records_nothing(client, year, quota, staff):
    dossier = services.accept_dossier(dossier=services.submit_dossier(bloc_year=year, by=None),
                                      expected_version=None, by=staff)
    client.force_login(staff)
    url = reverse("council:decision", args=[year.bloc.province.code, year.bloc.code, year.year])
    response = client.post(url, {"number": "", "signed_on": "31/02/2026", "signer": " "})
    assert assert_every_error_is_marked(response) == 3
    assert Dossier.objects.get(pk=dossier.pk).status == Dossier.Status.ACCEPTED


def test_the_decision_writes_the_awards_into_the_units_history(client, year, quota, staff):
    from awards.models import Award

    dossier = services.accept_dossier(dossier=services.submit_dossier(bloc_year=year, by=None),
                                      expected_version=None, by=staff)
    client.force_login(staff)
    code = year.bloc.province.code
    response = client.post(reverse("council:decision", args=[code, year.bloc.code, year.year]), {
        "number": "245/QĐ-UBND", "signed_on": "15/03/2026", "signer": "Chủ tịch UBND tỉnh",
        "proposal": [str(p.pk) for p in services.proposals_of(year)],
    })
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.decision_number) == (Dossier.Status.DECIDED, "245/QĐ-UBND")
    awards = {(a.unit_id, a.kind, a.year, a.source) for a in Award.objects.all()}
    assert awards == {(year.units[0].pk, "province_flag", 2025, "decision"),
                      (year.units[1].pk, "province_certificate", 2025, "decision")}
    page = client.get(reverse("council:unit", args=[code, year.units[0].pk])).content.decode()
    assert "245/QĐ-UBND, 15/03/2026" in page and "Cờ thi đua của UBND tỉnh" in page
    dashboard = client.get(reverse("council:dashboard", args=[code]) + "?year=2025").content.decode()
    assert "245/QĐ-UBND" in dashboard


def test_a_decision_only_follows_an_accepted_dossier_and_grants_only_its_proposals(year, quota, staff):
    import datetime

    dossier = services.submit_dossier(bloc_year=year, by=None)
    with pytest.raises(ServiceError, match="đã tiếp nhận"):
        services.record_decision(dossier=dossier, number="1/QĐ", signed_on=datetime.date(2026, 3, 1), signer="x",
                                 proposals=services.proposals_of(year), by=staff)
    services.accept_dossier(dossier=dossier, expected_version=None, by=staff)
    other = review_year(code="khoi-khac-hs")
    with pytest.raises(ServiceError, match="chính hồ sơ"):
        services.record_decision(dossier=dossier, number="1/QĐ", signed_on=datetime.date(2026, 3, 1), signer="x",
                                 proposals=services.proposals_of(other), by=staff)
    flag = [p for p in services.proposals_of(year) if p.award == "flag"]
    dossier = services.record_decision(dossier=dossier, number="1/QĐ", signed_on=datetime.date(2026, 3, 1),
                                       signer="x", proposals=flag, by=staff)
    assert [a.unit for a in services.decision_awards(dossier)] == [year.units[0]]


def test_the_council_enters_an_earlier_years_award_on_the_units_page(client, year, staff):
    from awards.models import Award

    client.force_login(staff)
    unit = year.units[2]
    response = client.post(reverse("council:award_add", args=[year.bloc.province.code, unit.pk]), {
        "kind": "province_certificate", "title": "", "year": "2019", "decision_number": "88/QĐ-UBND",
        "decision_date": "20/02/2020", "issuer": "Chủ tịch UBND tỉnh"})
    assert response.status_code == 302
    assert Award.objects.get(unit=unit).year == 2019


def test_a_year_whose_dossier_is_with_the_province_cannot_be_reopened_until_returned(year, quota, staff, office):
    dossier = services.submit_dossier(bloc_year=year, by=office)
    with pytest.raises(ServiceError, match="trả lại hồ sơ"):
        lifecycle.revert_phase(bloc_year=year, by=office, reason="Sửa biên bản")
    services.return_dossier(dossier=dossier, reason="Thiếu biên bản kiểm phiếu", expected_version=None, by=staff)
    reopened = lifecycle.revert_phase(bloc_year=year, by=office, reason="Sửa biên bản")
    assert reopened.phase == reopened.Phase.REVIEW

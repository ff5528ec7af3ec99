"""Every state-changing form names the state it expects (issue 13 item 3, issue 16 item 2's phase guardrails).

A doubled click or a second browser tab posts a form made for a state that is gone: it is refused with the
conflict message and applied once, never twice. The phase step lists what is still open and asks for confirmation
(and a reason when work would be left behind).
"""

import html
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, BlocYear
from reports.services import periods as period_services
from scoring.meeting import services as voting
from scoring.models import Ballot, ReviewMeeting, ScoringRound
from tests.personas import LEFT_OPEN, make_bloc_year, make_user

CONFLICT = "người khác lưu"
PHASE_CONFLICT = "bấm hai lần"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def args(year) -> list:
    return [year.bloc.code, year.year]


def secretariat_of(year):
    from core.models import Profile

    return make_user(f"vp-{year.bloc.code}", role=Profile.Role.SECRETARIAT, unit=year.units[0])


def review_year() -> BlocYear:
    year = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)
    now = timezone.now()
    ScoringRound.objects.create(bloc_year=year, released_at=now, approved_at=now)
    from core import lifecycle

    reviewed = lifecycle.advance_phase(bloc_year=year, by=None, reason=LEFT_OPEN)
    reviewed.units, reviewed.officers = year.units, year.officers
    return reviewed


# Phase steps --------------------------------------------------------------------------------------


def test_the_phase_step_lists_the_open_work_and_needs_a_confirmation_and_a_reason(client, db):
    year = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.REPORTING)
    period_services.create_default_periods(bloc_year=year, by=None)
    client.force_login(secretariat_of(year))
    url = reverse("covenant:phase_advance", args=args(year))

    page = page_text(client.get(url))
    assert "12 báo cáo chưa nộp" in page
    assert 'name="phase" value="reporting"' in page

    # Not confirmed: refused at the checkbox.
    response = client.post(url, {"phase": "reporting", "reason": "Hết hạn"})
    assert response.status_code == 200 and "Hãy đánh dấu xác nhận" in page_text(response)
    # Confirmed but with work left open and no reason: refused at the reason.
    response = client.post(url, {"phase": "reporting", "confirm": "on"})
    assert response.status_code == 200 and "phải ghi lý do" in page_text(response)
    assert BlocYear.objects.get(pk=year.pk).phase == BlocYear.Phase.REPORTING

    response = client.post(url, {"phase": "reporting", "confirm": "on", "reason": "Hết thời hạn báo cáo năm"})
    assert response.status_code == 302
    assert BlocYear.objects.get(pk=year.pk).phase == BlocYear.Phase.SCORING
    step = AuditEntry.objects.get(bloc_year=year, action="phase.advance", before={"phase": "reporting"})
    assert step.reason == "Hết thời hạn báo cáo năm" and step.after["open_work"] == ["12 báo cáo chưa nộp"]


def test_a_doubled_phase_step_moves_the_year_once(client, bloc_year, secretariat):
    client.force_login(secretariat)
    url = reverse("covenant:phase_advance", args=args(bloc_year))
    data = {"phase": "setup", "confirm": "on"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 200 and PHASE_CONFLICT in page_text(second)
    assert BlocYear.objects.get(pk=bloc_year.pk).phase == BlocYear.Phase.REPORTING
    assert AuditEntry.objects.filter(bloc_year=bloc_year, action="phase.advance").count() == 1


def test_a_form_without_its_phase_is_refused(client, bloc_year, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("covenant:phase_advance", args=args(bloc_year)), {"confirm": "on"})
    assert response.status_code == 200
    assert BlocYear.objects.get(pk=bloc_year.pk).phase == BlocYear.Phase.SETUP
    response = client.post(reverse("covenant:phase_revert", args=args(bloc_year)), {"reason": "Sửa"}, follow=True)
    assert BlocYear.objects.get(pk=bloc_year.pk).phase == BlocYear.Phase.SETUP


def test_a_doubled_revert_steps_back_once(client, db):
    year = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SCORING)
    client.force_login(secretariat_of(year))
    url = reverse("covenant:phase_revert", args=args(year))
    data = {"phase": "scoring", "reason": "Bổ sung nội dung giao ước"}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert PHASE_CONFLICT in page_text(response)
    assert BlocYear.objects.get(pk=year.pk).phase == BlocYear.Phase.REPORTING


@pytest.mark.postgres
@pytest.mark.parametrize("phase", ["setup", "reporting", "scoring", "review"])
def test_two_simultaneous_phase_steps_move_the_year_once_on_postgresql(transactional_db, phase):
    """Two POSTs of the same step at the same moment (a double click): the row lock lets one through."""
    year = make_bloc_year(units=3, year=2025, phase=phase)
    if phase == BlocYear.Phase.SCORING:
        now = timezone.now()
        ScoringRound.objects.update_or_create(bloc_year=year, defaults={"released_at": now, "approved_at": now})
    user = secretariat_of(year)
    url = reverse("covenant:phase_advance", args=args(year))
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        c = Client()
        c.force_login(user)
        try:
            barrier.wait()
            statuses.append(c.post(url, {"phase": phase, "confirm": "on", "reason": LEFT_OPEN}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 302]
    moved = BlocYear.objects.get(pk=year.pk)
    assert moved.phase_index == BlocYear.PHASE_ORDER.index(phase) + 1
    assert AuditEntry.objects.filter(bloc_year=year, action="phase.advance", before={"phase": phase}).count() == 1


# The meeting record, the outcome, ballot settings ------------------------------------------------------


@pytest.fixture
def review(db):
    return review_year()


def meeting_post(year, **extra):
    return {
        "held_on": "15/01/2026",
        "place": "Hội trường A",
        "chair": "Ông A",
        "secretary": "Bà B",
        "present_units": [u.pk for u in year.units],
        "count_committee": "",
        "conclusions": "Thống nhất",
        **extra,
    }


def test_a_second_browser_cannot_erase_the_meeting_record(client, review):
    user = secretariat_of(review)
    client.force_login(user)
    url = reverse("review:meeting", args=args(review))
    first_page = page_text(client.get(url))
    version = re.search(r'name="version" value="(\d+)"', first_page).group(1)
    second = Client()
    second.force_login(user)
    # Both opened the empty form; the first saves its place and conclusions.
    assert client.post(url, meeting_post(review, version=version)).status_code == 302
    response = second.post(url, meeting_post(review, version=version, place="", conclusions=""))
    assert response.status_code == 200 and CONFLICT in page_text(response)
    meeting = ReviewMeeting.objects.get(bloc_year=review)
    assert (meeting.place, meeting.conclusions) == ("Hội trường A", "Thống nhất")


def test_the_outcome_form_is_refused_when_stale(client, review):
    client.force_login(secretariat_of(review))
    voting.save_meeting(bloc_year=review, data={"place": "A"}, present_unit_ids=[], by=None)  # version 2 now
    url = reverse("review:outcome", args=args(review))
    response = client.post(url, {"elected_head": review.units[1].pk, "version": 1})
    assert response.status_code == 200 and CONFLICT in page_text(response)
    assert ReviewMeeting.objects.get(bloc_year=review).elected_head_id is None
    current = ReviewMeeting.objects.get(bloc_year=review).version
    assert client.post(url, {"elected_head": review.units[1].pk, "version": current}).status_code == 302
    assert ReviewMeeting.objects.get(bloc_year=review).elected_head_id == review.units[1].pk


def test_ballot_settings_from_a_stale_form_are_refused(client, review):
    client.force_login(secretariat_of(review))
    ballot = voting.save_ballot(
        bloc_year=review,
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
    url = reverse("review:ballot_edit", args=[*args(review), ballot.pk])
    data = {
        "kind": "flag",
        "max_choices": 2,
        "candidates_from": "all",
        "mode": "online",
        "quorum_numerator": 2,
        "quorum_denominator": 3,
        "pass_percent": 50,
        "version": ballot.version,
    }
    voting.save_ballot(
        bloc_year=review,
        ballot=ballot,
        by=None,
        expected_version=ballot.version,
        data={"kind": "flag", "max_choices": 1, "candidates_from": "all", "mode": "online"},
    )
    response = client.post(url, data)
    assert response.status_code == 200 and CONFLICT in page_text(response)
    assert Ballot.objects.get(pk=ballot.pk).max_choices == 1


# Every POST form of a year names its state -------------------------------------------------------------

# Forms whose own target state refuses a repeat: a ballot opened or closed, a release or an approval given, a
# deduction waived (the database holds one waiver per period), an object deleted (the second POST is a 404), a
# creation under a unique name (account, unit, the unit's own sheet), a password set twice to the same value.
GUARDED_BY_STATE = (
    "/open/",
    "/close/",
    "/release/",
    "/approve/",
    "/reopen/",
    "/assign/",
    "/waive/",
    "/next-year/",
    "/ballots/default/",
    "/periods/default/",
    "/toggle/",
    "/i18n/",
    "/logout/",
    "/delete/",
    "/accounts/new/",
    "/units/new/",
    "/scores/mine/",
    "/password/",
    # An award entered in the register: the database holds it once per unit, kind and decision number.
    "/awards/",
    # The board's bulk accept: its checkboxes sit outside the <form> (form="bulk-accept") and each names the
    # report's version ("pk:version"); a report changed since refuses the whole batch (tests/test_find_and_act.py).
    "/board/accept/",
    # The reminder to the overdue units: it only sends mail and notifications, whose repeat is harmless.
    "/board/remind/",
)
# Known gaps, outside this issue: the documents' texts and dates (issue 14) and evidence uploads (each upload is a
# new file) carry no version yet. Listed so that a new form without its state fails here.
KNOWN_GAPS = ("/documents/", "/reports/evidence/")


def post_forms(page: str) -> list[tuple[str, str]]:
    forms = []
    for m in re.finditer(r"(<form[^>]*>)(.*?)</form>", page, re.S):
        tag = m.group(1)
        if 'method="post"' in tag:
            action = re.search(r'action="([^"]*)"', tag)
            forms.append((action.group(1) if action else "", m.group(0)))
    return forms


@pytest.mark.parametrize("phase", ["setup", "reporting", "scoring", "review"])
def test_every_post_form_of_the_secretariat_names_the_state_it_expects(client, db, phase):
    """Walk the year's pages as the secretariat: every POST form carries a version or the phase it was made for,
    or is one whose action the service refuses to repeat."""
    year = make_bloc_year(units=3, year=2025, phase=phase)
    if phase == "review":
        voting.create_default_ballots(bloc_year=year, by=None)
    client.force_login(secretariat_of(year))
    base = f"/blocs/{year.bloc.code}/{year.year}/"
    seen, todo, unnamed = set(), [base], []
    while todo and len(seen) < 80:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        for href in re.findall(r'href="(/blocs/[^"#?]+)"', page):
            if href.startswith(base) and not re.search(r"\.(pdf|xlsx|csv)|/download/|/pdf/|/export", href):
                todo.append(href)
        for action, form in post_forms(page):
            target = action or url
            if any(g in target for g in GUARDED_BY_STATE + KNOWN_GAPS):
                continue
            if not re.search(r'name="(version|phase|[\w-]*version)"', form):
                unnamed.append(target)
    assert len(seen) > 10
    assert not sorted(set(unnamed)), f"POST forms without the state they expect: {sorted(set(unnamed))}"

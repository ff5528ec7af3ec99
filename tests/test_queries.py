"""Every page costs a fixed number of SQL queries, whatever the number of units in the bloc.

Each page is requested once to warm up (sessions, lazy caches), then counted. The same exact count
must hold with 3 units and with 30 units, every unit with its membership and officer account, the
covenant with its 7 contents and the scoreboard with its criteria and sub-items. A page whose count
grows with the units does a query per row (an N+1): fix the view, not the number.

Report pages are counted in the reporting phase with every unit's Q1 report submitted (7 sections,
a result row and an evidence each), except the officer's own, which is a draft so that its edit
page renders. Score pages are counted in the scoring phase, with the same reports, the review
released, and every unit's sheet submitted (the officer's a draft) with its items, evidence, a bonus
claim and a deduction. Review pages add the four ballots on every unit, with every unit's vote, the
meeting and its outcome.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Profile
from core.pagecache import kept_view_names
from tests.personas import make_bloc_year, make_user

SETUP, REPORTING, SCORING, REVIEW = "setup", "reporting", "scoring", "review"

CODE, YEAR = "khoi-dem", 2025

# route name: (persona, expected number of queries for the warmed-up GET, phase of the year)
PAGES = {
    "home": ("secretariat", 3, SETUP),
    "home (superuser)": ("superuser", 3, SETUP),
    "province": ("provincial", 6, SETUP),
    "workspace:dashboard": ("secretariat", 28, SETUP),  # + the own unit across the years (2)
    "workspace:dashboard (officer)": ("officer", 21, SETUP),
    "covenant:members": ("secretariat", 5, SETUP),
    "covenant:members (officer)": ("officer", 5, SETUP),
    "covenant:members_edit": ("secretariat", 6, SETUP),
    "covenant:unit_create": ("secretariat", 4, SETUP),
    "covenant:covenant": ("secretariat", 8, SETUP),
    "covenant:covenant (officer)": ("officer", 8, SETUP),
    "covenant:covenant_edit": ("secretariat", 6, SETUP),
    "covenant:content_create": ("secretariat", 6, SETUP),
    "covenant:content_edit": ("secretariat", 6, SETUP),
    "covenant:content_delete": ("secretariat", 5, SETUP),
    "scoring:scoreboard": ("secretariat", 12, SETUP),
    "scoring:scoreboard (officer)": ("officer", 12, SETUP),
    "scoring:settings_edit": ("secretariat", 5, SETUP),
    "scoring:criterion_create": ("secretariat", 7, SETUP),
    "scoring:criterion_edit": ("secretariat", 9, SETUP),
    "scoring:criterion_delete": ("secretariat", 5, SETUP),
    "scoring:bonus_edit": ("secretariat", 6, SETUP),
    # One choice list per tie-break rule (3 here): bounded by the rules (at most 10), not by the units.
    "scoring:tie_breaks_edit": ("secretariat", 14, SETUP),
    # The accounts the secretariat manages: its head unit this year and next (two queries), the next year's head;
    # the locked-out logins (django-axes).
    "covenant:accounts": ("secretariat", 10, SETUP),  # + the year's units, for the filter
    "covenant:accounts (filtered)": ("secretariat", 10, SETUP),
    "covenant:account_create": ("secretariat", 5, SETUP),
    "covenant:handover": ("secretariat", 5, SETUP),
    "covenant:account_password": ("secretariat", 7, SETUP),
    # One more: the ids of the year's draft entries, shown as "(bản nháp)" to whoever may not open them.
    # And two for the filter's lists (who acted; on what kinds of objects, with which actions).
    "covenant:history": ("secretariat", 9, SETUP),
    "covenant:history (filtered)": ("secretariat", 9, SETUP),
    # The rules of the phase (members, covenant, scoreboard) and the open work of each app, a query or two each.
    "covenant:phase_advance": ("secretariat", 11, SETUP),
    "covenant:phase_advance (reporting)": ("secretariat", 14, REPORTING),
    "covenant:phase_revert (reporting)": ("secretariat", 4, REPORTING),
    # + the to-do list's phase step: the year's open work (reports not in, not reviewed), 3 queries; a unit's
    # user also sees its own ranks across the years (2).
    "workspace:dashboard (reporting)": ("secretariat", 24, REPORTING),
    "workspace:dashboard (reporting, officer)": ("officer", 21, REPORTING),
    "workspace:dashboard (reporting, leader)": ("leader", 19, REPORTING),
    # The to-do list in scoring: the round and the sheets; the secretariat's also the members and open contests.
    "workspace:dashboard (scoring)": ("secretariat", 28, SCORING),
    "workspace:dashboard (scoring, officer)": ("officer", 23, SCORING),
    "workspace:dashboard (scoring, leader)": ("leader", 22, SCORING),
    # In review: the open ballots with their voter counts; the officer's unit's own votes; the meeting's date.
    "workspace:dashboard (review)": ("secretariat", 26, REVIEW),
    "workspace:dashboard (review, officer)": ("officer", 23, REVIEW),
    "workspace:dashboard (review, leader)": ("leader", 23, REVIEW),
    # The user's inbox: the count and the page (tests/test_notifications.py counts it at two inbox sizes).
    "notifications": ("officer", 4, REVIEW),
    "reports:index": ("officer", 7, REPORTING),
    "reports:index (secretariat)": ("secretariat", 7, REPORTING),
    "reports:board": ("secretariat", 10, REPORTING),
    "reports:periods": ("secretariat", 6, REPORTING),
    "reports:period_create": ("secretariat", 5, REPORTING),
    "reports:period_edit": ("secretariat", 5, REPORTING),
    "reports:extension_grant": ("secretariat", 6, REPORTING),
    "reports:synthesis": ("secretariat", 12, REPORTING),
    "reports:report": ("secretariat", 10, REPORTING),
    "reports:report (officer)": ("officer", 10, REPORTING),
    "reports:review": ("secretariat", 10, REPORTING),  # + the unit's extension (earliest resubmission date)
    "reports:edit": ("officer", 10, REPORTING),
    # + the contents (the filter's list) and the count of the page; the secretariat may list every unit (their names).
    "reports:evidence": ("officer", 8, REPORTING),
    "reports:evidence (filtered)": ("officer", 8, REPORTING),
    "reports:evidence (secretariat, every unit)": ("secretariat", 9, REPORTING),
    # The periods, then the reports, extensions and members of all of them (overdue units per period).
    "reports:board_remind": ("secretariat", 9, REPORTING),
    # Every year the user opens, their unit's memberships (none for a viewer), then one query a kind of text
    # (sections, general proposals, files), each capped: the same count at any size.
    "search": ("secretariat", 7, REPORTING),
    "search (officer)": ("officer", 7, REPORTING),
    "search (provincial, one year)": ("provincial", 5, REPORTING),
    "scores:overview": ("secretariat", 14, SCORING),
    "scores:overview (officer)": ("officer", 9, SCORING),
    "scores:ranking": ("secretariat", 21, SCORING),
    # The unit's decided ranks and totals, and how many units each of those years ranked.
    "scores:unit_history": ("officer", 8, SCORING),
    "scores:sheet": ("secretariat", 32, SCORING),
    "scores:sheet (officer)": ("officer", 32, SCORING),
    "scores:edit": ("officer", 16, SCORING),
    "scores:review": ("secretariat", 14, SCORING),
    "scores:respond": ("officer", 13, SCORING),
    "review:overview": ("secretariat", 18, REVIEW),
    "review:overview (officer)": ("officer", 16, REVIEW),
    "review:meeting": ("secretariat", 7, REVIEW),
    "review:outcome": ("secretariat", 12, REVIEW),
    "review:ballot_create": ("secretariat", 4, REVIEW),
    "review:ballot_edit": ("secretariat", 5, REVIEW),
    "review:paper_count": ("secretariat", 7, REVIEW),
    "review:vote": ("officer", 7, REVIEW),
    "review:ballot_close": ("secretariat", 7, REVIEW),
    "review:ballot_count": ("secretariat", 6, REVIEW),
    "review:ballot_reopen": ("secretariat", 5, REVIEW),
    "documents:index": ("secretariat", 7, REVIEW),
    "documents:index (officer)": ("officer", 6, REVIEW),
    # + the year's assessment, pre-filled from the same reports (issue 14): constant in the number of units.
    "documents:synthesis": ("secretariat", 16, REVIEW),
    "documents:setup": ("secretariat", 7, REVIEW),
    "documents:ranking_xlsx": ("secretariat", 20, REVIEW),
    "documents:board_xlsx": ("secretariat", 7, REVIEW),
    "verify": ("secretariat", 2, REVIEW),
    "verify_code": ("secretariat", 3, REVIEW),
    "documents:register": ("secretariat", 8, REVIEW),
    "documents:legal_frame": ("secretariat", 5, REVIEW),
    "awards:index": ("secretariat", 6, REVIEW),
}
# Queries to gather what a printed document shows (kinds not written yet are skipped; give them a count).
# Each counts the issue too (issue 14): the register's entry, the review meeting (the year a year-end document
# carries), the kind's own date where it has one (approval, submission), and the legal frame when cited.
DOCUMENT_QUERIES = {"ranking": 20, "scoresheet": 29, "progress": 9}
# PDFs are counted without rendering, through the data they print (test_document_data_...).
NOT_PAGES = {"reports:evidence_download", "documents:pdf", "documents:unit_pdf", "documents:progress_pdf", "healthz",
             "documents:docx", "documents:achievement_docx", "documents:scan_download",
             # A redirect to the notification's own link once it is marked read: nothing rendered.
             "notification_open"}


def add_reports(bloc_year) -> None:
    """Every unit's Q1 report, submitted, with its sections, result rows and evidence; the officer's a draft.

    Written in bulk: the services are too slow for 30 units and are tested elsewhere.
    """
    from reports import services
    from reports.models import Evidence, ProgressReport, ReportSection, ResultRow

    when = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    q1 = services.create_default_periods(bloc_year=bloc_year, by=None, at=when)[0]
    pairs = list(zip(bloc_year.units, bloc_year.officers, strict=True))
    evidence = Evidence.objects.bulk_create(
        Evidence(bloc_year=bloc_year, unit=u, summary=f"Quyết định của {u.short_name}", file=f"evidence/{u.pk}.pdf",
                 original_name="quyet-dinh.pdf", content_type="application/pdf", size=40, sha256="0" * 64,
                 uploaded_by=o, uploaded_at=when)
        for u, o in pairs
    )
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(period=q1, unit=u, updated_by=o,
                       **({} if i == 1 else {"status": "submitted", "first_submitted_at": when, "submitted_at": when}))
        for i, (u, o) in enumerate(pairs)
    )
    sections = ReportSection.objects.bulk_create(
        ReportSection(report=r, content=c, done=f"Đã thực hiện nội dung {c.order}.")
        for r in reports for c in bloc_year.contents
    )
    ResultRow.objects.bulk_create(
        ResultRow(section=s, order=1, indicator="Tỷ lệ hoàn thành", target="100%", result="100%") for s in sections
    )
    evidence_of = {e.unit_id: e.pk for e in evidence}
    unit_of = {r.pk: r.unit_id for r in reports}
    ReportSection.evidence.through.objects.bulk_create(
        ReportSection.evidence.through(reportsection_id=s.pk, evidence_id=evidence_of[unit_of[s.report_id]])
        for s in sections
    )
    bloc_year.q1 = q1
    bloc_year.draft_report = reports[1]
    bloc_year.submitted_report = reports[2]


def add_score_sheets(bloc_year) -> None:
    """Reviewers assigned and the review released; every unit's sheet submitted with a score, an explanation
    and (where required) evidence for each sub-item, a bonus claim and a deduction; the officer's sheet a draft.
    """
    from reports.models import Evidence
    from scoring.models import BonusClaim, Deduction, ItemScore, ScoreSheet, ScoringRound, SubItem

    when = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    ScoringRound.objects.update_or_create(bloc_year=bloc_year, defaults={"assigned_at": when, "released_at": when})
    units, deputy = bloc_year.units, bloc_year.units[1]
    sheets = ScoreSheet.objects.bulk_create(
        ScoreSheet(bloc_year=bloc_year, unit=u, updated_by=o, reviewer_unit=deputy if i == 0 else None,
                   **({} if i == 1 else {"status": "submitted", "submitted_at": when}))
        for i, (u, o) in enumerate(zip(units, bloc_year.officers, strict=True))
    )
    sub_items = list(SubItem.objects.filter(criterion__scoreboard__bloc_year=bloc_year))
    items = ItemScore.objects.bulk_create(
        ItemScore(sheet=sh, sub_item=si, self_score=si.max_points, explanation="Hoàn thành")
        for sh in sheets for si in sub_items
    )
    evidence_of = {e.unit_id: e.pk for e in Evidence.objects.filter(bloc_year=bloc_year)}
    unit_of = {sh.pk: sh.unit_id for sh in sheets}
    required = {si.pk for si in sub_items if si.evidence_required}
    ItemScore.evidence.through.objects.bulk_create(
        ItemScore.evidence.through(itemscore_id=i.pk, evidence_id=evidence_of[unit_of[i.sheet_id]])
        for i in items if i.sub_item_id in required
    )
    bonus = bloc_year.scoreboard.bonus_items.order_by("order").first()
    BonusClaim.objects.bulk_create(BonusClaim(sheet=sh, bonus_item=bonus, explanation="Cờ thi đua") for sh in sheets)
    Deduction.objects.bulk_create(
        Deduction(sheet=sh, kind="manual", points=1, reason="Vi phạm", created_at=when) for sh in sheets
    )
    bloc_year.draft_sheet = sheets[1]
    bloc_year.submitted_sheet = sheets[2]


def add_ballots(bloc_year, secretariat) -> None:
    """The default ballots on every unit: the Flag ballot voted by every unit and closed, the Certificate
    ballot open with every unit's vote, the two elections on paper (one open, counted); the meeting with
    every unit present; a proposal and next year's head and deputy."""
    from scoring.meeting import services as voting
    from scoring.models import Ballot

    by = secretariat
    ballots = {b.kind: b for b in voting.create_default_ballots(bloc_year=bloc_year, by=by)}
    for kind in (Ballot.Kind.HEAD, Ballot.Kind.DEPUTY):
        voting.save_ballot(bloc_year=bloc_year, ballot=ballots[kind], by=by,
                           data={"kind": kind, "max_choices": 1, "candidates_from": "all", "mode": "paper"})
    for kind in (Ballot.Kind.FLAG, Ballot.Kind.CERTIFICATE, Ballot.Kind.HEAD):
        ballots[kind] = voting.open_ballot(ballot=ballots[kind], by=by)
    for kind in (Ballot.Kind.FLAG, Ballot.Kind.CERTIFICATE):
        first = ballots[kind].candidates.order_by("order").first()
        for unit, officer in zip(bloc_year.units, bloc_year.officers, strict=True):
            voting.cast_vote(ballot=ballots[kind], unit=unit, candidate_ids=[first.pk], by=officer)
    flag = ballots[Ballot.Kind.FLAG]
    voting.close_ballot(ballot=flag, by=by, board_key=flag.board_key)
    n = len(bloc_year.units)
    head = ballots[Ballot.Kind.HEAD]
    voting.enter_paper_count(ballot=head, issued=n, received=n, valid=n, invalid=0, by=by,
                             votes={c.pk: (n if c.order == 1 else 0) for c in head.candidates.all()})
    voting.save_meeting(bloc_year=bloc_year, data={"place": "Đà Lạt", "chair": "Trưởng khối"},
                        present_unit_ids=[u.pk for u in bloc_year.units], by=by)
    voting.save_outcome(bloc_year=bloc_year, by=by, elected_head_id=bloc_year.units[1].pk,
                        elected_deputy_id=bloc_year.units[2].pk,
                        proposals=[voting.ProposalRow(bloc_year.units[0].pk, "flag", 1, n, "Xếp thứ nhất")])
    bloc_year.ballot = ballots[Ballot.Kind.CERTIFICATE]
    bloc_year.closed_ballot = flag


def build(units: int, phase: str, *, second_bloc: bool = False) -> dict:
    bloc_year = make_bloc_year(units=units, code=CODE, year=YEAR, phase=phase)
    if phase in (REPORTING, SCORING, REVIEW):
        add_reports(bloc_year)
    if phase in (SCORING, REVIEW):
        add_score_sheets(bloc_year)
    people = {
        "secretariat": make_user("van-phong", role=Profile.Role.SECRETARIAT, unit=bloc_year.units[0]),
        "officer": bloc_year.officers[1],
        "provincial": make_user("tinh", role=Profile.Role.PROVINCIAL, province=bloc_year.bloc.province),
        "leader": make_user("lanh-dao", role=Profile.Role.LEADER, bloc=bloc_year.bloc),
        "superuser": make_user("quan-tri", is_superuser=True),
    }
    if phase == REVIEW:
        add_ballots(bloc_year, people["secretariat"])
    if second_bloc:
        # A second bloc in the same province, so that the province page and the superuser's home list several.
        make_bloc_year(units=units, code="khoi-dem-2", year=YEAR, province=bloc_year.bloc.province, officers=False)
    return {"bloc_year": bloc_year, "people": people}


# The query string of the pages counted with filters (the same count as without: filtering adds no query).
QUERIES = {
    "covenant:accounts (filtered)": "q=can&role=officer&state=active",
    "covenant:history (filtered)": (
        "actor=system&target_type=covenant.covenantcontent&date_from=01/01/2020&q=N&sort=oldest"
    ),
    "reports:evidence (filtered)": "q=quy&kind=pdf",
    "reports:evidence (secretariat, every unit)": "unit=all&q=Quy",
    "search": "q=thực hiện",
    "search (officer)": "q=nội dung&sort=relevance",
    "search (provincial, one year)": f"q=thực hiện&year={YEAR}&kind=report",
}


def url_of(page: str, bloc_year) -> str:
    url = _url_of(page, bloc_year)
    return f"{url}?{QUERIES[page]}" if page in QUERIES else url


def _url_of(page: str, bloc_year) -> str:
    name = page.split(" ")[0]
    if name in ("home", "verify", "notifications", "search"):
        return reverse(name)
    if name == "verify_code":
        return reverse(name, args=["XH-1-2025-0000000000"])
    if name == "province":
        return reverse("province", args=[bloc_year.bloc.province.code])
    kwargs = {"code": CODE, "year": YEAR}
    if name == "documents:setup":
        kwargs["kind"] = "ranking"
    if name in ("covenant:content_edit", "covenant:content_delete"):
        kwargs["content_pk"] = bloc_year.contents[-1].pk
    if name in ("scoring:criterion_edit", "scoring:criterion_delete"):
        kwargs["criterion_pk"] = bloc_year.criteria[-1].pk
    if name == "covenant:account_password":
        kwargs["account_pk"] = bloc_year.officers[-1].pk
    if name in ("reports:period_edit", "reports:extension_grant"):
        kwargs["period_pk"] = bloc_year.q1.pk
    if name == "reports:synthesis":
        kwargs.update(period_pk=bloc_year.q1.pk, content_pk=bloc_year.contents[0].pk)
    if name in ("reports:report", "reports:review"):
        # Readers open another unit's submitted report; the officer opens their own draft.
        own = PAGES[page][0] == "officer"
        kwargs["report_pk"] = (bloc_year.draft_report if own else bloc_year.submitted_report).pk
    if name == "reports:edit":
        kwargs["report_pk"] = bloc_year.draft_report.pk
    if name in ("review:ballot_edit", "review:paper_count", "review:vote", "review:ballot_close"):
        kwargs["ballot_pk"] = bloc_year.ballot.pk
    if name in ("review:ballot_count", "review:ballot_reopen"):
        kwargs["ballot_pk"] = bloc_year.closed_ballot.pk
    if name == "scores:unit_history":
        kwargs["unit_pk"] = bloc_year.units[1].pk
    if name in ("scores:sheet", "scores:review", "scores:edit", "scores:respond"):
        # Readers open another unit's submitted sheet; the officer opens their own draft.
        own = PAGES[page][0] == "officer"
        kwargs["sheet_pk"] = (bloc_year.draft_sheet if own else bloc_year.submitted_sheet).pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("units", [3, 30])
@pytest.mark.parametrize("page_name", list(PAGES))
def test_page_query_count_does_not_grow_with_the_units(client, db, django_assert_num_queries, page_name, units):
    persona, expected, phase = PAGES[page_name]
    world = build(units, phase, second_bloc=page_name in ("province", "home (superuser)"))
    if page_name == "review:ballot_count":  # a ballot closed and not yet counted by its board
        from scoring.meeting import services as voting

        world["bloc_year"].closed_ballot = voting.close_ballot(ballot=world["bloc_year"].ballot, by=None)
    if page_name == "scores:unit_history":  # two decided years before, every unit ranked in each
        from core.models import BlocYear
        from scoring.models import RankSnapshot

        by = world["bloc_year"]
        for past in (YEAR - 2, YEAR - 1):
            done = BlocYear.objects.create(bloc=by.bloc, year=past, phase=BlocYear.Phase.PUBLISHED)
            RankSnapshot.objects.bulk_create(RankSnapshot(bloc_year=done, unit=u, rank=i, total=100 - i)
                                             for i, u in enumerate(by.units, 1))
    client.force_login(world["people"][persona])
    url = url_of(page_name, world["bloc_year"])
    warm = client.get(url)
    assert warm.status_code == (302 if page_name == "home" else 200), f"{page_name}: {warm.status_code}"
    caches["pages"].clear()  # count the page as rendered, not as kept (test_kept_pages_... counts those)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == warm.status_code
    assert "X-Page-Cache" not in response


def test_every_page_is_counted():
    from tests.test_permissions import OWN_RULES, POST_ONLY, ROUTE_KINDS

    counted = {page.split(" ")[0] for page in PAGES}
    # The evidence download answers with the file itself: one lookup, nothing listed.
    pages = (set(ROUTE_KINDS) | set(OWN_RULES)) - POST_ONLY - NOT_PAGES
    # The province's pages and a bloc's dossier page are counted at province size in test_council_queries.py.
    from tests.test_council_queries import PAGES as COUNCIL_PAGES

    counted |= {f"council:{page.split(' ')[0]}" for page in COUNCIL_PAGES} | {"dossier:status"}
    forms = {"council:bloc_create", "council:bloc_edit", "council:year_create", "council:members_edit",
             "council:secretariat_create", "council:unit_create", "council:unit_rename", "council:unit_merge",
             "council:unit_move", "council:decision", "council:award_add", "council:import_year",
             "council:import_year_template", "council:import_units", "council:import_units_template", "council:bloc"}
    assert pages - counted - forms == set()


@pytest.mark.parametrize("units", [3, 30])
@pytest.mark.parametrize("kind", ["ranking", "scoresheet", "progress"])
def test_document_data_query_count_does_not_grow_with_the_units(db, django_assert_num_queries, kind, units):
    from documents.registry import load_all
    from documents.render import document_data

    kinds = load_all()
    if kind not in kinds:
        pytest.skip(f"no {kind} document yet")
    world = build(units, REVIEW)
    bloc_year = world["bloc_year"]
    unit = bloc_year.units[2]
    args = {"ranking": (), "scoresheet": (unit,), "progress": (unit, bloc_year.q1)}[kind]
    document_data(kinds[kind], bloc_year, *args)  # warm up
    if DOCUMENT_QUERIES[kind] is None:
        with CaptureQueriesContext(connection) as queries:
            document_data(kinds[kind], bloc_year, *args)
        pytest.fail(f"the {kind} document is new: set DOCUMENT_QUERIES[{kind!r}] = {len(queries)} (with 3 units)")
    with django_assert_num_queries(DOCUMENT_QUERIES[kind]):
        document_data(kinds[kind], bloc_year, *args)


KEPT_QUERIES = 3  # the session, the user with their profile, the bloc year (with the unit's membership)
# The province overview: the session, the user, the province, the sum of its blocs' versions (it follows them without
# locking the province's row on every bloc's change).
KEPT_QUERIES_PROVINCE = 4


@pytest.mark.parametrize(
    "page_name", [p for p in PAGES if p.split(" ")[0] in kept_view_names()]
)
def test_a_kept_page_is_served_in_three_queries(client, db, django_assert_num_queries, page_name):
    persona, _rendered, phase = PAGES[page_name]
    world = build(3, phase, second_bloc=page_name == "province")
    client.force_login(world["people"][persona])
    url = url_of(page_name, world["bloc_year"])
    client.get(url)  # sets the CSRF cookie
    client.get(url)  # rendered and kept
    with django_assert_num_queries(KEPT_QUERIES_PROVINCE if page_name == "province" else KEPT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"

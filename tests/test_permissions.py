"""Who may open what: one matrix over every named URL of the project and every persona.

The routes are collected from Django's URL resolver, so a new URL fails
`test_every_named_route_has_an_expectation` until it is given a kind in ROUTE_KINDS (or explicit
statuses in OWN_RULES) below.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import BlocYear, Membership

LOGIN = "login redirect"

# What kind of page each route is. READ: every member of the bloc year and its watchers may read it.
# MANAGE: the year's secretariat only (GET). ACTION: the secretariat only, POST only (require_POST).
READ, MANAGE, ACTION, HOME, PROVINCE = "read", "manage", "action", "home", "province"
# The province's own pages (council/): its council's office and its provincial viewer read them, only the council's
# office changes anything; everyone else, bloc roles included, gets a 404.
COUNCIL_READ, COUNCIL_MANAGE, COUNCIL_ACTION = "council read", "council manage", "council action"
ANY_USER, PUBLIC = "any user", "public"
ROUTE_KINDS = {
    "home": HOME,
    "province": PROVINCE,
    # Liveness check for load balancers: no login, no data.
    "healthz": PUBLIC,
    # Checks a printed document's code: anyone holding the page may ask, without an account (issue 14).
    "verify": PUBLIC,
    "verify_code": PUBLIC,
    # Search across every year the user may open: anyone logged in (each finds only what they may read, see
    # tests/test_search.py).
    "search": ANY_USER,
    "workspace:dashboard": READ,
    "covenant:members": READ,
    "covenant:covenant": READ,
    "scoring:scoreboard": READ,
    "covenant:members_edit": MANAGE,
    "covenant:unit_create": MANAGE,
    "covenant:covenant_edit": MANAGE,
    "covenant:content_create": MANAGE,
    "covenant:content_edit": MANAGE,
    "covenant:content_delete": MANAGE,
    "covenant:accounts": MANAGE,
    "covenant:account_create": MANAGE,
    "covenant:handover": MANAGE,
    "covenant:account_password": MANAGE,
    "covenant:history": MANAGE,
    "scoring:settings_edit": MANAGE,
    "scoring:criterion_create": MANAGE,
    "scoring:criterion_edit": MANAGE,
    "scoring:criterion_delete": MANAGE,
    "scoring:bonus_edit": MANAGE,
    "scoring:tie_breaks_edit": MANAGE,
    "covenant:phase_advance": MANAGE,
    "covenant:phase_revert": MANAGE,
    "covenant:start_next_year": ACTION,
    "covenant:account_toggle": ACTION,
    "covenant:account_unlock": ACTION,
    "reports:periods": MANAGE,
    "reports:period_create": MANAGE,
    "reports:period_edit": MANAGE,
    "reports:extension_grant": MANAGE,
    "reports:review": MANAGE,
    "reports:periods_default": ACTION,
    "reports:reopen": ACTION,
    "reports:board_remind": MANAGE,
    "reports:board_accept": ACTION,
    "scores:overview": READ,
    # A member unit's decided ranks across the years: published results, every member of the year reads them.
    "scores:unit_history": READ,
    "scores:assign": ACTION,
    "scores:release": ACTION,
    "scores:approve": ACTION,
    "scores:reopen": ACTION,
    "scores:deduction_add": ACTION,
    "scores:deduction_waive": ACTION,
    "scores:deduction_remove": ACTION,
    "scores:settle": ACTION,
    "review:overview": READ,
    "review:meeting": MANAGE,
    "review:outcome": MANAGE,
    "review:ballot_create": MANAGE,
    "review:ballot_edit": MANAGE,
    "review:paper_count": MANAGE,
    "review:ballots_default": ACTION,
    "documents:index": READ,
    "documents:synthesis": MANAGE,
    "documents:setup": MANAGE,
    "dossier:status": READ,
    "dossier:submit": ACTION,
    "council:index": COUNCIL_READ,
    "council:bloc_year": COUNCIL_READ,
    "council:units": COUNCIL_READ,
    "council:unit": COUNCIL_READ,
    "council:dossiers": COUNCIL_READ,
    "council:dossier": COUNCIL_READ,
    "council:bloc_create": COUNCIL_MANAGE,
    "council:bloc_edit": COUNCIL_MANAGE,
    "council:year_create": COUNCIL_MANAGE,
    "council:members_edit": COUNCIL_MANAGE,
    "council:secretariat_create": COUNCIL_MANAGE,
    "council:unit_create": COUNCIL_MANAGE,
    "council:unit_rename": COUNCIL_MANAGE,
    "council:unit_merge": COUNCIL_MANAGE,
    "council:unit_move": COUNCIL_MANAGE,
    "council:quota": COUNCIL_MANAGE,
    "council:decision": COUNCIL_MANAGE,
    "council:award_add": COUNCIL_MANAGE,
    "council:import_year": COUNCIL_MANAGE,
    "council:import_year_template": COUNCIL_MANAGE,
    "council:import_units": COUNCIL_MANAGE,
    "council:import_units_template": COUNCIL_MANAGE,
    "council:dashboard": COUNCIL_READ,
    "council:dashboard_xlsx": COUNCIL_READ,
    "council:dossier_return": COUNCIL_ACTION,
    "council:dossier_accept": COUNCIL_ACTION,
    "documents:legal_frame": MANAGE,
    "documents:issue": ACTION,
    "documents:scan_upload": ACTION,
    "awards:index": MANAGE,
    # The user's own inbox: every logged-in user has one (empty or not); marking read is POST only.
    "notifications": ANY_USER,
    "notifications_read_all": ANY_USER,
}

# Routes whose answer depends on more than read/manage (see the fixture `active_year`): the report
# (report_pk), its evidence (evidence_pk) and the score sheet (sheet_pk) belong to officer_a's unit and
# are submitted; the sheet is reviewed by the secretariat and the review is not released yet.
# POST_ONLY routes are requested with POST.
ROLES = ["anonymous", "officer_a", "officer_b", "leader", "provincial", "council", "other_secretariat",
         "secretariat", "superuser"]
WRITERS = ("officer_a", "officer_b", "secretariat")  # the personas whose profile has a unit in the bloc
NO_UNIT = ("leader", "provincial", "superuser")
READERS = ("secretariat", "leader", "provincial", "superuser")
OWN_RULES = {
    # Your unit's reports; without a unit, the completeness board instead.
    "reports:index": {**dict.fromkeys(WRITERS, 200), **dict.fromkeys(NO_UNIT, 302)},
    "reports:board": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "reports:synthesis": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "reports:start": {**dict.fromkeys(WRITERS, 302), **dict.fromkeys(NO_UNIT, 403)},
    "reports:report": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    # The writer is sent to the read-only page (the report is submitted); readers may not write it.
    "reports:edit": {**dict.fromkeys(READERS, 403), "officer_a": 302, "officer_b": 404},
    "reports:submit": {**dict.fromkeys(READERS, 403), "officer_a": 302, "officer_b": 404},
    "reports:evidence": {**dict.fromkeys(WRITERS, 200), **dict.fromkeys(NO_UNIT, 403)},
    "reports:evidence_download": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    "scores:mine": {**dict.fromkeys(WRITERS, 302), **dict.fromkeys(NO_UNIT, 403)},
    # Members see the ranking once the results are approved; readers at any time.
    "scores:ranking": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "scores:sheet": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    # The sheet is submitted: its unit is sent to the read-only page; nobody else writes it.
    "scores:edit": {**dict.fromkeys(READERS, 403), "officer_a": 302, "officer_b": 404},
    "scores:submit": {**dict.fromkeys(READERS, 403), "officer_a": 302, "officer_b": 404},
    # Reviewed by the secretariat (a superuser may stand in); not by its unit, leaders or viewers.
    "scores:review": {"secretariat": 200, "superuser": 200, "leader": 403, "provincial": 403, "officer_a": 403,
                      "officer_b": 404},
    # Not released yet: its unit is sent back to the sheet; only its unit ever responds.
    "scores:respond": {**dict.fromkeys(READERS, 403), "officer_a": 302, "officer_b": 404},
    # Each member unit's officer votes for the unit; the secretariat, leaders and viewers cannot.
    "review:vote": {**dict.fromkeys(READERS, 403), "officer_a": 200, "officer_b": 200},
    # The secretariat's, asked of a ballot still being prepared: it is sent back to the overview (nothing to close,
    # count or reopen); nobody else may. Closing asks for confirmation first (GET), see tests/test_voting.py.
    **{
        name: {"secretariat": 302, "superuser": 302, "leader": 403, "provincial": 403, "officer_a": 403,
               "officer_b": 403}
        for name in ("review:ballot_close", "review:ballot_count", "review:ballot_reopen")
    },
    # Opening an online ballot answers with the board's key page (shown once), not a redirect.
    "review:ballot_open": {"secretariat": 200, "superuser": 200, "leader": 403, "provincial": 403, "officer_a": 403,
                           "officer_b": 403},
    # The register's issue and signed-scan forms and the reviewers' assignment, posted empty by the secretariat:
    # the page comes back with the fields marked (200); nobody else may post them.
    **{
        name: {"secretariat": 200, "superuser": 200, "leader": 403, "provincial": 403, "officer_a": 403,
               "officer_b": 403}
        for name in ("documents:issue", "documents:scan_upload", "scores:assign")
    },
    # Bloc-wide documents are for readers; a unit prints its own submitted report and score sheet only.
    "documents:pdf": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "documents:unit_pdf": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    "documents:progress_pdf": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    "documents:ranking_xlsx": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "documents:board_xlsx": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    # A bloc's page on the province's side is its latest year's: the province's staff are sent there.
    "council:bloc": {"council": 302, "provincial": 302, "superuser": 302},
    # The register of issued documents is the bloc's; a record copy reads like the document's PDF (here
    # officer_a's unit's score sheet).
    "documents:register": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "documents:scan_download": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    # Word copies: the bloc's documents for readers; a proposed unit's own achievement report for that unit too.
    "documents:docx": {**dict.fromkeys(READERS, 200), "officer_a": 403, "officer_b": 403},
    "documents:achievement_docx": {**dict.fromkeys(READERS, 200), "officer_a": 200, "officer_b": 404},
    # officer_a's notification (see `activate`): opened by its user (sent on to its link), nobody else's to see.
    "notification_open": {role: 302 if role == "officer_a" else 404 for role in ROLES},
    "notification_read": {role: 302 if role == "officer_a" else 404 for role in ROLES},
}
# The document kind each documents route is asked for (URL kwarg `kind`).
DOCUMENT_KINDS = {"documents:setup": "ranking", "documents:pdf": "ranking", "documents:unit_pdf": "scoresheet",
                  "documents:progress_pdf": "progress", "documents:docx": "summary"}

POST_ONLY = {name for name, kind in ROUTE_KINDS.items() if kind in (ACTION, COUNCIL_ACTION)} | {
    "review:ballot_open",
    "reports:start", "reports:submit", "scores:mine", "scores:submit", "notifications_read_all", "notification_read"}

# Authentication pages, tested on their own below: open to anonymous visitors, or login-only.
AUTH_PUBLIC = {"login", "password_reset", "password_reset_done", "password_reset_complete",
               "password_reset_confirm"}
AUTH_LOGIN_ONLY = {"password_change", "password_change_done"}
AUTH_POST_ONLY = {"logout"}
# Not ours: Django's admin (restricted to superusers, see test_accounts.py) and the language switch.
IGNORED_NAMESPACES = {"admin"}
IGNORED_ROUTES = {"set_language"}



def walk(patterns, namespace: str = "", converters: dict | None = None):
    """Yield (full name, kwarg names) for every named route, recursively through includes."""
    for p in patterns:
        found = {**(converters or {}), **getattr(p.pattern, "converters", {})}
        if isinstance(p, URLResolver):
            if p.namespace in IGNORED_NAMESPACES:
                continue
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from walk(p.url_patterns, ns, found)
        elif isinstance(p, URLPattern) and p.name:
            yield ":".join(filter(None, [namespace, p.name])), tuple(found)


def named_routes() -> dict[str, tuple[str, ...]]:
    return dict(walk(get_resolver().url_patterns))


def expected_status(name: str, role: str):
    if ROUTE_KINDS.get(name) == PUBLIC:
        return 200
    if role == "anonymous":
        return LOGIN
    if role == "other_secretariat" and name not in (
        "home", "province", "verify", "verify_code", "healthz", "notifications", "notifications_read_all", "search"
    ):
        return 404
    if name.startswith("council:") and name in OWN_RULES:
        return OWN_RULES[name].get(role, 404)
    if name in OWN_RULES and not name.startswith(("workspace:", "covenant:", "reports:", "scores:", "review:",
                                                   "documents:", "awards:", "dossier:", "scoring:")):
        return OWN_RULES[name][role]  # not a bloc's page: the same answer for every role
    kind = ROUTE_KINDS.get(name)
    if kind in (COUNCIL_READ, COUNCIL_MANAGE, COUNCIL_ACTION):
        if role in ("council", "superuser"):
            return 302 if kind == COUNCIL_ACTION else 200
        if role == "provincial":
            return 200 if kind == COUNCIL_READ else 403
        return 404
    if role == "council":
        if kind == HOME:
            return 302
        role = "provincial"  # on the blocs' own pages the council's office reads as the provincial viewer does
    if name in DOCUMENT_KINDS and DOCUMENT_KINDS[name] not in registered_document_kinds():
        return 404  # a document kind not (yet) written
    if name in OWN_RULES:
        return OWN_RULES[name][role]
    kind = ROUTE_KINDS[name]
    if kind == ANY_USER:
        return 302 if name in POST_ONLY else 200
    if kind == HOME:
        # One bloc to see: straight there (the provincial viewer to the province). The superuser sees two.
        return 200 if role == "superuser" else 302
    if kind == PROVINCE:
        return 200 if role in ("provincial", "superuser") else 404
    if role in ("secretariat", "superuser"):
        return 302 if kind == ACTION else 200
    return 200 if kind == READ else 403


def registered_document_kinds() -> set[str]:
    from documents.registry import load_all

    return set(load_all())


def kwarg_values(bloc_year) -> dict:
    values = {
        "code": bloc_year.bloc.code,
        "year": bloc_year.year,
        "content_pk": bloc_year.contents[0].pk,
        "criterion_pk": bloc_year.criteria[0].pk,
        # The head unit's officer account: not one of the personas, so toggling it disturbs nobody.
        "account_pk": bloc_year.officers[0].pk,
    }
    report = getattr(bloc_year, "the_report", None)
    if report is not None:
        values.update(period_pk=report.period_id, report_pk=report.pk, evidence_pk=bloc_year.the_evidence.pk)
    sheet = getattr(bloc_year, "the_sheet", None)
    if sheet is not None:
        values.update(sheet_pk=sheet.pk, item_pk=sheet.items.order_by("pk").first().pk,
                      deduction_pk=bloc_year.the_deduction.pk, ballot_pk=bloc_year.the_ballot.pk,
                      unit_pk=sheet.unit_id)
        if hasattr(bloc_year, "the_entry"):
            values["entry_pk"] = bloc_year.the_entry.pk
    note = getattr(bloc_year, "the_notification", None)
    if note is not None:
        values["pk"] = note.pk
    return values


VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def active_year(bloc_year, officer_a, secretariat, settings, tmp_path, monkeypatch):
    """bloc_year in its review phase. officer_a's unit has submitted its Q1 report (with one evidence file)
    and its score sheet; reviewers are assigned (the secretariat reviews that sheet) and the sheet has a
    manual deduction; nothing is released or approved. The default ballots are prepared, none open."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Who may print is the question here, not the printing (tested with the documents): the HTML is still
    # built from the data, but WeasyPrint, a second or more per document and persona, is left out.
    from documents import render

    monkeypatch.setattr(render, "render_pdf", lambda prepared: (render.html_for(prepared) and PDF, 1))
    return activate(bloc_year, officer_a, secretariat)


def activate(bloc_year, officer_a, secretariat):
    """The data of `active_year` in any bloc year: officer_a is the officer of its unit 2."""
    from reports import services as reports
    from scoring.meeting import services as voting
    from scoring.models import ScoringRound
    from scoring.sheets import services as sheets

    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.REPORTING)
    bloc_year.phase = BlocYear.Phase.REPORTING
    when = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=VN)
    periods = reports.create_default_periods(bloc_year=bloc_year, by=None, at=when)
    unit = bloc_year.units[1]
    evidence = reports.add_evidence(bloc_year=bloc_year, unit=unit, upload=SimpleUploadedFile("qd.pdf", PDF),
                                    summary="Quyết định số 1", by=officer_a, at=when)
    report = reports.start_report(period=periods[0], unit=unit, by=officer_a, at=when)
    sections = {s.content_id: reports.SectionData(done="Đã thực hiện.") for s in report.sections.all()}
    sections[bloc_year.contents[0].pk].evidence_ids = [evidence.pk]
    report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                 by=officer_a, at=when)
    bloc_year.the_report = reports.submit_report(report=report, expected_version=report.version, by=officer_a,
                                                 at=when)
    bloc_year.the_evidence = evidence

    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.SCORING)
    bloc_year.phase = BlocYear.Phase.SCORING
    sheet = sheets.get_or_create_sheet(bloc_year=bloc_year, unit=unit, by=officer_a)
    rows = {i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points, explanation="Hoàn thành",
                                          evidence_ids=[evidence.pk] if i.sub_item.evidence_required else [])
            for i in sheet.items.select_related("sub_item")}
    sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer_a)
    bloc_year.the_sheet = sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer_a)
    sheets.assign_reviewers(bloc_year=bloc_year, mode=ScoringRound.Mode.SECRETARIAT, by=secretariat)
    bloc_year.the_deduction = sheets.add_manual_deduction(sheet=sheet, points="1", reason="Vi phạm", by=secretariat)

    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.REVIEW)
    bloc_year.phase = BlocYear.Phase.REVIEW
    bloc_year.the_ballot = voting.create_default_ballots(bloc_year=bloc_year, by=secretariat)[0]
    # A dossier sent to the province, for the council's dossier pages (the checks refuse it: nothing is published).
    from council.models import Dossier

    Dossier.objects.create(bloc_year=bloc_year, status=Dossier.Status.SUBMITTED, submitted_at=when)

    # An issued document with its signed record copy: officer_a's unit's score sheet; that unit proposed for a
    # certificate, so that its achievement report exists.
    from documents import services as documents_services
    from scoring.models import AwardProposal

    AwardProposal.objects.create(bloc_year=bloc_year, unit=unit, award=AwardProposal.Award.CERTIFICATE, order=1)
    entry = documents_services.issue_document(bloc_year=bloc_year, kind_code="scoresheet", unit=unit,
                                              issued_on=datetime.date(2025, 4, 2), by=secretariat)
    documents_services.upload_scan(entry=entry, upload=SimpleUploadedFile("ban-ky.pdf", PDF), by=secretariat)
    bloc_year.the_entry = entry

    from core import notifications

    notifications.notify([officer_a], "Thông báo thử cho %(unit)s.", reverse("workspace:dashboard", args=[
        bloc_year.bloc.code, bloc_year.year]), params={"unit": unit.short_name}, bloc_year=bloc_year)
    bloc_year.the_notification = officer_a.notifications.order_by("-pk").first()

    return bloc_year


def url_for(name: str, kwarg_names: tuple[str, ...], bloc_year) -> str:
    values = kwarg_values(bloc_year)
    if name in DOCUMENT_KINDS:
        values["kind"] = DOCUMENT_KINDS[name]
    if name == "province" or name.startswith("council:"):
        values["code"] = bloc_year.bloc.province.code
        values["bloc"] = bloc_year.bloc.code
        values["table"] = "blocs"
    unknown = [k for k in kwarg_names if k not in values]
    assert not unknown, f"{name}: no test value for URL kwarg(s) {unknown}; add them to kwarg_values()"
    return reverse(name, kwargs={k: values[k] for k in kwarg_names})


def describe(response) -> object:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def test_every_named_route_has_an_expectation():
    routes = set(named_routes())
    known = set(ROUTE_KINDS) | set(OWN_RULES) | AUTH_PUBLIC | AUTH_LOGIN_ONLY | AUTH_POST_ONLY | IGNORED_ROUTES
    assert routes - known == set(), "new routes: give each a kind in ROUTE_KINDS (tests/test_permissions.py)"
    assert known - routes == set(), "routes listed in the matrix no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_route(client, role, personas, active_year):
    user = personas[role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, kwarg_names in sorted(named_routes().items()):
        if name not in ROUTE_KINDS and name not in OWN_RULES:
            continue  # auth and ignored routes; unknown ones fail test_every_named_route_has_an_expectation
        url = url_for(name, kwarg_names, active_year)
        method = "POST" if name in POST_ONLY else "GET"
        # Each request runs in a savepoint rolled back afterwards, so that the secretariat advancing the
        # phase or opening next year leaves the data as it was for the next route.
        with transaction.atomic():
            response = client.post(url) if method == "POST" else client.get(url)
            transaction.set_rollback(True)
        got, want = describe(response), expected_status(name, role)
        if got != want:
            wrong.append(f"{method} {url} ({name}): expected {want}, got {got}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_actions_answer_get_with_405(client, secretariat, bloc_year, name):
    client.force_login(secretariat)
    # require_POST answers before anything is looked up, so any object id will do.
    kwargs = dict.fromkeys(named_routes()[name], 1)
    kwargs.update({k: v for k, v in {"code": bloc_year.bloc.code, "year": bloc_year.year}.items() if k in kwargs})
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 405


@pytest.mark.parametrize("name", sorted(AUTH_PUBLIC))
def test_auth_pages_are_open_to_anonymous_visitors(client, db, name):
    kwargs = {"uidb64": "MQ", "token": "set-password"} if name == "password_reset_confirm" else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()


@pytest.mark.parametrize("name", sorted(AUTH_LOGIN_ONLY))
def test_password_change_pages_need_a_login(client, officer_a, name):
    assert describe(client.get(reverse(name))) == LOGIN
    client.force_login(officer_a)
    assert client.get(reverse(name)).status_code == 200


def test_logout_is_post_only_and_returns_to_the_login_page(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert describe(client.get(reverse("workspace:dashboard", args=["khoi-tckt", 2025]))) == LOGIN


def test_home_sends_each_persona_to_their_work(client, personas, bloc_year, other_bloc_year):
    dashboard = reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])
    where = {
        "secretariat": dashboard, "officer_a": dashboard, "officer_b": dashboard, "leader": dashboard,
        "provincial": reverse("province", args=[bloc_year.bloc.province.code]),
        "other_secretariat": reverse("workspace:dashboard", args=[other_bloc_year.bloc.code, other_bloc_year.year]),
    }
    for role, location in where.items():
        client.force_login(personas[role])
        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, location), role
    client.force_login(personas["superuser"])
    page = client.get("/").content.decode()
    assert bloc_year.bloc.name in page and other_bloc_year.bloc.name in page


def test_unknown_bloc_or_year_is_404_even_for_the_secretariat(client, secretariat, bloc_year):
    client.force_login(secretariat)
    assert client.get(reverse("workspace:dashboard", args=["khong-co", 2025])).status_code == 404
    assert client.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, 2030])).status_code == 404
    assert client.get(reverse("province", args=["khong-co"])).status_code == 404


def test_provincial_viewer_of_another_province_sees_nothing_of_this_bloc(client, bloc_year, other_bloc_year):
    from tests.personas import make_user

    viewer = make_user("tinh-khac", role="provincial", province=other_bloc_year.bloc.province)
    client.force_login(viewer)
    assert client.get(reverse("workspace:dashboard", args=[bloc_year.bloc.code, bloc_year.year])).status_code == 404
    assert client.get(reverse("province", args=[bloc_year.bloc.province.code])).status_code == 404
    assert client.get(reverse("province", args=[other_bloc_year.bloc.province.code])).status_code == 200


def test_officer_of_the_head_unit_is_not_the_secretariat(client, bloc_year):
    client.force_login(bloc_year.officers[0])  # role officer, unit = the head unit
    base = [bloc_year.bloc.code, bloc_year.year]
    assert client.get(reverse("workspace:dashboard", args=base)).status_code == 200
    assert client.get(reverse("covenant:members_edit", args=base)).status_code == 403


def test_secretariat_loses_manage_rights_when_the_head_role_passes_to_another_unit(client, secretariat, bloc_year):
    Membership.objects.filter(bloc_year=bloc_year).update(role=Membership.Role.MEMBER)
    Membership.objects.filter(bloc_year=bloc_year, unit=bloc_year.units[2]).update(role=Membership.Role.HEAD)
    client.force_login(secretariat)
    base = [bloc_year.bloc.code, bloc_year.year]
    assert client.get(reverse("covenant:members", args=base)).status_code == 200
    assert client.get(reverse("covenant:members_edit", args=base)).status_code == 403


def test_deactivated_secretariat_is_sent_to_the_login_page(client, secretariat, bloc_year):
    client.force_login(secretariat)
    secretariat.is_active = False
    secretariat.save(update_fields=["is_active"])
    response = client.get(reverse("covenant:members_edit", args=[bloc_year.bloc.code, bloc_year.year]))
    assert describe(response) == LOGIN

"""No input makes a page answer 500 (issue 11, item 5): every POST form every role is shown, fuzzed by hypothesis.

The forms are not listed by hand: each role's pages in three bloc years (setup, reporting with reports in several
states, scoring with submitted sheets) are crawled from the dashboard, and every <form method="post"> found is
posted again and again with its fields replaced by hypothesis (numbers nobody types, ids of other objects, long
and odd text, missing fields, uploads of the wrong kind). Seeded (derandomize): the same inputs every run.
Run alone: `make test ARGS=tests/test_fuzz_forms.py`; the figures are printed with -s.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.models import BlocYear
from reports import services as reports
from scoring.meeting import services as voting
from scoring.models import Ballot, ItemScore, ScoreSheet, ScoringRound
from scoring.sheets import services as sheets
from tests.council_year import published_year, review_year
from tests.marking import marked_errors
from tests.personas import PASSWORD, make_bloc_year, make_user

# About 100 forms in all: ≥ 10,000 inputs a run. The superuser is left out: it posts the secretariat's forms.
EXAMPLES_PER_FORM = 100
# Forms that end the session or would only measure the password hasher.
SKIP_ACTIONS = re.compile(r"/accounts/logout/")

NASTY_NUMBERS = ["0.001", "1e-400", "1E-999999999", "1E+999999999", "NaN", "-Infinity", "Infinity", "-1", "0",
                 "99999999999999999999", "1,5", "1.5.5", "0x1F", "１２", "-0", "3.14159", "1e3", "٣"]  # fmt: skip
NASTY_TEXT = ["", " ", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "=HYPERLINK(\"x\")", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃",
              "a" * 6000, "../../etc/passwd", "%s%n", "null", "[]", "{}", "\u202e", "31/02/2025", "2025-13-45",
              "32/13/99999"]  # fmt: skip
UPLOADS = [
    ("bao-cao.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),
    ("trang.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>"),
    ("rong.docx", b""),
    ("rac.xlsx", b"PK\x03\x04garbage"),
    ("chuong-trinh.exe", b"MZ\x90\x00"),
]


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values offered (options, the value)
    files: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type, "textarea", "select" or "button"


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self.links, self._form, self._select = page_url, [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = Form(action=a.get("action") or self.page_url)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form.files.add(a["name"])
            elif kind not in {"submit", "button", "reset", "image"} or a.get("value"):
                self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
                self._form.kinds.setdefault(a["name"], kind)
        elif tag in {"textarea", "button"}:
            self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
            self._form.kinds.setdefault(a["name"], tag)
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(self._select, [])
            self._form.kinds.setdefault(self._select, "select")
        if tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def parse(html: str, url: str) -> _Parser:
    parser = _Parser(url)
    parser.feed(html)
    return parser


def crawl(client: Client, starts: list[str], prefixes: tuple[str, ...], limit: int = 80) -> list[Form]:
    """The POST forms on the pages reachable from `starts` under `prefixes` (downloads left out)."""
    queue, seen, forms = list(starts), set(), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = parse(response.content.decode(), url)
        for form in page.forms:
            if SKIP_ACTIONS.search(form.action):
                continue
            shape = (re.sub(r"\d+", "N", form.action), tuple(sorted(form.fields)))
            forms.setdefault(shape, form)
        for href in page.links:
            # Sort, filter and page links show the same forms: crawling each would spend the limit on one table.
            href = href.split("#")[0].split("?")[0]
            if href.startswith(prefixes) and not re.search(r"\.(pdf|xlsx)$|/download/", href) and href not in seen:
                queue.append(href)
    return list(forms.values())


def values_for(name: str, offered: list[str], ids: list[str]) -> st.SearchStrategy:
    choices = [v for v in offered if v is not None]
    return st.one_of(
        st.sampled_from(choices or [""]),
        st.sampled_from(NASTY_NUMBERS),
        st.sampled_from(NASTY_TEXT),
        st.sampled_from(ids),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=40),
    )


def form_inputs(form: Form, ids: list[str]) -> st.SearchStrategy:
    def one(name, offered):
        value = values_for(name, offered, ids)
        # Sometimes missing, sometimes sent twice.
        return st.one_of(value, st.lists(value, min_size=0, max_size=2))

    data = st.fixed_dictionaries({name: one(name, offered) for name, offered in form.fields.items()})
    if not form.files:
        return data
    uploads = st.fixed_dictionaries({name: st.sampled_from([*UPLOADS, None]) for name in form.files})
    return st.tuples(data, uploads).map(lambda du: {**du[0], **{k: v for k, v in du[1].items() if v}})


@dataclass
class Tally:
    inputs: int = 0
    forms: int = 0
    errors: list[tuple[str, dict]] = field(default_factory=list)
    marked: set[str] = field(default_factory=set)  # form classes whose invalid fields were drawn marked
    unmarked: list[tuple[str, str]] = field(default_factory=list)


def probes(form: Form) -> list[dict]:
    """Two honest posts of the form's hidden fields and buttons with every field a person types filled with what no
    field accepts, then left empty: the answers show each field's own error (random inputs mostly trip over a
    tampered hidden version first). The garbage goes first: an empty post may be valid, and would act."""
    kept = {n: v[0] for n, v in form.fields.items() if form.kinds.get(n) in {"hidden", "submit", "button"} and v}
    typed = [n for n in form.fields if n not in kept]
    bad = {"number": "mười", "date": "32/13/2025", "select": "999999999", "checkbox": "999999999",
           "radio": "999999999", "email": "khong-phai-thu"}
    return [
        {**kept, **{n: bad.get(form.kinds.get(n, ""), "x" * 6000) for n in typed},
         **{n: SimpleUploadedFile(*UPLOADS[-1]) for n in form.files}},
        {**kept, **dict.fromkeys(typed, "")},
    ]


def _post(client: Client, form: Form, body: dict, tally: Tally) -> None:
    savepoint = transaction.savepoint()
    response = client.post(form.action, body)
    tally.inputs += 1
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
        tally.errors.append((form.action, {k: str(v)[:80] for k, v in body.items()}))
        return
    transaction.savepoint_commit(savepoint)
    if response.status_code == 200 and response.context is not None:
        classes, wrong = marked_errors(response)
        tally.marked |= classes
        tally.unmarked += [(form.action, w) for w in wrong]


def fuzz(client: Client, forms: list[Form], ids: list[str], tally: Tally) -> None:
    client.raise_request_exception = False

    for form in forms:
        tally.forms += 1
        # Every form meets the year as crawled: a phase stepped back or a ballot closed by one form's inputs would
        # otherwise turn the later forms' pages into refusals, and their fields would go unchecked.
        for body in probes(form):
            savepoint = transaction.savepoint()
            _post(client, form, body, tally)
            transaction.savepoint_rollback(savepoint)
        savepoint = transaction.savepoint()
        _fuzz_one(client, form, ids, tally)
        transaction.savepoint_rollback(savepoint)


def _fuzz_one(client: Client, form: Form, ids: list[str], tally: Tally) -> None:
    @settings(max_examples=EXAMPLES_PER_FORM, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(form_inputs(form, ids))
    def post(data):
        body = {k: SimpleUploadedFile(v[0], v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
        _post(client, form, body, tally)

    post()


def _people(y: BlocYear) -> dict:
    return {
        "secretariat": make_user(f"vp-{y.pk}", role="secretariat", unit=y.units[0]),
        "officer": y.officers[1],
        "leader": make_user(f"ld-{y.pk}", role="leader", bloc=y.bloc),
    }


def _submitted_sheets(y: BlocYear, units) -> None:
    for unit in units:
        sheet = sheets.get_or_create_sheet(bloc_year=y, unit=unit, by=None)
        items = sheet.items.select_related("sub_item")
        rows = {i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points) for i in items}
        sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=None)
        ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now())


def setup_year() -> BlocYear:
    return make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SETUP)


def reporting_year() -> BlocYear:
    y = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.REPORTING)
    for period in reports.create_default_periods(bloc_year=y, by=None)[:2]:
        for unit, officer in zip(y.units[1:], y.officers[1:], strict=True):
            reports.start_report(period=period, unit=unit, by=officer)
    return y


def scoring_year() -> BlocYear:
    """Self-scoring: every sheet but the last unit's submitted."""
    y = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)
    sheets.get_or_create_sheet(bloc_year=y, unit=y.units[-1], by=None)
    _submitted_sheets(y, y.units[:-1])
    return y


def released_year() -> BlocYear:
    """Reviews released, one score lowered with a reason: the units may contest, the secretariat settle (the
    first unit has contested). The year's periods are long past with no report: deductions the secretariat may
    waive."""
    y = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SCORING)
    reports.create_default_periods(bloc_year=y, by=None)
    _submitted_sheets(y, y.units)
    sheets.assign_reviewers(bloc_year=y, mode=ScoringRound.Mode.SECRETARIAT, by=None)
    for sheet in ScoreSheet.objects.filter(bloc_year=y).order_by("unit__code"):
        items = list(sheet.items.select_related("sub_item").order_by("sub_item__criterion__order", "sub_item__order"))
        rows = {i.sub_item_id: sheets.ReviewRow(score=i.self_score) for i in items}
        rows[items[0].sub_item_id] = sheets.ReviewRow(score=Decimal(0), reason="Thiếu minh chứng")
        sheets.save_review(sheet=sheet, rows=rows, expected_version=None, by=None)
    sheets.release_review(bloc_year=y, by=None)
    first = ScoreSheet.objects.filter(bloc_year=y).order_by("unit__code").first()
    lowered = first.items.order_by("sub_item__criterion__order", "sub_item__order").first()
    sheets.respond(sheet=first, by=None, responses={
        lowered.sub_item_id: sheets.Response(contest=ItemScore.Contest.CONTESTED, comment="Đã nộp minh chứng")})
    return y


def voting_year() -> BlocYear:
    """The review phase with a ballot of each state: counted on paper (flag, certificate), an online one open (head)
    and one closed but not yet counted by the board (deputy)."""
    y = review_year(4)
    units, officers = y.units, y.officers
    online = {"max_choices": 1, "candidates_from": Ballot.Candidates.ALL, "mode": Ballot.Mode.ONLINE}
    head = voting.open_ballot(ballot=voting.save_ballot(bloc_year=y, ballot=None, by=None,
                                                        data={"kind": Ballot.Kind.HEAD, **online}), by=None)
    deputy = voting.open_ballot(ballot=voting.save_ballot(bloc_year=y, ballot=None, by=None,
                                                          data={"kind": Ballot.Kind.DEPUTY, **online}), by=None)
    voting.cast_vote(ballot=deputy, unit=units[0], candidate_ids=[deputy.candidates.first().pk], by=officers[0])
    voting.close_ballot(ballot=deputy, by=None)
    assert head.status == Ballot.Status.OPEN
    return y


def paper_year() -> BlocYear:
    """The review phase with a paper ballot open for its count and a ballot still in draft."""
    y = review_year(3)
    certificate = Ballot.objects.get(bloc_year=y, kind=Ballot.Kind.CERTIFICATE)
    voting.reopen_ballot(ballot=certificate, reason="Kiểm lại phiếu", by=None)
    voting.save_ballot(bloc_year=y, ballot=None, by=None, data={
        "kind": Ballot.Kind.HEAD, "max_choices": 1, "candidates_from": Ballot.Candidates.ALL,
        "mode": Ballot.Mode.PAPER})
    return y


def dossier_year() -> BlocYear:
    """Published, its dossier with the province: the council's office may return it or enter the decision."""
    from council import services as council

    y = published_year(3)
    council.submit_dossier(bloc_year=y, by=None)
    return y


YEARS = {"dossier": dossier_year, "setup": setup_year, "reporting": reporting_year, "scoring": scoring_year,
         "released": released_year,
         "voting": voting_year, "paper": paper_year}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


# One case per role and bloc year, so that the parallel test workers share the load.
CASES = [(role, year) for role in ("secretariat", "officer", "leader") for year in ("setup", "reporting", "scoring")]
CASES += [(role, year) for role in ("secretariat", "officer") for year in ("released", "voting", "paper")]
CASES += [("anonymous", "setup"), ("council", "paper"), ("council", "dossier")]

# The project's forms each case must have seen refused with every invalid field drawn marked (at least these; the
# coverage of all forms is checked by tests/test_form_errors.py::test_every_form_class_is_covered).
_SETUP = {"covenant.forms." + n for n in ("ContentDeleteForm", "ContentForm", "CovenantForm", "MemberRowForm",
                                           "MembersMetaForm", "PhaseAdvanceForm")}
_SETUP |= {"scoring.scoreboard.forms." + n for n in ("BonusRowForm", "CriterionForm", "MetaForm",
                                                      "ScoreboardSettingsForm", "SubItemForm", "TieBreakRowForm")}
_ACCOUNTS = {"covenant.forms.OfficerCreateForm", "covenant.forms.SetPasswordForm", "covenant.forms.UnitForm"}
_DOCUMENTS = {"documents.forms." + n for n in ("DocumentSetupForm", "IssueForm", "LegalTextForm", "SynthesisForm")}
_BALLOTS = {"scoring.meeting.forms." + n for n in ("BallotForm", "CloseBallotForm", "ReopenBallotForm", "MeetingForm",
                                                    "OutcomeForm")}
MARKED = {
    ("secretariat", "setup"): _SETUP | _ACCOUNTS | _DOCUMENTS | {"awards.forms.AwardForm", "reports.forms.PeriodForm"},
    ("secretariat", "reporting"): _SETUP | {"reports.forms.ExtensionForm", "reports.forms.EvidenceForm",
                                            "covenant.forms.PhaseRevertForm"},
    ("secretariat", "scoring"): {"scoring.sheets.forms.ReviewForm"},
    ("secretariat", "voting"): _BALLOTS | {"scoring.meeting.forms.BoardKeyForm"},
    ("secretariat", "paper"): _BALLOTS | {"scoring.meeting.forms.PaperCountForm"},
    ("officer", "reporting"): {"reports.forms.ReportForm", "reports.forms.EvidenceForm"},
    ("secretariat", "released"): {"scoring.sheets.forms.SettleForm", "scoring.sheets.forms.WaiveForm",
                                  "scoring.sheets.forms.ApproveForm"},
    ("officer", "released"): {"scoring.sheets.forms.RespondForm"},
    ("officer", "voting"): {"scoring.meeting.forms.VoteForm"},
    ("anonymous", "setup"): {"core.forms.LoginForm"},
    ("council", "paper"): {"council.forms." + n for n in ("AwardForm", "BlocForm", "MergeForm", "MoveForm", "QuotaForm",
                                                          "RenameForm", "SecretariatForm", "UploadForm", "YearForm")}
    | {"covenant.forms.MemberRowForm", "covenant.forms.MembersMetaForm", "covenant.forms.UnitForm"},
    # The decision's page opens once the dossier is accepted: DecisionForm in tests/test_council_dossiers.py.
    ("council", "dossier"): {"council.forms.ReturnForm"},
}


@pytest.mark.parametrize(("role", "year"), CASES)
def test_no_input_to_any_post_form_answers_500(db, media, role, year, capsys):
    tally, ids = Tally(), [str(i) for i in (1, 2, 3, 5, 8, 13, 99, 10**9, 2**63)]
    y = YEARS[year]()
    people = _people(y)
    if role == "council":
        people["council"] = make_user(f"hd-{y.pk}", role="council", province=y.bloc.province)
    get_user_model().objects.update(password=make_password(PASSWORD))  # fast to check, for the login form
    people = {key: get_user_model().objects.get(pk=user.pk) for key, user in people.items()}
    client = Client()
    prefix = f"/blocs/{y.bloc.code}/{y.year}/"
    if role == "anonymous":
        forms = crawl(client, ["/accounts/login/", "/accounts/password/reset/"], ("/accounts/",), limit=4)
    elif role == "council":
        client.force_login(people["council"])
        start = f"/council/{y.bloc.province.code}/"
        forms = crawl(client, [start], (start,))
    else:
        client.force_login(people[role])
        forms = crawl(client, [prefix, "/"], (prefix, "/accounts/password/change/", "/verify/"), limit=160)
    fuzz(client, forms, ids, tally)
    with capsys.disabled():
        print(f"\nfuzz {role} {year}: {tally.forms} forms, {tally.inputs} inputs, "  # noqa: T201
              f"{len(tally.errors)} answers >= 500; invalid fields drawn marked in {sorted(tally.marked)}")
    assert tally.errors == [], tally.errors[:5]
    assert tally.unmarked == [], tally.unmarked[:10]
    assert MARKED.get((role, year), set()) - tally.marked == set()
    assert tally.forms and tally.inputs >= tally.forms * EXAMPLES_PER_FORM * 0.9

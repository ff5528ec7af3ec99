"""No input makes a page answer 500 (issue 11, item 5): every POST form every role is shown, fuzzed by hypothesis.

The forms are not listed by hand: each role's pages in three bloc years (setup, reporting with reports in several
states, scoring with submitted sheets) are crawled from the dashboard, and every <form method="post"> found is
posted again and again with its fields replaced by hypothesis (numbers nobody types, ids of other objects, long
and odd text, missing fields, uploads of the wrong kind). Seeded (derandomize): the same inputs every run.
Run alone: `make test ARGS=tests/test_fuzz_forms.py`; the figures are printed with -s.
"""

import re
from dataclasses import dataclass, field
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
from scoring.models import ScoreSheet
from scoring.sheets import services as sheets
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
        elif tag in {"textarea", "button"}:
            self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.setdefault(self._select, [])
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
            href = href.split("#")[0]
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


def fuzz(client: Client, forms: list[Form], ids: list[str], tally: Tally) -> None:
    client.raise_request_exception = False

    for form in forms:
        tally.forms += 1
        _fuzz_one(client, form, ids, tally)


def _fuzz_one(client: Client, form: Form, ids: list[str], tally: Tally) -> None:
    @settings(max_examples=EXAMPLES_PER_FORM, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(form_inputs(form, ids))
    def post(data):
        body = {k: SimpleUploadedFile(v[0], v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
        savepoint = transaction.savepoint()
        response = client.post(form.action, body)
        tally.inputs += 1
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
            tally.errors.append((form.action, {k: str(v)[:80] for k, v in data.items()}))
        else:
            transaction.savepoint_commit(savepoint)

    post()


@pytest.fixture
def world(db, settings, tmp_path):
    """Three bloc years of one province's blocs in the phases with forms, and their people."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    setup = make_bloc_year(units=3, year=2025, phase=BlocYear.Phase.SETUP)
    reporting = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.REPORTING)
    for period in reports.create_default_periods(bloc_year=reporting, by=None)[:2]:
        for unit, officer in zip(reporting.units[1:], reporting.officers[1:], strict=True):
            reports.start_report(period=period, unit=unit, by=officer)
    scoring = make_bloc_year(units=4, year=2025, phase=BlocYear.Phase.SCORING)
    for unit in scoring.units:
        sheet = sheets.get_or_create_sheet(bloc_year=scoring, unit=unit, by=None)
        if unit != scoring.units[-1]:
            rows = {
                i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points)
                for i in sheet.items.select_related("sub_item")
            }
            sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=None)
            ScoreSheet.objects.filter(pk=sheet.pk).update(
                status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now()
            )
    people = {}
    for y in (setup, reporting, scoring):
        people[f"secretariat-{y.pk}"] = make_user(f"vp-{y.pk}", role="secretariat", unit=y.units[0])
        people[f"officer-{y.pk}"] = y.officers[1]
        people[f"leader-{y.pk}"] = make_user(f"ld-{y.pk}", role="leader", bloc=y.bloc)
    get_user_model().objects.update(password=make_password(PASSWORD))  # fast to check, for the login form
    people = {key: get_user_model().objects.get(pk=user.pk) for key, user in people.items()}
    return {"years": [setup, reporting, scoring], "people": people}


# One case per role and bloc year, so that the parallel test workers share the load.
CASES = [(role, year) for role in ("secretariat", "officer", "leader") for year in range(3)] + [("anonymous", 0)]


@pytest.mark.parametrize(("role", "year"), CASES)
def test_no_input_to_any_post_form_answers_500(world, role, year, capsys):
    tally, ids = Tally(), [str(i) for i in (1, 2, 3, 5, 8, 13, 99, 10**9, 2**63)]
    y = world["years"][year]
    client = Client()
    prefix = f"/blocs/{y.bloc.code}/{y.year}/"
    if role == "anonymous":
        forms = crawl(client, ["/accounts/login/", "/accounts/password/reset/"], ("/accounts/",), limit=4)
    else:
        client.force_login(world["people"][f"{role}-{y.pk}"])
        forms = crawl(client, [prefix, "/"], (prefix, "/accounts/password/change/", "/verify/"))
    fuzz(client, forms, ids, tally)
    with capsys.disabled():
        print(f"\nfuzz {role} {y.get_phase_display()}: {tally.forms} forms, {tally.inputs} inputs, "  # noqa: T201
              f"{len(tally.errors)} answers >= 500")
    assert tally.errors == [], tally.errors[:5]
    assert tally.forms and tally.inputs >= tally.forms * EXAMPLES_PER_FORM * 0.9

"""Every form marks each invalid field: the input carries Bootstrap's `is-invalid` and its message is on the page,
for plain forms, formsets and the score grids (every bad score, not only the first).

`assert_every_error_is_marked` reads the forms of the response's context, so it checks whatever fields a form has;
`FORM_CASES` posts bad data to a page of each form class, and `test_every_form_class_is_covered` fails when a new
form is neither there nor in `NO_PAGE_OF_ITS_OWN`.
"""

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse

from core.models import BlocYear
from tests.marking import assert_every_error_is_marked
from tests.test_setup_forms import (
    bonus_post,
    content_post,
    covenant_post,
    criterion_post,
    members_post,
    settings_post,
    tie_breaks_post,
    year_args,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def set_phase(bloc_year, phase):
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=phase)
    bloc_year.phase = phase


def _members(by):
    rows = [(m.unit_id, m.order, m.role) for m in by.memberships.order_by("order")]
    rows[0] = (rows[0][0], "x", rows[0][2])
    rows[1] = (rows[1][0], "-3", rows[1][2])
    return "covenant:members_edit", [], members_post(by, rows=rows), 2


def _criterion(by):
    items = [{"order": 1, "text": "", "max_points": "5"}, {"order": 2, "text": "Mục", "max_points": "năm"}]
    return "scoring:criterion_create", [], criterion_post(by, items=items, title=""), 3


def _bonus(by):
    return "scoring:bonus_edit", [], bonus_post(by, rows=[(1, "", "2"), (2, "Cờ", "hai")]), 2


def _tie_breaks(by):
    return "scoring:tie_breaks_edit", [], tie_breaks_post(by, rules=[("khong-co", ""), ("total", "")]), 1


def _period(by):
    data = {"code": "q 1", "name": "", "kind": "quarter", "order": "0", "opens_on": "32/01/2025",
            "deadline": "10/04/2025", "lock_date": "ngày", "version": "", "reason": ""}
    return "reports:period_create", [], data, 5


def _account(by):
    data = {"unit": "", "username": "tên có dấu", "full_name": "", "email": "khong-phai-thu", "password": ""}
    return "covenant:account_create", [], data, 5


# Form class name: what to post (url name, extra URL args, data, the fewest fields that must be marked).
FORM_CASES = {
    "CovenantForm": lambda by: ("covenant:covenant_edit", [], covenant_post(by, signed_on="31/02/2025",
                                                                            plan_date="mai"), 2),
    "ContentForm": lambda by: ("covenant:content_create", [], content_post(title="", order="x"), 2),
    "MemberRowForm": _members,
    "MembersMetaForm": lambda by: ("covenant:members_edit", [], members_post(by, version="x"), 0),
    "ScoreboardSettingsForm": lambda by: ("scoring:settings_edit", [], settings_post(by, bonus_cap="mười",
                                                                                      score_step="-1"), 2),
    "CriterionForm": _criterion,
    "SubItemForm": _criterion,
    "BonusRowForm": _bonus,
    "TieBreakRowForm": _tie_breaks,
    "MetaForm": lambda by: ("scoring:bonus_edit", [], bonus_post(by, version="x"), 0),
    "PeriodForm": _period,
    "OfficerCreateForm": _account,
}

# Forms not covered by FORM_CASES nor by the fuzz test's MARKED (tests/test_fuzz_forms.py), and why.
NOT_REDRAWN = {
    # Bases and button-only forms: a hidden version or nothing to type.
    "core.forms.ReasonForm", "core.forms.ReasonMixin", "core.forms.VersionedForm", "scoring.meeting.forms.StateForm",
    "scoring.scoreboard.forms.PlainPointsMixin", "council.forms.AcceptForm",
    # A GET form (the public verification page): an unknown code is the page's answer.
    "documents.forms.VerifyForm",
}
# Checked by their own tests: test_self_score_grid_marks_every_bad_score, the handover and scan tests below,
# tests/test_reports_workflow.py::test_the_review_form_states_the_earliest_resubmission_date_and_marks_...
OWN_TESTS = {"scoring.sheets.forms.SheetForm", "reports.forms.ReviewForm", "covenant.forms.HandoverForm",
             "documents.forms.ScanForm", "reports.forms.ReopenForm", "council.forms.DecisionForm",
             # The score sheet's one-line forms and the overview's assignment: test_the_sheets_one_line_forms_...
             "scoring.sheets.forms.ManualDeductionForm", "scoring.sheets.forms.ReasonForm",
             "scoring.sheets.forms.AssignForm",
             # GET filters above lists and the search (issue 16 item 6): a bad value is marked at its field and left
             # out, in tests/test_find_and_act.py (test_bad_filter_values_..., accounts, evidence) and test_search.py.
             "core.forms.FilterForm", "covenant.forms.HistoryFilterForm", "covenant.forms.AccountFilterForm",
             "reports.forms.EvidenceFilterForm", "reports.forms.SearchForm"}

FORM_MODULES = ["core.forms", "covenant.forms", "reports.forms", "scoring.scoreboard.forms", "scoring.sheets.forms",
                "scoring.meeting.forms", "documents.forms", "awards.forms", "council.forms"]


def project_form_classes() -> set[str]:
    import importlib

    names = set()
    for m in FORM_MODULES:
        module = importlib.import_module(m)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == m:
                names.add(f"{m}.{name}")
    return names


def test_every_form_class_is_covered():
    from tests.test_fuzz_forms import MARKED

    by_case = {q for q in project_form_classes() if q.rsplit(".", 1)[1] in FORM_CASES}
    fuzzed = set().union(*MARKED.values())
    left = project_form_classes() - by_case - fuzzed - NOT_REDRAWN - OWN_TESTS
    assert left == set(), "a new form: add a bad POST for it to FORM_CASES or the fuzz test's MARKED"


@pytest.mark.parametrize("name", sorted(FORM_CASES))
def test_each_setup_form_marks_every_invalid_field(client, secretariat, bloc_year, name):
    client.force_login(secretariat)
    url_name, extra, data, at_least = FORM_CASES[name](bloc_year)
    response = client.post(reverse(url_name, args=[*year_args(bloc_year), *extra]), data)
    assert assert_every_error_is_marked(response) >= at_least


@pytest.fixture
def scoring_year(bloc_year):
    from scoring.sheets import services as sheets

    set_phase(bloc_year, BlocYear.Phase.SCORING)
    sheet = sheets.get_or_create_sheet(bloc_year=bloc_year, unit=bloc_year.units[1], by=bloc_year.officers[1])
    return bloc_year, sheet


def test_self_score_grid_marks_every_bad_score(client, scoring_year):
    bloc_year, sheet = scoring_year
    client.force_login(bloc_year.officers[1])
    items = list(sheet.items.select_related("sub_item").order_by("sub_item__criterion__order", "sub_item__order"))
    data = {"version": sheet.version, "save": "1"}
    bad = {items[0].sub_item_id: "mười", items[1].sub_item_id: "-1", items[2].sub_item_id: "999",
           items[3].sub_item_id: "0,3"}
    for i in items:
        data[f"i{i.sub_item_id}-score"] = bad.get(i.sub_item_id, "1")
        data[f"i{i.sub_item_id}-explanation"] = ""
    response = client.post(reverse("scores:edit", args=[*year_args(bloc_year), sheet.pk]), data)
    assert assert_every_error_is_marked(response) == 4
    page = html.unescape(response.content.decode())
    assert "không phải là số" in page and "không được âm" in page and "vượt điểm tối đa" in page
    assert "không đúng bước điểm" in page
    sheet.refresh_from_db()
    assert all(i.self_score is None for i in sheet.items.all())


def test_the_sheets_one_line_forms_mark_their_fields_where_they_sit(client, secretariat, scoring_year):
    from scoring.sheets import services as sheets
    from scoring.sheets.models import Deduction
    from tests.test_fuzz_forms import _submitted_sheets

    bloc_year, sheet = scoring_year
    _submitted_sheets(bloc_year, [sheet.unit])  # a unit's draft is its own: the secretariat sees submitted sheets
    client.force_login(secretariat)
    add = reverse("scores:deduction_add", args=[*year_args(bloc_year), sheet.pk])
    response = client.post(add, {"points": "", "reason": ""})
    assert assert_every_error_is_marked(response) == 2
    assert 'id="deduction-add"' in response.content.decode()
    # Past the form, the service's refusal of the points is shown at the points too.
    response = client.post(add, {"points": "mười", "reason": "Vi phạm quy chế"})
    assert assert_every_error_is_marked(response) == 1
    assert response.context["deduction_form"]["reason"].value() == "Vi phạm quy chế"  # what was typed stays
    deduction = sheets.add_manual_deduction(sheet=sheet, points="1", reason="Vi phạm", by=secretariat)
    remove = reverse("scores:deduction_remove", args=[*year_args(bloc_year), deduction.pk])
    assert assert_every_error_is_marked(client.post(remove, {"reason": " "})) == 1
    assert Deduction.objects.filter(pk=deduction.pk).exists()


def test_the_overviews_assignment_marks_a_tampered_choice(client, secretariat, scoring_year):
    bloc_year, _ = scoring_year
    client.force_login(secretariat)
    response = client.post(reverse("scores:assign", args=year_args(bloc_year)), {"mode": "boc-tham-gia"})
    assert assert_every_error_is_marked(response) == 1
    assert "Hãy chọn cách thẩm định." in response.content.decode()


def test_report_form_marks_a_missing_summary(client, bloc_year):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports import services as reports

    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    period = reports.create_default_periods(bloc_year=bloc_year, by=None)[0]
    report = reports.start_report(period=period, unit=bloc_year.units[1], by=bloc_year.officers[1])
    client.force_login(bloc_year.officers[1])
    url = reverse("reports:edit", args=[*year_args(bloc_year), report.pk])
    data = {"version": report.version, "save": "1", "general_proposals": ""}
    first = report.sections.order_by("content__order").first()
    data[f"s{first.content_id}-upload"] = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(url, data)
    assert assert_every_error_is_marked(response) >= 1


def test_the_handover_form_marks_a_missing_choice_and_a_foreign_account(db, client):
    from core import lifecycle
    from tests.test_settled_handover import rotated

    year, outgoing = rotated()
    lifecycle.start_next_year(previous=year, by=outgoing)
    client.force_login(outgoing)
    url = reverse("covenant:handover", args=year_args(year))
    assert assert_every_error_is_marked(client.post(url, {})) == 1
    stranger = year.officers[2]  # of a unit that is not next year's head
    assert assert_every_error_is_marked(client.post(url, {"users": [stranger.pk]})) == 1


def test_the_register_marks_a_refused_signed_scan_at_its_row(client, secretariat, bloc_year, settings, tmp_path):
    from documents import services as documents
    from documents.models import IssuedDocument

    settings.MEDIA_ROOT = tmp_path
    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    client.force_login(secretariat)
    issue = reverse("documents:issue", args=year_args(bloc_year))
    page = client.post(issue, {"document": "plan::", "issued_on": "31/02/2025", "number": ""})
    assert assert_every_error_is_marked(page) >= 1
    entry = documents.issue_document(bloc_year=bloc_year, kind_code="plan", unit=None, period=None,
                                     issued_on=datetime.date(2025, 1, 10), number=None, by=secretariat)
    assert IssuedDocument.objects.filter(pk=entry.pk).exists()
    response = client.post(reverse("documents:scan_upload", args=[*year_args(bloc_year), entry.pk]), {})
    assert assert_every_error_is_marked(response) == 1
    assert f'aria-describedby="scan-error-{entry.pk}"' in response.content.decode()


def test_reopening_an_accepted_report_marks_a_missing_reason_and_a_bad_date(client, secretariat, bloc_year):
    from reports import services as reports

    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    period = reports.create_default_periods(bloc_year=bloc_year, by=None)[0]
    unit, officer = bloc_year.units[1], bloc_year.officers[1]
    when = datetime.datetime.combine(period.opens_on, datetime.time(9), tzinfo=VN) + datetime.timedelta(days=1)
    report = reports.start_report(period=period, unit=unit, by=officer, at=when)
    sections = {s.content_id: reports.SectionData(done="Hoàn thành.") for s in report.sections.all()}
    report = reports.save_report(report=report, sections=sections, general_proposals="", expected_version=None,
                                 by=officer, at=when)
    report = reports.submit_report(report=report, expected_version=report.version, by=officer, at=when)
    reports.accept_report(report=report, expected_version=report.version, by=secretariat, at=when)
    client.force_login(secretariat)
    url = reverse("reports:reopen", args=[*year_args(bloc_year), report.pk])
    assert assert_every_error_is_marked(client.post(url, {"reason": "", "due": "31/02/2026"})) == 2
    assert type(report).objects.get(pk=report.pk).status == "accepted"

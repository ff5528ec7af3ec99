"""Drafts and unreleased reviews appear in no output for anyone who may not open them (issue 11, item 2).

Secrets are planted where only their owner may read them: unit B's draft report, draft evidence (its summary and file
name) and draft self-score explanation; the reviewer's reason on unit A's sheet before the review is released. Then
every page (every GET route of the permission matrix), every PDF (text extracted), every Excel export (every cell)
and every history is fetched as every persona, before and after the release, and searched for the secrets.
"""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core import dataversion
from core.models import BlocYear
from scoring.models import ScoringRound
from tests.test_permissions import DOCUMENT_KINDS, OWN_RULES, PDF, POST_ONLY, ROLES, ROUTE_KINDS, VN, named_routes
from tests.test_permissions import url_for as matrix_url

DRAFT_SECRETS = ("Zq7DraftReportText", "Zq7DraftEvidenceSummary", "zq7draftfile", "Zq7DraftSelfExplanation")
REVIEW_SECRET = "Zq7ReviewReasonText"


def may_see(role: str, secret: str, released: bool) -> bool:
    if secret in DRAFT_SECRETS:
        return role == "officer_b"  # unit B's own officer
    # The review of unit A's sheet: its readers and reviewer at once, unit A once released; unit B never opens it.
    if role == "officer_a":
        return released
    return role not in ("officer_b", "anonymous", "other_secretariat")


@pytest.fixture
def planted(bloc_year, officer_a, officer_b, secretariat, settings, tmp_path):
    from reports import services as reports
    from scoring.models import Ballot, ScoringRound
    from scoring.sheets import services as sheets

    settings.MEDIA_ROOT = tmp_path / "media"
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.REPORTING)
    bloc_year.phase = BlocYear.Phase.REPORTING
    when = datetime.datetime(2025, 4, 2, 9, 0, tzinfo=VN)
    periods = reports.create_default_periods(bloc_year=bloc_year, by=None, at=when)
    a, b = bloc_year.units[1], bloc_year.units[2]
    evidence = reports.add_evidence(
        bloc_year=bloc_year,
        unit=a,
        upload=SimpleUploadedFile("qd.pdf", PDF),
        summary="Quyết định số 1",
        by=officer_a,
        at=when,
    )
    report = reports.start_report(period=periods[0], unit=a, by=officer_a, at=when)
    sections = {s.content_id: reports.SectionData(done="Đã thực hiện.") for s in report.sections.all()}
    sections[bloc_year.contents[0].pk].evidence_ids = [evidence.pk]
    report = reports.save_report(
        report=report, sections=sections, general_proposals="", expected_version=None, by=officer_a, at=when
    )
    bloc_year.the_report = reports.submit_report(report=report, expected_version=report.version, by=officer_a, at=when)
    bloc_year.the_evidence = evidence
    # Unit B's drafts.
    draft_evidence = reports.add_evidence(
        bloc_year=bloc_year,
        unit=b,
        upload=SimpleUploadedFile("zq7draftfile.pdf", PDF),
        summary="Zq7DraftEvidenceSummary",
        by=officer_b,
        at=when,
    )
    draft = reports.start_report(period=periods[0], unit=b, by=officer_b, at=when)
    sections = {s.content_id: reports.SectionData(done="Zq7DraftReportText") for s in draft.sections.all()}
    sections[bloc_year.contents[0].pk].evidence_ids = [draft_evidence.pk]
    reports.save_report(
        report=draft, sections=sections, general_proposals="", expected_version=None, by=officer_b, at=when
    )

    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=BlocYear.Phase.SCORING)
    bloc_year.phase = BlocYear.Phase.SCORING
    sheet = sheets.get_or_create_sheet(bloc_year=bloc_year, unit=a, by=officer_a)
    rows = {
        i.sub_item_id: sheets.SelfRow(
            score=i.sub_item.max_points,
            explanation="Hoàn thành",
            evidence_ids=[evidence.pk] if i.sub_item.evidence_required else [],
        )
        for i in sheet.items.select_related("sub_item")
    }
    sheet = sheets.save_self_score(sheet=sheet, rows=rows, claims={}, expected_version=None, by=officer_a)
    sheet = sheets.submit_sheet(sheet=sheet, expected_version=sheet.version, by=officer_a)
    draft_sheet = sheets.get_or_create_sheet(bloc_year=bloc_year, unit=b, by=officer_b)
    rows = {
        i.sub_item_id: sheets.SelfRow(score=i.sub_item.max_points, explanation="Zq7DraftSelfExplanation")
        for i in draft_sheet.items.select_related("sub_item")
    }
    sheets.save_self_score(sheet=draft_sheet, rows=rows, claims={}, expected_version=None, by=officer_b)
    sheets.assign_reviewers(bloc_year=bloc_year, mode=ScoringRound.Mode.SECRETARIAT, by=secretariat)
    items = list(sheet.items.select_related("sub_item").order_by("pk"))
    review = {i.sub_item_id: sheets.ReviewRow(score=i.sub_item.max_points) for i in items}
    review[items[0].sub_item_id] = sheets.ReviewRow(score=items[0].sub_item.max_points - 1, reason=REVIEW_SECRET)
    bloc_year.the_sheet = sheets.save_review(sheet=sheet, rows=review, expected_version=None, by=secretariat)
    bloc_year.the_deduction = sheets.add_manual_deduction(sheet=sheet, points="1", reason="Vi phạm", by=secretariat)
    bloc_year.the_ballot = Ballot.objects.create(bloc_year=bloc_year, kind=Ballot.Kind.FLAG)
    bloc_year.unit_b = b
    # The inbox's "open" route needs a notification (one of unit A's, naming nothing secret).
    from core import notifications

    notifications.notify([officer_a], "Đã mở chấm điểm.", reverse("workspace:dashboard", args=[
        bloc_year.bloc.code, bloc_year.year]), bloc_year=bloc_year)
    bloc_year.the_notification = officer_a.notifications.order_by("-pk").first()
    return bloc_year


def outputs(bloc_year) -> list[str]:
    """Every GET route of the matrix, plus every document kind for the bloc and for both units."""
    from documents.registry import load_all

    urls = []
    for name, kwarg_names in sorted(named_routes().items()):
        # A signed record copy needs an issued document, which this year has none of (nothing to leak there).
        if "entry_pk" in kwarg_names:
            continue
        if (name in ROUTE_KINDS or name in OWN_RULES) and name not in POST_ONLY and name not in DOCUMENT_KINDS:
            urls.append(matrix_url(name, kwarg_names, bloc_year))
    base = {"code": bloc_year.bloc.code, "year": bloc_year.year}
    units = (bloc_year.units[1].pk, bloc_year.unit_b.pk)
    for code, kind in load_all().items():
        if kind.needs_unit and kind.needs_period:
            for unit_pk in units:
                kwargs = {**base, "unit_pk": unit_pk, "period_pk": bloc_year.the_report.period_id}
                urls.append(reverse("documents:progress_pdf", kwargs=kwargs))
        elif kind.needs_unit:
            urls += [reverse("documents:unit_pdf", kwargs={**base, "kind": code, "unit_pk": u}) for u in units]
        elif not kind.needs_period:
            urls.append(reverse("documents:pdf", kwargs={**base, "kind": code}))
    return urls


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type and body.startswith(b"%PDF") and b"startxref" in body:  # not the uploaded stub file
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheet" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body))
        return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    return body.decode("utf-8", "replace")


def search(client, personas, bloc_year, released: bool) -> tuple[list[str], int, set[str]]:
    leaks, fetched, kinds = [], 0, set()
    urls = outputs(bloc_year)
    for role in ROLES:
        client.logout()
        if personas[role] is not None:
            client.force_login(personas[role])
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            fetched += 1
            kinds.add(response.get("Content-Type", "").split(";")[0])
            text = text_of(response)
            for secret in (*DRAFT_SECRETS, REVIEW_SECRET):
                if secret in text and not may_see(role, secret, released):
                    leaks.append(f"{role} {url}: {secret}")
    return leaks, fetched, kinds


@pytest.mark.django_db
def test_no_output_shows_a_draft_or_an_unreleased_review_to_anyone_who_may_not_open_it(client, personas, planted):
    leaks, fetched, kinds = search(client, personas, planted, released=False)
    assert leaks == []
    assert {"text/html", "application/pdf"} <= kinds and any("spreadsheet" in k for k in kinds)
    assert fetched > 100
    # The owner does see its drafts, and the reviewer its reason (the search can find what it looks for).
    client.force_login(personas["officer_b"])
    page = client.get(reverse("reports:report", args=[planted.bloc.code, planted.year, planted.the_report.pk]))
    assert page.status_code == 404  # unit A's report: not unit B's business
    client.force_login(personas["secretariat"])
    sheet = client.get(reverse("scores:sheet", args=[planted.bloc.code, planted.year, planted.the_sheet.pk]))
    assert REVIEW_SECRET in sheet.content.decode()
    history = client.get(reverse("covenant:history", args=[planted.bloc.code, planted.year])).content.decode()
    assert "(bản nháp)" in history

    # Released as release_review would, without reviewing the other units (unit B's sheet must stay a draft).
    ScoringRound.objects.filter(bloc_year=planted).update(released_at=timezone.now())
    dataversion.changed(planted.bloc_id, planted.pk)
    leaks, _fetched, _kinds = search(client, personas, planted, released=True)
    assert leaks == []
    client.force_login(personas["officer_a"])
    sheet = client.get(reverse("scores:sheet", args=[planted.bloc.code, planted.year, planted.the_sheet.pk]))
    assert REVIEW_SECRET in sheet.content.decode()

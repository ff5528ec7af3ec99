"""Document texts never take the interface language (issue 14 item 4): a year opened from an English page
stores Vietnamese titles and prints Vietnamese PDFs; titles stored in English before are repaired."""

import importlib
import re
import subprocess

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from covenant.models import Covenant
from documents.models import DocumentSetup
from documents.registry import load_all
from reports.models import ReportingPeriod
from scoring.models import Scoreboard
from tests.personas import make_bloc_year, make_user

ENGLISH = re.compile(
    r"\b(emulation|covenant|scoreboard|report|recipients|bloc head|filed|council|minutes|submission)\b", re.I
)


def english_client(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_year_opened_in_english_stores_and_prints_vietnamese(client, db):
    year = make_bloc_year(units=3, year=2025)
    secretariat = make_user("vp-en", role="secretariat", unit=year.units[0])
    client = english_client(client, secretariat)
    page = client.get(reverse("workspace:dashboard", args=[year.bloc.code, 2025])).content.decode()
    assert '<html lang="en"' in page
    response = client.post(reverse("covenant:start_next_year", args=[year.bloc.code, 2025]))
    assert response.status_code == 302
    new = year.bloc.years.get(year=2026)
    client.post(reverse("reports:periods_default", args=[year.bloc.code, 2026]))

    # The setup pages, shown and saved in English, keep the Vietnamese defaults.
    kinds = [k for k in load_all().values() if not k.needs_unit]
    for kind in kinds:
        url = reverse("documents:setup", args=[year.bloc.code, 2026, kind.code])
        form = client.get(url).context["form"]
        data = {f: form.initial.get(f) or "" for f in form.fields}
        assert client.post(url, data).status_code == 302, kind.code

    titles = [Covenant.objects.get(bloc_year=new).title, Scoreboard.objects.get(bloc_year=new).title]
    titles += list(ReportingPeriod.objects.filter(bloc_year=new).values_list("name", flat=True))
    assert titles[:2] == ["Giao ước thi đua năm 2026", "Bảng điểm thi đua năm 2026"]
    assert len(titles) > 2 and all(name.startswith("Báo cáo") for name in titles[2:])
    for setup in DocumentSetup.objects.filter(bloc_year=new):
        stored = " ".join([setup.authority, setup.signer_title, setup.recipients, setup.issuing_body])
        assert not ENGLISH.search(stored), (setup.kind, stored)
        assert setup.authority == "KHỐI THI ĐUA" and setup.signer_title == "TRƯỞNG KHỐI"

    # Every bloc document of the year, asked for from the English page, prints Vietnamese.
    for kind in kinds:
        response = client.get(reverse("documents:pdf", args=[year.bloc.code, 2026, kind.code]))
        assert response.status_code == 200, kind.code
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, kind.code
        assert not ENGLISH.search(text.replace("http://", "")), (kind.code, ENGLISH.search(text).group(0))
    assert "EMULATION COVENANT" not in text and "GIAO ƯỚC THI ĐUA NĂM 2026" in subprocess.run(
        ["pdftotext", "-", "-"],
        input=client.get(reverse("documents:pdf", args=[year.bloc.code, 2026, "covenant"])).content,
        capture_output=True,
        check=True,
    ).stdout.decode()


def test_titles_stored_in_english_are_repaired_by_the_data_migration(db):
    year = make_bloc_year(units=3, year=2027)
    Covenant.objects.filter(bloc_year=year).update(title="Emulation covenant 2027")
    Scoreboard.objects.filter(bloc_year=year).update(title="Scoreboard 2027")
    ReportingPeriod.objects.create(
        bloc_year=year, code="q1", kind=ReportingPeriod.Kind.QUARTER, name="First-quarter report", order=1,
        opens_on="2027-01-01", deadline="2027-04-10", lock_date="2027-04-30",
    )
    DocumentSetup.objects.create(
        bloc_year=year, kind="summary", authority="EMULATION BLOC", signer_title="BLOC HEAD",
        recipients="Provincial Emulation and Commendation Council\nSở Tài chính",
    )
    migration = importlib.import_module("documents.migrations.0003_i14_vietnamese_titles")
    migration.repair(apps, None)
    assert Covenant.objects.get(bloc_year=year).title == "Giao ước thi đua năm 2027"
    assert Scoreboard.objects.get(bloc_year=year).title == "Bảng điểm thi đua năm 2027"
    assert ReportingPeriod.objects.get(bloc_year=year, code="q1").name == "Báo cáo quý I"
    setup = DocumentSetup.objects.get(bloc_year=year, kind="summary")
    assert (setup.authority, setup.signer_title) == ("KHỐI THI ĐUA", "TRƯỞNG KHỐI")
    assert setup.recipients == "Hội đồng Thi đua - Khen thưởng tỉnh\nSở Tài chính"

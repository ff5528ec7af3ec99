"""Decree 30/2020/NĐ-CP conventions: date line, number and symbol, signature block, numbers."""

import datetime
import hashlib
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Bloc, BlocYear, Membership
from documents.models import DocumentSetup


def vn_date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def date_line(place: str, day: datetime.date | None, year: int | None = None) -> str:
    """ "Kon Tum, ngày 16 tháng 5 năm 2017": days under 10 and the months 1 and 2 take a leading zero.
    Without a date the day and month are left blank for the office to write in."""
    if day is None:
        blank = "\u00a0" * 6
        return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % {
            "place": place,
            "day": blank,
            "month": blank,
            "year": year or timezone.localdate().year,
        }
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % {
        "place": place,
        "day": f"{day.day:02d}",
        "month": month,
        "year": day.year,
    }


def bloc_abbreviation(bloc: Bloc) -> str:
    """khoi-tckt → KTCKT (K for khối, then the code's letters)."""
    return "K" + bloc.code.removeprefix("khoi-").replace("-", "").upper()


def head_unit(bloc_year: BlocYear):
    m = Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD).select_related("unit").first()
    return m.unit if m else None


def setup_for(bloc_year: BlocYear, kind) -> DocumentSetup:
    """The year's setup for this kind; a new one starts from the bloc's latest setup of the same kind."""
    setup = DocumentSetup.objects.filter(bloc_year=bloc_year, kind=kind.code).first()
    if setup is not None:
        return setup
    previous = (
        DocumentSetup.objects.filter(bloc_year__bloc=bloc_year.bloc, kind=kind.code)
        .order_by("-bloc_year__year")
        .first()
    )
    if previous is not None:
        previous.pk, previous.bloc_year, previous.number, previous.issued_on = None, bloc_year, "", None
        return previous
    head = head_unit(bloc_year)
    setup = DocumentSetup(
        bloc_year=bloc_year,
        kind=kind.code,
        parent_body=(bloc_year.bloc.parent_body or bloc_year.bloc.province.name).upper(),
        issuing_body=bloc_year.bloc.name.upper(),
        symbol=f"{kind.doc_type}-{bloc_abbreviation(bloc_year.bloc)}",
        place=bloc_year.bloc.province.name,
        sign_form=DocumentSetup.SignForm.TM,
        authority=_("KHỐI THI ĐUA").upper(),
        signer_title=_("TRƯỞNG KHỐI").upper(),
        signer_name=head.head_name if head else "",
        recipients="\n".join(str(r) for r in kind.default_recipients),
    )
    if kind.prefill is not None:
        kind.prefill(setup, bloc_year)
    return setup


def header_data(setup: DocumentSetup, issue) -> dict:
    """The decree 30 header and signature of a bloc document: the setup's bodies and signer, the issue's number
    and date (documents/grounds.py: the register's, else the setup's)."""
    recipients = [r.strip().rstrip(";.") for r in setup.recipients.splitlines() if r.strip()]
    return {
        "parent_body": setup.parent_body.upper(),
        "issuing_body": setup.issuing_body.upper(),
        "number_line": _("Số: %(number)s/%(symbol)s")
        % {"number": issue.number or "\u2002\u2002\u2002", "symbol": setup.symbol},
        "date_line": date_line(setup.place, issue.day, issue.year),
        "sign_form": setup.sign_form,
        "authority": setup.authority.upper(),
        "signer_title": setup.signer_title.upper(),
        "signer_name": setup.signer_name,
        "recipients": recipients,
    }


def digest(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verification_code(kind, bloc_year: BlocYear, unit, period, data_digest: str) -> str:
    parts = [kind.short, str(bloc_year.bloc_id), str(bloc_year.year)]
    if unit is not None:
        parts.append(f"U{unit.pk}")
    if period is not None:
        parts.append(f"P{period.pk}")
    parts.append(data_digest[:10].upper())
    return "-".join(parts)


def parse_code(code: str) -> dict | None:
    parts = code.strip().upper().split("-")
    if len(parts) < 4:
        return None
    try:
        out = {
            "short": parts[0],
            "bloc_id": int(parts[1]),
            "year": int(parts[2]),
            "digest": parts[-1],
            "unit_id": None,
            "period_id": None,
        }
        for p in parts[3:-1]:
            if p.startswith("U"):
                out["unit_id"] = int(p[1:])
            elif p.startswith("P"):
                out["period_id"] = int(p[1:])
            else:
                return None
    except ValueError:
        return None
    return out

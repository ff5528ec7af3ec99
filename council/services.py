"""The council's workflow: the province's blocs, their members and secretariat accounts, units renamed, merged and
moved between years; the award quota; the dossiers submitted by the blocs, checked, returned or accepted, and the
decisions recorded into the units' award history.

Every function is atomic, takes the acting user and time, records what it changed and raises ServiceError with a
translated message when the change is not allowed.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from awards import services as awards
from awards.models import Award
from core import lifecycle, notifications
from core.audit import Actor, bump_version, record, snapshot
from core.errors import ServiceError
from core.models import Bloc, BlocYear, Membership, Profile, Province, Unit
from council.models import Dossier, Quota, UnitEvent
from covenant import services as covenant
from reports.models import ProgressReport, ReportingPeriod
from scoring.meeting.models import AwardProposal, Ballot, ReviewMeeting
from scoring.meeting.services import results

User = get_user_model()

BLOC_FIELDS = ("code", "name", "parent_body", "description")


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# Blocs and their years ----------------------------------------------------------------------------


@transaction.atomic
def save_bloc(
    *,
    province: Province,
    bloc: Bloc | None,
    data: dict,
    by: Actor,
    at: datetime.datetime | None = None,
) -> Bloc:
    """Create a bloc of the province, or change its name and description (its code stays)."""
    if bloc is None:
        code = data["code"]
        if Bloc.objects.filter(code=code).exists():
            raise ServiceError(_("Mã khối “%(code)s” đã được dùng.") % {"code": code}, field="code")
        try:
            with transaction.atomic():
                bloc = Bloc.objects.create(province=province, **{f: data.get(f, "") for f in BLOC_FIELDS})
        except IntegrityError:
            raise ServiceError(_("Mã khối “%(code)s” đã được dùng.") % {"code": code}, field="code") from None
        record(bloc_year=None, by=by, action="bloc.create", target=bloc, after=snapshot(bloc, BLOC_FIELDS), at=at)
        return bloc
    if bloc.province_id != province.pk:
        raise ServiceError(_("Khối không thuộc tỉnh này."))
    before = snapshot(bloc, BLOC_FIELDS)
    for f in ("name", "parent_body", "description"):
        if f in data:
            setattr(bloc, f, data[f])
    bloc.save()
    if before != snapshot(bloc, BLOC_FIELDS):
        record(bloc_year=None, by=by, action="bloc.change", target=bloc, before=before,
               after=snapshot(bloc, BLOC_FIELDS), at=at)
    return bloc


@transaction.atomic
def open_year(*, bloc: Bloc, year: int, by: Actor, at: datetime.datetime | None = None) -> BlocYear:
    """Open a year for a bloc: from the year before when the bloc has it (members, covenant, scoreboard copied),
    otherwise empty."""
    latest = BlocYear.objects.filter(bloc=bloc).order_by("-year").first()
    if latest is not None and year <= latest.year:
        raise ServiceError(_("Khối đã có năm %(year)s trở về sau.") % {"year": latest.year}, field="year")
    if latest is not None and latest.year == year - 1:
        return lifecycle.start_next_year(previous=latest, by=by, at=at)
    return lifecycle.create_bloc_year(bloc=bloc, year=year, by=by, at=at)


def merged_unit_ids(province: Province, year: int) -> set[int]:
    """Units that have been merged into another by that year: no bloc takes them any more."""
    return set(
        UnitEvent.objects.filter(unit__province=province, kind=UnitEvent.Kind.MERGE, year__lte=year).values_list(
            "unit_id", flat=True
        )
    )


def units_offered(bloc_year: BlocYear):
    """The units a bloc year may list: free that year and not merged away."""
    merged = merged_unit_ids(bloc_year.bloc.province, bloc_year.year)
    return covenant.units_free_for(bloc_year).exclude(pk__in=merged)


def save_members(
    *,
    bloc_year: BlocYear,
    rows: Sequence[covenant.MemberRow],
    expected_version: int | None,
    by: Actor,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> None:
    """The council sets a bloc year's member units (the same rules as the secretariat's own list)."""
    merged = merged_unit_ids(bloc_year.bloc.province, bloc_year.year)
    gone = [r.unit for r in rows if r.unit.pk in merged]
    if gone:
        raise ServiceError(
            _("Đơn vị “%(unit)s” đã sáp nhập vào đơn vị khác, không thể là thành viên.") % {"unit": gone[0].name}
        )
    covenant.save_members(
        bloc_year=bloc_year, rows=rows, expected_version=expected_version, by=by, reason=reason, at=at
    )


@transaction.atomic
def create_secretariat(
    *,
    bloc_year: BlocYear,
    username: str,
    full_name: str,
    email: str,
    password: str,
    by: Actor,
    at: datetime.datetime | None = None,
) -> "AbstractUser":
    """An account of the bloc's secretariat: the office of the year's head unit, which runs the bloc's paperwork."""
    head = Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD).select_related("unit").first()
    if head is None:
        raise ServiceError(_("Năm thi đua chưa có Trưởng khối: hãy chọn đơn vị Trưởng khối trước."))
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username")
    first, _sep, last = full_name.strip().rpartition(" ")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password, first_name=first, last_name=last or full_name
            )
    except IntegrityError:
        raise ServiceError(
            _("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username}, field="username"
        ) from None
    Profile.objects.create(user=user, role=Profile.Role.SECRETARIAT, unit=head.unit)
    record(
        bloc_year=bloc_year,
        by=by,
        action="account.create_secretariat",
        target=user,
        after={"username": username, "unit": str(head.unit)},
        at=at,
    )
    return user


def secretariat_accounts(bloc_year: BlocYear):
    """The secretariat accounts of the year's head unit."""
    return User.objects.filter(
        profile__role=Profile.Role.SECRETARIAT,
        profile__unit__memberships__bloc_year=bloc_year,
        profile__unit__memberships__role=Membership.Role.HEAD,
    ).order_by("username")


# Units between years ------------------------------------------------------------------------------


def _remove_from_year(membership: Membership, *, by: Actor, reason: str, at: datetime.datetime | None) -> None:
    bloc_year = membership.bloc_year
    if membership.role == Membership.Role.HEAD:
        raise ServiceError(
            _("Đơn vị “%(unit)s” là Trưởng khối của %(bloc)s năm %(year)s: hãy chọn Trưởng khối khác trước.")
            % {"unit": membership.unit.name, "bloc": bloc_year.bloc.name, "year": bloc_year.year}
        )
    rest = [
        covenant.MemberRow(unit=m.unit, order=m.order, role=m.role)
        for m in bloc_year.memberships.select_related("unit").exclude(pk=membership.pk)
    ]
    covenant.save_members(bloc_year=bloc_year, rows=rest, expected_version=None, by=by, reason=reason, at=at)


@transaction.atomic
def move_unit(
    *,
    unit: Unit,
    to: BlocYear,
    by: Actor,
    note: str = "",
    at: datetime.datetime | None = None,
) -> UnitEvent:
    """Place a unit in another bloc for a year: it leaves the bloc it was listed in that year (if any) and joins the
    target's list last. The unit keeps its identity: its earlier years, ranks and awards stay with it."""
    at = _now(at)
    if to.bloc.province_id != unit.province_id:
        raise ServiceError(_("Khối đích không thuộc tỉnh của đơn vị."))
    if unit.pk in merged_unit_ids(to.bloc.province, to.year):
        raise ServiceError(_("Đơn vị đã sáp nhập vào đơn vị khác, không thể chuyển khối."))
    current = (
        Membership.objects.filter(unit=unit, year=to.year).select_related("bloc_year__bloc", "unit").first()
    )
    if current is not None and current.bloc_year_id == to.pk:
        raise ServiceError(_("Đơn vị đã là thành viên của khối này trong năm %(year)s.") % {"year": to.year})
    previous = (
        Membership.objects.filter(unit=unit, year__lt=to.year).select_related("bloc_year__bloc").order_by("-year")
        .first()
    )
    reason = note.strip() or _("Chuyển đơn vị “%(unit)s” sang %(bloc)s.") % {"unit": unit.name, "bloc": to.bloc.name}
    if current is not None:
        _remove_from_year(current, by=by, reason=reason, at=at)
    rows = [covenant.MemberRow(unit=m.unit, order=m.order, role=m.role)
            for m in to.memberships.select_related("unit")]
    last = to.memberships.aggregate(n=Max("order"))["n"] or 0
    rows.append(covenant.MemberRow(unit=unit, order=last + 1, role=Membership.Role.MEMBER))
    covenant.save_members(bloc_year=to, rows=rows, expected_version=None, by=by, reason=reason, at=at)
    from_bloc = current.bloc_year.bloc if current is not None else (previous.bloc_year.bloc if previous else None)
    event = UnitEvent.objects.create(
        unit=unit, kind=UnitEvent.Kind.MOVE, year=to.year, from_bloc=from_bloc, to_bloc=to.bloc, note=note, at=at,
        by=by,
    )
    record(
        bloc_year=to, by=by, action="unit.move", target=unit, at=at, reason=note,
        after={"from": from_bloc.name if from_bloc else None, "to": to.bloc.name, "year": to.year},
    )
    return event


@transaction.atomic
def rename_unit(
    *,
    unit: Unit,
    name: str,
    short_name: str,
    year: int,
    by: Actor,
    note: str = "",
    at: datetime.datetime | None = None,
) -> UnitEvent:
    """A new official name from a year on; the old one is kept in the unit's history."""
    at = _now(at)
    name, short_name = name.strip(), short_name.strip()
    if not name or not short_name:
        raise ServiceError(_("Phải nhập tên mới và tên viết tắt."), field="name")
    if name == unit.name and short_name == unit.short_name:
        raise ServiceError(_("Tên mới trùng với tên hiện tại."), field="name")
    before = snapshot(unit, ("name", "short_name"))
    event = UnitEvent.objects.create(
        unit=unit, kind=UnitEvent.Kind.RENAME, year=year, old_name=unit.name, new_name=name, note=note, at=at, by=by
    )
    unit.name, unit.short_name = name, short_name
    unit.save(update_fields=["name", "short_name"])
    record(bloc_year=None, by=by, action="unit.rename", target=unit, before=before,
           after=snapshot(unit, ("name", "short_name")), reason=note, at=at)
    return event


@transaction.atomic
def merge_unit(
    *,
    unit: Unit,
    into: Unit,
    year: int,
    by: Actor,
    note: str = "",
    at: datetime.datetime | None = None,
) -> UnitEvent:
    """The unit is merged into another from a year on: it leaves the unpublished lists of that year and later, and
    its history is shown with the unit that absorbed it."""
    at = _now(at)
    if into.pk == unit.pk:
        raise ServiceError(_("Không thể sáp nhập đơn vị vào chính nó."), field="into")
    if into.province_id != unit.province_id:
        raise ServiceError(_("Hai đơn vị phải cùng một tỉnh."), field="into")
    if UnitEvent.objects.filter(unit=unit, kind=UnitEvent.Kind.MERGE).exists():
        raise ServiceError(_("Đơn vị đã được sáp nhập trước đó."))
    if UnitEvent.objects.filter(unit=into, kind=UnitEvent.Kind.MERGE).exists():
        raise ServiceError(_("Đơn vị nhận sáp nhập đã được sáp nhập vào đơn vị khác."), field="into")
    reason = note.strip() or _("Sáp nhập vào “%(unit)s”.") % {"unit": into.name}
    later = Membership.objects.filter(unit=unit, year__gte=year).select_related("bloc_year__bloc", "unit")
    for m in later:
        if m.bloc_year.is_published:
            raise ServiceError(
                _("Đơn vị có kết quả đã công bố năm %(year)s: chỉ có thể sáp nhập từ năm sau năm đó.")
                % {"year": m.year},
                field="year",
            )
        _remove_from_year(m, by=by, reason=reason, at=at)
    event = UnitEvent.objects.create(
        unit=unit, kind=UnitEvent.Kind.MERGE, year=year, into=into, old_name=unit.name, new_name=into.name,
        note=note, at=at, by=by,
    )
    record(bloc_year=None, by=by, action="unit.merge", target=unit, reason=note, at=at,
           after={"into": into.name, "year": year})
    return event


# The award quota --------------------------------------------------------------------------------------


@transaction.atomic
def set_quota(
    *, province: Province, year: int, flags: int, certificates: int, by: Actor, at: datetime.datetime | None = None
) -> Quota:
    """How many flags and certificates the province's blocs may be given for a year."""
    quota = Quota.objects.filter(province=province, year=year).first()
    before = snapshot(quota, ("flags", "certificates"))
    if quota is None:
        quota = Quota.objects.create(province=province, year=year, flags=flags, certificates=certificates)
    else:
        quota.flags, quota.certificates = flags, certificates
        quota.version += 1
        quota.save()
    record(bloc_year=None, by=by, action="quota.set", target=quota, before=before,
           after=snapshot(quota, ("flags", "certificates")), at=at)
    return quota


# Dossiers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str


def proposals_of(bloc_year: BlocYear) -> list:
    return list(AwardProposal.objects.filter(bloc_year=bloc_year).select_related("unit").order_by("award", "order"))


def checklist(bloc_year: BlocYear) -> list[Check]:
    """What the council checks in a dossier: the minutes, the vote, the achievement reports, the quota."""
    proposals = proposals_of(bloc_year)
    checks: list[Check] = []

    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).first()
    present = meeting.present_units.count() if meeting is not None else 0
    minutes_ok = meeting is not None and meeting.held_on is not None and present > 0
    if minutes_ok and meeting is not None and meeting.held_on is not None:
        day = meeting.held_on.strftime("%d/%m/%Y")
        detail = _("Họp ngày %(day)s, %(n)s đơn vị có mặt.") % {"day": day, "n": present}
    else:
        detail = _("Chưa có biên bản hội nghị (ngày họp, đơn vị có mặt).")
    checks.append(Check("minutes", _("Biên bản hội nghị tổng kết"), minutes_ok, detail))

    members = bloc_year.memberships.count()
    ballot_kind = {AwardProposal.Award.FLAG: Ballot.Kind.FLAG, AwardProposal.Award.CERTIFICATE: Ballot.Kind.CERTIFICATE}
    ballots = {b.kind: b for b in Ballot.objects.filter(bloc_year=bloc_year, kind__in=ballot_kind.values())}
    passed: dict[str, set[int]] = {}
    for kind, ballot in ballots.items():
        if ballot.status == Ballot.Status.CLOSED:
            outcome = results(ballot, members)
            passed[kind] = {r.candidate.unit_id for r in outcome.rows if r.passed} if outcome.quorum_met else set()
    failing = [p for p in proposals if p.unit_id not in passed.get(ballot_kind[AwardProposal.Award(p.award)], set())]
    if not proposals:
        checks.append(Check("vote", _("Kết quả bỏ phiếu"), False, _("Khối chưa có đề nghị khen thưởng nào.")))
    else:
        checks.append(Check(
            "vote", _("Kết quả bỏ phiếu đạt tỷ lệ"), not failing,
            _("Mọi đơn vị được đề nghị đều đạt tỷ lệ phiếu.") if not failing else
            _("Chưa đạt tỷ lệ phiếu: %(units)s.") % {"units": ", ".join(f"{p.unit.short_name} ({p.get_award_display()})"
                                                                        for p in failing)},
        ))

    proposed_units = {p.unit_id for p in proposals}
    annual = ReportingPeriod.objects.filter(bloc_year=bloc_year, kind=ReportingPeriod.Kind.ANNUAL).first()
    reported = set()
    if annual is not None:
        reported = set(
            ProgressReport.objects.filter(period=annual, unit_id__in=proposed_units)
            .exclude(status=ProgressReport.Status.DRAFT)
            .values_list("unit_id", flat=True)
        )
    missing = [p.unit.short_name for p in proposals if p.unit_id not in reported]
    checks.append(Check(
        "reports", _("Báo cáo thành tích của đơn vị được đề nghị"), bool(proposals) and not missing,
        _("Đủ báo cáo tổng kết năm của các đơn vị được đề nghị.") if proposals and not missing else
        _("Thiếu báo cáo tổng kết năm của: %(units)s.") % {"units": ", ".join(dict.fromkeys(missing)) or "—"},
    ))

    quota = Quota.objects.filter(province=bloc_year.bloc.province, year=bloc_year.year).first()
    if quota is None:
        checks.append(Check("quota", _("Trong chỉ tiêu khen thưởng của tỉnh"), False,
                            _("Tỉnh chưa đặt chỉ tiêu khen thưởng năm %(year)s.") % {"year": bloc_year.year}))
    else:
        others = AwardProposal.objects.filter(
            bloc_year__bloc__province=bloc_year.bloc.province, bloc_year__year=bloc_year.year,
            bloc_year__dossier__status__in=[Dossier.Status.ACCEPTED, Dossier.Status.DECIDED],
        ).exclude(bloc_year=bloc_year)
        used_flags = others.filter(award=AwardProposal.Award.FLAG).count()
        used_certs = others.filter(award=AwardProposal.Award.CERTIFICATE).count()
        flags = sum(1 for p in proposals if p.award == AwardProposal.Award.FLAG)
        certs = sum(1 for p in proposals if p.award == AwardProposal.Award.CERTIFICATE)
        ok = used_flags + flags <= quota.flags and used_certs + certs <= quota.certificates
        checks.append(Check(
            "quota", _("Trong chỉ tiêu khen thưởng của tỉnh"), ok,
            _("Cờ: %(f)s đề nghị, đã tiếp nhận %(uf)s trên chỉ tiêu %(qf)s; Bằng khen: %(c)s đề nghị, đã tiếp nhận "
              "%(uc)s trên chỉ tiêu %(qc)s.")
            % {"f": flags, "uf": used_flags, "qf": quota.flags, "c": certs, "uc": used_certs, "qc": quota.certificates},
        ))
    return checks


def _locked_dossier(dossier: Dossier, expected_version: int | None) -> Dossier:
    bump_version(Dossier, dossier.pk, expected_version)
    return Dossier.objects.select_for_update().select_related("bloc_year__bloc__province").get(pk=dossier.pk)


@transaction.atomic
def submit_dossier(*, bloc_year: BlocYear, by: Actor, at: datetime.datetime | None = None) -> Dossier:
    """The secretariat sends the published year's dossier to the province (again after a return)."""
    at = _now(at)
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    if not bloc_year.is_published:
        raise ServiceError(_("Chỉ gửi hồ sơ lên tỉnh sau khi năm thi đua đã công bố kết quả."))
    if not proposals_of(bloc_year):
        raise ServiceError(_("Khối chưa có đề nghị khen thưởng nào để gửi."))
    dossier = Dossier.objects.select_for_update().filter(bloc_year=bloc_year).first()
    if dossier is None:
        dossier = Dossier.objects.create(bloc_year=bloc_year, status=Dossier.Status.SUBMITTED, submitted_at=at,
                                         submitted_by=by)
    elif dossier.status != Dossier.Status.RETURNED:
        raise ServiceError(_("Hồ sơ đã được gửi lên tỉnh (%(status)s).") % {"status": dossier.get_status_display()})
    else:
        dossier.status, dossier.submitted_at, dossier.submitted_by = Dossier.Status.SUBMITTED, at, by
        dossier.submissions += 1
        dossier.version += 1
        dossier.save()
    record(bloc_year=bloc_year, by=by, action="dossier.submit", target=dossier, at=at,
           after={"status": dossier.status, "submissions": dossier.submissions})
    return dossier


@transaction.atomic
def return_dossier(
    *, dossier: Dossier, reason: str, expected_version: int | None, by: Actor, at: datetime.datetime | None = None
) -> Dossier:
    """The council sends the dossier back to the bloc with the reason; the bloc corrects it and submits again."""
    at = _now(at)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Phải ghi lý do trả lại hồ sơ."), field="reason")
    dossier = _locked_dossier(dossier, expected_version)
    if dossier.status != Dossier.Status.SUBMITTED:
        raise ServiceError(_("Chỉ trả lại hồ sơ đang chờ tỉnh xem xét."))
    dossier.status, dossier.returned_at, dossier.return_reason = Dossier.Status.RETURNED, at, reason
    dossier.save()
    record(bloc_year=dossier.bloc_year, by=by, action="dossier.return", target=dossier, reason=reason, at=at,
           before={"status": Dossier.Status.SUBMITTED}, after={"status": dossier.status})
    _tell_secretariat(dossier, gettext_noop("Tỉnh trả lại hồ sơ đề nghị khen thưởng năm %(year)s: %(reason)s"), at)
    return dossier


def _tell_secretariat(dossier: Dossier, text: str, at: datetime.datetime) -> None:
    """The bloc's secretariat hears of the province's answer in the app (there is no email for it)."""
    by = dossier.bloc_year
    reason = dossier.return_reason if len(dossier.return_reason) <= 200 else dossier.return_reason[:199] + "…"
    notifications.notify(
        notifications.secretariat(by),
        text,
        reverse("dossier:status", args=[by.bloc.code, by.year]),
        params={"year": str(by.year), "reason": reason},
        bloc_year=by,
        at=at,
    )


@transaction.atomic
def accept_dossier(
    *, dossier: Dossier, expected_version: int | None, by: Actor, at: datetime.datetime | None = None
) -> Dossier:
    """The council accepts a dossier whose every check passes; the checklist is kept as it stood."""
    at = _now(at)
    dossier = _locked_dossier(dossier, expected_version)
    if dossier.status != Dossier.Status.SUBMITTED:
        raise ServiceError(_("Chỉ tiếp nhận hồ sơ đang chờ tỉnh xem xét."))
    # Quota checks of one province's year run one at a time.
    Province.objects.select_for_update().filter(pk=dossier.bloc_year.bloc.province_id).first()
    checks = checklist(dossier.bloc_year)
    failing = [c for c in checks if not c.ok]
    if failing:
        raise ServiceError(
            _("Hồ sơ chưa đạt: %(items)s") % {"items": " ".join(f"{c.label}: {c.detail}" for c in failing)}
        )
    dossier.status, dossier.accepted_at, dossier.accepted_by = Dossier.Status.ACCEPTED, at, by
    dossier.checklist = [{"key": c.key, "label": c.label, "ok": c.ok, "detail": c.detail} for c in checks]
    dossier.save()
    record(bloc_year=dossier.bloc_year, by=by, action="dossier.accept", target=dossier, at=at,
           before={"status": Dossier.Status.SUBMITTED}, after={"status": dossier.status})
    _tell_secretariat(dossier, gettext_noop("Tỉnh đã tiếp nhận hồ sơ đề nghị khen thưởng năm %(year)s."), at)
    return dossier


# Decisions -----------------------------------------------------------------------------------------------


PROPOSAL_KINDS = {AwardProposal.Award.FLAG: Award.Kind.PROVINCE_FLAG,
                  AwardProposal.Award.CERTIFICATE: Award.Kind.PROVINCE_CERTIFICATE}


def issuer_of(province: Province) -> str:
    return _("Chủ tịch UBND tỉnh %(province)s") % {"province": province.name}


def decision_awards(dossier: Dossier) -> list[Award]:
    """The awards the dossier's decision put in the units' award history."""
    if not dossier.decision_number:
        return []
    return list(
        Award.objects.filter(
            source=Award.Source.DECISION, decision_number=dossier.decision_number, year=dossier.bloc_year.year,
            unit__memberships__bloc_year=dossier.bloc_year,
        ).select_related("unit").order_by("kind", "unit__name")
    )


@transaction.atomic
def record_decision(
    *,
    dossier: Dossier,
    number: str,
    signed_on: datetime.date,
    signer: str,
    proposals: Sequence[AwardProposal],
    by: Actor,
    at: datetime.datetime | None = None,
) -> Dossier:
    """The province's decision on an accepted dossier: its number, date and signer, and the awards it gives (the
    proposals it grants), written into each unit's award history."""
    at = _now(at)
    number, signer = number.strip(), signer.strip()
    if not number:
        raise ServiceError(_("Phải nhập số quyết định."), field="number")
    if not proposals:
        raise ServiceError(_("Quyết định phải khen thưởng ít nhất một đơn vị."))
    dossier = _locked_dossier(dossier, None)
    bloc_year = dossier.bloc_year
    if dossier.status != Dossier.Status.ACCEPTED:
        raise ServiceError(_("Chỉ ghi quyết định cho hồ sơ tỉnh đã tiếp nhận."))
    if signed_on.year <= bloc_year.year - 1:
        raise ServiceError(_("Ngày quyết định không thể trước năm thi đua."), field="signed_on")
    if any(p.bloc_year_id != bloc_year.pk for p in proposals):
        raise ServiceError(_("Chỉ khen thưởng theo đề nghị của chính hồ sơ này."))
    issuer = issuer_of(bloc_year.bloc.province)
    for p in proposals:
        awards.record_award(
            bloc_year=bloc_year, unit=p.unit, kind=PROPOSAL_KINDS[AwardProposal.Award(p.award)], year=bloc_year.year,
            decision_number=number, decision_date=signed_on, issuer=issuer, source=Award.Source.DECISION, by=by,
            at=at,
        )
    dossier.status = Dossier.Status.DECIDED
    dossier.decision_number, dossier.decision_date, dossier.decision_signer = number, signed_on, signer
    dossier.decided_at = at
    dossier.save()
    record(bloc_year=bloc_year, by=by, action="dossier.decide", target=dossier, at=at,
           before={"status": Dossier.Status.ACCEPTED},
           after={"status": dossier.status, "decision_number": number, "decision_date": signed_on.isoformat(),
                  "decision_signer": signer,
                  "awards": [f"{p.get_award_display()}: {p.unit.short_name}" for p in proposals]})
    return dossier


FLAG, CERTIFICATE = Award.Kind.PROVINCE_FLAG, Award.Kind.PROVINCE_CERTIFICATE
# What a workbook may write in its award column (lower case), and the award kind it means.
AWARD_WORDS = {
    "cờ thi đua của ubnd tỉnh": FLAG,
    "cờ thi đua": FLAG,
    "bằng khen của chủ tịch ubnd tỉnh": CERTIFICATE,
    "bằng khen": CERTIFICATE,
}


def enter_award(*, unit: Unit, kind: str, year: int, decision_number: str, decision_date: datetime.date,
                issuer: str, bloc_year: BlocYear | None, by: Actor) -> Award:
    """An award of an earlier year (from its decision) into the unit's award history."""
    return awards.record_award(bloc_year=bloc_year, unit=unit, kind=kind, year=year,
                               decision_number=decision_number, decision_date=decision_date, issuer=issuer,
                               source=Award.Source.DECISION, by=by)


def dossier_revert_problems(bloc_year: BlocYear) -> list[str]:
    """A published year whose dossier is with the province stays published: the council returns it first (then the
    bloc may reopen the year to correct it)."""
    status = Dossier.objects.filter(bloc_year=bloc_year).values_list("status", flat=True).first()
    if status is None or status == Dossier.Status.RETURNED:
        return []
    return [
        _(
            "Hồ sơ của năm đã gửi tỉnh (%(status)s): muốn sửa, đề nghị Hội đồng Thi đua - Khen thưởng tỉnh "
            "trả lại hồ sơ."
        )
        % {"status": Dossier.Status(status).label}
    ]

"""Secret ballots at the review meeting, the meeting record, award proposals and next year's officers.

Secrecy (the threat model is in the README, "Secret ballots"): who has voted (VoterRecord) is stored apart from what
was voted. Each online paper is its own SealedVote row, inserted once and never rewritten, encrypted to the counting
board's key and padded to one size; the board's private key is handed over once when the ballot opens and is not
stored, so whoever holds the database, its backups and SECRET_KEY reads no choice. The board gives the key back to
count: the papers become Choice rows, in shuffled order with random ids, and the sealed papers are deleted. The audit
trail records that a ballot opened, which units had voted (one sorted list at the close) and that it was counted,
never a choice and never the order of voting.
"""

import base64
import binascii
import datetime
import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import nacl.exceptions
import nacl.public
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from core.audit import Actor, bump_version, record
from core.errors import ServiceError
from core.models import BlocYear, Membership, Unit
from scoring.meeting import inbox
from scoring.meeting.models import AwardProposal, Ballot, Candidate, Choice, ReviewMeeting, SealedVote, VoterRecord
from scoring.sheets.models import RankSnapshot, ScoringRound
from scoring.sheets.services import approval_problems

Status = Ballot.Status
_rng = random.SystemRandom()


def _now(at: datetime.datetime | None):
    return at or timezone.now()


# The ballot papers ---------------------------------------------------------------------------------

# A paper is a bitmap of candidate orders, always this long: its ciphertext does not tell how many were chosen.
PAPER_BYTES = 256
MAX_CANDIDATES = PAPER_BYTES * 8 - 1


def _paper(orders: list[int]) -> bytes:
    bitmap = bytearray(PAPER_BYTES)
    for order in orders:
        bitmap[order // 8] |= 1 << (order % 8)
    return bytes(bitmap)


def _marks(paper: bytes) -> list[int]:
    return [i for i in range(len(paper) * 8) if paper[i // 8] >> (i % 8) & 1]


def _fernet() -> MultiFernet:
    # Ballots opened before the board held a key (see migration 0005_i11b) stay sealed to the server until counted.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"khoithidua.ballot-box:" + k.encode()).digest()))
            for k in keys
        ]
    )


def key_fingerprint(public_key: bytes) -> str:
    """A short name of the board's key, printed with it and on the ballot: the board checks it holds the right one."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _seal(ballot: Ballot, paper: bytes) -> bytes:
    if ballot.board_public_key:
        return nacl.public.SealedBox(nacl.public.PublicKey(bytes(ballot.board_public_key))).encrypt(paper)
    return _fernet().encrypt(paper)


def _board_key(ballot: Ballot, board_key: str) -> nacl.public.PrivateKey:
    try:
        raw = base64.b64decode("".join(board_key.split()), validate=True)
        key = nacl.public.PrivateKey(raw)
    except (binascii.Error, ValueError, nacl.exceptions.CryptoError):
        raise ServiceError(
            _("Khóa kiểm phiếu không hợp lệ: hãy dán đúng dòng khóa đã tải về khi mở bỏ phiếu."), field="board_key"
        ) from None
    if bytes(key.public_key) != bytes(ballot.board_public_key):
        raise ServiceError(_("Khóa này không phải khóa kiểm phiếu của cuộc bỏ phiếu này."), field="board_key")
    return key


def _opener(ballot: Ballot, board_key: str | None) -> Callable[[bytes], bytes]:
    if not ballot.board_public_key:

        def open_with_server_key(sealed: bytes) -> bytes:
            try:
                return _fernet().decrypt(sealed)
            except InvalidToken:
                raise ServiceError(
                    _("Không mở được hòm phiếu: khóa bí mật của máy chủ đã thay đổi trong khi bỏ phiếu.")
                ) from None

        return open_with_server_key
    if not board_key:
        raise ServiceError(_("Hãy nhập khóa kiểm phiếu của ban kiểm phiếu."), field="board_key")
    return nacl.public.SealedBox(_board_key(ballot, board_key)).decrypt


# Setting ballots up --------------------------------------------------------------------------------

DEFAULT_MAX = {Ballot.Kind.FLAG: 1, Ballot.Kind.CERTIFICATE: 2, Ballot.Kind.HEAD: 1, Ballot.Kind.DEPUTY: 1}


def _check_year(bloc_year: BlocYear) -> None:
    if bloc_year.is_published:
        raise ServiceError(_("Năm thi đua đã công bố: dữ liệu đã khóa, không thể thay đổi."))
    if bloc_year.phase != BlocYear.Phase.REVIEW:
        raise ServiceError(_("Năm thi đua chưa ở giai đoạn bình xét."))


@transaction.atomic
def save_ballot(
    *,
    bloc_year: BlocYear,
    ballot: Ballot | None,
    data: dict,
    by: Actor,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ballot:
    """Create or change a ballot while it is being prepared; its candidates follow its settings."""
    _check_year(bloc_year)
    if ballot is not None:
        bump_version(Ballot, ballot.pk, expected_version)
        ballot.refresh_from_db()
    if ballot is not None and ballot.status != Status.DRAFT:
        raise ServiceError(_("Cuộc bỏ phiếu đã mở: không thể thay đổi cách bỏ phiếu hay danh sách đề cử."))
    members = list(bloc_year.memberships.select_related("unit").order_by("order"))
    if data["max_choices"] < 1 or data["max_choices"] > len(members):
        raise ServiceError(_("Số đơn vị được chọn phải từ 1 đến %(n)s.") % {"n": len(members)}, field="max_choices")
    if data["candidates_from"] == Ballot.Candidates.TOP and not data.get("top_n"):
        raise ServiceError(_("Hãy nhập số đơn vị đứng đầu được đề cử."), field="top_n")
    if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
        raise ServiceError(_("Giờ đóng phải sau giờ mở."), field="closes_at")
    fields = (
        "kind",
        "max_choices",
        "candidates_from",
        "top_n",
        "forbid_own_unit",
        "mode",
        "opens_at",
        "closes_at",
        "quorum_numerator",
        "quorum_denominator",
        "pass_percent",
    )
    if ballot is None:
        if Ballot.objects.filter(bloc_year=bloc_year, kind=data["kind"]).exists():
            raise ServiceError(_("Đã có cuộc bỏ phiếu cho nội dung này."), field="kind")
        ballot = Ballot(bloc_year=bloc_year)
    for f in fields:
        if f in data:
            setattr(ballot, f, data[f])
    if ballot.candidates_from == Ballot.Candidates.ALL:
        ballot.top_n = None
    ballot.save()
    _refresh_candidates(ballot, members)
    record(
        bloc_year=bloc_year,
        by=by,
        action="ballot.save",
        target=ballot,
        after={f: str(getattr(ballot, f)) for f in ("kind", "max_choices", "candidates_from", "top_n", "mode")},
        at=at,
    )
    return ballot


def _refresh_candidates(ballot: Ballot, members: list[Membership]) -> None:
    units = [m.unit_id for m in members]
    if ballot.candidates_from == Ballot.Candidates.TOP:
        if not ScoringRound.objects.filter(bloc_year=ballot.bloc_year, approved_at__isnull=False).exists():
            raise ServiceError(_("Chỉ đề cử theo thứ hạng khi kết quả chấm điểm đã được phê duyệt."))
        ranked = list(RankSnapshot.objects.filter(bloc_year=ballot.bloc_year).order_by("rank", "unit__name"))
        cutoff = ranked[min(ballot.top_n or len(ranked), len(ranked)) - 1].rank if ranked else 0
        # Units tied at the cut-off rank all stay candidates.
        units = [s.unit_id for s in ranked if s.rank <= cutoff]
    if len(units) > MAX_CANDIDATES:
        raise ServiceError(_("Danh sách đề cử quá dài: tối đa %(n)s đơn vị.") % {"n": MAX_CANDIDATES})
    ballot.candidates.all().delete()
    Candidate.objects.bulk_create(Candidate(ballot=ballot, unit_id=u, order=i) for i, u in enumerate(units, 1))


@transaction.atomic
def create_default_ballots(*, bloc_year: BlocYear, by: Actor, at: datetime.datetime | None = None) -> list[Ballot]:
    _check_year(bloc_year)
    made = []
    for kind in Ballot.Kind:
        if not Ballot.objects.filter(bloc_year=bloc_year, kind=kind).exists():
            made.append(
                save_ballot(
                    bloc_year=bloc_year,
                    ballot=None,
                    by=by,
                    at=at,
                    data={
                        "kind": kind,
                        "max_choices": DEFAULT_MAX[kind],
                        "candidates_from": Ballot.Candidates.ALL,
                        "forbid_own_unit": False,
                        "mode": Ballot.Mode.ONLINE,
                    },
                )
            )
    return made


def _locked(ballot: Ballot) -> Ballot:
    return Ballot.objects.select_for_update().select_related("bloc_year__bloc").get(pk=ballot.pk)


@transaction.atomic
def open_ballot(*, ballot: Ballot, by: Actor, at: datetime.datetime | None = None) -> Ballot:
    """Open the ballot: from now on its candidate list is frozen.

    An online ballot gets a new key pair for its counting board: the public half is kept to seal the papers, the
    private half is only on the returned instance (`board_key`), for the page that hands it to the board once.
    """
    ballot = _locked(ballot)
    _check_year(ballot.bloc_year)
    if ballot.status != Status.DRAFT:
        raise ServiceError(_("Cuộc bỏ phiếu đã được mở trước đó."))
    if not ballot.candidates.exists():
        raise ServiceError(_("Chưa có đơn vị nào trong danh sách đề cử."))
    now = _now(at)
    private = None
    if ballot.mode == Ballot.Mode.ONLINE:
        private = nacl.public.PrivateKey.generate()
        ballot.board_public_key = bytes(private.public_key)
    ballot.status, ballot.opened_at = Status.OPEN, now
    ballot.save()
    record(
        bloc_year=ballot.bloc_year,
        by=by,
        action="ballot.open",
        target=ballot,
        after={"candidates": list(ballot.candidates.values_list("unit__short_name", flat=True))},
        at=now,
    )
    ballot.board_key = base64.b64encode(bytes(private)).decode() if private else None
    schedule_close(ballot)  # queued in the transaction: an open that rolls back schedules nothing
    inbox.ballot_opened(ballot, reopened=False, at=now)
    return ballot


def _voters_in_no_order(ballot: Ballot) -> list[str]:
    return sorted(VoterRecord.objects.filter(ballot=ballot).values_list("unit__short_name", flat=True))


@transaction.atomic
def close_ballot(
    *, ballot: Ballot, by: Actor, at: datetime.datetime | None = None, board_key: str | None = None
) -> Ballot:
    """Stop the voting. Who voted goes to the audit trail as one sorted list. The papers are counted now when the
    board's key is given (or the ballot predates the board's key), else later by `count_ballot`."""
    ballot = _locked(ballot)
    if ballot.status != Status.OPEN:
        raise ServiceError(_("Chỉ kết thúc được cuộc bỏ phiếu đang mở."))
    if ballot.mode == Ballot.Mode.PAPER and ballot.valid is None:
        raise ServiceError(_("Hãy nhập kết quả kiểm phiếu giấy trước khi kết thúc."))
    now = _now(at)
    ballot.status, ballot.closed_at = Status.CLOSED, now
    ballot.save()
    record(
        bloc_year=ballot.bloc_year,
        by=by,
        action="ballot.close",
        target=ballot,
        after={"voters": ballot.voters.count(), "units": _voters_in_no_order(ballot)},
        at=now,
    )
    if ballot.mode == Ballot.Mode.ONLINE and (board_key or not ballot.board_public_key):
        ballot = count_ballot(ballot=ballot, board_key=board_key, by=by, at=now)
    return ballot


@transaction.atomic
def count_ballot(*, ballot: Ballot, board_key: str | None, by: Actor, at: datetime.datetime | None = None) -> Ballot:
    """The board opens the sealed papers with its key: each mark becomes a Choice row (shuffled, random ids) and the
    sealed papers are deleted. The key is used in memory for this call only."""
    ballot = _locked(ballot)
    if ballot.mode != Ballot.Mode.ONLINE or ballot.status != Status.CLOSED or ballot.counted_at is not None:
        raise ServiceError(_("Chỉ kiểm phiếu được cuộc bỏ phiếu trực tuyến đã kết thúc và chưa kiểm."))
    open_paper = _opener(ballot, board_key)
    orders = dict(ballot.candidates.values_list("order", "pk"))
    sealed = list(SealedVote.objects.filter(ballot=ballot).values_list("sealed", flat=True))
    if len(sealed) > ballot.voters.count():
        raise ServiceError(_("Hòm phiếu có nhiều phiếu hơn số đơn vị đã bỏ phiếu: không kiểm phiếu."))
    marks: list[int] = []
    for paper in sealed:
        try:
            chosen = _marks(open_paper(bytes(paper)))
        except nacl.exceptions.CryptoError:
            raise ServiceError(_("Một phiếu không mở được bằng khóa này: không kiểm phiếu.")) from None
        if len(chosen) > ballot.max_choices or set(chosen) - set(orders):
            raise ServiceError(_("Một phiếu không hợp lệ trong hòm phiếu: không kiểm phiếu."))
        marks.extend(orders[o] for o in chosen)
    _rng.shuffle(marks)
    Choice.objects.bulk_create(Choice(ballot=ballot, candidate_id=c) for c in marks)
    SealedVote.objects.filter(ballot=ballot).delete()
    now = _now(at)
    ballot.counted_at = now
    ballot.save(update_fields=["counted_at"])
    record(
        bloc_year=ballot.bloc_year, by=by, action="ballot.count", target=ballot, after={"papers": len(sealed)}, at=now
    )
    return ballot


@transaction.atomic
def reopen_ballot(*, ballot: Ballot, reason: str, by: Actor, at: datetime.datetime | None = None) -> Ballot:
    """Open again a ballot closed by mistake. Units that voted stay voted; papers already counted stay counted
    (a later count adds the new papers to them); nothing about who chose what is revealed."""
    ballot = _locked(ballot)
    _check_year(ballot.bloc_year)
    if ballot.status != Status.CLOSED:
        raise ServiceError(_("Chỉ mở lại được cuộc bỏ phiếu đã kết thúc."))
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Hãy ghi lý do mở lại cuộc bỏ phiếu."), field="reason")
    if ballot.mode == Ballot.Mode.ONLINE and not ballot.board_public_key:
        raise ServiceError(_("Cuộc bỏ phiếu này mở trước khi có khóa của ban kiểm phiếu: không thể mở lại."))
    now = _now(at)
    before = {"closed_at": str(ballot.closed_at)}
    ballot.status, ballot.closed_at, ballot.counted_at = Status.OPEN, None, None
    ballot.save()
    record(
        bloc_year=ballot.bloc_year,
        by=by,
        action="ballot.reopen",
        target=ballot,
        before=before,
        after={"reason": reason},
        at=now,
    )
    inbox.ballot_opened(ballot, reopened=True, at=now)
    return ballot


@dataclass(frozen=True)
class CloseConsequence:
    voters: int
    members: int
    quorum_needed: int

    @property
    def quorum_met(self) -> bool:
        return self.voters >= self.quorum_needed


def close_consequence(ballot: Ballot, members: int) -> CloseConsequence:
    """What closing now means: the ballots received so far against the quorum."""
    received = ballot.voters.count() if ballot.mode == Ballot.Mode.ONLINE else (ballot.received or 0)
    return CloseConsequence(received, members, quorum_needed(ballot, members))


def quorum_needed(ballot: Ballot, members: int) -> int:
    return math.ceil(members * ballot.quorum_numerator / ballot.quorum_denominator)


def close_due_ballots(bloc_year: BlocYear | None = None, now: datetime.datetime | None = None) -> int:
    """Close online ballots whose scheduled closing time has passed, of one year or (None) of every bloc: the
    worker does it at the window's end (close_ballot_at_window_end), the close_ballots command from cron catches any
    it missed, and the review page too."""
    now = _now(now)
    due = Ballot.objects.filter(status=Status.OPEN, closes_at__lte=now, mode=Ballot.Mode.ONLINE)
    if bloc_year is not None:
        due = due.filter(bloc_year=bloc_year)
    return sum(close_if_due(pk, now) for pk in due.values_list("pk", flat=True))


def close_if_due(ballot_pk: int, now: datetime.datetime | None = None) -> bool:
    """Close one online ballot if it is still open and its window has ended (a ballot closed by hand, reopened or
    given a later closing time since is left alone)."""
    now = _now(now)
    ballot = (
        Ballot.objects.filter(pk=ballot_pk, status=Status.OPEN, closes_at__lte=now, mode=Ballot.Mode.ONLINE)
        .select_related("bloc_year")
        .first()
    )
    if ballot is None:
        return False
    try:
        close_ballot(ballot=ballot, by=None, at=now)
    except ServiceError:
        return False  # closed meanwhile, or the year moved on: nothing to do
    return True


@task()
def close_ballot_at_window_end(ballot_pk: int) -> bool:
    """Run by the worker at the ballot's closing time: the ballot closes on time without anyone opening a page."""
    return close_if_due(ballot_pk)


def schedule_close(ballot: Ballot) -> None:
    """Queue the close for the window's end, when the task backend can run a task later (the database one can)."""
    if ballot.closes_at is None or ballot.mode != Ballot.Mode.ONLINE:
        return
    if close_ballot_at_window_end.get_backend().supports_defer:
        close_ballot_at_window_end.using(run_after=ballot.closes_at).enqueue(ballot.pk)


# Voting --------------------------------------------------------------------------------------------


@transaction.atomic
def cast_vote(
    *,
    ballot: Ballot,
    unit: Unit,
    candidate_ids: list[int],
    by: Actor,  # noqa: ARG001 — who cast it is deliberately not recorded with the paper nor in the audit
    at: datetime.datetime | None = None,
) -> None:
    """Cast a unit's online ballot: one VoterRecord (the database refuses a second) and one new sealed paper.

    Nothing else is written: no audit entry per vote (its time and order would say who cast which paper)."""
    ballot = _locked(ballot)
    now = _now(at)
    if ballot.mode != Ballot.Mode.ONLINE:
        raise ServiceError(_("Cuộc bỏ phiếu này dùng phiếu giấy tại hội nghị."))
    if ballot.status != Status.OPEN:
        raise ServiceError(_("Cuộc bỏ phiếu không mở: không thể bỏ phiếu."))
    if ballot.opens_at and now < ballot.opens_at:
        raise ServiceError(_("Chưa đến giờ bỏ phiếu."))
    if ballot.closes_at and now >= ballot.closes_at:
        raise ServiceError(_("Đã hết giờ bỏ phiếu."))
    if not Membership.objects.filter(bloc_year=ballot.bloc_year, unit=unit).exists():
        raise ServiceError(_("Đơn vị không thuộc khối trong năm này."))
    if len(set(candidate_ids)) != len(candidate_ids):
        raise ServiceError(_("Mỗi đơn vị chỉ được chọn một lần trên phiếu."))
    if len(candidate_ids) > ballot.max_choices:
        raise ServiceError(_("Chỉ được chọn tối đa %(n)s đơn vị.") % {"n": ballot.max_choices})
    candidates = {c.pk: c for c in ballot.candidates.all()}
    if set(candidate_ids) - set(candidates):
        raise ServiceError(_("Phiếu có đơn vị không nằm trong danh sách đề cử."))
    if ballot.forbid_own_unit and any(candidates[c].unit_id == unit.pk for c in candidate_ids):
        raise ServiceError(_("Không được bỏ phiếu cho chính đơn vị mình."))
    try:
        with transaction.atomic():
            VoterRecord.objects.create(ballot=ballot, unit=unit)
    except IntegrityError:
        raise ServiceError(_("Đơn vị đã bỏ phiếu cho nội dung này; mỗi đơn vị chỉ bỏ một phiếu.")) from None
    paper = _paper([candidates[c].order for c in candidate_ids])
    SealedVote.objects.create(ballot=ballot, sealed=_seal(ballot, paper))


@transaction.atomic
def enter_paper_count(
    *,
    ballot: Ballot,
    issued: int,
    received: int,
    valid: int,
    invalid: int,
    votes: dict[int, int],
    by: Actor,
    at: datetime.datetime | None = None,
) -> Ballot:
    """The secretariat enters the count of the paper ballots at the meeting (per candidate id)."""
    ballot = _locked(ballot)
    _check_year(ballot.bloc_year)
    if ballot.mode != Ballot.Mode.PAPER:
        raise ServiceError(_("Cuộc bỏ phiếu này là trực tuyến."))
    if ballot.status != Status.OPEN:
        raise ServiceError(_("Chỉ nhập kết quả kiểm phiếu khi cuộc bỏ phiếu đang mở."))
    if min(issued, received, valid, invalid) < 0:
        raise ServiceError(_("Số phiếu không được âm."))
    if received > issued:
        raise ServiceError(_("Số phiếu thu về không được lớn hơn số phiếu phát ra."))
    if valid + invalid != received:
        raise ServiceError(_("Số phiếu hợp lệ cộng không hợp lệ phải bằng số phiếu thu về."))
    candidates = {c.pk: c for c in ballot.candidates.all()}
    if set(votes) != set(candidates):
        raise ServiceError(_("Hãy nhập số phiếu cho mọi đơn vị trong danh sách đề cử."))
    if any(v < 0 or v > valid for v in votes.values()):
        raise ServiceError(_("Số phiếu của một đơn vị phải từ 0 đến số phiếu hợp lệ."))
    if sum(votes.values()) > valid * ballot.max_choices:
        raise ServiceError(_("Tổng số phiếu bầu vượt quá số phiếu hợp lệ nhân số đơn vị được chọn."))
    ballot.issued, ballot.received, ballot.valid, ballot.invalid = issued, received, valid, invalid
    ballot.save()
    for pk, c in candidates.items():
        c.votes = votes[pk]
        c.save(update_fields=["votes"])
    record(
        bloc_year=ballot.bloc_year,
        by=by,
        action="ballot.paper_count",
        target=ballot,
        after={
            "issued": issued,
            "received": received,
            "valid": valid,
            "invalid": invalid,
            "votes": {candidates[pk].unit.short_name: v for pk, v in votes.items()},
        },
        at=at,
    )
    return ballot


# Results -------------------------------------------------------------------------------------------


@dataclass
class CandidateResult:
    candidate: Candidate
    votes: int
    share: float | None
    passed: bool
    elected: bool = False
    tied: bool = False


@dataclass
class BallotResult:
    ballot: Ballot
    members: int
    received: int
    valid: int
    invalid: int
    issued: int | None
    quorum_needed: int
    quorum_met: bool
    rows: list[CandidateResult]
    tie_note: str = ""


def results(ballot: Ballot, members: int) -> BallotResult:
    """Votes per candidate, share of valid ballots, passed or not; ties reported as ties. Only after the close."""
    if ballot.status != Status.CLOSED:
        raise ServiceError(_("Kết quả chỉ có sau khi kết thúc bỏ phiếu."))
    if not ballot.is_counted:
        raise ServiceError(_("Ban kiểm phiếu chưa kiểm phiếu."))
    candidates = list(ballot.candidates.select_related("unit").order_by("order"))
    if ballot.mode == Ballot.Mode.ONLINE:
        counts = dict(Choice.objects.filter(ballot=ballot).values_list("candidate_id").annotate(n=Count("id")))
        received = valid = ballot.voters.count()
        invalid, issued = 0, None
        votes = {c.pk: counts.get(c.pk, 0) for c in candidates}
    else:
        received, valid, invalid, issued = ballot.received or 0, ballot.valid or 0, ballot.invalid or 0, ballot.issued
        votes = {c.pk: c.votes or 0 for c in candidates}
    needed = quorum_needed(ballot, members)
    rows = [
        CandidateResult(
            c,
            votes[c.pk],
            (votes[c.pk] / valid) if valid else None,
            passed=valid > 0 and votes[c.pk] * 100 > ballot.pass_percent * valid,
        )
        for c in candidates
    ]
    rows.sort(key=lambda r: (-r.votes, r.candidate.order))
    passing = [r for r in rows if r.passed]
    seats = ballot.max_choices
    note = ""
    if len(passing) > seats:
        boundary = passing[seats - 1].votes
        tied = [r for r in passing if r.votes == boundary]
        if len([r for r in passing if r.votes >= boundary]) > seats:
            for r in tied:
                r.tied = True
            note = _("Các đơn vị %(units)s bằng %(n)s phiếu ở vị trí cuối cùng được chọn: hội nghị cần quyết định.") % {
                "units": ", ".join(r.candidate.unit.short_name for r in tied),
                "n": boundary,
            }
        for r in passing[:seats]:
            r.elected = not r.tied
    else:
        for r in passing:
            r.elected = True
    quorum_met = received >= needed
    if not quorum_met:
        for r in rows:
            r.elected = False
    return BallotResult(ballot, members, received, valid, invalid, issued, needed, quorum_met, rows, note)


# Meeting, proposals, elections ---------------------------------------------------------------------


@transaction.atomic
def save_meeting(
    *,
    bloc_year: BlocYear,
    data: dict,
    present_unit_ids: list[int],
    by: Actor,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> ReviewMeeting:
    _check_year(bloc_year)
    members = set(bloc_year.memberships.values_list("unit_id", flat=True))
    if set(present_unit_ids) - members:
        raise ServiceError(_("Đơn vị có mặt phải là đơn vị thành viên của khối."))
    meeting = _locked_meeting(bloc_year, expected_version)
    for f in (
        "held_on",
        "starts_at",
        "ends_at",
        "place",
        "chair",
        "secretary",
        "attendance",
        "count_committee",
        "discussion",
        "conclusions",
    ):
        if f in data:
            setattr(meeting, f, data[f])
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ServiceError(_("Giờ kết thúc phải sau giờ bắt đầu."), field="ends_at")
    meeting.save()
    meeting.present_units.set(present_unit_ids)
    record(
        bloc_year=bloc_year,
        by=by,
        action="meeting.save",
        target=meeting,
        after={"held_on": str(meeting.held_on or ""), "place": meeting.place, "present": len(present_unit_ids)},
        at=at,
    )
    return meeting


def _locked_meeting(bloc_year: BlocYear, expected_version: int | None) -> ReviewMeeting:
    """The meeting record, locked, after checking it is still the version the form was opened on (a year with no
    record yet is at version 1: two first saves from two browsers conflict too)."""
    ReviewMeeting.objects.get_or_create(bloc_year=bloc_year)
    meeting = ReviewMeeting.objects.select_for_update().get(bloc_year=bloc_year)
    bump_version(ReviewMeeting, meeting.pk, expected_version)
    meeting.refresh_from_db()
    return meeting


@dataclass(frozen=True)
class ProposalRow:
    unit_id: int
    award: str
    rank: int | None
    votes: int | None
    basis: str
    override_reason: str = ""


@transaction.atomic
def save_outcome(
    *,
    bloc_year: BlocYear,
    proposals: list[ProposalRow],
    elected_head_id: int | None,
    elected_deputy_id: int | None,
    by: Actor,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """Record the award proposals and next year's head and deputy decided at the meeting."""
    _check_year(bloc_year)
    members = set(bloc_year.memberships.values_list("unit_id", flat=True))
    if any(p.unit_id not in members for p in proposals) or {elected_head_id, elected_deputy_id} - members - {None}:
        raise ServiceError(_("Chỉ đề nghị hoặc bầu đơn vị thành viên của khối."))
    if elected_head_id and elected_head_id == elected_deputy_id:
        raise ServiceError(_("Trưởng khối và Phó trưởng khối năm sau phải là hai đơn vị khác nhau."))
    keys = [(p.unit_id, p.award) for p in proposals]
    if len(set(keys)) != len(keys):
        raise ServiceError(_("Một đơn vị chỉ được đề nghị một lần cho mỗi hình thức khen thưởng."))
    if sum(1 for p in proposals if p.award == AwardProposal.Award.FLAG) > 1:
        raise ServiceError(_("Mỗi khối chỉ đề nghị một Cờ thi đua của UBND tỉnh."))
    _check_proposals_follow_the_vote(bloc_year, proposals, len(members))
    meeting = _locked_meeting(bloc_year, expected_version)
    AwardProposal.objects.filter(bloc_year=bloc_year).delete()
    AwardProposal.objects.bulk_create(
        AwardProposal(
            bloc_year=bloc_year,
            unit_id=p.unit_id,
            award=p.award,
            rank=p.rank,
            votes=p.votes,
            basis=p.basis,
            override_reason=p.override_reason.strip(),
            order=i,
        )
        for i, p in enumerate(proposals, 1)
    )
    meeting.elected_head_id, meeting.elected_deputy_id = elected_head_id, elected_deputy_id
    meeting.save()
    names = dict(Unit.objects.filter(pk__in=members).values_list("pk", "short_name"))
    record(
        bloc_year=bloc_year,
        by=by,
        action="outcome.save",
        target=meeting,
        after={
            "proposals": [
                f"{p.award}: {names[p.unit_id]}"
                + (f" ({p.override_reason.strip()})" if p.override_reason.strip() else "")
                for p in proposals
            ],
            "head": names.get(elected_head_id) if elected_head_id else None,
            "deputy": names.get(elected_deputy_id) if elected_deputy_id else None,
        },
        at=at,
    )


def passed_by_vote(bloc_year: BlocYear, members: int) -> dict[str, set[int]]:
    """Per award, the units that passed its closed ballot (threshold met, with the quorum), online or on paper."""
    passed: dict[str, set[int]] = {}
    for b in Ballot.objects.filter(
        bloc_year=bloc_year, status=Status.CLOSED, kind__in=[Ballot.Kind.FLAG, Ballot.Kind.CERTIFICATE]
    ).exclude(mode=Ballot.Mode.ONLINE, counted_at__isnull=True):  # not counted yet: nobody has passed it
        res = results(b, members)
        passed[b.kind] = {r.candidate.unit_id for r in res.rows if r.passed and res.quorum_met}
    return passed


def _check_proposals_follow_the_vote(bloc_year: BlocYear, proposals: list[ProposalRow], members: int) -> None:
    passed = passed_by_vote(bloc_year, members)
    unvoted = [p for p in proposals if p.unit_id not in passed.get(p.award, set()) and not p.override_reason.strip()]
    if not unvoted:
        return
    names = dict(Unit.objects.filter(pk__in=[p.unit_id for p in unvoted]).values_list("pk", "name"))
    awards = dict(AwardProposal.Award.choices)
    listed = "; ".join(f"{awards[p.award]}: {names[p.unit_id]}" for p in unvoted)
    raise ServiceError(
        _(
            "Đề nghị không theo kết quả bỏ phiếu (%(list)s): đơn vị không trúng ở cuộc bỏ phiếu của hình thức này "
            "hoặc chưa có kết quả bỏ phiếu. Muốn vẫn đề nghị, phải ghi lý do; lý do được in trong biên bản và tờ trình."
        )
        % {"list": listed},
        field="flag_override" if unvoted[0].award == AwardProposal.Award.FLAG else "certificate_override",
    )


def publish_problems(bloc_year: BlocYear) -> list[str]:
    """What keeps a year from being published: every ballot closed, the scores approved."""
    problems = []
    # A ballot still being prepared was never put to the vote and blocks nothing; an open one must be closed.
    states = {
        (status, mode, counted is None)
        for status, mode, counted in Ballot.objects.filter(
            bloc_year=bloc_year, status__in=[Status.OPEN, Status.CLOSED]
        ).values_list("status", "mode", "counted_at")
    }
    if any(status == Status.OPEN for status, _mode, _uncounted in states):
        problems.append(_("Còn cuộc bỏ phiếu chưa kết thúc."))
    if (Status.CLOSED, Ballot.Mode.ONLINE, True) in states:
        problems.append(_("Còn cuộc bỏ phiếu chưa được ban kiểm phiếu kiểm."))
    return problems + approval_problems(bloc_year)


def elected_roles(previous: BlocYear) -> dict[int, str]:
    """The head and deputy the year's review meeting elected for next year (none when it elected no head)."""
    meeting = ReviewMeeting.objects.filter(bloc_year=previous).first()
    if meeting is None or not meeting.elected_head_id:
        return {}
    roles: dict[int, str] = {meeting.elected_head_id: Membership.Role.HEAD}
    if meeting.elected_deputy_id:
        roles[meeting.elected_deputy_id] = Membership.Role.DEPUTY
    return roles


def open_review_work(bloc_year: BlocYear) -> list[str]:
    """What publishing would leave behind: ballots prepared but never put to the vote (an open one blocks)."""
    if bloc_year.phase != BlocYear.Phase.REVIEW:
        return []
    drafts = Ballot.objects.filter(bloc_year=bloc_year, status=Status.DRAFT).count()
    if not drafts:
        return []
    return [
        ngettext("%(n)s cuộc bỏ phiếu chưa tiến hành", "%(n)s cuộc bỏ phiếu chưa tiến hành", drafts) % {"n": drafts}
    ]

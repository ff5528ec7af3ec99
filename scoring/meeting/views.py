"""Pages of the review meeting: ballots (online and paper), results, the meeting record, proposals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from core.decorators import bloc_year_view
from core.models import BlocYear
from core.pages import errors_as_message, errors_on, post_data, post_files, year_context
from scoring.meeting import services as voting
from scoring.meeting.forms import (
    BallotForm,
    BoardKeyForm,
    CloseBallotForm,
    MeetingForm,
    OutcomeForm,
    PaperCountForm,
    ReopenBallotForm,
    VoteForm,
)
from scoring.meeting.models import AwardProposal, Ballot, Candidate, ReviewMeeting, VoterRecord
from scoring.sheets.models import RankSnapshot

Status = Ballot.Status


def _url(name: str, bloc_year: BlocYear, *args) -> str:
    return reverse(f"review:{name}", args=[bloc_year.bloc.code, bloc_year.year, *args])


def _members(bloc_year: BlocYear):
    return list(bloc_year.memberships.select_related("unit").order_by("order"))


@bloc_year_view()
def overview(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    access = request.access
    if bloc_year.phase == BlocYear.Phase.REVIEW:
        voting.close_due_ballots(bloc_year)
    members = _members(bloc_year)
    ballots = list(
        Ballot.objects.filter(bloc_year=bloc_year).prefetch_related(
            Prefetch("candidates", Candidate.objects.select_related("unit").order_by("order"))
        )
    )
    ballots.sort(key=lambda b: list(Ballot.Kind.values).index(b.kind))  # flag, certificates, head, deputy
    voted = set()
    if access.unit is not None:
        voted = set(
            VoterRecord.objects.filter(ballot__in=ballots, unit=access.unit).values_list("ballot_id", flat=True)
        )
    voter_counts = {}
    for ballot_id in VoterRecord.objects.filter(ballot__in=ballots).values_list("ballot_id", flat=True):
        voter_counts[ballot_id] = voter_counts.get(ballot_id, 0) + 1
    rows = []
    for b in ballots:
        rows.append(
            {
                "ballot": b,
                "voted": b.pk in voted,
                "voters": voter_counts.get(b.pk, 0),
                "can_vote": access.is_officer
                and b.status == Status.OPEN
                and b.mode == Ballot.Mode.ONLINE
                and b.pk not in voted,
                "result": voting.results(b, len(members)) if b.is_counted else None,
                "fingerprint": voting.key_fingerprint(b.board_public_key) if b.board_public_key else "",
            }
        )
    meeting = (
        ReviewMeeting.objects.filter(bloc_year=bloc_year)
        .select_related("elected_head", "elected_deputy")
        .prefetch_related("present_units")
        .first()
    )
    proposals = sorted(
        AwardProposal.objects.filter(bloc_year=bloc_year).select_related("unit"),
        key=lambda p: (p.award != AwardProposal.Award.FLAG, p.order),  # the flag first
    )
    return render(
        request,
        "review/overview.html",
        year_context(
            request,
            bloc_year,
            "review",
            rows=rows,
            meeting=meeting,
            proposals=proposals,
            members=members,
            in_review=bloc_year.phase == BlocYear.Phase.REVIEW,
            publish_problems=voting.publish_problems(bloc_year) if access.can_manage else [],
        ),
    )


def _ballot_form_view(request: HttpRequest, bloc_year: BlocYear, ballot: Ballot | None) -> HttpResponse:
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
    initial = (
        {f: getattr(ballot, f) for f in fields}
        if ballot
        else {
            "max_choices": 1,
            "candidates_from": Ballot.Candidates.ALL,
            "mode": Ballot.Mode.ONLINE,
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "pass_percent": 50,
        }
    )
    if ballot is not None:
        initial["version"] = ballot.version
    form = BallotForm(post_data(request), initial=initial)
    if ballot is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            voting.save_ballot(
                bloc_year=bloc_year,
                ballot=ballot,
                data=form.cleaned_data,
                by=request.user,
                expected_version=form.expected_version() if ballot is not None else None,
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu cuộc bỏ phiếu."))
            return redirect(_url("overview", bloc_year))
    return render(
        request, "review/ballot_form.html", year_context(request, bloc_year, "review", form=form, ballot=ballot)
    )


@bloc_year_view(manage=True)
def ballot_create(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    return _ballot_form_view(request, bloc_year, None)


@bloc_year_view(manage=True)
def ballot_edit(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    return _ballot_form_view(request, bloc_year, get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year))


@require_POST
@bloc_year_view(manage=True)
def ballots_default(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    with errors_as_message(request) as outcome:
        voting.create_default_ballots(bloc_year=bloc_year, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã tạo bốn cuộc bỏ phiếu mặc định; hãy rà soát trước khi mở."))
    return redirect(_url("overview", bloc_year))


@never_cache
@sensitive_variables("opened")
@require_POST
@bloc_year_view(manage=True)
def ballot_open(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    """Open the ballot. An online one answers with its board's private key, shown here once and never again."""
    ballot = get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year)
    opened = None
    with errors_as_message(request) as outcome:
        opened = voting.open_ballot(ballot=ballot, by=request.user)
    if not outcome.ok or opened is None:
        return redirect(_url("overview", bloc_year))
    messages.success(request, _("Đã mở bỏ phiếu; danh sách đề cử đã được cố định."))
    if not opened.board_key:
        return redirect(_url("overview", bloc_year))
    fingerprint = voting.key_fingerprint(opened.board_public_key)
    key_file = render(
        request,
        "review/board_key.txt",
        {"ballot": opened, "bloc_year": bloc_year, "key": opened.board_key, "fingerprint": fingerprint},
    ).content.decode()
    return render(
        request,
        "review/board_key.html",
        year_context(
            request,
            bloc_year,
            "review",
            ballot=opened,
            key=opened.board_key,
            key_file=key_file,
            fingerprint=fingerprint,
            file_name=f"khoa-kiem-phieu-{bloc_year.bloc.code}-{bloc_year.year}-{opened.kind}.txt",
        ),
    )


@sensitive_post_parameters("board_key")
@bloc_year_view(manage=True)
def ballot_close(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    """Closing asks first: how many have voted, what the quorum needs, what closing now means for the result."""
    ballot = get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year)
    if ballot.status != Status.OPEN:
        messages.info(request, _("Chỉ kết thúc được cuộc bỏ phiếu đang mở."))
        return redirect(_url("overview", bloc_year))
    form = CloseBallotForm(post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            closed = voting.close_ballot(ballot=ballot, by=request.user, board_key=form.cleaned_data["board_key"])
        if outcome.ok:
            if closed.is_counted:
                messages.success(request, _("Đã kết thúc bỏ phiếu; kết quả đã được kiểm."))
            else:
                messages.success(request, _("Đã kết thúc bỏ phiếu. Ban kiểm phiếu nhập khóa để kiểm phiếu."))
            return redirect(_url("overview", bloc_year))
    return render(
        request,
        "review/close_confirm.html",
        year_context(
            request,
            bloc_year,
            "review",
            ballot=ballot,
            form=form,
            consequence=voting.close_consequence(ballot, bloc_year.memberships.count()),
        ),
    )


@sensitive_post_parameters("board_key")
@bloc_year_view(manage=True)
def ballot_count(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    """The board gives its key back, in the browser: the server opens the papers in memory and forgets the key."""
    ballot = get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year)
    if ballot.status != Status.CLOSED or ballot.is_counted:
        messages.info(request, _("Chỉ kiểm phiếu được cuộc bỏ phiếu trực tuyến đã kết thúc và chưa kiểm."))
        return redirect(_url("overview", bloc_year))
    form = BoardKeyForm(post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            voting.count_ballot(ballot=ballot, board_key=form.cleaned_data["board_key"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã kiểm phiếu; kết quả đã được công bố."))
            return redirect(_url("overview", bloc_year))
    return render(
        request,
        "review/count.html",
        year_context(
            request,
            bloc_year,
            "review",
            ballot=ballot,
            form=form,
            fingerprint=voting.key_fingerprint(ballot.board_public_key),
            papers=ballot.voters.count(),
        ),
    )


@bloc_year_view(manage=True)
def ballot_reopen(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year)
    if ballot.status != Status.CLOSED:
        messages.info(request, _("Chỉ mở lại được cuộc bỏ phiếu đã kết thúc."))
        return redirect(_url("overview", bloc_year))
    form = ReopenBallotForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            voting.reopen_ballot(ballot=ballot, reason=form.cleaned_data["reason"], by=request.user)
        if outcome.ok:
            messages.success(request, _("Đã mở lại cuộc bỏ phiếu; các đơn vị chưa bỏ phiếu có thể bỏ phiếu."))
            return redirect(_url("overview", bloc_year))
    return render(request, "review/reopen.html", year_context(request, bloc_year, "review", ballot=ballot, form=form))


@bloc_year_view()
def vote(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    """A member unit's officer casts the unit's ballot. The secretariat, leaders and viewers cannot."""
    access = request.access
    if not access.is_officer:
        raise PermissionDenied
    ballot = get_object_or_404(
        Ballot.objects.prefetch_related(Prefetch("candidates", Candidate.objects.select_related("unit"))),
        pk=ballot_pk,
        bloc_year=bloc_year,
    )
    form = VoteForm(post_data(request), ballot=ballot)
    already = VoterRecord.objects.filter(ballot=ballot, unit=access.unit).exists()
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            voting.cast_vote(
                ballot=ballot, unit=access.unit, candidate_ids=form.cleaned_data["candidates"], by=request.user
            )
        if outcome.ok:
            messages.success(
                request, _("Đã ghi nhận phiếu của đơn vị. Phiếu được giữ kín; kết quả có sau khi kết thúc bỏ phiếu.")
            )
            return redirect(_url("overview", bloc_year))
    return render(
        request,
        "review/vote.html",
        year_context(request, bloc_year, "review", form=form, ballot=ballot, already=already),
    )


@bloc_year_view(manage=True)
def paper_count(request: HttpRequest, bloc_year: BlocYear, ballot_pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot, pk=ballot_pk, bloc_year=bloc_year)
    initial = {
        "issued": ballot.issued,
        "received": ballot.received,
        "valid": ballot.valid,
        "invalid": ballot.invalid,
        **{f"c{c.pk}": c.votes for c in ballot.candidates.all()},
    }
    form = PaperCountForm(post_data(request), initial=initial, ballot=ballot)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            voting.enter_paper_count(
                ballot=ballot,
                issued=d["issued"],
                received=d["received"],
                valid=d["valid"],
                invalid=d["invalid"],
                votes=form.votes(),
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu kết quả kiểm phiếu giấy. Kết thúc bỏ phiếu để công bố kết quả."))
            return redirect(_url("overview", bloc_year))
    return render(
        request, "review/paper_count.html", year_context(request, bloc_year, "review", form=form, ballot=ballot)
    )


MEETING_FIELDS = (
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
)


@bloc_year_view(manage=True)
def meeting_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    if bloc_year.phase != BlocYear.Phase.REVIEW:
        messages.info(request, _("Chỉ sửa được trong giai đoạn bình xét."))
        return redirect(_url("overview", bloc_year))
    members = _members(bloc_year)
    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).prefetch_related("present_units").first()
    initial = {}
    if meeting:
        initial = {f: getattr(meeting, f) for f in MEETING_FIELDS}
        initial["present_units"] = [u.pk for u in meeting.present_units.all()]
    initial["version"] = meeting.version if meeting else 1
    form = MeetingForm(post_data(request), initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        with errors_on(form) as outcome:
            voting.save_meeting(
                bloc_year=bloc_year,
                data=d,
                present_unit_ids=d.pop("present_units"),
                by=request.user,
                expected_version=form.expected_version(),
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu thông tin hội nghị."))
            return redirect(_url("overview", bloc_year))
    return render(
        request,
        "review/meeting_form.html",
        year_context(request, bloc_year, "review", form=form, quorum_hint=len(members)),
    )


@bloc_year_view(manage=True)
def outcome_edit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    if bloc_year.phase != BlocYear.Phase.REVIEW:
        messages.info(request, _("Chỉ sửa được trong giai đoạn bình xét."))
        return redirect(_url("overview", bloc_year))
    members = _members(bloc_year)
    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).first()
    proposals = list(AwardProposal.objects.filter(bloc_year=bloc_year))
    initial = {
        "flag": next((p.unit_id for p in proposals if p.award == AwardProposal.Award.FLAG), None),
        "certificates": [p.unit_id for p in proposals if p.award == AwardProposal.Award.CERTIFICATE],
        "elected_head": meeting.elected_head_id if meeting else None,
        "elected_deputy": meeting.elected_deputy_id if meeting else None,
        "version": meeting.version if meeting else 1,
        "flag_override": next((p.override_reason for p in proposals if p.award == AwardProposal.Award.FLAG), ""),
        "certificate_override": next(
            (p.override_reason for p in proposals if p.award == AwardProposal.Award.CERTIFICATE and p.override_reason),
            "",
        ),
    }
    form = OutcomeForm(post_data(request), initial=initial, members=members)
    ranks = dict(RankSnapshot.objects.filter(bloc_year=bloc_year).values_list("unit_id", "rank"))
    tallies = _tallies(bloc_year, len(members))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rows = []
        passed = voting.passed_by_vote(bloc_year, len(members))

        def override(unit_id, award, reason):
            # The reason is kept only on the proposals the vote did not carry.
            return "" if unit_id in passed.get(award, set()) else reason

        if d["flag"]:
            rows.append(
                _proposal(
                    d["flag"],
                    AwardProposal.Award.FLAG,
                    ranks,
                    tallies,
                    override(d["flag"], AwardProposal.Award.FLAG, d["flag_override"]),
                )
            )
        for unit_id in d["certificates"]:
            rows.append(
                _proposal(
                    unit_id,
                    AwardProposal.Award.CERTIFICATE,
                    ranks,
                    tallies,
                    override(unit_id, AwardProposal.Award.CERTIFICATE, d["certificate_override"]),
                )
            )
        with errors_on(form) as outcome:
            voting.save_outcome(
                bloc_year=bloc_year,
                proposals=rows,
                elected_head_id=d["elected_head"],
                elected_deputy_id=d["elected_deputy"],
                by=request.user,
                expected_version=form.expected_version(),
            )
        if outcome.ok:
            messages.success(request, _("Đã lưu đề nghị khen thưởng và kết quả bầu Trưởng, Phó trưởng khối."))
            return redirect(_url("overview", bloc_year))
    return render(
        request, "review/outcome_form.html", year_context(request, bloc_year, "review", form=form, ranks=ranks)
    )


def _tallies(bloc_year: BlocYear, members: int) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for b in Ballot.objects.filter(bloc_year=bloc_year, status=Status.CLOSED):
        if not b.is_counted:
            continue
        out[b.kind] = {r.candidate.unit_id: r.votes for r in voting.results(b, members).rows}
    return out


def _proposal(unit_id, award, ranks, tallies, override_reason: str = "") -> voting.ProposalRow:
    votes = tallies.get(award, {}).get(unit_id)
    rank = ranks.get(unit_id)
    parts = []
    if rank:
        parts.append(_("xếp hạng %(rank)s") % {"rank": rank})
    if votes is not None:
        parts.append(_("%(votes)s phiếu bầu") % {"votes": votes})
    return voting.ProposalRow(
        unit_id=unit_id, award=award, rank=rank, votes=votes, basis="; ".join(parts), override_reason=override_reason
    )

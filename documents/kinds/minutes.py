"""Biên bản: the minutes of the year-end review meeting, then the minutes of the vote count, in one PDF.

The vote count prints only counts per candidate: which unit voted for whom is not stored anywhere.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import vn_number
from documents.layout import vn_date
from documents.registry import DocumentKind, register
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, ReviewMeeting
from scoring.sheets.ranking import compute

DOTS = "\u2026" * 12  # a blank the secretary fills in by hand

HONORIFICS = ("ông ", "bà ", "đồng chí ", "đ/c ", "đ/c. ")


def person_name(line: str) -> str:
    """ "Ông Phạm Đức Thắng, Trưởng ban …" → "Phạm Đức Thắng" (the name under a signature)."""
    name = line.split(",")[0].split(" - ")[0].split(" – ")[0].strip()
    lowered = name.lower()
    for prefix in HONORIFICS:
        if lowered.startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def role_named(line: str) -> bool:
    lowered = line.lower()
    return _("Trưởng ban").lower() in lowered or _("Thành viên").lower() in lowered


def percent(votes: int, valid: int) -> str:
    """11 of 12 → "91,7%"; 12 of 12 → "100%"."""
    if not valid:
        return "\u2014"
    share = (Decimal(votes) * 100 / Decimal(valid)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return vn_number(share) + "%"


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def ballot_order():
    return {kind.value: i for i, kind in enumerate(Ballot.Kind)}


def closed_results(bloc_year, members_count: int) -> list:
    """The results of every closed ballot, in the order flag, certificate, head, deputy."""

    order = ballot_order()
    ballots = sorted(
        Ballot.objects.filter(bloc_year=bloc_year, status=Ballot.Status.CLOSED)
        .exclude(mode=Ballot.Mode.ONLINE, counted_at__isnull=True)
        .select_related("bloc_year"),
        key=lambda b: order[b.kind],
    )
    return [voting.results(b, members_count) for b in ballots]


def outcome_label(ballot, row, quorum_met: bool) -> str:
    election = ballot.kind in (Ballot.Kind.HEAD, Ballot.Kind.DEPUTY)
    if row.tied:
        return _("Bằng phiếu")
    if row.elected:
        return _("Trúng cử") if election else _("Được đề nghị")
    if row.passed and not quorum_met:
        return _("Đạt tỷ lệ; không đủ số phiếu thu về tối thiểu")
    if row.passed:
        return _("Đạt tỷ lệ; ngoài số lượng được chọn")
    return _("Không đạt")


def question(ballot) -> str:
    next_year = ballot.bloc_year.year + 1
    if ballot.kind == Ballot.Kind.HEAD:
        return _("Bầu Trưởng khối năm %(year)s") % {"year": next_year}
    if ballot.kind == Ballot.Kind.DEPUTY:
        return _("Bầu Phó trưởng khối năm %(year)s") % {"year": next_year}
    return str(ballot.get_kind_display())


def count_data(result) -> dict:
    """What the vote-count minutes print for one ballot: counts only, never who voted for whom."""

    ballot = result.ballot
    online = ballot.mode == Ballot.Mode.ONLINE
    # Online: every member unit is sent a ballot; the units that voted are the ballots received, all valid.
    issued = result.members if online else (result.issued or 0)
    rows = []
    # Only the candidates that got a vote (and any elected or tied): a count of twelve zero rows says nothing.
    shown = [r for r in result.rows if r.votes > 0 or r.elected or r.tied]
    for i, r in enumerate(shown, 1):
        rows.append(
            {
                "order": i,
                "unit": r.candidate.unit.name,
                "votes": r.votes,
                "share": percent(r.votes, result.valid),
                "outcome": outcome_label(ballot, r, result.quorum_met),
                "elected": r.elected,
                "tied": r.tied,
            }
        )
    chosen = [r.candidate.unit.name for r in result.rows if r.elected]
    tied = [r.candidate.unit.name for r in result.rows if r.tied]
    if not result.quorum_met:
        verdict = _("Số phiếu thu về không đạt tỷ lệ tối thiểu: cuộc bỏ phiếu không có kết quả.")
    elif chosen:
        verdict = (
            "; ".join(
                _("%(unit)s đạt %(votes)s/%(valid)s phiếu (%(share)s)")
                % {
                    "unit": r.candidate.unit.name,
                    "votes": r.votes,
                    "valid": result.valid,
                    "share": percent(r.votes, result.valid),
                }
                for r in result.rows
                if r.elected
            )
            + "."
        )
    elif not tied:
        verdict = _("Không có đơn vị nào đạt số phiếu cần thiết.")
    else:
        verdict = ""
    mode = str(ballot.get_mode_display())
    zero = len(result.rows) - len(shown)
    return {
        "zero_note": _("Các đơn vị còn lại trong danh sách đề cử (%(n)s đơn vị) không có phiếu.") % {"n": zero}
        if zero and shown
        else "",
        "question": question(ballot),
        "mode": mode[:1].lower() + mode[1:],
        "online": online,
        "max_choices": ballot.max_choices,
        "members": result.members,
        "issued": issued,
        "received": result.received,
        "valid": result.valid,
        "invalid": result.invalid,
        "quorum": _("%(num)s/%(den)s số đơn vị thành viên (%(n)s phiếu)")
        % {"num": ballot.quorum_numerator, "den": ballot.quorum_denominator, "n": result.quorum_needed},
        "quorum_met": result.quorum_met,
        "pass_rule": _("trên %(p)s%% số phiếu hợp lệ") % {"p": ballot.pass_percent},
        "rows": rows,
        "chosen": chosen,
        "verdict": verdict,
        "tie_note": result.tie_note,
    }


def hour_text(t) -> str:
    """08:00 → "08 giờ 00" (the minutes' own wording)."""
    return _("%(h)s giờ %(m)s") % {"h": f"{t.hour:02d}", "m": f"{t.minute:02d}"} if t else ""


def proposal_detail(p) -> str:
    parts = []
    if p.rank:
        parts.append(_("hạng %(rank)s") % {"rank": p.rank})
    if p.votes is not None:
        parts.append(_("%(votes)s phiếu") % {"votes": p.votes})
    if p.override_reason:
        parts.append(_("đề nghị ngoài kết quả bỏ phiếu, lý do: %(reason)s") % {"reason": p.override_reason})
    return ", ".join(parts)


def build(*, bloc_year, **_rest) -> dict:
    bloc = bloc_year.bloc
    year = bloc_year.year
    members = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("order")]
    meeting = ReviewMeeting.objects.select_related("elected_head", "elected_deputy").filter(bloc_year=bloc_year).first()
    present_ids = set(meeting.present_units.values_list("pk", flat=True)) if meeting else set()
    present = [u.name for u in members if u.pk in present_ids]
    absent = [u.name for u in members if u.pk not in present_ids] if meeting else []

    ranking = compute(bloc_year)
    leaders = []
    for row, scores in ranking.lines():
        if row.rank > 3:
            break
        leaders.append({"rank": row.rank, "unit": scores.membership.unit.name, "total": vn_number(row.total)})

    results = closed_results(bloc_year, len(members))
    counts = [count_data(r) for r in results]
    ballots_brief = [{"question": c["question"], "chosen": c["verdict"], "tie_note": c["tie_note"]} for c in counts]
    proposals = sorted(
        AwardProposal.objects.filter(bloc_year=bloc_year).select_related("unit"),
        key=lambda p: (p.award != AwardProposal.Award.FLAG, p.order),
    )
    committee = paragraphs(meeting.count_committee) if meeting else []
    committee_rows = [
        {
            "line": line.rstrip(" ;.,"),
            "name": person_name(line),
            # "… (Trưởng ban)" in the data already says the role: not twice.
            "role": "" if role_named(line) else (_("Trưởng ban") if i == 0 else _("Thành viên")),
            "title": (_("Trưởng ban kiểm phiếu") if i == 0 else _("Thành viên")).upper(),
        }
        for i, line in enumerate(committee)
    ]
    # Signatures of the count committee: the head on the right of the first row, members fill the rest.
    signature_rows = []
    if 1 < len(committee_rows) <= 3:
        # Three signatures fit on one row (the head on the right): the count keeps to as few pages as it needs.
        signature_rows.append([*committee_rows[1:], committee_rows[0]])
    elif committee_rows:
        signature_rows.append([committee_rows[1] if len(committee_rows) > 1 else None, committee_rows[0]])
        rest = committee_rows[2:]
        signature_rows += [[*rest[i : i + 2], None][:2] for i in range(0, len(rest), 2)]

    held_on = vn_date(meeting.held_on) if meeting and meeting.held_on else ""
    starts = hour_text(meeting.starts_at) if meeting else ""
    ends = hour_text(meeting.ends_at) if meeting else ""
    if starts and ends:
        time_line = _("từ %(start)s đến %(end)s, ngày %(day)s") % {"start": starts, "end": ends, "day": held_on or DOTS}
    elif starts:
        time_line = _("%(start)s, ngày %(day)s") % {"start": starts, "day": held_on or DOTS}
    else:
        time_line = _("ngày %(day)s") % {"day": held_on or DOTS}
    closing = (
        _(
            "Hội nghị kết thúc vào hồi %(end)s cùng ngày. Biên bản đã được đọc lại trước Hội nghị và được các đại "
            "biểu dự họp thống nhất thông qua./."
        )
        % {"end": ends}
        if ends
        else _(
            "Hội nghị kết thúc vào hồi …… giờ …… cùng ngày. Biên bản đã được đọc lại trước Hội nghị và được các "
            "đại biểu dự họp thống nhất thông qua./."
        )
    )
    chair = meeting.chair if meeting else ""
    secretary = meeting.secretary if meeting else ""
    summary = _("Hội nghị tổng kết công tác thi đua năm %(year)s của %(bloc)s") % {"year": year, "bloc": bloc.name}
    # The summary printed on two lines: the meeting, then the bloc (a long bloc name wraps on its own).
    summary_lines = [
        _("Hội nghị tổng kết công tác thi đua năm %(year)s") % {"year": year},
        _("của %(bloc)s") % {"bloc": bloc.name},
    ]
    return {
        "doc_type": _("Biên bản"),
        "summary": summary,
        "summary_lines": summary_lines,
        "bloc": bloc.name,
        "year": year,
        "next_year": year + 1,
        "held_on": held_on or DOTS,
        "time_line": time_line,
        "closing": closing,
        "attendance": paragraphs(meeting.attendance) if meeting else [],
        "discussion": paragraphs(meeting.discussion) if meeting else [],
        "place": (meeting.place if meeting else "") or DOTS,
        "chair": chair or DOTS,
        "secretary": secretary or DOTS,
        "chair_name": person_name(chair) if chair else "",
        "secretary_name": person_name(secretary) if secretary else "",
        "members_count": len(members),
        "present_count": len(present),
        "present": present,
        "absent": absent,
        "agenda": [
            _("Thông qua báo cáo tổng kết công tác thi đua, khen thưởng năm %(year)s của Khối.") % {"year": year},
            _("Thông qua kết quả chấm điểm, xếp hạng thi đua năm %(year)s của các đơn vị thành viên.") % {"year": year},
            _(
                "Bình xét, suy tôn bằng hình thức bỏ phiếu kín các đơn vị đề nghị tặng Cờ thi đua của UBND tỉnh "
                "và Bằng khen của Chủ tịch UBND tỉnh."
            ),
            _("Bầu Trưởng khối, Phó trưởng khối năm %(year)s.") % {"year": year + 1},
        ],
        "ranking_status": _("đã được phê duyệt") if ranking.approved else _("tạm tính, chưa phê duyệt"),
        "leaders": leaders,
        "ballots": ballots_brief,
        "proposals": [
            {"award": p.get_award_display(), "unit": p.unit.name, "detail": proposal_detail(p)} for p in proposals
        ],
        "elected_head": meeting.elected_head.name if meeting and meeting.elected_head else "",
        "elected_deputy": meeting.elected_deputy.name if meeting and meeting.elected_deputy else "",
        "conclusions": paragraphs(meeting.conclusions) if meeting else [],
        # The vote-count minutes.
        "count_title": _("Biên bản kiểm phiếu"),
        "count_summary": _("Bỏ phiếu kín tại Hội nghị tổng kết công tác thi đua năm %(year)s") % {"year": year},
        "committee": committee_rows,
        "signature_rows": signature_rows,
        "counts": counts,
    }


def held_day(bloc_year, unit, period):  # noqa: ARG001 (the kinds' natural_day signature)
    """Minutes are dated the day of the meeting."""
    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).first()
    return meeting.held_on if meeting else None


register(
    DocumentKind(
        code="minutes",
        natural_day=held_day,
        short="BB",
        label=gettext_lazy("Biên bản hội nghị tổng kết và biên bản kiểm phiếu"),
        doc_type="BB",
        template="documents/pdf/minutes.html",
        build=build,
        year_end=True,
        default_recipients=(
            gettext_lazy("Hội đồng Thi đua - Khen thưởng tỉnh (kèm Tờ trình)"),
            gettext_lazy("Các đơn vị trong Khối"),
            gettext_lazy("Lưu: VT, hồ sơ"),
        ),
    )
)

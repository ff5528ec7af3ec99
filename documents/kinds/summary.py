"""Báo cáo tổng kết công tác thi đua năm: the bloc's year-end summary report.

I. what was done under each covenant content (the secretariat's synthesis, else the units' latest accepted
reports); II. the reporting record; III. the scores and ranking; IV. the review meeting's votes, proposals and
next year's head and deputy; V. next year's direction. Every printed value is returned here, formatted.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import vn_number
from covenant.models import Covenant, CovenantContent
from documents.grounds import legal_bases
from documents.layout import head_unit, vn_date
from documents.models import ContentSynthesis, YearSynthesis
from documents.registry import DocumentKind, register
from documents.services import YEAR_FIELDS
from documents.synthesis import Once, content_texts, latest_sections, year_texts
from reports.board import completeness_board
from reports.charts import completion_bars
from reports.models import ProgressReport
from scoring.meeting import services as voting
from scoring.models import AwardProposal, Ballot, ReviewMeeting, Scoreboard
from scoring.sheets.charts import criterion_spread
from scoring.sheets.ranking import compute, tie_note

# How a cell of the reporting table reads (short: four period columns share a portrait page).
MARKS = {
    "on_time": gettext_lazy("Đúng hạn"),
    "late": gettext_lazy("Trễ hạn"),
    "missing": gettext_lazy("Không nộp"),
    "overdue": gettext_lazy("Chưa nộp"),
    "not_due": gettext_lazy("Chưa đến hạn"),
    "not_open": gettext_lazy("Chưa mở"),
}
# More criteria than this and the ranking table keeps rank, unit, bonus, deductions and total only.
MAX_CRITERIA_COLUMNS = 4


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _period_label(name: str) -> str:
    """ "Báo cáo quý I" → "Quý I": the column says which period, the table already says it is a report."""
    prefix = "Báo cáo "
    short = name[len(prefix) :] if name.lower().startswith(prefix.lower()) and len(name) > len(prefix) else name
    return _capital(short)


def _basis(text: str, last: bool) -> str:
    """One "Căn cứ …;" line (decree 30: a line each, ";" at the end, "." after the last), with "Căn cứ"
    added when the covenant's wording left it out."""
    text = text.strip().rstrip(";.,").strip()
    if not text.lower().startswith("căn cứ"):
        text = _("Căn cứ %(basis)s") % {"basis": text}
    return text + ("." if last else ";")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(votes: int, valid: int) -> str:
    """Percent of the valid ballots, two decimals at most: 75, 83,33, 100."""
    if not valid:
        return ""
    return vn_number((Decimal(votes) * 100 / Decimal(valid)).quantize(Decimal("0.01")))


# Opening ----------------------------------------------------------------------------------------------


def _opening(bloc_year, covenant: Covenant | None, contents: list[CovenantContent], issue) -> dict:
    bases = legal_bases(bloc_year, issue.grounded_on) if covenant else []
    head = head_unit(bloc_year)
    members = bloc_year.memberships.count()
    year = bloc_year.year
    parts = []
    if covenant is not None and covenant.signed_on:
        parts.append(
            _(
                "Ngày %(date)s, %(members)s đơn vị thành viên Khối đã ký kết Giao ước thi đua năm %(year)s "
                "gồm %(n)s nội dung"
            )
            % {"date": vn_date(covenant.signed_on), "members": members, "year": year, "n": len(contents)}
        )
    else:
        parts.append(
            _("%(members)s đơn vị thành viên Khối đã ký kết Giao ước thi đua năm %(year)s gồm %(n)s nội dung")
            % {"members": members, "year": year, "n": len(contents)}
        )
    if head is not None:
        if covenant is not None and covenant.plan_number:
            plan = _("Kế hoạch số %(number)s") % {"number": covenant.plan_number}
            if covenant.plan_date:
                plan = _("%(plan)s ngày %(date)s") % {"plan": plan, "date": vn_date(covenant.plan_date)}
            parts.append(
                _("%(head)s (đơn vị Trưởng khối) đã ban hành %(plan)s tổ chức thực hiện Giao ước")
                % {"head": head.name, "plan": plan}
            )
        else:
            parts.append(_("%(head)s là đơn vị Trưởng khối") % {"head": head.name})
    covenant_line = "; ".join(parts) + "."
    return {
        "legal_bases": [_basis(b, i == len(bases) - 1) for i, b in enumerate(bases)],
        "covenant_line": covenant_line,
        "lead_in": _("%(bloc)s báo cáo tổng kết công tác thi đua năm %(year)s như sau:")
        % {"bloc": bloc_year.bloc.name, "year": year},
    }


# I. Contents ------------------------------------------------------------------------------------------


def _contents(bloc_year, contents: list[CovenantContent], facts, once: Once) -> list[dict]:
    """Per content: the secretariat's synthesis, else the pre-filled one (aggregate and one line per unit in STT
    order); then the units' result rows as a table, the one the units' texts refer to."""
    saved = {s.content_id: s.text for s in ContentSynthesis.objects.filter(bloc_year=bloc_year)}
    prefilled = content_texts(bloc_year, facts, Once())
    out = []
    for c in contents:
        # A synthesis saved blank counts as none: the section then shows what the units reported.
        paragraphs = once.take(_lines(saved.get(c.pk, "")) or _lines(prefilled.get(c.pk, "")))
        f = facts.get(c.pk)
        out.append(
            {
                "order": c.order,
                "title": c.title,
                "paragraphs": paragraphs or [_("Chưa có nội dung tổng hợp.")],
                "empty": not paragraphs,
                "results": [
                    {**r, "met_text": "" if r["met"] is None else (_("Đạt") if r["met"] else _("Chưa đạt"))}
                    for r in (f.rows if f else [])
                ],
            }
        )
    return out


def _assessment(bloc_year, facts, contents, once: Once) -> dict:
    saved = YearSynthesis.objects.filter(bloc_year=bloc_year).first()
    prefilled = year_texts(bloc_year, facts, {c.pk: c.title for c in contents})
    parts = {}
    for f in YEAR_FIELDS:
        text = getattr(saved, f) if saved is not None and getattr(saved, f).strip() else prefilled[f]
        # The direction is taken once, after the review's own lines (see build).
        parts[f] = _lines(text) if f == "direction" else once.take(_lines(text))
    return parts


# II. Reporting ----------------------------------------------------------------------------------------


def _reporting(bloc_year) -> dict:
    board = completeness_board(bloc_year)
    pending = {ProgressReport.Status.SUBMITTED, ProgressReport.Status.RESUBMITTED, ProgressReport.Status.RETURNED}
    rows = []
    not_accepted = 0
    for m, cells, rates in board.rows():
        marks = []
        for cell in cells:
            mark = {"text": str(MARKS[cell.timeliness.value]), "kind": cell.timeliness.value, "star": False}
            if cell.report is not None and cell.report.status in pending:
                mark["star"] = True
                not_accepted += 1
            marks.append(mark)
        rows.append(
            {
                "order": m.order,
                "unit": m.unit.short_name,
                "marks": marks,
                "on_time": rates["on_time"],
                "late": rates["late"],
                "missing": rates["missing"],
            }
        )
    period_rates = board.period_rates()
    accepted = sum(
        1 for c in board.cells.values() if c.report is not None and c.report.status == ProgressReport.Status.ACCEPTED
    )
    expected = sum(r["expected"] for r in period_rates)
    received = sum(r["received"] for r in period_rates)
    on_time = sum(r["on_time"] for r in period_rates)
    late = sum(r["late"] for r in period_rates)
    missing = sum(r["missing"] for r in period_rates)
    names = [p.name for p in board.periods]
    if not names:
        sentence = _("Năm thi đua chưa có kỳ báo cáo.")
    else:
        sentence = _(
            "Trong năm, Khối tổ chức %(n)s kỳ báo cáo (%(names)s). Đến kỳ hạn có %(expected)s báo cáo phải nộp: "
            "đã nộp %(received)s báo cáo (đúng hạn %(on_time)s, trễ hạn %(late)s), không nộp %(missing)s; "
            "Văn phòng Khối đã tiếp nhận %(accepted)s báo cáo."
        ) % {
            "n": len(board.periods),
            "names": ", ".join(n[:1].lower() + n[1:] for n in names),
            "expected": expected,
            "received": received,
            "on_time": on_time,
            "late": late,
            "missing": missing,
            "accepted": accepted,
        }
    return {
        "sentence": sentence,
        "periods": [_period_label(n) for n in names],
        "rows": rows,
        "totals": [{"on_time": r["on_time"], "late": r["late"], "missing": r["missing"]} for r in period_rates],
        "sum": {"on_time": on_time, "late": late, "missing": missing},
        "starred": not_accepted,
        "star_note": _("(*) Báo cáo đã nộp nhưng chưa được Văn phòng Khối tiếp nhận (đang xem xét hoặc bị trả lại).")
        if not_accepted
        else "",
        "legend": "; ".join(f"{m.unit.short_name}: {m.unit.name}" for m in board.members),
        "chart": [
            {
                "label": _period_label(bar.label),
                "units": bar.units,
                "segments": [
                    {"x": g.x, "width": g.width, "kind": g.css, "count": g.count, "label": g.label}
                    for g in bar.segments
                ],
            }
            for bar in completion_bars(board.periods, period_rates)
        ],
    }


# III. Ranking -----------------------------------------------------------------------------------------


def _ranking(bloc_year) -> dict:
    if not Scoreboard.objects.filter(bloc_year=bloc_year).exists():
        return {"done": False, "line": _("Năm thi đua chưa có bảng điểm: chưa có kết quả chấm điểm, xếp hạng.")}
    ranking = compute(bloc_year)
    if not any(u.sheet is not None for u in ranking.units.values()):
        return {
            "done": False,
            "line": _("Các đơn vị chưa nộp bảng tự chấm điểm: chưa có kết quả chấm điểm, xếp hạng."),
        }
    short = {u.membership.unit_id: u.membership.unit.short_name for u in ranking.units.values()}
    show_criteria = len(ranking.criteria) <= MAX_CRITERIA_COLUMNS
    rows, ties = [], []
    for row, u in ranking.lines():
        rows.append(
            {
                "rank": row.rank,
                "unit": u.membership.unit.name,
                "criteria": [vn_number(v) for v in row.entry.criteria] if show_criteria else [],
                "bonus": vn_number(row.bonus),
                "deductions": vn_number(row.deductions),
                "total": vn_number(row.total),
                "no_sheet": u.sheet is None,
            }
        )
        if row.tied_with:
            ties.append(
                _("%(unit)s (hạng %(rank)s): %(note)s")
                % {"unit": u.membership.unit.short_name, "rank": row.rank, "note": tie_note(row, short)}
            )
    approved = ranking.approved
    rules = [r.label for r in ranking.rules]
    rule_line = _(
        "Tổng điểm = tổng điểm các tiêu chí + điểm thưởng (tối đa %(cap)s điểm) − điểm trừ. Xếp hạng theo tổng "
        "điểm giảm dần; bằng điểm thì phân định lần lượt theo: %(rules)s; vẫn bằng nhau thì đồng hạng."
    ) % {
        "cap": vn_number(ranking.board.bonus_cap),
        "rules": "; ".join(f"{i}) {r}" for i, r in enumerate(rules, 1)) if rules else _("không có quy tắc"),
    }
    return {
        "done": True,
        "approved": approved,
        "status": _("Kết quả đã được phê duyệt") if approved else _("Kết quả tạm tính, chưa phê duyệt"),
        "intro": (
            _("Kết quả chấm điểm thi đua năm %(year)s của %(n)s đơn vị thành viên đã được phê duyệt, xếp hạng như sau:")
            if approved
            else _(
                "Kết quả chấm điểm thi đua năm %(year)s của %(n)s đơn vị thành viên (tạm tính, chưa được phê duyệt) "
                "xếp hạng như sau:"
            )
        )
        % {"year": bloc_year.year, "n": len(rows)},
        "show_criteria": show_criteria,
        "criteria": [{"order": c.order, "title": c.title} for c in ranking.criteria],
        "criteria_note": ""
        if show_criteria
        else _("Bảng điểm có %(n)s tiêu chí: điểm từng tiêu chí xem tại Bảng tổng hợp kết quả chấm điểm và xếp hạng.")
        % {"n": len(ranking.criteria)},
        "rows": rows,
        "rule_line": rule_line,
        "ties": ties,
        "no_sheet_note": _("(*) Đơn vị chưa nộp bảng tự chấm điểm.") if any(r["no_sheet"] for r in rows) else "",
        "spread": [s.as_data() for s in criterion_spread(ranking)],
    }


# IV. Review -------------------------------------------------------------------------------------------


def _review(bloc_year) -> dict:
    members = bloc_year.memberships.count()
    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).select_related("elected_head", "elected_deputy").first()
    kind_order = {k.value: i for i, k in enumerate(Ballot.Kind)}
    closed = sorted(
        Ballot.objects.filter(bloc_year=bloc_year, status=Ballot.Status.CLOSED).exclude(
            mode=Ballot.Mode.ONLINE, counted_at__isnull=True
        ),
        key=lambda b: kind_order.get(b.kind, 99),
    )
    ballots = []
    for i, ballot in enumerate(closed, 1):
        result = voting.results(ballot, members)
        if ballot.mode == Ballot.Mode.ONLINE:
            count_line = _(
                "Bỏ phiếu kín trực tuyến: %(received)s/%(members)s đơn vị đã bỏ phiếu; số phiếu hợp lệ: %(valid)s; "
                "số phiếu không hợp lệ: %(invalid)s."
            ) % {"received": result.received, "members": members, "valid": result.valid, "invalid": result.invalid}
        else:
            count_line = _(
                "Bỏ phiếu kín bằng phiếu giấy: số phiếu phát ra: %(issued)s; số phiếu thu về: %(received)s; "
                "số phiếu hợp lệ: %(valid)s; số phiếu không hợp lệ: %(invalid)s."
            ) % {
                "issued": result.issued if result.issued is not None else "",
                "received": result.received,
                "valid": result.valid,
                "invalid": result.invalid,
            }
        voted = [r for r in result.rows if r.votes > 0]
        rows = []
        for r in voted:
            if r.tied:
                outcome = _("Bằng phiếu")
            elif r.elected:
                outcome = _("Trúng")
            else:
                outcome = _("Không trúng")
            rows.append(
                {
                    "unit": r.candidate.unit.name,
                    "votes": r.votes,
                    "share": _share(r.votes, result.valid),
                    "outcome": outcome,
                }
            )
        notes = []
        if len(voted) < len(result.rows):
            notes.append(
                _("Các đơn vị còn lại trong danh sách đề cử (%(n)s đơn vị) không có phiếu.")
                % {"n": len(result.rows) - len(voted)}
            )
        if not result.quorum_met:
            notes.append(
                _(
                    "Số đơn vị tham gia chưa đạt tỷ lệ tối thiểu (%(needed)s/%(members)s đơn vị): "
                    "kết quả không có giá trị."
                )
                % {"needed": result.quorum_needed, "members": members}
            )
        if result.tie_note:
            notes.append(result.tie_note)
        ballots.append(
            {
                "number": "abcdefghij"[i - 1] if i <= 10 else str(i),
                "question": ballot.get_kind_display(),
                "rule": _("Mỗi phiếu chọn tối đa %(n)s đơn vị; đơn vị trúng khi được trên %(p)s%% số phiếu hợp lệ.")
                % {"n": ballot.max_choices, "p": ballot.pass_percent},
                "count_line": count_line,
                "rows": rows,
                "notes": notes,
            }
        )
    # The flag first, then the certificates (the stored values sort the other way round).
    award_order = {a.value: i for i, a in enumerate(AwardProposal.Award)}
    proposals = []
    for p in sorted(
        AwardProposal.objects.filter(bloc_year=bloc_year).select_related("unit"),
        key=lambda p: (award_order.get(p.award, 99), p.order),
    ):
        # The meeting's own wording of the basis when it wrote one; otherwise the rank and the votes.
        basis = p.basis.strip()
        if not basis:
            details = []
            if p.rank:
                details.append(_("xếp hạng %(rank)s") % {"rank": p.rank})
            if p.votes is not None:
                details.append(_("được %(votes)s phiếu") % {"votes": p.votes})
            basis = _capital(", ".join(details))
        if basis and not basis.endswith("."):
            basis += "."
        proposals.append({"unit": p.unit.name, "award": p.get_award_display(), "basis": basis})
    head = meeting.elected_head.name if meeting and meeting.elected_head else ""
    deputy = meeting.elected_deputy.name if meeting and meeting.elected_deputy else ""
    next_year = bloc_year.year + 1
    officers_line = ""
    if head and deputy:
        officers_line = _(
            "Hội nghị thống nhất bầu %(head)s làm Trưởng khối, %(deputy)s làm Phó trưởng khối năm %(year)s."
        ) % {"head": head, "deputy": deputy, "year": next_year}
    elif head:
        officers_line = _("Hội nghị thống nhất bầu %(head)s làm Trưởng khối năm %(year)s.") % {
            "head": head,
            "year": next_year,
        }
    elif deputy:
        officers_line = _("Hội nghị thống nhất bầu %(deputy)s làm Phó trưởng khối năm %(year)s.") % {
            "deputy": deputy,
            "year": next_year,
        }
    held = bool(ballots or proposals or head or deputy)
    # Sub-headings numbered by what the year has: 1. votes, 2. proposals, 3. next year's head and deputy.
    headings, n = {}, 0
    for key, text, present in (
        ("ballots", _("Kết quả bỏ phiếu kín"), ballots),
        ("proposals", _("Đề nghị khen thưởng"), proposals),
        ("officers", _("Trưởng khối, Phó trưởng khối năm %(year)s") % {"year": next_year}, officers_line),
    ):
        if present:
            n += 1
            headings[key] = f"{n}. {text}"
    meeting_line = ""
    if meeting is not None and meeting.held_on:
        meeting_line = _("Hội nghị tổng kết công tác thi đua năm %(year)s của Khối họp ngày %(date)s%(place)s.") % {
            "year": bloc_year.year,
            "date": vn_date(meeting.held_on),
            "place": (_(" tại %(place)s") % {"place": meeting.place}) if meeting.place else "",
        }
    return {
        "held": held,
        "headings": headings,
        "not_held_line": _("Khối chưa tổ chức bình xét, suy tôn năm %(year)s.") % {"year": bloc_year.year},
        "meeting_line": meeting_line,
        "ballots": ballots,
        "proposals": proposals,
        "proposals_intro": _("Trên cơ sở kết quả chấm điểm và bỏ phiếu, Khối đề nghị khen thưởng:")
        if proposals
        else "",
        "head": head,
        "deputy": deputy,
        "officers_line": officers_line,
        "next_year": next_year,
    }


def _direction(bloc_year, review: dict, units: list[str]) -> list[str]:
    next_year = bloc_year.year + 1
    lines = [
        _(
            "Năm %(year)s, các đơn vị thành viên Khối tiếp tục đẩy mạnh các phong trào thi đua yêu nước gắn với "
            "thực hiện nhiệm vụ chính trị được giao; ký kết và tổ chức thực hiện tốt Giao ước thi đua năm %(year)s; "
            "thực hiện đầy đủ, đúng hạn chế độ thông tin, báo cáo."
        )
        % {"year": next_year}
    ]
    if review["head"] and review["deputy"]:
        lines.append(
            _("%(head)s (Trưởng khối) và %(deputy)s (Phó trưởng khối) chủ trì tổ chức hoạt động của Khối năm %(year)s.")
            % {"head": review["head"], "deputy": review["deputy"], "year": next_year}
        )
    return lines + units


def build(*, bloc_year, issue, **_rest) -> dict:
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    contents = list(CovenantContent.objects.filter(covenant=covenant).order_by("order")) if covenant else []
    review = _review(bloc_year)
    facts = latest_sections(bloc_year)
    once = Once()  # one sentence printed once in the whole report
    opening = _opening(bloc_year, covenant, contents, issue)
    content_parts = _contents(bloc_year, contents, facts, once)
    assessment = _assessment(bloc_year, facts, contents, once)
    direction = once.take(_direction(bloc_year, review, assessment.pop("direction")))
    return {
        "doc_type": _("Báo cáo"),
        "summary": _("Tổng kết công tác thi đua năm %(year)s") % {"year": bloc_year.year},
        "bloc": bloc_year.bloc.name,
        "year": bloc_year.year,
        "next_year": bloc_year.year + 1,
        "opening": opening,
        "contents": content_parts,
        "assessment": [
            {"title": title, "lines": assessment[key]}
            for key, title in (
                ("strengths", _("1. Ưu điểm")),
                ("weaknesses", _("2. Tồn tại, hạn chế")),
                ("causes", _("3. Nguyên nhân")),
                ("lessons", _("4. Bài học kinh nghiệm")),
            )
            if assessment[key]
        ],
        "reporting": _reporting(bloc_year),
        "ranking": _ranking(bloc_year),
        "review": review,
        "direction": direction,
        "closing": _("Trên đây là báo cáo tổng kết công tác thi đua năm %(year)s của %(bloc)s./.")
        % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
    }


register(
    DocumentKind(
        code="summary",
        short="TK",
        label=gettext_lazy("Báo cáo tổng kết công tác thi đua năm"),
        doc_type="BC",
        template="documents/pdf/summary.html",
        build=build,
        year_end=True,
        default_recipients=(
            gettext_lazy("Hội đồng Thi đua - Khen thưởng tỉnh"),
            gettext_lazy("Ban Thi đua - Khen thưởng tỉnh"),
            gettext_lazy("Các đơn vị thành viên Khối"),
            gettext_lazy("Lưu: VT"),
        ),
    )
)

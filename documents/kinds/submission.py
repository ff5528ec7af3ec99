"""Tờ trình: the bloc proposes its units for the provincial flag and certificates of merit; then, one per
proposed unit, the achievement report pre-filled in the shape of form 02 (decree 98/2023/NĐ-CP, Annex I),
issued by the unit itself."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.services import awards_of
from core.formatting import vn_number
from documents.grounds import award_regime, legal_bases
from documents.kinds.minutes import closed_results, paragraphs, percent
from documents.kinds.progress import unit_parent_body, unit_signer_title
from documents.layout import vn_date
from documents.registry import DocumentKind, register
from reports.models import ProgressReport, ReportingPeriod
from scoring.models import AwardProposal, Ballot, BonusClaim, ReviewMeeting
from scoring.sheets.ranking import compute

LETTERS = "abcdđeghiklmnopqrstuvxy"  # sub-items in Vietnamese administrative texts: a), b), … đ), e), g) …


def legal_basis_line(text: str) -> str:
    """ "Luật Thi đua, khen thưởng …" → "Căn cứ Luật Thi đua, khen thưởng …;" (the data may or may not say it)."""
    text = " ".join(text.split()).rstrip(" ;.,")
    if not text.lower().startswith(_("căn cứ").lower()):
        text = _("Căn cứ %(text)s") % {"text": text}
    return text + ";"


def province_committee(province_name: str) -> str:
    lowered = province_name.lower()
    if lowered.startswith(("tỉnh ", "thành phố ")):
        return _("Ủy ban nhân dân %(province)s") % {"province": lowered[:1] + province_name[1:]}
    return _("Ủy ban nhân dân tỉnh %(province)s") % {"province": province_name}


def two(n: int) -> str:
    """Counts in administrative texts take a leading zero under 10: "01 tập thể"."""
    return f"{n:02d}"


def annual_sections(bloc_year, unit) -> list[dict] | None:
    """The unit's accepted annual report, content by content (None when there is none)."""

    report = (
        ProgressReport.objects.filter(
            period__bloc_year=bloc_year,
            period__kind=ReportingPeriod.Kind.ANNUAL,
            unit=unit,
            status=ProgressReport.Status.ACCEPTED,
        )
        .order_by("-period__order")
        .first()
    )
    if report is None:
        return None
    out = []
    sections = report.sections.select_related("content").prefetch_related("results").order_by("content__order")
    for i, s in enumerate(sections):
        out.append(
            {
                "label": f"{LETTERS[i % len(LETTERS)]})",
                "title": s.content.title,
                "paragraphs": paragraphs(s.done),
                "results": [
                    {"indicator": r.indicator, "target": r.target, "result": r.result}
                    for r in s.results.all()  # prefetched, in Meta order (section, order)
                ],
            }
        )
    return out


# The achievement report of a collective by the regime in force on the proposal's date (documents/grounds.py).
FORMS = {
    "nd91": {
        "mark": gettext_lazy("Mẫu số 01"),
        "annex": gettext_lazy("(Ban hành kèm theo Nghị định số 91/2017/NĐ-CP ngày 31/7/2017 của Chính phủ)"),
        "part_one": gettext_lazy("I. SƠ LƯỢC QUÁ TRÌNH HÌNH THÀNH VÀ PHÁT TRIỂN"),
        "measures": gettext_lazy(
            "2. Những biện pháp hoặc nguyên nhân đạt được thành tích; các phong trào thi đua đã được áp dụng "
            "trong thực tiễn công tác"
        ),
    },
    "nd98": {
        "mark": gettext_lazy("Mẫu số 02"),
        "annex": gettext_lazy("(Phụ lục I ban hành kèm theo Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ)"),
        "part_one": gettext_lazy("I. THÔNG TIN CHUNG"),
        "measures": gettext_lazy(
            "2. Các biện pháp, giải pháp công tác trong việc đổi mới công tác quản lý, các phong trào thi đua đã "
            "được áp dụng; nguyên nhân đạt được thành tích"
        ),
    },
}


def award_history(unit, sheet_claims: list, before_year: int) -> dict:
    """The form's table III: the unit's register of awards received, plus the earlier decisions it attached as
    bonus evidence that the register does not hold yet."""
    titles, forms = [], []
    known = set()
    for a in awards_of(unit, before_year=before_year):
        known.add(" ".join(a.decision_number.lower().split()))
        row = {
            "year": a.year,
            "award": a.label,
            "decision": _("Quyết định số %(n)s ngày %(d)s của %(issuer)s")
            % {"n": a.decision_number, "d": vn_date(a.decision_date), "issuer": a.issuer},
        }
        (titles if a.is_title else forms).append(row)
    for claim in sheet_claims:
        for e in claim.evidence.all():
            key = " ".join(e.number_symbol.lower().split())
            if not key or key in known:
                continue
            known.add(key)
            forms.append(
                {
                    "year": e.issued_on.year if e.issued_on else "",
                    "award": e.summary,
                    "decision": _("Số %(n)s ngày %(d)s") % {"n": e.number_symbol, "d": vn_date(e.issued_on)}
                    if e.issued_on
                    else e.number_symbol,
                }
            )
    forms.sort(key=lambda r: str(r["year"]))
    return {"titles": titles, "forms": forms}


def plain_tie(row, names: dict[int, str]) -> str:
    """A tie on the total explained for the province, in full names and without the scoring jargon."""
    if not row.tied_with:
        return ""
    others = ", ".join(names.get(i, "") for i in row.tied_with)
    if row.shared and not row.separated_by:
        return _("Đơn vị có tổng điểm bằng %(units)s và đồng hạng %(rank)s.") % {"units": others, "rank": row.rank}
    rules = "; ".join(r[:1].lower() + r[1:] for r in row.separated_by)
    return _(
        "Đơn vị có tổng điểm bằng %(units)s; theo quy tắc phân định thứ hạng khi bằng điểm đã thống nhất trong "
        "Giao ước của Khối (%(rules)s), đơn vị xếp hạng %(rank)s."
    ) % {"units": others, "rules": rules, "rank": row.rank}


def build(*, bloc_year, issue=None, **_rest) -> dict:
    bloc = bloc_year.bloc
    year = bloc_year.year
    province = bloc.province.name
    members = [m.unit for m in bloc_year.memberships.select_related("unit").order_by("order")]
    meeting = ReviewMeeting.objects.filter(bloc_year=bloc_year).first()
    covenant = getattr(bloc_year, "covenant", None)
    grounded = issue.grounded_on if issue else None
    legal = [legal_basis_line(t) for t in legal_bases(bloc_year, grounded)] if grounded else []
    regime = award_regime(grounded) if grounded else "nd98"
    form = {k: str(v) for k, v in FORMS[regime].items()}
    contents = list(covenant.contents.order_by("order").values_list("title", flat=True)) if covenant else []

    ranking = compute(bloc_year)
    standing = {row.entry.unit_id: row for row in ranking.rows}
    full_names = {u.pk: u.name for u in members}
    valid = {r.ballot.kind: r.valid for r in closed_results(bloc_year, len(members))}
    ballot_of = {AwardProposal.Award.FLAG: Ballot.Kind.FLAG, AwardProposal.Award.CERTIFICATE: Ballot.Kind.CERTIFICATE}

    proposals = sorted(
        AwardProposal.objects.filter(bloc_year=bloc_year).select_related("unit"),
        key=lambda p: (p.award != AwardProposal.Award.FLAG, p.order),
    )
    awards_present = {p.award for p in proposals}
    if awards_present == {AwardProposal.Award.FLAG}:
        summary = _("Về việc đề nghị tặng Cờ thi đua của UBND tỉnh năm %(year)s")
    elif awards_present == {AwardProposal.Award.CERTIFICATE}:
        summary = _("Về việc đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm %(year)s")
    else:
        summary = _("Về việc đề nghị tặng Cờ thi đua của UBND tỉnh và Bằng khen của Chủ tịch UBND tỉnh năm %(year)s")
    summary %= {"year": year}

    rows, reports = [], []
    claims: dict[int, list] = {}
    for claim in (
        BonusClaim.objects.filter(sheet__bloc_year=bloc_year, sheet__unit__in=[p.unit for p in proposals])
        .exclude(review=BonusClaim.Review.REJECTED)
        .select_related("sheet")
        .prefetch_related("evidence")
    ):
        claims.setdefault(claim.sheet.unit_id, []).append(claim)
    for i, p in enumerate(proposals, 1):
        u = p.unit
        award = p.get_award_display()
        row = standing.get(u.pk)
        rank = p.rank or (row.rank if row else None)
        rank_text = _("%(rank)s/%(n)s") % {"rank": rank, "n": len(members)} if rank else ""
        denominator = valid.get(ballot_of[p.award])
        if p.votes is None:
            votes_text = ""
        elif denominator:
            votes_text = _("%(v)s/%(n)s phiếu (%(share)s)") % {
                "v": p.votes,
                "n": denominator,
                "share": percent(p.votes, denominator),
            }
        else:
            votes_text = _("%(v)s phiếu") % {"v": p.votes}
        basis = " ".join(x for x in (p.basis.strip(), plain_tie(row, full_names) if row else "") if x)
        rows.append(
            {"order": i, "unit": u.name, "award": award, "rank": rank_text, "votes": votes_text, "basis": basis}
        )

        score_line = ""
        if row is not None:
            score_line = _(
                "Kết quả chấm điểm thi đua năm %(year)s: đạt %(total)s điểm, xếp hạng %(rank)s/%(n)s đơn vị "
                "trong Khối (%(status)s)."
            ) % {
                "year": year,
                "total": vn_number(row.total),
                "rank": row.rank,
                "n": len(members),
                "status": _("kết quả đã được phê duyệt") if ranking.approved else _("kết quả tạm tính"),
            }
        vote_line = ""
        if votes_text:
            vote_line = _(
                "Được Hội nghị tổng kết công tác thi đua năm %(year)s của Khối bình xét, suy tôn đề nghị tặng "
                "%(award)s với %(votes)s."
            ) % {"year": year, "award": award, "votes": votes_text}
        reports.append(
            {
                "parent_body": unit_parent_body(u, bloc),
                "issuing_body": u.name.upper(),
                "title": _("Báo cáo thành tích đề nghị tặng %(award)s") % {"award": award},
                "summary": _("Năm %(year)s") % {"year": year},
                "unit": u.name,
                "facts": [
                    {"label": _("Tên đơn vị"), "value": u.name},
                    {"label": _("Địa chỉ trụ sở"), "value": u.address},
                    {"label": _("Điện thoại"), "value": u.phone},
                    {"label": _("Thư điện tử"), "value": u.email},
                    {
                        "label": _("Thủ trưởng đơn vị"),
                        "value": ", ".join(x for x in (u.head_name, u.head_title) if x),
                    },
                    {"label": _("Cơ quan cấp trên trực tiếp"), "value": u.parent_body},
                ],
                "history": award_history(u, claims.get(u.pk, []), year + 1),
                "sections": annual_sections(bloc_year, u),
                "score_line": score_line,
                "vote_line": vote_line,
                "head_name": u.head_name,
                "head_title": unit_signer_title(u),
            }
        )

    counts = {}
    for p in proposals:
        counts[p.get_award_display()] = counts.get(p.get_award_display(), 0) + 1
    meeting_date = vn_date(meeting.held_on) if meeting and meeting.held_on else ""
    if meeting_date:
        meeting_line = _("Căn cứ Biên bản Hội nghị tổng kết công tác thi đua năm %(year)s của %(bloc)s ngày %(day)s;")
    else:
        meeting_line = _("Căn cứ Biên bản Hội nghị tổng kết công tác thi đua năm %(year)s của %(bloc)s;")
    return {
        "doc_type": _("Tờ trình"),
        "summary": summary,
        "year": year,
        "bloc": bloc.name,
        "addressees": [province_committee(province), _("Hội đồng Thi đua - Khen thưởng tỉnh")],
        "legal_bases": legal,
        "basis": [
            meeting_line % {"year": year, "bloc": bloc.name, "day": meeting_date},
            _(
                "Căn cứ kết quả chấm điểm, xếp hạng thi đua năm %(year)s và kết quả bỏ phiếu kín bình xét, suy tôn "
                "tại Hội nghị,"
            )
            % {"year": year},
        ],
        "request": _(
            "%(bloc)s kính đề nghị %(committee)s, Hội đồng Thi đua - Khen thưởng tỉnh xem xét, khen thưởng cho "
            "%(n)s tập thể có thành tích xuất sắc, dẫn đầu phong trào thi đua năm %(year)s của Khối, cụ thể:"
        )
        % {"bloc": bloc.name, "committee": province_committee(province), "n": two(len(proposals)), "year": year}
        if proposals
        else _(
            "%(bloc)s chưa có kết quả bình xét, suy tôn năm %(year)s: danh sách tập thể đề nghị khen thưởng "
            "sẽ được bổ sung sau Hội nghị tổng kết."
        )
        % {"bloc": bloc.name, "year": year},
        "rows": rows,
        "any_basis": any(r["basis"] for r in rows),
        "totals": "; ".join(f"{two(n)} {award}" for award, n in counts.items()),
        "dossier": [
            _("Biên bản Hội nghị tổng kết công tác thi đua năm %(year)s của Khối;") % {"year": year},
            _("Biên bản kiểm phiếu bình xét, suy tôn tại Hội nghị;"),
            _("Bảng tổng hợp kết quả chấm điểm, xếp hạng thi đua năm %(year)s;") % {"year": year},
            _("Báo cáo thành tích của %(n)s tập thể được đề nghị khen thưởng.") % {"n": two(len(proposals))},
        ],
        "closing": _("%(bloc)s kính trình %(committee)s, Hội đồng Thi đua - Khen thưởng tỉnh xem xét, quyết định./.")
        % {"bloc": bloc.name, "committee": province_committee(province)},
        # The achievement reports, issued by each unit, in the form of the regime in force.
        "regime": regime,
        "form": form,
        "confirm_title": _("Thủ trưởng cơ quan cấp trên trực tiếp nhận xét, xác nhận").upper(),
        "confirm_note": _("(Ký, đóng dấu)"),
        "movements": _(
            "Hưởng ứng các phong trào thi đua do Ủy ban nhân dân tỉnh phát động, đơn vị đã ký kết và tổ chức thực "
            "hiện Giao ước thi đua năm %(year)s của %(bloc)s với %(n)s nội dung:"
        )
        % {"year": year, "bloc": bloc.name, "n": two(len(contents))},
        "contents": contents,
        "reports": reports,
    }


KIND = register(
    DocumentKind(
        code="submission",
        short="TT",
        label=gettext_lazy("Tờ trình đề nghị khen thưởng và báo cáo thành tích"),
        doc_type="TTr",
        template="documents/pdf/submission.html",
        build=build,
        year_end=True,
        default_recipients=(
            gettext_lazy("Như trên"),
            gettext_lazy("Các đơn vị trong Khối"),
            gettext_lazy("Lưu: VT"),
        ),
    )
)

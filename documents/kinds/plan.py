"""KẾ HOẠCH – Tổ chức thực hiện Giao ước thi đua năm YYYY (the founding document's shape)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import vn_number
from core.models import Membership
from covenant.models import Covenant
from documents.kinds.covenant import contents_data
from documents.layout import setup_for, vn_date
from documents.registry import KINDS, DocumentKind, register
from reports.models import ReportingPeriod
from scoring.models import Criterion, Scoreboard


def plan_reference(bloc_year, covenant) -> tuple[str, str]:
    """The plan's number/symbol and date as the body cites them: the document setup's once the secretariat has
    filled them in, until then the ones recorded on the covenant ("05/KH-BQLKKT", 16/05/2017)."""

    setup = setup_for(bloc_year, KINDS["plan"])
    number = setup.number.strip()
    if number:
        if number.isdigit() and len(number) == 1:
            number = f"0{number}"
        reference = f"{number}/{setup.symbol}" if setup.symbol else number
    else:
        reference = covenant.plan_number.strip() if covenant else ""
    day = setup.issued_on or (covenant.plan_date if covenant else None)
    return reference, vn_date(day)


def build(*, bloc_year, **_rest) -> dict:
    year = bloc_year.year
    bloc = bloc_year.bloc
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    contents = contents_data(covenant)
    members = {
        m.role: m.unit for m in bloc_year.memberships.select_related("unit").exclude(role=Membership.Role.MEMBER)
    }
    head, deputy = members.get(Membership.Role.HEAD), members.get(Membership.Role.DEPUTY)
    reference, plan_day = plan_reference(bloc_year, covenant)
    signed_on = vn_date(covenant.signed_on) if covenant else ""

    # The opening paragraph, as in the founding document.
    opening = _(
        "Nhằm thực hiện tốt các nội dung Giao ước thi đua năm %(year)s đã ký kết giữa các đơn vị trong khối"
    ) % {"year": year}
    if signed_on:
        opening += _(" ngày %(date)s") % {"date": signed_on}
    opening += ", "
    if plan_day:
        opening += _("ngày %(date)s ") % {"date": plan_day}
    opening += _("%(bloc)s (gọi tắt là Khối)") % {"bloc": bloc.name}
    if head is not None:
        opening += _(", do %(head)s làm Trưởng khối,") % {"head": head.name}
    opening += _(
        " đã thống nhất xây dựng và ban hành Kế hoạch tổ chức thực hiện Giao ước thi đua năm %(year)s như sau:"
    ) % {"year": year}

    purposes = [
        _(
            "Cụ thể hóa các nội dung Giao ước thi đua năm %(year)s đã ký kết, tạo sự thống nhất trong chỉ đạo, tổ "
            "chức thực hiện phong trào thi đua giữa các đơn vị thành viên Khối; góp phần hoàn thành thắng lợi "
            "nhiệm vụ chính trị được giao của từng đơn vị."
        )
        % {"year": year},
        _(
            "Phong trào thi đua được tổ chức thiết thực, hiệu quả, bám sát chức năng, nhiệm vụ của từng đơn vị, "
            "tránh hình thức; việc theo dõi, chấm điểm, bình xét thi đua bảo đảm công khai, dân chủ, khách quan, "
            "đúng quy định."
        ),
        _(
            "Các đơn vị thành viên thực hiện nghiêm chế độ thông tin, báo cáo; kịp thời phát hiện, bồi dưỡng và "
            "nhân rộng các điển hình tiên tiến, mô hình mới, nhân tố mới trong phong trào thi đua."
        ),
    ]

    contents_intro = _(
        "Nội dung phong trào thi đua trong năm bám sát %(n)s nội dung trong bản Giao ước thi đua của Khối đã được ký "
        "kết giữa các đơn vị thành viên, cụ thể:"
    ) % {"n": len(contents)}

    periods = [
        {"name": p.name, "deadline": vn_date(p.deadline), "lock_date": vn_date(p.lock_date)}
        for p in ReportingPeriod.objects.filter(bloc_year=bloc_year).order_by("order")
    ]
    reporting_intro = _(
        "Các đơn vị thành viên báo cáo kết quả thực hiện các nội dung Giao ước thi đua theo từng kỳ, gửi về "
        "Trưởng khối (qua Văn phòng Khối) để tổng hợp, theo thời hạn sau:"
    )
    scoreboard = Scoreboard.objects.filter(bloc_year=bloc_year).first()
    criteria = (
        [
            {"order": c.order, "title": c.title}
            for c in Criterion.objects.filter(scoreboard=scoreboard).order_by("order")
        ]
        if scoreboard
        else []
    )
    reporting_rule = _(
        "Báo cáo nộp lần đầu sau hạn nộp được tính là trễ hạn; đến ngày khóa sổ mà chưa nộp được tính là không nộp."
    )
    if scoreboard is not None:
        reporting_rule += " " + _(
            "Khi chấm điểm cuối năm, mỗi báo cáo trễ hạn bị trừ %(late)s điểm, mỗi báo cáo không nộp bị trừ "
            "%(missing)s điểm."
        ) % {"late": vn_number(scoreboard.late_report_points), "missing": vn_number(scoreboard.missing_report_points)}

    scoring = _(
        "Cuối năm, các đơn vị thành viên tự chấm điểm, kèm tài liệu minh chứng, theo %(n)s tiêu chí trong Bảng điểm "
        "thi đua của Khối (thang điểm %(total)s điểm, chưa kể điểm thưởng); Trưởng khối tổ chức chấm chéo, tổng hợp "
        "kết quả làm cơ sở bình xét, suy tôn các đơn vị thành viên trong Khối. Các tiêu chí gồm:"
    ) % {"n": len(criteria), "total": vn_number(scoreboard.total_points) if scoreboard else "100"}

    review = _(
        "Kết thúc năm, Trưởng khối chủ trì tổ chức Hội nghị tổng kết phong trào thi đua năm %(year)s: đánh giá kết quả "
        "thực hiện Giao ước thi đua, thông qua kết quả chấm điểm, bình xét và bỏ phiếu kín suy tôn đơn vị dẫn đầu Khối "
        "đề nghị tặng Cờ thi đua của Ủy ban nhân dân tỉnh, đề nghị khen thưởng các đơn vị xuất sắc; bầu Trưởng khối, "
        "Phó trưởng khối năm %(next)s."
    ) % {"year": year, "next": year + 1}

    duties = [
        _(
            "Thủ trưởng các đơn vị thành viên tổ chức quán triệt Giao ước thi đua đến toàn thể cán bộ, công chức, viên "
            "chức, người lao động; xây dựng kế hoạch của đơn vị để triển khai các nội dung Giao ước; phân công cán bộ "
            "theo dõi công tác thi đua, khen thưởng và thực hiện chế độ báo cáo."
        ),
    ]
    if head is not None:
        duties.append(
            _(
                "%(head)s (Trưởng khối) theo dõi, đôn đốc việc thực hiện Kế hoạch; tổng hợp báo cáo định kỳ, sơ kết, "
                "tổng kết của Khối, báo cáo Ban Thi đua - Khen thưởng tỉnh."
            )
            % {"head": head.name}
        )
    if deputy is not None:
        duties.append(
            _("%(deputy)s (Phó trưởng khối) phối hợp với Trưởng khối tổ chức thực hiện Kế hoạch này.")
            % {"deputy": deputy.name}
        )

    if reference:
        closing = _("Trên đây là Kế hoạch số %(ref)s") % {"ref": reference}
        if plan_day:
            closing += _(" ngày %(date)s") % {"date": plan_day}
        closing += _(" tổ chức thực hiện Giao ước thi đua năm %(year)s của Khối.") % {"year": year}
    else:
        closing = _("Trên đây là Kế hoạch tổ chức thực hiện Giao ước thi đua năm %(year)s của Khối.") % {"year": year}
    closing += " " + _(
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị thành viên kịp thời phản ánh về Trưởng khối "
        "(qua Văn phòng Khối) để phối hợp giải quyết./."
    )

    return {
        "doc_type": _("Kế hoạch").upper(),
        "summary": _("Tổ chức thực hiện Giao ước thi đua năm %(year)s") % {"year": year},
        "year": year,
        "bloc": bloc.name,
        "head": head.name if head else "",
        "deputy": deputy.name if deputy else "",
        "plan_number": reference,
        "plan_date": plan_day,
        "signed_on": signed_on,
        "opening": opening,
        "purposes_heading": _("I. MỤC ĐÍCH, YÊU CẦU"),
        "purposes": purposes,
        "contents_heading": _("II. NỘI DUNG"),
        "contents_intro": contents_intro,
        "contents": contents,
        "organisation_heading": _("III. TỔ CHỨC THỰC HIỆN"),
        "reporting_heading": _("1. Chế độ báo cáo"),
        "reporting_intro": reporting_intro,
        "periods": [
            _("%(name)s: hạn nộp ngày %(deadline)s (khóa sổ ngày %(lock)s)")
            % {"name": p["name"], "deadline": p["deadline"], "lock": p["lock_date"]}
            for p in periods
        ],
        "reporting_rule": reporting_rule,
        "scoring_heading": _("2. Chấm điểm, bình xét thi đua"),
        "scoring": scoring,
        "criteria": [_("Tiêu chí %(n)s: %(title)s") % {"n": c["order"], "title": c["title"]} for c in criteria],
        "review_heading": _("3. Hội nghị tổng kết"),
        "review": review,
        "duties_heading": _("4. Trách nhiệm của các đơn vị"),
        "duties": duties,
        "closing": closing,
    }


def prefill(setup, bloc_year) -> None:
    """The plan already has its number and date on the covenant ("05/KH-BQLKKT", 16/05/2017)."""
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    if covenant is not None and covenant.plan_number:
        number, _sep, symbol = covenant.plan_number.partition("/")
        setup.number, setup.symbol = number.strip(), symbol.strip() or setup.symbol
        setup.issued_on = covenant.plan_date


def plan_day(bloc_year, unit, period):  # noqa: ARG001 (the kinds' natural_day signature)
    covenant = Covenant.objects.filter(bloc_year=bloc_year).first()
    return covenant.plan_date if covenant else None


register(
    DocumentKind(
        code="plan",
        natural_day=plan_day,
        short="KH",
        label=gettext_lazy("Kế hoạch tổ chức thực hiện Giao ước thi đua"),
        prefill=prefill,
        doc_type="KH",
        template="documents/pdf/plan.html",
        build=build,
        default_recipients=(
            gettext_lazy("Ban Thi đua - Khen thưởng tỉnh"),
            gettext_lazy("Các đơn vị thành viên Khối"),
            gettext_lazy("Lưu: VT"),
        ),
    )
)

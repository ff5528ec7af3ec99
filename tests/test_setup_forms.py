"""Bad input on every setup form: a clear Vietnamese message on the page (status 200), nothing changed in
the database, never a server error.

Each form has a builder of valid POST data taken from the database (`*_post`); the tests spoil one
thing at a time. `refused()` compares a snapshot of every setup table before and after the POST.
"""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse

from core.models import AuditEntry, BlocYear, Membership, Profile, Unit
from covenant.models import Covenant, CovenantContent, LegalBasis
from scoring.models import BonusItem, Criterion, Scoreboard, SubItem, TieBreak

User = get_user_model()
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ")

REQUIRED = "Trường này là bắt buộc."
CONFLICT = "người khác lưu"
NEED_REASON = "phải ghi rõ lý do"
FROZEN = "Từ giai đoạn chấm điểm"
PUBLISHED = "đã công bố"
INVALID_CHOICE = "Hãy chọn một lựa chọn hợp lệ"


# Snapshot and checks ------------------------------------------------------------------------------


def db_state() -> dict:
    """Every row a setup form could touch."""
    models = [BlocYear, Membership, Unit, Covenant, LegalBasis, CovenantContent, Scoreboard, Criterion, SubItem,
              BonusItem, TieBreak, Profile, Criterion.contents.through]
    state = {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}
    state["users"] = list(User.objects.order_by("pk").values("pk", "username", "password", "is_active"))
    state["audit"] = AuditEntry.objects.count()
    return state


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def refused(client, url: str, data: dict, *messages: str):
    """POST `data`; the page comes back (200) with every message and the database is unchanged."""
    before = db_state()
    response = client.post(url, data)
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    page = page_text(response)
    for message in messages:
        assert message in page, f"{message!r} not on the page; errors shown: {shown_errors(page)}"
    assert db_state() == before, "the refused POST changed the database"
    return response


def accepted(client, url: str, data: dict):
    before = db_state()
    response = client.post(url, data)
    assert response.status_code == 302, f"valid data refused: {shown_errors(page_text(response))}"
    assert db_state() != before
    return response


def shown_errors(page: str) -> list[str]:
    pattern = (r'(?:class="errorlist[^"]*"><li>|id="error_\d+_[^"]*"><strong>|class="text-danger small">'
               r'|class="alert alert-danger">|class="invalid-feedback d-block">)([^<]*)')
    return [e.strip() for e in re.findall(pattern, page)]


def is_vietnamese(text: str) -> bool:
    return bool(set(text) & VIETNAMESE)


def set_phase(bloc_year, phase: str) -> None:
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=phase)
    bloc_year.phase = phase


@pytest.fixture
def logged_in(client, secretariat):
    client.force_login(secretariat)
    return client


# Valid POST data for each form, read from the database ---------------------------------------------


def year_args(bloc_year) -> list:
    return [bloc_year.bloc.code, bloc_year.year]


def members_post(bloc_year, rows=None, **extra) -> dict:
    """rows: (unit pk, STT, role[, delete]) tuples; by default the current member list."""
    by = BlocYear.objects.get(pk=bloc_year.pk)
    if rows is None:
        rows = [(m.unit_id, m.order, m.role) for m in by.memberships.order_by("order")]
    data = {"m-TOTAL_FORMS": len(rows), "m-INITIAL_FORMS": len(rows), "m-MIN_NUM_FORMS": 0,
            "m-MAX_NUM_FORMS": 200, "version": by.version, "reason": ""}
    for i, row in enumerate(rows):
        data.update({f"m-{i}-unit": row[0], f"m-{i}-order": row[1], f"m-{i}-role": row[2]})
        if len(row) > 3 and row[3]:
            data[f"m-{i}-DELETE"] = "on"
    return {**data, **extra}


def covenant_post(bloc_year, **extra) -> dict:
    c = Covenant.objects.get(bloc_year=bloc_year)
    data = {"title": c.title, "signed_on": c.signed_on.strftime("%d/%m/%Y") if c.signed_on else "",
            "signed_place": c.signed_place, "plan_number": c.plan_number,
            "plan_date": c.plan_date.strftime("%d/%m/%Y") if c.plan_date else "",
            "legal_bases": "\n".join(c.legal_bases.values_list("text", flat=True)), "version": c.version,
            "reason": ""}
    return {**data, **extra}


def content_post(content=None, **extra) -> dict:
    if content is None:
        data = {"order": 8, "title": "Nội dung mới", "body": "Toàn văn nội dung mới.", "version": "", "reason": ""}
    else:
        c = CovenantContent.objects.get(pk=content.pk)
        data = {"order": c.order, "title": c.title, "body": c.body, "version": c.version, "reason": ""}
    return {**data, **extra}


def settings_post(bloc_year, **extra) -> dict:
    b = Scoreboard.objects.get(bloc_year=bloc_year)
    data = {"title": b.title, "total_points": "100", "score_step": "0,5", "bonus_cap": "10",
            "late_report_points": "1", "missing_report_points": "2", "version": b.version, "reason": ""}
    return {**data, **extra}


def criterion_post(bloc_year, criterion=None, items=None, **extra) -> dict:
    """items: dicts with order, text, max_points (and id for an existing sub-item)."""
    if criterion is None:
        data = {"order": 4, "title": "Tiêu chí mới", "version": "", "reason": "",
                "contents": [bloc_year.contents[0].pk]}
        items = items if items is not None else [{"order": 1, "text": "Mục mới", "max_points": "5"}]
    else:
        c = Criterion.objects.get(pk=criterion.pk)
        data = {"order": c.order, "title": c.title, "version": c.version, "reason": "",
                "contents": list(c.contents.values_list("pk", flat=True))}
        if items is None:
            items = [{"id": s.pk, "order": s.order, "text": s.text, "max_points": str(s.max_points)}
                     for s in c.sub_items.order_by("order")]
    data.update({"items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": len(items), "items-MIN_NUM_FORMS": 0,
                 "items-MAX_NUM_FORMS": 100})
    for i, item in enumerate(items):
        data.update({f"items-{i}-{k}": v for k, v in item.items()})
    return {**data, **extra}


def bonus_post(bloc_year, rows=None, **extra) -> dict:
    b = Scoreboard.objects.get(bloc_year=bloc_year)
    if rows is None:
        rows = [(x.order, x.text, str(x.points)) for x in b.bonus_items.order_by("order")]
    data = {"bonus-TOTAL_FORMS": len(rows), "bonus-INITIAL_FORMS": len(rows), "bonus-MIN_NUM_FORMS": 0,
            "bonus-MAX_NUM_FORMS": 50, "version": b.version, "reason": ""}
    for i, (order, text, points) in enumerate(rows):
        data.update({f"bonus-{i}-order": order, f"bonus-{i}-text": text, f"bonus-{i}-points": points})
    return {**data, **extra}


def tie_breaks_post(bloc_year, rules=None, **extra) -> dict:
    b = Scoreboard.objects.get(bloc_year=bloc_year)
    if rules is None:
        rules = [(t.kind, t.criterion_id or "") for t in b.tie_breaks.order_by("order")]
    data = {"tb-TOTAL_FORMS": len(rules), "tb-INITIAL_FORMS": len(rules), "tb-MIN_NUM_FORMS": 0,
            "tb-MAX_NUM_FORMS": 10, "version": b.version, "reason": ""}
    for i, (kind, criterion) in enumerate(rules):
        data.update({f"tb-{i}-kind": kind, f"tb-{i}-criterion": criterion})
    return {**data, **extra}


# name: (url(bloc_year), valid data(bloc_year), the model and pk whose version the form carries)
FORMS = {
    "members_edit": (lambda by: reverse("covenant:members_edit", args=year_args(by)),
                     lambda by: members_post(by, rows=[(by.units[0].pk, 1, "head"), (by.units[1].pk, 2, "member"),
                                                       (by.units[2].pk, 3, "deputy")]),
                     lambda by: (BlocYear, by.pk)),
    "covenant_edit": (lambda by: reverse("covenant:covenant_edit", args=year_args(by)),
                      lambda by: covenant_post(by, signed_on="16/05/2025"), lambda by: (Covenant, by.covenant.pk)),
    "content_create": (lambda by: reverse("covenant:content_create", args=year_args(by)),
                       lambda by: content_post(), None),
    "content_edit": (lambda by: reverse("covenant:content_edit", args=[*year_args(by), by.contents[1].pk]),
                     lambda by: content_post(by.contents[1], title="Tiêu đề đã sửa"),
                     lambda by: (CovenantContent, by.contents[1].pk)),
    "content_delete": (lambda by: reverse("covenant:content_delete", args=[*year_args(by), by.contents[6].pk]),
                       lambda by: {"reason": ""}, None),
    "settings_edit": (lambda by: reverse("scoring:settings_edit", args=year_args(by)),
                      lambda by: settings_post(by, bonus_cap="12"), lambda by: (Scoreboard, by.scoreboard.pk)),
    "criterion_create": (lambda by: reverse("scoring:criterion_create", args=year_args(by)),
                         # Room for a new criterion: the board's total is raised first (see make_room).
                         lambda by: criterion_post(by), None),
    "criterion_edit": (lambda by: reverse("scoring:criterion_edit", args=[*year_args(by), by.criteria[0].pk]),
                       lambda by: criterion_post(by, by.criteria[0], title="Tiêu chí đã sửa"),
                       lambda by: (Criterion, by.criteria[0].pk)),
    "criterion_delete": (lambda by: reverse("scoring:criterion_delete", args=[*year_args(by), by.criteria[2].pk]),
                         lambda by: {"reason": ""}, None),
    "bonus_edit": (lambda by: reverse("scoring:bonus_edit", args=year_args(by)),
                   lambda by: bonus_post(by, rows=[(1, "Cờ thi đua của Chính phủ", "4")]),
                   lambda by: (Scoreboard, by.scoreboard.pk)),
    "tie_breaks_edit": (lambda by: reverse("scoring:tie_breaks_edit", args=year_args(by)),
                        lambda by: tie_breaks_post(by, rules=[("fewer_missing", "")]),
                        lambda by: (Scoreboard, by.scoreboard.pk)),
}
SCOREBOARD_FORMS = ["settings_edit", "criterion_create", "criterion_edit", "criterion_delete", "bonus_edit",
                    "tie_breaks_edit"]
VERSIONED_FORMS = [name for name, (_url, _data, version) in FORMS.items() if version is not None]
ALL_FORMS = list(FORMS)


def make_room(bloc_year) -> None:
    """Raise the board's total to 110 so that a new 5-point criterion fits."""
    Scoreboard.objects.filter(bloc_year=bloc_year).update(total_points=110)


def form_case(name: str, bloc_year) -> tuple[str, dict]:
    url, data, _version = FORMS[name]
    if name == "criterion_create":
        make_room(bloc_year)
    return url(bloc_year), data(bloc_year)


# Each form accepts its valid data (so that the refusals below are about the spoiled field) ------------


@pytest.mark.parametrize("name", ALL_FORMS)
def test_valid_data_is_saved_in_the_setup_phase(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    accepted(logged_in, url, data)


@pytest.mark.parametrize("name", ALL_FORMS)
def test_every_setup_form_opens_for_the_secretariat(logged_in, bloc_year, name):
    url, _data = form_case(name, bloc_year)
    response = logged_in.get(url)
    assert response.status_code == 200
    assert '<html lang="vi"' in page_text(response)


# Phases -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FORMS)
def test_change_after_setup_without_a_reason_is_refused(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    # The delete forms make their reason field required from the reporting phase on.
    message = REQUIRED if name.endswith("_delete") else NEED_REASON
    refused(logged_in, url, {**data, "reason": "   "}, message)


@pytest.mark.parametrize("name", ALL_FORMS)
def test_change_after_setup_with_a_reason_is_saved_and_logged(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    accepted(logged_in, url, {**data, "reason": "Theo Kết luận số 12 của Hội nghị khối"})
    assert AuditEntry.objects.filter(reason="Theo Kết luận số 12 của Hội nghị khối").exists()


@pytest.mark.parametrize("name", [*SCOREBOARD_FORMS, "content_delete"])
def test_scoreboard_changes_are_refused_from_the_scoring_phase(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    set_phase(bloc_year, BlocYear.Phase.SCORING)
    refused(logged_in, url, {**data, "reason": "Điều chỉnh"}, FROZEN)


@pytest.mark.parametrize("name", sorted(set(ALL_FORMS) - set(SCOREBOARD_FORMS) - {"content_delete"}))
def test_covenant_and_members_still_change_in_the_scoring_phase_with_a_reason(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    set_phase(bloc_year, BlocYear.Phase.SCORING)
    accepted(logged_in, url, {**data, "reason": "Điều chỉnh"})


@pytest.mark.parametrize("name", ALL_FORMS)
def test_every_change_is_refused_once_the_year_is_published(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    set_phase(bloc_year, BlocYear.Phase.PUBLISHED)
    message = FROZEN if name in SCOREBOARD_FORMS else PUBLISHED
    refused(logged_in, url, {**data, "reason": "Điều chỉnh"}, message)


# Versions (two secretaries editing at once) ----------------------------------------------------------


@pytest.mark.parametrize("name", VERSIONED_FORMS)
def test_stale_version_is_refused_as_saved_by_someone_else(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    model, pk = FORMS[name][2](bloc_year)
    model.objects.filter(pk=pk).update(version=F("version") + 1)  # someone saved meanwhile
    refused(logged_in, url, data, CONFLICT)


@pytest.mark.parametrize("name", [*VERSIONED_FORMS, "content_create", "criterion_create"])
@pytest.mark.parametrize("version", ["abc", "0"])
def test_tampered_version_shows_an_error(logged_in, bloc_year, name, version):
    url, data = form_case(name, bloc_year)
    response = refused(logged_in, url, {**data, "version": version})
    errors = shown_errors(page_text(response))
    assert errors, "the POST was refused but the page shows no error at all"
    assert all(is_vietnamese(e) for e in errors), errors


@pytest.mark.parametrize("name", VERSIONED_FORMS)
def test_missing_version_shows_an_error(logged_in, bloc_year, name):
    url, data = form_case(name, bloc_year)
    del data["version"]
    response = refused(logged_in, url, data)
    assert shown_errors(page_text(response)), "the POST was refused but the page shows no error at all"


# Members ------------------------------------------------------------------------------------------


def unit_pks(bloc_year) -> list[int]:
    return [u.pk for u in bloc_year.units]


def members_url(bloc_year) -> str:
    return reverse("covenant:members_edit", args=year_args(bloc_year))


@pytest.mark.parametrize(("rows", "message"), [
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], "", "deputy"), (u[2], 3, "member")], REQUIRED, id="empty STT"),
    pytest.param(lambda u: [(u[0], 1, "head"), ("", 2, "deputy"), (u[2], 3, "member")], REQUIRED, id="empty unit"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], "hai", "deputy"), (u[2], 3, "member")], "Nhập một số",
                 id="non-numeric STT"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 0, "deputy"), (u[2], 3, "member")], "lớn hơn hoặc bằng",
                 id="zero STT"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], -2, "deputy"), (u[2], 3, "member")], "lớn hơn hoặc bằng",
                 id="negative STT"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 1, "deputy"), (u[2], 3, "member")],
                 "Số thứ tự (STT) của các đơn vị không được trùng nhau", id="duplicate STT"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 2, "head"), (u[2], 3, "member")],
                 "phải có đúng một Trưởng khối", id="two heads"),
    pytest.param(lambda u: [(u[0], 1, "member"), (u[1], 2, "deputy"), (u[2], 3, "member")],
                 "phải có đúng một Trưởng khối", id="no head"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 2, "deputy"), (u[2], 3, "deputy")],
                 "nhiều nhất một Phó trưởng khối", id="two deputies"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 2, "deputy"), (u[1], 3, "member")],
                 "chỉ được có tên một lần", id="duplicate unit"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 2, "deputy"), (999999, 3, "member")], INVALID_CHOICE,
                 id="tampered unit id"),
    pytest.param(lambda u: [(u[0], 1, "head"), (u[1], 2, "chairman"), (u[2], 3, "member")], INVALID_CHOICE,
                 id="tampered role"),
    pytest.param(lambda u: [(u[0], 1, "head", True), (u[1], 2, "deputy", True), (u[2], 3, "member", True)],
                 "ít nhất một đơn vị thành viên", id="every unit removed"),
])
def test_bad_member_list_is_refused(logged_in, bloc_year, rows, message):
    refused(logged_in, members_url(bloc_year), members_post(bloc_year, rows=rows(unit_pks(bloc_year))), message)


def test_member_list_with_a_broken_management_form_is_refused_in_vietnamese(logged_in, bloc_year):
    data = members_post(bloc_year)
    del data["m-TOTAL_FORMS"]
    response = refused(logged_in, members_url(bloc_year), data)
    errors = shown_errors(page_text(response))
    assert errors and all(is_vietnamese(e) for e in errors), errors


def test_too_many_member_rows_are_refused_in_vietnamese(logged_in, bloc_year):
    data = {**members_post(bloc_year), "m-TOTAL_FORMS": 201}
    response = refused(logged_in, members_url(bloc_year), data)
    errors = shown_errors(page_text(response))
    assert errors and all(is_vietnamese(e) for e in errors), errors


def test_swapping_stt_and_passing_the_head_role_through_the_form(logged_in, bloc_year):
    u = unit_pks(bloc_year)
    accepted(logged_in, members_url(bloc_year),
             members_post(bloc_year, rows=[(u[0], 2, "member"), (u[1], 1, "head"), (u[2], 3, "deputy")]))
    got = {m.unit_id: (m.order, m.role) for m in Membership.objects.filter(bloc_year=bloc_year)}
    assert got == {u[0]: (2, "member"), u[1]: (1, "head"), u[2]: (3, "deputy")}


# New unit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"code": ""}, REQUIRED, id="empty code"),
    pytest.param({"name": ""}, REQUIRED, id="empty name"),
    pytest.param({"short_name": ""}, REQUIRED, id="empty short name"),
    pytest.param({"name": "x" * 256}, "tối đa 255", id="name too long"),
    pytest.param({"code": "khoi-tckt-dv01"}, "đã tồn tại", id="code already used"),
    pytest.param({"code": "sở tài chính"}, "", id="code not a slug"),
    pytest.param({"email": "khong-phai-email"}, "Nhập địa chỉ email", id="bad email"),
])
def test_bad_new_unit_is_refused(logged_in, bloc_year, change, message):
    data = {"code": "so-moi", "name": "Sở Mới", "short_name": "SM", "head_name": "", "address": "", "phone": "",
            "email": "", **change}
    response = refused(logged_in, reverse("covenant:unit_create", args=year_args(bloc_year)), data, message)
    errors = shown_errors(page_text(response))
    assert errors and all(is_vietnamese(e) for e in errors), errors


# Covenant -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"title": "x" * 256}, "tối đa 255", id="title too long"),
    pytest.param({"signed_on": "31/02/2017"}, "Nhập một ngày hợp lệ", id="31/02/2017"),
    pytest.param({"plan_date": "16/13/2017"}, "Nhập một ngày hợp lệ", id="month 13"),
    pytest.param({"signed_on": "hôm qua"}, "Nhập một ngày hợp lệ", id="words for a date"),
    pytest.param({"signed_place": "x" * 121}, "tối đa 120", id="place too long"),
    pytest.param({"plan_number": "x" * 41}, "tối đa 40", id="plan number too long"),
    pytest.param({"legal_bases": "Căn cứ ngắn\n" + "x" * 1001}, "tối đa 1000 ký tự", id="legal basis too long"),
])
def test_bad_covenant_information_is_refused(logged_in, bloc_year, change, message):
    url = reverse("covenant:covenant_edit", args=year_args(bloc_year))
    refused(logged_in, url, covenant_post(bloc_year, **change), message)


@pytest.mark.parametrize("which", ["create", "edit"])
@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"title": ""}, REQUIRED, id="empty title"),
    pytest.param({"body": ""}, REQUIRED, id="empty body"),
    pytest.param({"order": ""}, REQUIRED, id="empty order"),
    pytest.param({"title": "x" * 256}, "tối đa 255", id="title too long"),
    pytest.param({"body": "x" * 10001}, "tối đa 10000", id="body too long"),
    pytest.param({"order": "0"}, "lớn hơn hoặc bằng", id="order zero"),
    pytest.param({"order": "-1"}, "lớn hơn hoặc bằng", id="order negative"),
    pytest.param({"order": "ba"}, "Nhập một số", id="order not a number"),
    pytest.param({"order": "3"}, "Đã có nội dung số 3", id="duplicate order"),
])
def test_bad_covenant_content_is_refused(logged_in, bloc_year, which, change, message):
    if which == "create":
        url, data = reverse("covenant:content_create", args=year_args(bloc_year)), content_post()
    else:
        content = bloc_year.contents[1]
        url = reverse("covenant:content_edit", args=[*year_args(bloc_year), content.pk])
        data = content_post(content)
    refused(logged_in, url, {**data, **change}, message)


@pytest.mark.parametrize("route", ["covenant:content_edit", "covenant:content_delete"])
def test_content_of_another_bloc_is_not_found(logged_in, bloc_year, other_bloc_year, route):
    url = reverse(route, args=[*year_args(bloc_year), other_bloc_year.contents[0].pk])
    before = db_state()
    assert logged_in.get(url).status_code == 404
    assert logged_in.post(url, content_post(other_bloc_year.contents[0], title="Chiếm")).status_code == 404
    assert db_state() == before


# Scoreboard ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"total_points": ""}, REQUIRED, id="empty total"),
    pytest.param({"total_points": "một trăm"}, "Nhập một số", id="total not a number"),
    pytest.param({"total_points": "0"}, "lớn hơn hoặc bằng", id="total zero"),
    pytest.param({"score_step": "0"}, "lớn hơn hoặc bằng", id="step zero"),
    pytest.param({"score_step": "-0,5"}, "lớn hơn hoặc bằng", id="step negative"),
    pytest.param({"bonus_cap": "-1"}, "lớn hơn hoặc bằng", id="bonus cap negative"),
    pytest.param({"late_report_points": "-1"}, "lớn hơn hoặc bằng", id="late deduction negative"),
    pytest.param({"missing_report_points": "x"}, "Nhập một số", id="missing deduction not a number"),
    pytest.param({"score_step": "3"}, "không chia hết cho bước điểm", id="sub-items off the new step"),
    pytest.param({"title": "x" * 256}, "tối đa 255", id="title too long"),
])
def test_bad_scoreboard_settings_are_refused(logged_in, bloc_year, change, message):
    url = reverse("scoring:settings_edit", args=year_args(bloc_year))
    refused(logged_in, url, settings_post(bloc_year, **change), message)


def item(order=1, text="Mục chấm", max_points="5", **extra) -> dict:
    return {"order": order, "text": text, "max_points": max_points, **extra}


def edited_items(bloc_year, **change_first) -> list[dict]:
    """The first criterion's sub-items (10 + 10 + 10) with the first one changed."""
    subs = list(SubItem.objects.filter(criterion=bloc_year.criteria[0]).order_by("order"))
    rows = [{"id": s.pk, "order": s.order, "text": s.text, "max_points": str(s.max_points)} for s in subs]
    rows[0].update(change_first)
    return rows


@pytest.mark.parametrize(("items", "change", "message"), [
    pytest.param(lambda by: edited_items(by), {"title": ""}, REQUIRED, id="empty title"),
    pytest.param(lambda by: edited_items(by), {"title": "x" * 256}, "tối đa 255", id="title too long"),
    pytest.param(lambda by: edited_items(by), {"order": ""}, REQUIRED, id="empty order"),
    pytest.param(lambda by: edited_items(by), {"order": "2"}, "Đã có tiêu chí số 2", id="duplicate criterion order"),
    pytest.param(lambda by: edited_items(by, text=""), {}, REQUIRED, id="empty sub-item text"),
    pytest.param(lambda by: edited_items(by, text="x" * 501), {}, "tối đa 500", id="sub-item text too long"),
    pytest.param(lambda by: edited_items(by, max_points=""), {}, REQUIRED, id="empty maximum"),
    pytest.param(lambda by: edited_items(by, max_points="0"), {}, "lớn hơn hoặc bằng", id="zero maximum"),
    pytest.param(lambda by: edited_items(by, max_points="-5"), {}, "lớn hơn hoặc bằng", id="negative maximum"),
    pytest.param(lambda by: edited_items(by, max_points="mười"), {}, "Nhập một số", id="maximum not a number"),
    pytest.param(lambda by: edited_items(by, max_points="9,7"), {}, "không chia hết cho bước điểm 0,5",
                 id="maximum off the step"),
    pytest.param(lambda by: edited_items(by, max_points="10,5"), {}, "vượt quá tổng điểm chuẩn 100",
                 id="total over 100"),
    pytest.param(lambda by: edited_items(by, order=2), {}, "không được trùng nhau", id="duplicate sub-item order"),
    pytest.param(lambda by: [{**r, "DELETE": "on"} for r in edited_items(by)], {}, "ít nhất một mục chấm",
                 id="every sub-item removed"),
    pytest.param(lambda by: edited_items(by), {"contents": [999999]}, INVALID_CHOICE, id="tampered content id"),
])
def test_bad_criterion_is_refused(logged_in, bloc_year, items, change, message):
    criterion = bloc_year.criteria[0]
    url = reverse("scoring:criterion_edit", args=[*year_args(bloc_year), criterion.pk])
    refused(logged_in, url, {**criterion_post(bloc_year, criterion, items=items(bloc_year)), **change}, message)


@pytest.mark.parametrize(("items", "message"), [
    pytest.param([item(max_points="0,3")], "không chia hết cho bước điểm 0,5", id="0.3 with step 0.5"),
    pytest.param([item(max_points="0.3")], "không chia hết cho bước điểm 0,5", id="0.3 typed with a dot"),
    pytest.param([item(max_points="5")], "vượt quá tổng điểm chuẩn 100", id="board already full"),
    pytest.param([item(order=1), item(order=1)], "không được trùng nhau", id="duplicate sub-item order"),
    pytest.param([], "ít nhất một mục chấm", id="no sub-item"),
])
def test_bad_new_criterion_is_refused(logged_in, bloc_year, items, message):
    url = reverse("scoring:criterion_create", args=year_args(bloc_year))
    refused(logged_in, url, criterion_post(bloc_year, items=items), message)


def test_content_of_another_bloc_cannot_be_linked_to_a_criterion(logged_in, bloc_year, other_bloc_year):
    make_room(bloc_year)
    url = reverse("scoring:criterion_create", args=year_args(bloc_year))
    refused(logged_in, url, criterion_post(bloc_year, contents=[other_bloc_year.contents[0].pk]), INVALID_CHOICE)


@pytest.mark.parametrize("route", ["scoring:criterion_edit", "scoring:criterion_delete"])
def test_criterion_of_another_bloc_is_not_found(logged_in, bloc_year, other_bloc_year, route):
    criterion = other_bloc_year.criteria[0]
    url = reverse(route, args=[*year_args(bloc_year), criterion.pk])
    before = db_state()
    assert logged_in.get(url).status_code == 404
    assert logged_in.post(url, criterion_post(other_bloc_year, criterion, title="Chiếm")).status_code == 404
    assert db_state() == before


@pytest.mark.parametrize(("rows", "message"), [
    pytest.param([(1, "Thưởng", "2"), (1, "Thưởng khác", "1")], "không được trùng nhau", id="duplicate order"),
    pytest.param([(1, "Thưởng", "0")], "lớn hơn hoặc bằng", id="zero points"),
    pytest.param([(1, "Thưởng", "-1")], "lớn hơn hoặc bằng", id="negative points"),
    pytest.param([(1, "Thưởng", "hai")], "Nhập một số", id="points not a number"),
    pytest.param([(1, "Thưởng", "")], REQUIRED, id="empty points"),
    pytest.param([(1, "", "2")], REQUIRED, id="empty text"),
    pytest.param([("", "Thưởng", "2")], REQUIRED, id="empty order"),
    pytest.param([(0, "Thưởng", "2")], "lớn hơn hoặc bằng", id="order zero"),
    pytest.param([(1, "x" * 501, "2")], "tối đa 500", id="text too long"),
])
def test_bad_bonus_items_are_refused(logged_in, bloc_year, rows, message):
    url = reverse("scoring:bonus_edit", args=year_args(bloc_year))
    refused(logged_in, url, bonus_post(bloc_year, rows=rows), message)


@pytest.mark.parametrize(("rules", "message"), [
    pytest.param(lambda by: [("criterion", "")], "Hãy chọn tiêu chí để so sánh", id="criterion rule without one"),
    pytest.param(lambda by: [("fewer_late", ""), ("fewer_late", "")], "chỉ được dùng một lần", id="duplicate rule"),
    pytest.param(lambda by: [("criterion", by.criteria[0].pk), ("criterion", by.criteria[0].pk)],
                 "chỉ được dùng một lần", id="duplicate criterion rule"),
    pytest.param(lambda by: [("by_luck", "")], INVALID_CHOICE, id="tampered kind"),
    pytest.param(lambda by: [("criterion", 999999)], INVALID_CHOICE, id="tampered criterion id"),
])
def test_bad_tie_breaks_are_refused(logged_in, bloc_year, rules, message):
    url = reverse("scoring:tie_breaks_edit", args=year_args(bloc_year))
    refused(logged_in, url, tie_breaks_post(bloc_year, rules=rules(bloc_year)), message)


def test_criterion_of_another_bloc_cannot_be_a_tie_break(logged_in, bloc_year, other_bloc_year):
    url = reverse("scoring:tie_breaks_edit", args=year_args(bloc_year))
    data = tie_breaks_post(bloc_year, rules=[("criterion", other_bloc_year.criteria[0].pk)])
    refused(logged_in, url, data, INVALID_CHOICE)


# Phase actions ------------------------------------------------------------------------------------


def test_revert_without_a_reason_is_refused_with_a_message(logged_in, bloc_year):
    set_phase(bloc_year, BlocYear.Phase.REPORTING)
    before = db_state()
    response = logged_in.post(reverse("covenant:phase_revert", args=year_args(bloc_year)),
                              {"reason": " ", "phase": "reporting"}, follow=True)
    assert response.status_code == 200
    assert "Phải ghi lý do khi quay lại giai đoạn trước" in page_text(response)
    assert db_state() == before


def test_advance_with_setup_problems_is_refused_with_the_list(logged_in, bloc_year):
    Scoreboard.objects.filter(bloc_year=bloc_year).update(total_points=120)
    before = db_state()
    url = reverse("covenant:phase_advance", args=year_args(bloc_year))
    response = logged_in.post(url, {"phase": "setup", "confirm": "on"}, follow=True)
    assert response.status_code == 200
    page = page_text(response)
    assert "Chưa thể chuyển giai đoạn" in page and "chưa bằng tổng điểm chuẩn 120" in page
    assert db_state() == before
    # The step's own page lists the blockers and offers no button.
    page = page_text(logged_in.get(url))
    assert "chưa bằng tổng điểm chuẩn 120" in page and "xác nhận chuyển giai đoạn" not in page

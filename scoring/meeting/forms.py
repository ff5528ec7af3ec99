from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_HELP, DateInput
from scoring.meeting.models import AwardProposal, Ballot


class StateForm(forms.Form):
    """The version of the record the form was opened on: a stale or doubled save is refused, never applied twice."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1, required=False)

    def expected_version(self) -> int:
        # A form without its version (an old page, a hand-made POST) counts as stale.
        return self.cleaned_data.get("version") or 0


class BallotForm(StateForm):
    kind = forms.ChoiceField(label=_("Nội dung bỏ phiếu"), choices=Ballot.Kind.choices)
    max_choices = forms.IntegerField(
        label=_("Số đơn vị được chọn tối đa"),
        min_value=1,
        max_value=50,
        help_text=_("Cờ thi đua: 1; Bằng khen: thường 1 đến 3."),
    )
    candidates_from = forms.ChoiceField(
        label=_("Danh sách đề cử"), choices=Ballot.Candidates.choices, widget=forms.RadioSelect
    )
    top_n = forms.IntegerField(label=_("Số đơn vị đứng đầu"), min_value=1, max_value=50, required=False)
    forbid_own_unit = forms.BooleanField(label=_("Không được bỏ phiếu cho chính đơn vị mình"), required=False)
    mode = forms.ChoiceField(label=_("Hình thức"), choices=Ballot.Mode.choices, widget=forms.RadioSelect)
    opens_at = forms.DateTimeField(
        label=_("Mở lúc (không bắt buộc)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Đóng lúc (không bắt buộc)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
        help_text=_("Bỏ trống để mở và đóng bằng tay tại hội nghị."),
    )
    quorum_numerator = forms.IntegerField(
        label=_("Tỷ lệ tối thiểu phiếu thu về: tử số"), min_value=0, max_value=100, initial=2
    )
    quorum_denominator = forms.IntegerField(label=_("mẫu số"), min_value=1, max_value=100, initial=3)
    pass_percent = forms.IntegerField(
        label=_("Trúng khi số phiếu vượt (% phiếu hợp lệ)"), min_value=0, max_value=100, initial=50
    )

    def clean(self):
        data = super().clean()
        n, d = data.get("quorum_numerator"), data.get("quorum_denominator")
        if n is not None and d is not None and n > d:
            self.add_error("quorum_numerator", _("Tử số không được lớn hơn mẫu số."))
        return data


class VoteForm(forms.Form):
    candidates = forms.TypedMultipleChoiceField(
        label=_("Chọn đơn vị"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, ballot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(c.pk, c.unit.name) for c in ballot.candidates.all()]


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class MeetingForm(StateForm):
    held_on = forms.DateField(label=_("Ngày họp"), required=False, widget=DateInput, help_text=DATE_HELP)
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    starts_at = _time_field(_("Giờ bắt đầu"))
    ends_at = _time_field(_("Giờ kết thúc"))
    chair = forms.CharField(label=_("Chủ trì"), max_length=255, required=False, help_text=_("Họ tên, chức vụ, đơn vị."))
    secretary = forms.CharField(label=_("Thư ký cuộc họp"), max_length=255, required=False)
    present_units = forms.TypedMultipleChoiceField(
        label=_("Đơn vị có mặt"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    count_committee = forms.CharField(
        label=_("Ban kiểm phiếu"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi thành viên một dòng: họ tên, đơn vị."),
    )
    attendance = forms.CharField(
        label=_("Thành phần tham dự"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Đại biểu mời và người dự của các đơn vị, mỗi người một dòng: họ tên, chức vụ, đơn vị."),
    )
    discussion = forms.CharField(
        label=_("Ý kiến thảo luận"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mỗi ý kiến một dòng: người phát biểu: nội dung."),
    )
    conclusions = forms.CharField(
        label=_("Kết luận của hội nghị"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present_units"].choices = [(m.unit_id, f"{m.order}. {m.unit.name}") for m in members]


def _override_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Chỉ ghi khi đơn vị được đề nghị không trúng ở cuộc bỏ phiếu; được in trong biên bản và tờ trình."),
    )


class OutcomeForm(StateForm):
    flag = forms.TypedChoiceField(
        label=_("Đề nghị Cờ thi đua của UBND tỉnh"), coerce=int, required=False, empty_value=None
    )
    certificates = forms.TypedMultipleChoiceField(
        label=_("Đề nghị Bằng khen của Chủ tịch UBND tỉnh"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    flag_override = _override_field(_("Lý do đề nghị Cờ thi đua ngoài kết quả bỏ phiếu"))
    certificate_override = _override_field(_("Lý do đề nghị Bằng khen ngoài kết quả bỏ phiếu"))
    elected_head = forms.TypedChoiceField(label=_("Trưởng khối năm sau"), coerce=int, required=False, empty_value=None)
    elected_deputy = forms.TypedChoiceField(
        label=_("Phó trưởng khối năm sau"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.unit_id, f"{m.order}. {m.unit.name}") for m in members]
        empty = [("", "—")]
        self.fields["flag"].choices = empty + choices
        self.fields["certificates"].choices = choices
        self.fields["elected_head"].choices = empty + choices
        self.fields["elected_deputy"].choices = empty + choices


__all__ = ["AwardProposal"]


class PaperCountForm(forms.Form):
    issued = forms.IntegerField(label=_("Số phiếu phát ra"), min_value=0, max_value=999)
    received = forms.IntegerField(label=_("Số phiếu thu về"), min_value=0, max_value=999)
    valid = forms.IntegerField(label=_("Số phiếu hợp lệ"), min_value=0, max_value=999)
    invalid = forms.IntegerField(label=_("Số phiếu không hợp lệ"), min_value=0, max_value=999)

    def __init__(self, *args, ballot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(ballot.candidates.select_related("unit"))
        for c in self.candidates:
            self.fields[f"c{c.pk}"] = forms.IntegerField(label=c.unit.name, min_value=0, max_value=999)

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.candidates}

    def candidate_fields(self):
        return [(c, self[f"c{c.pk}"]) for c in self.candidates]


class BoardKeyForm(forms.Form):
    """The counting board gives its private key back to count: pasted, or the file downloaded at the opening."""

    board_key = forms.CharField(
        label=_("Khóa kiểm phiếu"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
        help_text=_("Dán dòng khóa, hoặc chọn tệp khóa đã tải về khi mở bỏ phiếu."),
    )
    key_file = forms.FileField(label=_("hoặc tệp khóa"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("key_file")
        if upload is not None and not data.get("board_key"):
            if upload.size > 4096:
                self.add_error("key_file", _("Tệp này không phải tệp khóa kiểm phiếu."))
                return data
            text = upload.read().decode("utf-8", "replace")
            # The file holds explanations around the key: take its line that starts with "KEY:".
            data["board_key"] = next(
                (line[4:].strip() for line in text.splitlines() if line.startswith("KEY:")), text.strip()
            )
        return data


class CloseBallotForm(BoardKeyForm):
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận kết thúc bỏ phiếu"),
        error_messages={"required": _("Hãy đánh dấu xác nhận trước khi kết thúc bỏ phiếu.")},
    )


class ReopenBallotForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do mở lại cuộc bỏ phiếu.")},
    )

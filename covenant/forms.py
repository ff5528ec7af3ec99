from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from core.forms import (
    DATE_HELP,
    DateInput,
    FilterForm,
    ReasonForm,
    ReasonMixin,
    VersionedForm,
    VietnameseFormSet,
    search_text_field,
)
from core.models import Membership, Profile, Unit
from covenant.models import Covenant, CovenantContent


class CovenantForm(VersionedForm, ReasonMixin):
    title = forms.CharField(label=_("Tên giao ước"), max_length=255, required=False)
    signed_on = forms.DateField(label=_("Ngày ký giao ước"), required=False, widget=DateInput, help_text=DATE_HELP)
    signed_place = forms.CharField(label=_("Nơi ký"), max_length=120, required=False)
    plan_number = forms.CharField(
        label=_("Số kế hoạch tổ chức thực hiện"), max_length=40, required=False, help_text=_("Ví dụ: 05/KH-BQLKKT")
    )
    plan_date = forms.DateField(
        label=_("Ngày ban hành kế hoạch"), required=False, widget=DateInput, help_text=DATE_HELP
    )
    legal_bases = forms.CharField(
        label=_("Căn cứ"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Mỗi căn cứ một dòng, theo đúng thứ tự sẽ in trên văn bản."),
    )
    field_order = ["title", "signed_on", "signed_place", "plan_number", "plan_date", "legal_bases", "reason", "version"]

    @classmethod
    def initial_for(cls, covenant: Covenant) -> dict:
        return {
            "title": covenant.title,
            "signed_on": covenant.signed_on,
            "signed_place": covenant.signed_place,
            "plan_number": covenant.plan_number,
            "plan_date": covenant.plan_date,
            "version": covenant.version,
            "legal_bases": "\n".join(b.text for b in covenant.legal_bases.all()),
        }

    def clean_legal_bases(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["legal_bases"].splitlines() if line.strip()]
        if any(len(line) > 1000 for line in lines):
            raise forms.ValidationError(_("Mỗi căn cứ dài tối đa 1000 ký tự."))
        return lines


class ContentForm(VersionedForm, ReasonMixin):
    order = forms.IntegerField(
        label=_("Số thứ tự"), min_value=1, max_value=99, widget=forms.NumberInput(attrs={"class": "input-narrow"})
    )
    title = forms.CharField(label=_("Tiêu đề ngắn"), max_length=255, help_text=_("Dùng trong bảng và mục lục."))
    body = forms.CharField(
        label=_("Nội dung đầy đủ"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Văn bản đầy đủ của nội dung như trong bản giao ước đã ký."),
    )
    field_order = ["order", "title", "body", "reason", "version"]

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["version"].required = False

    @classmethod
    def initial_for(cls, content: CovenantContent) -> dict:
        return {"order": content.order, "title": content.title, "body": content.body, "version": content.version}


class MemberRowForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    order = forms.IntegerField(label=_("STT"), min_value=1, max_value=999)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Membership.Role.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()


class BaseMemberFormSet(VietnameseFormSet):
    def __init__(self, *args, units=None, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self.units}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            units=self.units,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


MemberFormSet = forms.formset_factory(
    MemberRowForm,
    formset=BaseMemberFormSet,
    extra=0,
    can_delete=True,
    max_num=200,
    validate_max=True,
    absolute_max=200,
)


class MembersMetaForm(VersionedForm, ReasonMixin):
    pass


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "head_name", "head_title", "parent_body", "address", "phone", "email"]
        help_texts = {
            "code": _("Chữ thường không dấu, số và gạch ngang; duy nhất trong hệ thống. Ví dụ: so-tai-chinh."),
            "head_title": _("In dưới chữ ký trên văn bản của đơn vị, ví dụ: Giám đốc, Cục trưởng."),
            "parent_body": _("In phía trên tên đơn vị, ví dụ: UBND TỈNH KON TUM, TỔNG CỤC THUẾ."),
        }
        error_messages = {
            "code": {"invalid": _("Mã đơn vị chỉ gồm chữ thường không dấu, số và gạch ngang, ví dụ so-tai-chinh.")}
        }


class OfficerCreateForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Loại tài khoản"),
        choices=[
            (Profile.Role.OFFICER, Profile.Role.OFFICER.label),
            (Profile.Role.SECRETARIAT, Profile.Role.SECRETARIAT.label),
            (Profile.Role.LEADER, Profile.Role.LEADER.label),
        ],
        initial=Profile.Role.OFFICER,
        required=False,
        help_text=_(
            "Văn phòng khối: chỉ cho đơn vị Trưởng khối (năm nay hoặc năm sau). Lãnh đạo khối không thuộc đơn vị nào. "
            "Tài khoản theo dõi cấp tỉnh do tỉnh cấp."
        ),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, help_text=_("Bỏ trống với lãnh đạo khối.")
    )
    username = forms.RegexField(
        label=_("Tên đăng nhập"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _")},
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"), help_text=_("Dùng để nhận nhắc việc và đặt lại mật khẩu."))
    password = forms.CharField(label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, max_length=128)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password

    def clean_role(self):
        return self.cleaned_data.get("role") or Profile.Role.OFFICER

    def clean(self):
        data = super().clean()
        if data.get("role") != Profile.Role.LEADER and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", self.fields["unit"].error_messages["required"])
        return data


class HandoverForm(forms.Form):
    users = forms.ModelMultipleChoiceField(
        label=_("Tài khoản nhận bàn giao"),
        queryset=Profile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Các tài khoản này trở thành Văn phòng khối và điều hành năm sau ngay."),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = users


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput, max_length=128)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password


class ContentDeleteForm(ReasonForm):
    reason = forms.CharField(label=_("Lý do quay lại"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PhaseRevertForm(ContentDeleteForm):
    # The phase the page showed: a second click or a stale tab is refused instead of stepping twice.
    phase = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("Phải ghi lý do khi quay lại giai đoạn trước.")
        self.fields["reason"].help_text = _("Được ghi vào nhật ký thay đổi.")


class PhaseAdvanceForm(forms.Form):
    phase = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("Lý do chuyển giai đoạn khi còn việc chưa xong"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi còn việc chưa xong; được ghi vào nhật ký."),
    )
    confirm = forms.BooleanField(
        label=_("Tôi đã xem danh sách trên và xác nhận chuyển giai đoạn."),
        error_messages={"required": _("Hãy đánh dấu xác nhận trước khi chuyển giai đoạn.")},
    )


SORT_CHOICES = [("newest", _("Mới nhất trước")), ("oldest", _("Cũ nhất trước"))]
SYSTEM_ACTOR = "system"


class HistoryFilterForm(FilterForm):
    """Who, what, when on the year's change log; the choices are what the log holds (passed in by the view)."""

    actor = forms.ChoiceField(label=_("Người thực hiện"))
    target_type = forms.ChoiceField(label=_("Loại đối tượng"))
    action = forms.ChoiceField(label=_("Thao tác"))
    date_from = forms.DateField(label=_("Từ ngày"), widget=DateInput)
    date_to = forms.DateField(label=_("Đến ngày"), widget=DateInput)
    q = search_text_field(_("Có chữ"), _("Tên đối tượng hoặc lý do"))
    sort = forms.ChoiceField(label=_("Thứ tự"), choices=SORT_CHOICES)

    def __init__(self, data=None, *, actors, target_types, actions, **kwargs):
        super().__init__(data, **kwargs)
        everyone = [("", _("Mọi người"))]
        self.fields["actor"].choices = [*everyone, *actors, (SYSTEM_ACTOR, _("Hệ thống"))]
        self.fields["target_type"].choices = [("", _("Mọi loại")), *target_types]
        self.fields["action"].choices = [("", _("Mọi thao tác")), *actions]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return data


ACCOUNT_STATES = [
    ("active", _("Đang hoạt động")),
    ("inactive", _("Đã khóa")),
    ("locked_out", _("Tạm khóa do sai mật khẩu")),
]


class AccountFilterForm(FilterForm):
    q = search_text_field(_("Tìm"), _("Họ tên, tên đăng nhập, thư"))
    role = forms.ChoiceField(label=_("Vai trò"))
    unit = forms.ChoiceField(label=_("Đơn vị"))
    state = forms.ChoiceField(label=_("Trạng thái"), choices=[("", _("Mọi trạng thái")), *ACCOUNT_STATES])

    def __init__(self, data=None, *, units, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["role"].choices = [
            ("", _("Mọi vai trò")),
            *[(r.value, r.label) for r in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT, Profile.Role.LEADER)],
        ]
        self.fields["unit"].choices = [("", _("Mọi đơn vị")), *[(str(u.pk), u.short_name) for u in units]]

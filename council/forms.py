from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from core.forms import DATE_HELP, DateInput
from core.models import Bloc, Unit


class BlocForm(forms.ModelForm):
    class Meta:
        model = Bloc
        fields = ["code", "name", "parent_body", "description"]
        help_texts = {
            "code": _("Chữ thường không dấu, số và gạch ngang; duy nhất trong hệ thống. Ví dụ: khoi-kinh-te.")
        }
        error_messages = {
            "code": {"invalid": _("Mã khối chỉ gồm chữ thường không dấu, số và gạch ngang, ví dụ khoi-kinh-te.")}
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

    def validate_unique(self) -> None:
        """The service says in Vietnamese when a code is taken."""


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Năm thi đua"), min_value=2000, max_value=2100)


class SecretariatForm(forms.Form):
    username = forms.RegexField(
        label=_("Tên đăng nhập"), max_length=150, regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _")},
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"))
    password = forms.CharField(label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, max_length=128)

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Tên chính thức mới"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt mới"), max_length=80)
    year = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Căn cứ, ghi chú"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Sáp nhập vào đơn vị"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Từ năm"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("Căn cứ, ghi chú"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = units


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Khối và năm thi đua đích"))
    note = forms.CharField(label=_("Lý do"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {str(by.pk): by for by in targets}
        self.fields["to"].choices = [(str(by.pk), f"{by.bloc.name} – {by.year}") for by in targets]

    def clean_to(self):
        return self.targets[self.cleaned_data["to"]]


class QuotaForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    flags = forms.IntegerField(label=_("Số Cờ thi đua của UBND tỉnh"), min_value=0, max_value=999)
    certificates = forms.IntegerField(label=_("Số Bằng khen của Chủ tịch UBND tỉnh"), min_value=0, max_value=9999)


class AcceptForm(forms.Form):
    """The dossier as the council's office saw it: a dossier submitted again meanwhile is not accepted blind."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ReturnForm(AcceptForm):
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Khối nhận được lý do này cùng hồ sơ trả lại."),
        error_messages={"required": _("Phải ghi lý do trả lại hồ sơ.")},
    )


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=60, help_text=_("Ví dụ: 125/QĐ-UBND"))
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DateInput, help_text=DATE_HELP)
    signer = forms.CharField(label=_("Người ký"), max_length=255, help_text=_("Chức vụ và họ tên."))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) theo mẫu"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class AwardForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức khen thưởng"), choices=Award.Kind.choices)
    title = forms.CharField(label=_("Tên đầy đủ (nếu khác)"), max_length=255, required=False)
    year = forms.IntegerField(label=_("Năm thành tích"), min_value=1945, max_value=2100)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput, help_text=DATE_HELP)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)

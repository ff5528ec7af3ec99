from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_HELP, DateInput
from documents.models import DocumentSetup, LegalText


class DocumentSetupForm(forms.ModelForm):
    class Meta:
        model = DocumentSetup
        fields = [
            "parent_body",
            "issuing_body",
            "number",
            "symbol",
            "place",
            "issued_on",
            "sign_form",
            "authority",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        widgets = {"issued_on": DateInput, "recipients": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"issued_on": DATE_HELP}

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if number and not number.isdigit():
            raise forms.ValidationError(_("Số văn bản chỉ gồm chữ số (ví dụ 05)."))
        return number


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Mã kiểm tra in ở chân trang văn bản"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": "XH-1-2017-3F9A2C1B7D", "autofocus": True}),
    )


YEAR_LABELS = (
    ("strengths", _("Đánh giá chung – ưu điểm")),
    ("weaknesses", _("Đánh giá chung – tồn tại, hạn chế")),
    ("causes", _("Đánh giá chung – nguyên nhân")),
    ("lessons", _("Đánh giá chung – bài học kinh nghiệm")),
    ("direction", _("Phương hướng, nhiệm vụ năm sau")),
)


class SynthesisForm(forms.Form):
    def __init__(self, *args, contents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contents = list(contents)
        for c in self.contents:
            self.fields[f"c{c.pk}"] = forms.CharField(
                label=f"{c.order}. {c.title}",
                required=False,
                max_length=30000,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
        for name, label in YEAR_LABELS:
            self.fields[f"y_{name}"] = forms.CharField(
                label=label, required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
            )


class IssueForm(forms.Form):
    """Issue one document: the register gives the next number unless one is typed."""

    document = forms.ChoiceField(label=_("Văn bản"))
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DateInput, help_text=DATE_HELP)
    number = forms.IntegerField(
        label=_("Số"), required=False, min_value=1, max_value=99999, help_text=_("Để trống: lấy số tiếp theo trong sổ.")
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = list(choices)


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Bản có chữ ký, đóng dấu (PDF, JPG, PNG)"))


class LegalTextForm(forms.ModelForm):
    class Meta:
        model = LegalText
        fields = ["kind", "number", "citation", "effective_from", "effective_to"]
        widgets = {
            "effective_from": DateInput,
            "effective_to": DateInput,
            "citation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"effective_to": _("Để trống nếu văn bản còn hiệu lực. Định dạng ngày/tháng/năm.")}

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("Ngày hết hiệu lực phải sau ngày có hiệu lực."))
        return data

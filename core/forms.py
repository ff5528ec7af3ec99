"""Form pieces every app uses: dates typed the Vietnamese way, the version a form started from, the reason of a
change, formsets whose own errors read in Vietnamese."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

DATE_HELP = _("Nhập theo dạng ngày/tháng/năm, ví dụ 16/05/2017.")


class DateInput(forms.DateInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", **(attrs or {})})


class VersionedForm(forms.Form):
    """Carries the version the user started from, so that a concurrent save is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonMixin(forms.Form):
    """The "why" of a change, written to the log.

    reason_required=True (pass bloc_year.changes_need_reason) marks the field as required on screen
    (asterisk, aria-required). The field itself stays optional: the service refuses an empty reason
    with its own message, and the includes/reason_field.html template also marks it from bloc_year.
    """

    reason = forms.CharField(
        label=_("Lý do thay đổi"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi năm thi đua đã qua giai đoạn thiết lập; được ghi vào nhật ký."),
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].widget.attrs["aria-required"] = "true"


class VietnameseFormSet(forms.BaseFormSet):
    """A formset whose own errors (broken management form, too many rows) read in Vietnamese."""

    default_error_messages = {
        "missing_management_form": _(
            "Dữ liệu của bảng bị thiếu hoặc đã bị thay đổi. Hãy tải lại trang rồi nhập lại thay đổi."
        ),
        "too_many_forms": ngettext_lazy(
            "Chỉ được gửi tối đa %(num)d dòng.", "Chỉ được gửi tối đa %(num)d dòng.", "num"
        ),
        "too_few_forms": ngettext_lazy("Phải có ít nhất %(num)d dòng.", "Phải có ít nhất %(num)d dòng.", "num"),
    }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class MarkedBoundField(forms.BoundField):
    """A field with errors is marked wherever its widget is drawn (Bootstrap's `is-invalid`, `aria-invalid`),
    in every form; the message goes under it (crispy, or includes/field_errors.html)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            classes = attrs.get("class", (widget or self.field.widget).attrs.get("class", ""))
            if "is-invalid" not in classes.split():
                attrs["class"] = f"{classes} is-invalid".strip()
            attrs["aria-invalid"] = "true"
        return attrs


class FormRenderer(DjangoTemplates):
    """The project's form renderer (settings.FORM_RENDERER): every bound field marks its errors."""

    bound_field_class = MarkedBoundField


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa và chữ thường. "
            "Quên mật khẩu thì bấm “Quên mật khẩu?” bên dưới hoặc liên hệ Văn phòng khối."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Hãy liên hệ Văn phòng khối."),
    }

"""Form pieces every app uses: dates typed the Vietnamese way, numbers typed by a person, the version a form started
from, the reason of a change, formsets whose own errors read in Vietnamese."""

import re
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

DATE_HELP = _("Nhập theo dạng ngày/tháng/năm, ví dụ 16/05/2017.")


# A number as a person types it: digits with a decimal comma or point. No exponent ("1e-400"), no NaN or Infinity,
# no grouping: what Decimal() would also accept goes on to overflow a column or pass a "> 0" check as 0.001.
_TYPED_NUMBER = re.compile(r"\s*([+-]?)(\d*)(?:[.,](\d*))?\s*\Z", re.ASCII)


class NumberInputError(ValueError):
    """A typed number refused, with the Vietnamese reason (str(error))."""


def parse_decimal(raw: object, *, places: int = 2, max_digits: int = 6) -> Decimal:
    """The Decimal a person typed ("8,5", "8.5", "10"), fitting a column of `max_digits` digits with `places`
    decimals; NumberInputError otherwise. Range checks (> 0, <= the maximum) are the caller's."""
    if isinstance(raw, Decimal) and raw.is_finite():
        raw = format(raw, "f")
    text = str(raw)
    match = _TYPED_NUMBER.match(text) if len(text) <= 40 else None
    if match is None or not (match[2] or match[3]):
        raise NumberInputError(_("“%(raw)s” không phải là số.") % {"raw": text[:40]})
    sign, whole, fraction = match[1], match[2].lstrip("0"), (match[3] or "").rstrip("0")
    if len(fraction) > places:
        raise NumberInputError(
            _("“%(raw)s”: chỉ được tối đa %(places)s chữ số sau dấu phẩy.") % {"raw": text.strip(), "places": places}
        )
    if len(whole) > max_digits - places:
        raise NumberInputError(_("“%(raw)s” quá lớn.") % {"raw": text.strip()})
    value = Decimal(f"{sign}{whole or 0}.{fraction}" if fraction else f"{sign}{whole or 0}")
    return value if value else Decimal(0)  # never -0


class DateInput(forms.DateInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", **(attrs or {})})


class VersionedForm(forms.Form):
    """Carries the version the user started from, so that a concurrent save is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so it is not checked: a longer name would
        # reach django-axes, whose record of the failed login holds 255 characters (a database error, a 500).
        username = self.fields["username"]
        username.validators.append(
            MaxLengthValidator(
                username.max_length,
                _("Tên đăng nhập dài nhất %(limit_value)s ký tự (đang có %(show_value)s)."),
            )
        )


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids beyond a 64-bit integer before querying: SQLite raises OverflowError on them (a 500)."""

    def _check_values(self, value):
        for pk in value or []:
            try:
                if abs(int(str(pk))) >= 2**63:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
            except ValueError:
                pass  # not a number: the parent says it is not a valid choice
        return super()._check_values(value)


SEARCH_MAX_LENGTH = 200


class FilterForm(forms.Form):
    """The GET form above a list: every field optional; a bad value (a tampered choice, a date typed wrong, a text
    too long) is marked at its field and that filter alone is left out, the others still apply."""

    def __init__(self, data=None, *args, **kwargs):
        # Only the form's own keys count: ?page=2 alone is an unfiltered list, not a bound (and checked) form.
        bound = data is not None and any(data.get(name) for name in self.base_fields)
        super().__init__(data if bound else None, *args, **kwargs)
        for field in self.fields.values():
            field.required = False
            small = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = small

    def values(self) -> dict:
        """The valid filters given (empty ones left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v not in (None, "", [])}

    # Fields that order or shape the list without filtering it.
    not_filters: tuple[str, ...] = ("sort",)

    @property
    def active(self) -> bool:
        return any(k not in self.not_filters for k in self.values())


def search_text_field(label, placeholder="") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": placeholder, "type": "search"}),
        error_messages={
            "max_length": ngettext_lazy(
                "Từ khóa tìm kiếm dài tối đa %(limit_value)d ký tự.",
                "Từ khóa tìm kiếm dài tối đa %(limit_value)d ký tự.",
                "limit_value",
            )
        },
    )

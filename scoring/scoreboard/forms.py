from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IdsChoiceField, ReasonMixin, VersionedForm, VietnameseFormSet
from covenant.models import CovenantContent
from scoring.scoreboard.models import Criterion, TieBreak


def points_field(label, *, min_value=Decimal("0"), **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=6,
        decimal_places=2,
        min_value=min_value,
        max_value=Decimal("1000"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


def plain_decimal(value: Decimal) -> Decimal:
    """15.00 -> 15, 0.50 -> 0.5: how a score is shown in an input ("15", "0,5"), never "1E+1"."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class PlainPointsMixin(forms.Form):
    """Shows the points a form starts from without trailing zeros ("15", not "15,00")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            value = self.initial.get(name)
            if isinstance(field, forms.DecimalField) and isinstance(value, Decimal):
                self.initial[name] = plain_decimal(value)


class ScoreboardSettingsForm(PlainPointsMixin, VersionedForm, ReasonMixin):
    title = forms.CharField(label=_("Tên bảng điểm"), max_length=255, required=False)
    total_points = points_field(
        _("Tổng điểm chuẩn"), min_value=Decimal("0.5"), help_text=_("Tổng điểm tối đa của các tiêu chí, thường là 100.")
    )
    score_step = points_field(
        _("Bước điểm"),
        min_value=Decimal("0.01"),
        help_text=_("Điểm chấm mỗi mục phải là bội số của bước này (mặc định 0,5)."),
    )
    bonus_cap = points_field(_("Điểm thưởng tối đa"), help_text=_("Tổng điểm thưởng được cộng không vượt quá mức này."))
    late_report_points = points_field(_("Điểm trừ mỗi báo cáo trễ hạn"))
    missing_report_points = points_field(_("Điểm trừ mỗi báo cáo không nộp"))
    field_order = [
        "title",
        "total_points",
        "score_step",
        "bonus_cap",
        "late_report_points",
        "missing_report_points",
        "reason",
        "version",
    ]


class CriterionForm(VersionedForm, ReasonMixin):
    order = forms.IntegerField(label=_("Số thứ tự"), min_value=1, max_value=99)
    title = forms.CharField(label=_("Tên tiêu chí"), max_length=255)
    contents = IdsChoiceField(
        label=_("Nội dung giao ước liên quan"),
        queryset=CovenantContent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Khi chấm điểm tiêu chí này, đơn vị sẽ thấy báo cáo của mình về các nội dung được chọn."),
    )
    field_order = ["order", "title", "contents", "reason", "version"]

    def __init__(self, *args, contents=None, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contents"].queryset = contents
        self.fields["contents"].label_from_instance = lambda c: f"{c.order}. {c.title}"
        if creating:
            self.fields["version"].required = False


class SubItemForm(PlainPointsMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    order = forms.IntegerField(label=_("STT"), min_value=1, max_value=99)
    text = forms.CharField(label=_("Nội dung chấm"), max_length=500)
    max_points = points_field(_("Điểm tối đa"), min_value=Decimal("0.01"))
    guidance = forms.CharField(
        label=_("Hướng dẫn chấm"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_required = forms.BooleanField(label=_("Bắt buộc minh chứng"), required=False)


SubItemFormSet = forms.formset_factory(
    SubItemForm, formset=VietnameseFormSet, extra=0, can_delete=True, max_num=100, validate_max=True, absolute_max=100
)


class BonusRowForm(PlainPointsMixin, forms.Form):
    order = forms.IntegerField(label=_("STT"), min_value=1, max_value=99)
    text = forms.CharField(label=_("Nội dung thưởng"), max_length=500)
    points = points_field(_("Điểm"), min_value=Decimal("0.01"))


BonusFormSet = forms.formset_factory(
    BonusRowForm, formset=VietnameseFormSet, extra=0, can_delete=True, max_num=50, validate_max=True, absolute_max=50
)


class TieBreakRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Quy tắc"), choices=TieBreak.Kind.choices)
    criterion = forms.ModelChoiceField(
        label=_("Tiêu chí"), queryset=Criterion.objects.none(), required=False, empty_label=_("— không áp dụng —")
    )

    def __init__(self, *args, criteria=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria if criteria is not None else Criterion.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("kind") == TieBreak.Kind.CRITERION and not data.get("criterion"):
            self.add_error("criterion", _("Hãy chọn tiêu chí để so sánh."))
        if data.get("kind") and data.get("kind") != TieBreak.Kind.CRITERION:
            data["criterion"] = None
        return data


class BaseTieBreakFormSet(VietnameseFormSet):
    def __init__(self, *args, criteria=None, **kwargs):
        self.criteria = criteria
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "criteria": self.criteria}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            criteria=self.criteria,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


TieBreakFormSet = forms.formset_factory(
    TieBreakRowForm,
    formset=BaseTieBreakFormSet,
    extra=0,
    can_delete=True,
    can_order=False,
    max_num=10,
    validate_max=True,
    absolute_max=10,
)


class MetaForm(VersionedForm, ReasonMixin):
    pass

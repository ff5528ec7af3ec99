from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.sheets.models import ItemScore, ScoringRound


class SheetForm(forms.Form):
    """The unit's self-score: per sub-item a score, an explanation and evidence; per bonus item a claim."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, items=(), bonus_items=(), evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.bonus_items = list(bonus_items)
        choices = [(e.pk, str(e)) for e in evidence]
        for item in self.items:
            p = f"i{item.sub_item_id}"
            self.fields[f"{p}-score"] = forms.CharField(label=_("Điểm tự chấm"), required=False, max_length=12)
            self.fields[f"{p}-explanation"] = forms.CharField(
                label=_("Giải trình"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{p}-evidence"] = forms.TypedMultipleChoiceField(
                label=_("Minh chứng"), required=False, choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"{p}-upload"] = forms.FileField(label=_("Tải lên minh chứng mới"), required=False)
            self.fields[f"{p}-upload_summary"] = forms.CharField(label=_("Trích yếu"), required=False, max_length=500)
        for b in self.bonus_items:
            p = f"b{b.pk}"
            self.fields[f"{p}-claim"] = forms.BooleanField(label=_("Đề nghị"), required=False)
            self.fields[f"{p}-explanation"] = forms.CharField(
                label=_("Giải trình"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{p}-evidence"] = forms.TypedMultipleChoiceField(
                label=_("Minh chứng"), required=False, choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple
            )

    def clean(self):
        data = super().clean()
        for item in self.items:
            p = f"i{item.sub_item_id}"
            if data.get(f"{p}-upload") and not (data.get(f"{p}-upload_summary") or "").strip():
                self.add_error(f"{p}-upload_summary", _("Hãy nhập trích yếu cho minh chứng tải lên."))
        return data

    def item_fields(self):
        for item in self.items:
            p = f"i{item.sub_item_id}"
            yield item, {n: self[f"{p}-{n}"] for n in ("score", "explanation", "evidence", "upload", "upload_summary")}

    def bonus_fields(self):
        for b in self.bonus_items:
            p = f"b{b.pk}"
            yield b, {n: self[f"{p}-{n}"] for n in ("claim", "explanation", "evidence")}


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, items=(), claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.claims = list(claims)
        for item in self.items:
            p = f"i{item.sub_item_id}"
            self.fields[f"{p}-score"] = forms.CharField(label=_("Điểm thẩm định"), required=False, max_length=12)
            self.fields[f"{p}-reason"] = forms.CharField(
                label=_("Lý do điều chỉnh"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 1})
            )
        for c in self.claims:
            p = f"b{c.bonus_item_id}"
            self.fields[f"{p}-review"] = forms.ChoiceField(
                label=_("Thẩm định"), required=False, choices=c.Review.choices
            )
            self.fields[f"{p}-reason"] = forms.CharField(label=_("Lý do"), required=False, max_length=5000)


class RespondForm(forms.Form):
    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            p = f"i{item.sub_item_id}"
            self.fields[f"{p}-contest"] = forms.ChoiceField(
                label=_("Ý kiến"),
                required=False,
                choices=[
                    ("", _("Chưa phản hồi")),
                    (ItemScore.Contest.ACCEPTED, _("Đồng ý")),
                    (ItemScore.Contest.CONTESTED, _("Đề nghị xem lại")),
                ],
            )
            self.fields[f"{p}-comment"] = forms.CharField(
                label=_("Ý kiến của đơn vị"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 1})
            )


class SettleForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Giải quyết"),
        choices=[
            (ItemScore.Settlement.KEPT, _("Giữ điểm thẩm định")),
            (ItemScore.Settlement.CHANGED, _("Điều chỉnh điểm")),
        ],
        error_messages={"required": _("Hãy chọn cách giải quyết."), "invalid_choice": _("Hãy chọn cách giải quyết.")},
    )
    score = forms.CharField(label=_("Điểm sau điều chỉnh"), required=False, max_length=12)
    reason = forms.CharField(
        label=_("Lý do giải quyết"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Phải ghi lý do giải quyết.")},
    )


class AssignForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Cách thẩm định"), choices=ScoringRound.Mode.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn cách thẩm định."), "invalid_choice": _("Hãy chọn cách thẩm định.")},
    )


class ManualDeductionForm(forms.Form):
    points = forms.CharField(label=_("Điểm trừ"), max_length=12, error_messages={"required": _("Hãy nhập điểm trừ.")})
    reason = forms.CharField(
        label=_("Lý do (vi phạm có văn bản chứng minh)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Phải ghi lý do trừ điểm (vi phạm có văn bản chứng minh).")},
    )


class WaiveForm(forms.Form):
    # Which deduction: written by the page, not typed (a tampered value finds no form to draw again).
    kind = forms.CharField(max_length=20, widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(
        label=_("Lý do miễn trừ"), max_length=2000, error_messages={"required": _("Phải ghi lý do miễn trừ điểm.")}
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Phải ghi lý do.")},
    )


class ApproveForm(forms.Form):
    # Needed only to approve before the contest window has passed (the service says when).
    reason = forms.CharField(label=_("Lý do phê duyệt ngay"), required=False, max_length=2000)

import datetime
import re

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.formatting import short_date
from core.forms import DATE_HELP, DateInput, FilterForm, ReasonMixin, VersionedForm, search_text_field
from reports.models import ReportingPeriod
from reports.search import KINDS, words_of

MAX_RESULT_ROWS = 30


def lazystr_format(template, **values):
    """A help text translated when shown (not at import), with %(name)s filled from settings at that time."""
    return lazy(lambda: str(template) % {k: v() for k, v in values.items()}, str)()


class PeriodForm(VersionedForm, ReasonMixin):
    code = forms.SlugField(label=_("Mã kỳ"), max_length=10, help_text=_("Duy nhất trong năm, ví dụ q1, 6t, q3, nam."))
    name = forms.CharField(label=_("Tên kỳ báo cáo"), max_length=120)
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportingPeriod.Kind.choices)
    order = forms.IntegerField(label=_("Thứ tự"), min_value=1, max_value=20)
    opens_on = forms.DateField(label=_("Ngày mở"), widget=DateInput, help_text=DATE_HELP)
    deadline = forms.DateField(
        label=_("Hạn nộp"),
        widget=DateInput,
        help_text=_("Nộp lần đầu sau ngày này (hết ngày, giờ Việt Nam) là trễ hạn."),
    )
    lock_date = forms.DateField(
        label=_("Ngày khóa sổ"),
        widget=DateInput,
        help_text=_("Sau ngày này, báo cáo chưa từng nộp không thể nộp và bị tính là không nộp."),
    )
    field_order = ["code", "name", "kind", "order", "opens_on", "deadline", "lock_date", "reason", "version"]

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["version"].required = False
        self.fields["reason"].help_text = _("Bắt buộc khi đã có đơn vị nộp báo cáo kỳ này; được ghi vào nhật ký.")


class ExtensionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    deadline = forms.DateField(label=_("Hạn nộp mới"), widget=DateInput, help_text=DATE_HELP)
    lock_date = forms.DateField(label=_("Ngày khóa sổ mới"), widget=DateInput, help_text=DATE_HELP)
    reason = forms.CharField(label=_("Lý do gia hạn"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp minh chứng"),
        help_text=lazystr_format(
            _("PDF, Word, Excel hoặc ảnh; tối đa %(mb)s MB."), mb=lambda: settings.EVIDENCE_MAX_MB
        ),
    )
    summary = forms.CharField(label=_("Trích yếu"), max_length=500)
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu"), max_length=60, required=False, help_text=_("Ví dụ: 125/BC-STC")
    )
    issued_on = forms.DateField(label=_("Ngày văn bản"), required=False, widget=DateInput, help_text=DATE_HELP)


class ReportForm(forms.Form):
    """The unit's report: one group of fields per covenant content, plus general proposals.

    Result rows (indicator, target, result) come as s<content>-r<i>-<field> inputs added by the page.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    general_proposals = forms.CharField(
        label=_("Đề xuất, kiến nghị chung"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, sections=(), evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        self.evidence_choices = choices = [(e.pk, str(e)) for e in evidence]
        for s in self.sections:
            p = f"s{s.content_id}"
            self.fields[f"{p}-done"] = forms.CharField(
                label=_("Kết quả thực hiện"),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("Những việc đơn vị đã làm trong kỳ về nội dung này."),
            )
            self.fields[f"{p}-difficulties"] = forms.CharField(
                label=_("Khó khăn, vướng mắc"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{p}-next_steps"] = forms.CharField(
                label=_("Nhiệm vụ, giải pháp thời gian tới"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{p}-evidence"] = forms.TypedMultipleChoiceField(
                label=_("Minh chứng đã có"),
                required=False,
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"{p}-upload"] = forms.FileField(label=_("Tải lên minh chứng mới"), required=False)
            self.fields[f"{p}-upload_summary"] = forms.CharField(label=_("Trích yếu"), required=False, max_length=500)
            self.fields[f"{p}-upload_number"] = forms.CharField(label=_("Số, ký hiệu"), required=False, max_length=60)

    def bound_sections(self):
        for s in self.sections:
            p = f"s{s.content_id}"
            yield (
                s,
                {
                    name: self[f"{p}-{name}"]
                    for name in (
                        "done",
                        "difficulties",
                        "next_steps",
                        "evidence",
                        "upload",
                        "upload_summary",
                        "upload_number",
                    )
                },
            )

    def evidence_options(self, content_id: int) -> list[tuple[str, str, str, bool]]:
        """A section's evidence checkboxes as (id, value, label, checked), for the page to write out itself: a widget
        template rendered per checkbox and section cost more than the rest of the section."""
        field = self[f"s{content_id}-evidence"]
        selected = {str(v) for v in field.value() or ()}
        return [
            (f"{field.auto_id}_{i}", str(pk), label, str(pk) in selected)
            for i, (pk, label) in enumerate(self.evidence_choices)
        ]

    def results_for(self, content_id: int) -> list[tuple[str, str, str]]:
        source = self.data if self.is_bound else {}
        rows = []
        pattern = re.compile(rf"^s{content_id}-r(\d+)-indicator$")
        indices = sorted(int(m.group(1)) for k in source if (m := pattern.match(k)))
        for i in indices[:MAX_RESULT_ROWS]:
            prefix = f"s{content_id}-r{i}-"
            indicator, target, result = (
                (source.get(prefix + name) or "").strip()[:size]
                for name, size in (("indicator", 255), ("target", 100), ("result", 100))
            )
            if indicator or target or result:
                rows.append((indicator or "—", target, result))
        return rows

    def clean(self):
        data = super().clean()
        for s in self.sections:
            p = f"s{s.content_id}"
            if data.get(f"{p}-upload") and not (data.get(f"{p}-upload_summary") or "").strip():
                self.add_error(f"{p}-upload_summary", _("Hãy nhập trích yếu cho minh chứng tải lên."))
        return data


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    decision = forms.ChoiceField(choices=[("accept", _("Tiếp nhận")), ("return", _("Trả lại"))])
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi trả lại; đơn vị sẽ thấy và nhận thư."),
    )
    due = forms.DateField(
        label=_("Hạn nộp lại"),
        required=False,
        widget=DateInput,
        help_text=lazystr_format(_("Bỏ trống: sau %(n)s ngày."), n=lambda: settings.RESUBMIT_DAYS),
    )

    def __init__(self, *args, sections=(), own_deadline: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        if own_deadline is not None:
            self.fields["due"].help_text = _(
                "Bỏ trống: sau %(n)s ngày. Không sớm hơn hạn nộp của đơn vị (%(d)s)."
            ) % {"n": settings.RESUBMIT_DAYS, "d": short_date(own_deadline)}
        for s in self.sections:
            self.fields[f"c{s.content_id}"] = forms.CharField(
                label=_("Nhận xét"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def comments(self) -> dict[int, str]:
        return {s.content_id: self.cleaned_data.get(f"c{s.content_id}", "") for s in self.sections}


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("Hạn nộp lại"), required=False, widget=DateInput)


# The evidence list's "file type" filter: groups of the content types an upload may have (services.ALLOWED_TYPES).
FILE_KINDS = {
    "pdf": (_("PDF"), ["application/pdf"]),
    "word": (
        _("Văn bản Word, ODT"),
        [
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.oasis.opendocument.text",
        ],
    ),
    "sheet": (
        _("Bảng tính Excel, ODS"),
        [
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.oasis.opendocument.spreadsheet",
        ],
    ),
    "image": (_("Ảnh"), ["image/jpeg", "image/png", "image/gif", "image/webp"]),
}
ALL_UNITS = "all"
NOT_LINKED = "none"


class EvidenceFilterForm(FilterForm):
    q = search_text_field(_("Tìm"), _("Số, ký hiệu, trích yếu, tên tệp"))
    unit = forms.ChoiceField(label=_("Đơn vị"))
    content = forms.ChoiceField(label=_("Nội dung giao ước"))
    kind = forms.ChoiceField(
        label=_("Loại tệp"), choices=[("", _("Mọi loại")), *((k, v[0]) for k, v in FILE_KINDS.items())]
    )

    def __init__(self, data=None, *, units, contents, **kwargs):
        """units: [(id, name)] the user may pick besides their own (readers: the year's other units)."""
        super().__init__(data, **kwargs)
        if units:
            self.fields["unit"].choices = [
                ("", _("Đơn vị mình")),
                (ALL_UNITS, _("Mọi đơn vị")),
                *((str(pk), name) for pk, name in units),
            ]
        else:
            del self.fields["unit"]
        self.fields["content"].choices = [
            ("", _("Mọi nội dung")),
            *((str(c.pk), f"{c.order}. {c.title}"[:70]) for c in contents),
            (NOT_LINKED, _("Chưa gắn vào báo cáo")),
        ]


class SearchForm(FilterForm):
    q = search_text_field(_("Tìm trong báo cáo và minh chứng"), _("Từ khóa"))
    kind = forms.ChoiceField(label=_("Tìm trong"))
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int)
    sort = forms.ChoiceField(
        label=_("Thứ tự"), choices=[("newest", _("Năm gần nhất trước")), ("relevance", _("Khớp nhất trước"))]
    )

    def __init__(self, data=None, *, years: list[int], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [("", _("Báo cáo và minh chứng")), *KINDS.items()]
        self.fields["year"].choices = [("", _("Mọi năm")), *((y, str(y)) for y in years)]

    def clean_q(self):
        q = self.cleaned_data.get("q", "")
        if q and not words_of(q):
            raise forms.ValidationError(_("Hãy nhập ít nhất một chữ hoặc số để tìm."))
        return q

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from core.forms import DATE_HELP, DateInput


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["unit", "kind", "title", "year", "decision_number", "decision_date", "issuer"]
        widgets = {"decision_date": DateInput}
        help_texts = {
            "decision_date": DATE_HELP,
            "title": _("Khi quyết định ghi cụ thể hơn, ví dụ: Bằng khen của Bộ trưởng Bộ Tài chính."),
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

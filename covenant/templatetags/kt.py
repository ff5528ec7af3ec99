from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or an empty list when absent."""
    if mapping is None:
        return []
    return mapping.get(key, [])


@register.filter
def points(value) -> str:
    """A score the Vietnamese way, without trailing zeros: 83,5 · 100 · 7,25."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    normalized = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(normalized, use_l10n=True)

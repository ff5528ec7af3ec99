"""Template filters of the project: points the Vietnamese way, dictionary lookups."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or an empty list when absent."""
    if mapping is None:
        return []
    return mapping.get(key, [])


@register.filter
def points(value) -> str:
    """A score the Vietnamese way, without trailing zeros: 83,5 · 100 · 7,25 (a dash when there is none)."""
    return formatting.points(value)


@register.filter
def invalid(bound_field) -> str:
    """' is-invalid' for a hand-drawn input whose field has errors (widgets drawn by Django mark themselves)."""
    return " is-invalid" if getattr(bound_field, "errors", None) else ""


@register.filter
def figure(value, printed="") -> str:
    """A number in a chart: as the screen writes it, or with `figure:"vn"` as a printed document does (83,5 and
    1.250,5 whatever the reader's language), so that one drawing serves both."""
    return formatting.vn_number(value) if printed == "vn" else formatting.points(value)

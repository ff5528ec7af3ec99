"""Presentation helpers for the setup pages' templates."""

from django import template
from django.core.paginator import Paginator
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def paginate(context, items, per_page: int = 50, param: str = "page"):
    """A page of `items` (already fetched by the view: no extra query) for ?page=N of the request."""
    request = context.get("request")
    number = request.GET.get(param) if request is not None else None
    return Paginator(items, per_page).get_page(number)


@register.simple_tag(takes_context=True)
def page_url(context, number, param: str = "page") -> str:
    """The current URL with ?page=number, keeping the other query parameters."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.filter
def email_wrap(email: str):
    """An e-mail address that may wrap before the "@" but never at the hyphens of its parts."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return format_html('<span class="contact-email"><span class="part">{}</span></span>', email)
    return format_html(
        '<span class="contact-email"><span class="part">{}</span><wbr><span class="part">@{}</span></span>',
        local,
        domain,
    )


@register.simple_tag
def page_range(page_obj):
    """The page numbers to link, with "…" (Paginator.ELLIPSIS) for long runs: a long log stays one line."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))

"""Whether a page draws each invalid field of its forms marked: Bootstrap's `is-invalid` on the input and the
message on the page. Read from the response's context, so it checks whatever fields a form has."""

import html
from html.parser import HTMLParser

from django import forms
from django.forms.formsets import BaseFormSet


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_name: dict[str, list[dict]] = {}

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea", "select"):
            a = dict(attrs)
            if a.get("name"):
                self.by_name.setdefault(a["name"], []).append(a)


def forms_of(response) -> list[forms.BaseForm]:
    found, seen = [], set()
    for context in response.context:
        for layer in context.dicts:
            for value in layer.values():
                candidates = value.forms if isinstance(value, BaseFormSet) else [value]
                for f in candidates:
                    if isinstance(f, forms.BaseForm) and f.is_bound and id(f) not in seen:
                        seen.add(id(f))
                        found.append(f)
    return found


def marked_errors(response) -> tuple[set[str], list[str]]:
    """The form classes with a field in error on this page, and what is wrong with how those errors are drawn (a
    field not drawn, drawn without is-invalid, or its message missing from the page)."""
    page = response.content.decode()
    text = html.unescape(page)
    parser = _Inputs()
    parser.feed(page)
    classes, wrong = set(), []
    for form in forms_of(response):
        for bound in form:
            if not bound.errors or bound.is_hidden:
                continue
            classes.add(f"{type(form).__module__}.{type(form).__qualname__}")
            drawn = parser.by_name.get(bound.html_name, [])
            if not drawn:
                wrong.append(f"{type(form).__name__}.{bound.html_name}: not drawn")
            elif not any("is-invalid" in (a.get("class") or "").split() for a in drawn):
                wrong.append(f"{type(form).__name__}.{bound.html_name}: drawn without is-invalid")
            wrong += [f"{type(form).__name__}.{bound.html_name}: message {e!r} not shown"
                      for e in bound.errors if e not in text]
    return classes, wrong


def assert_every_error_is_marked(response) -> int:
    """Each field with errors is drawn with is-invalid and each of its messages is on the page. Returns how many."""
    assert response.status_code == 200, response.status_code
    wrong = marked_errors(response)[1]
    assert wrong == [], "\n".join(wrong)
    return sum(1 for form in forms_of(response) for bound in form if bound.errors and not bound.is_hidden)

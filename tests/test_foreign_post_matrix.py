"""No write crosses a bloc or a province: every URL of a bloc year, POSTed by this bloc's people with another bloc's
object ids (issue 11, item 1).

Two blocs in two provinces hold the same data (`tests.test_permissions.activate`). For every route, this bloc's
secretariat and unit officer POST (with a plausible form body) to their own bloc's URL carrying the other bloc's
object ids, and to the other bloc's URL itself. Each answer is a 404 or a 403, and afterwards no row of any table
differs (the whole database is compared, row by row).
"""

import hashlib

import pytest
from django.apps import apps
from django.urls import reverse

from tests.test_permissions import (
    DOCUMENT_KINDS,
    IGNORED_ROUTES,
    OWN_RULES,
    PDF,
    ROUTE_KINDS,
    activate,
    kwarg_values,
    named_routes,
)

# Words a form might carry: each POST sends them all, so that a view that would accept a foreign id gets far enough
# to write.
BODY = {
    "reason": "Thử ghi chéo khối",
    "confirm": "on",
    "version": "1",
    "expected_version": "1",
    "password1": "Mk-thu-2025-x",
    "password2": "Mk-thu-2025-x",
    "points": "1",
    "score": "1",
    "decision": "changed",
    "active": "0",
    "title": "X",
    "body": "X",
    "order": "99",
    "deadline": "31/12/2025",
    "lock_date": "31/12/2025",
    "summary": "X",
    "kind": "flag",
    "max_choices": "1",
    "candidates_from": "all",
    "mode": "online",
    "quorum_numerator": "2",
    "quorum_denominator": "3",
    "pass_percent": "50",
    "issued": "1",
    "received": "1",
    "valid": "1",
    "invalid": "0",
    "comment": "X",
}
SKIPPED = {"healthz", "verify", "home", "province"} | IGNORED_ROUTES


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table (sessions and the page/document caches aside)."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in ("sessions.session", "documents.rendereddocument") or model._meta.proxy:
            continue
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)  # binary columns by content
            for row in model.objects.order_by("pk").values_list()
        ]
        out[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


@pytest.fixture
def two_blocs(bloc_year, other_bloc_year, officer_a, secretariat, other_secretariat, settings, tmp_path, monkeypatch):
    from documents import render

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(render, "render_pdf", lambda prepared: (render.html_for(prepared) and PDF, 1))
    return (
        activate(bloc_year, officer_a, secretariat),
        activate(other_bloc_year, other_bloc_year.officers[1], other_secretariat),
    )


def foreign_urls(mine, theirs) -> list[tuple[str, str]]:
    ours, foreign = kwarg_values(mine), kwarg_values(theirs)
    urls = []
    for name, kwarg_names in sorted(named_routes().items()):
        if name in SKIPPED or (name not in ROUTE_KINDS and name not in OWN_RULES):
            continue
        # Bloc-year URLs only: the province's own pages (council:) are checked per province by the matrix.
        if name.startswith("council:") or not {"code", "year"} <= set(kwarg_names):
            continue
        extra = {"kind": DOCUMENT_KINDS.get(name, "ranking")} if "kind" in kwarg_names else {}
        objects = [k for k in kwarg_names if k not in ("code", "year", "kind")]
        if objects:  # our bloc's URL, the other bloc's objects
            kwargs = {
                **extra,
                **{k: (ours[k] if k in ("code", "year") else foreign[k]) for k in [*objects, "code", "year"]},
            }
            urls.append((name, reverse(name, kwargs=kwargs)))
        kwargs = {**extra, **{k: foreign[k] for k in kwarg_names if k not in extra}}
        urls.append((name, reverse(name, kwargs=kwargs)))  # the other bloc's own URL
    return urls


@pytest.mark.parametrize("role", ["secretariat", "officer_a"])
def test_no_post_with_another_blocs_ids_writes_anything(client, two_blocs, personas, role):
    mine, theirs = two_blocs
    client.force_login(personas[role])
    urls = foreign_urls(mine, theirs)
    before = fingerprint()
    wrong = []
    for name, url in urls:
        response = client.post(url, BODY)
        if response.status_code not in (403, 404):
            wrong.append(f"{name} {url}: {response.status_code}")
    after = fingerprint()
    changed = sorted(label for label in before if before[label] != after[label])
    assert wrong == []
    assert changed == []
    assert len(urls) > 60

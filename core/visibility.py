"""Whose drafts an output may show: one rule for every kind of object a unit drafts, used by the pages, the
history and the documents alike.

A unit's drafts (a report being written, a score sheet being self-scored, the evidence it uploads) are its own until
it submits them: the pages answer 404 to everyone else, so nothing else may print them either. Each app registers,
per kind of audited object, the actions that record a draft and how to find the unit that owns the object; any
output that shows audit entries asks `masked_entries` which of them to show as "(bản nháp)" instead of their content.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from core.access import Access

DRAFT_LABEL = gettext_lazy("(bản nháp)")


@dataclass(frozen=True)
class DraftRule:
    target_type: str  # AuditEntry.target_type, "app_label.model"
    actions: frozenset[str]  # the actions that record what the unit drafted
    # Of these target ids, those whose drafts this user may see (e.g. `by_owner(...)`: the unit's own).
    visible: Callable[[Access, list[str]], set[str]]
    hides_name: bool = False  # the entry's target name is itself draft content (an evidence file's summary)


_RULES: dict[str, DraftRule] = {}


def register(rule: DraftRule) -> DraftRule:
    _RULES[rule.target_type] = rule
    return rule


def sees_drafts_of(access: Access, unit_id: int | None) -> bool:
    """Only the unit itself sees its drafts (the secretariat, leaders, viewers and superusers do not)."""
    return unit_id is not None and access.unit is not None and access.unit.pk == unit_id


def by_owner(owners: Callable[[list[str]], dict[str, int]]) -> Callable[[Access, list[str]], set[str]]:
    """A `visible` rule from the objects' owning units: only the unit itself."""

    def visible(access: Access, ids: list[str]) -> set[str]:
        if access.unit is None:
            return set()
        return {t for t, unit_id in owners(ids).items() if sees_drafts_of(access, unit_id)}

    return visible


def draft_actions() -> set[str]:
    return {a for rule in _RULES.values() for a in rule.actions}


def masked_entries(access: Access, entries: Iterable[tuple[int, str, str, str]]) -> set[int]:
    """The ids of the entries (id, action, target_type, target_id) this user must see as "(bản nháp)"."""
    drafts: dict[str, list[tuple[int, str]]] = {}
    for pk, action, target_type, target_id in entries:
        rule = _RULES.get(target_type)
        if rule is not None and action in rule.actions:
            drafts.setdefault(target_type, []).append((pk, target_id))
    masked = set()
    for target_type, found in drafts.items():
        visible = _RULES[target_type].visible(access, sorted({t for _pk, t in found}))
        masked |= {pk for pk, t in found if t not in visible}
    return masked


def mask(access: Access, entries: list) -> list:
    """Mark the AuditEntry objects whose content this user may not see (`entry.draft`), for the templates."""
    hidden = masked_entries(access, ((e.pk, e.action, e.target_type, e.target_id) for e in entries))
    for e in entries:
        e.draft = e.pk in hidden
        e.draft_hides_name = e.draft and _RULES[e.target_type].hides_name
    return entries


def unnamed_types() -> set[str]:
    """The target types whose entries' names are draft content too."""
    return {t for t, rule in _RULES.items() if rule.hides_name}

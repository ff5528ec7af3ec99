"""How audit entries read on screen: action names, field names and values in plain Vietnamese.

The audit log stores raw snapshots (field keys, choice codes, ISO dates, decimal strings, lists). Each app knows
what its own entries mean: it registers a ``Vocabulary`` from its ``AppConfig.ready()`` (as pretix's apps answer
``logentry_display``), and this module asks every registered vocabulary in turn. Unknown actions and keys fall back
to the stored code, so that nothing recorded is ever hidden.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.formatting import number

# Longer lists are cut to this many items, with "and n more".
MAX_ITEMS = 8

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Vocabulary:
    """What one app's audit entries mean. Subclasses override the hooks they need; a hook answers None when the key
    is not its own."""

    actions: dict[str, Promise | str] = field(default_factory=dict)
    fields: dict[str, Promise | str] = field(default_factory=dict)
    # The same key means something more precise on some objects: {target_type: {key: label}}.
    target_fields: dict[str, dict[str, Promise | str]] = field(default_factory=dict)
    # Stored choice codes: {key: [TextChoices, ...]} for any object, {(target_type, key): [...]} for one kind.
    choices: dict = field(default_factory=dict)
    number_keys: frozenset[str] = frozenset()
    # Kept for the program (e.g. "changed since returned"), meaningless to read.
    hidden_keys: frozenset[str] = frozenset()
    # Lists of numbers or short codes, read inline: "1, 7", "q1, 6t, q3, nam".
    inline_list_keys: frozenset[str] = frozenset()

    def field_label(self, key: str) -> str | None:  # noqa: ARG002 (a hook)
        """The label of a key this app builds (e.g. "3.done"), or None."""
        return None

    def choice_enums(self, key: str, target_type: str) -> list | None:
        specific = self.choices.get((target_type, key))
        return specific if specific is not None else self.choices.get(key)

    def is_number(self, key: str) -> bool:
        return key in self.number_keys

    def item_text(self, key: str, value) -> str | None:  # noqa: ARG002 (a hook)
        """One element of a stored list of this app's, as one line, or None."""
        return None

    def shown(self, key: str, value) -> "Shown | None":  # noqa: ARG002 (a hook)
        """The whole value when this app shows it its own way, or None."""
        return None


_VOCABULARIES: list[Vocabulary] = []


def register(vocabulary: Vocabulary) -> Vocabulary:
    if vocabulary not in _VOCABULARIES:
        _VOCABULARIES.append(vocabulary)
    return vocabulary


def _first(answers):
    return next((a for a in answers if a is not None), None)


def action_label(action: str) -> str:
    return str(_first(v.actions.get(action) for v in _VOCABULARIES) or action)


def is_hidden(key: str) -> bool:
    return any(key in v.hidden_keys for v in _VOCABULARIES)


def field_label(key: str, target_type: str = "") -> str:
    label = _first(v.target_fields.get(target_type, {}).get(key) for v in _VOCABULARIES)
    if label is None:
        label = _first(v.fields.get(key) for v in _VOCABULARIES)
    if label is None:
        label = _first(v.field_label(key) for v in _VOCABULARIES)
    return str(label) if label is not None else key


@dataclass
class Shown:
    """One value ready to display: a short text, or a list of items (with how many more were cut)."""

    text: str = ""
    items: list[str] = field(default_factory=list)
    more: int = 0
    is_list: bool = False

    @property
    def empty(self) -> bool:
        return not self.text and not self.items

    def __str__(self) -> str:
        return self.text or "; ".join(self.items)


def _date(value: str) -> str:
    try:
        if _ISO_DATE.match(value):
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _choice(key: str, value: str, target_type: str) -> str | None:
    """The label of a stored choice code, or None when the key holds no choice."""
    for vocabulary in _VOCABULARIES:
        for enum in vocabulary.choice_enums(key, target_type) or []:
            try:
                return str(enum(value).label)
            except ValueError:
                continue
    return None


def scalar(key: str, value, target_type: str = "") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        if key == "is_active":
            return _("Đang hoạt động") if value else _("Đã khóa")
        return _("Có") if value else _("Không")
    if any(v.is_number(key) for v in _VOCABULARIES):
        return number(value)
    if key == "size" and isinstance(value, int):
        return str(filesizeformat(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        label = _choice(key, value, target_type)
        if label is not None:
            return label
        if _ISO_DATE.match(value) or _ISO_DATETIME.match(value):
            return _date(value)
        return value
    if isinstance(value, dict):
        return item(key, value)
    if isinstance(value, list):
        return ", ".join(scalar(key, v, target_type) for v in value)
    return str(value)


def item(key: str, value) -> str:
    """One element of a stored list, as one line."""
    text = _first(v.item_text(key, value) for v in _VOCABULARIES)
    if text is not None:
        return text
    if isinstance(value, dict):
        text = str(value.get("text", "")).strip()
        order = value.get("order")
        line = f"{order}. {text}" if order is not None and text else text
        return line or "; ".join(f"{field_label(k)}: {scalar(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return scalar(key, value)


def _bulleted(key: str, value) -> bool:
    """Lists read as bullet points (legal bases, sub-items, ...); numbers and short codes read inline."""
    return (
        isinstance(value, list)
        and not any(key in v.inline_list_keys for v in _VOCABULARIES)
        and not all(isinstance(v, int | float) for v in value)
    )


def _items(values: list[str]) -> Shown:
    return Shown(items=values[:MAX_ITEMS], more=max(0, len(values) - MAX_ITEMS), is_list=True)


def show_value(key: str, value, target_type: str = "") -> Shown:
    shown = _first(v.shown(key, value) for v in _VOCABULARIES)
    if shown is not None:
        return shown
    if _bulleted(key, value):
        return _items([item(key, v) for v in value])
    return Shown(text=scalar(key, value, target_type))


def show_change(key: str, old, new, target_type: str = "") -> tuple[Shown, Shown] | None:
    """What was before and after; for lists only the items removed and added. None when nothing shows."""
    if _bulleted(key, old) or _bulleted(key, new):
        old_items = [item(key, v) for v in old or []]
        new_items = [item(key, v) for v in new or []]
        removed = [i for i in old_items if i not in new_items]
        added = [i for i in new_items if i not in old_items]
        if not removed and not added:
            if old_items == new_items:
                return None
            return Shown(is_list=True), Shown(text=_("Đổi thứ tự %(n)s mục") % {"n": len(new_items)}, is_list=True)
        return _items(removed), _items(added)
    before, after = show_value(key, old, target_type), show_value(key, new, target_type)
    if str(before) == str(after):
        return None
    return before, after

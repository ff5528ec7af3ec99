"""The English catalogue is complete, compiled from the current .po, and used when English is chosen.

The interface is written in Vietnamese (the msgids are Vietnamese); locale/en holds the English
translation. The .mo is committed so that the demo runs where gettext is not installed, so these
tests also catch a .mo that was not recompiled after the .po changed.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr {index or None: text}, flags, line.

    Obsolete entries (#~) are ignored; the header (msgid "") is included.
    """
    entries = []
    entry: dict | None = None
    field = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#~"):
            if line.strip() == "" and entry is not None:
                entries.append(entry)
                entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "line": number}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line):
            keyword, index, text = match.groups()
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else None)
                entry["msgstr"][field[1]] = _unquote(text)
            else:
                field = keyword
                entry[keyword] = _unquote(text)
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot parse {line!r}")
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if "msgid" in e]


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return parse_po(PO_FILE)


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != ""]


def label(entry: dict) -> str:
    return f"django.po:{entry['line']}: {entry['msgid']!r}"


def test_po_header_declares_english_and_its_plural_forms(po_entries):
    header = next(e for e in po_entries if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][None]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"][None]
    assert "charset=UTF-8" in header["msgstr"][None]


def test_every_message_is_translated_and_none_is_fuzzy(po_entries):
    entries = messages(po_entries)
    assert len(entries) > 500  # the whole interface, not a stub
    fuzzy = [label(e) for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    empty = [label(e) for e in entries if not e["msgstr"] or not all(s.strip() for s in e["msgstr"].values())]
    assert not empty, "untranslated entries:\n" + "\n".join(empty)
    plural = [label(e) for e in entries if "msgid_plural" in e and sorted(e["msgstr"]) != [0, 1]]
    assert not plural, "plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(plural)


def test_translations_keep_every_placeholder(po_entries):
    wrong = []
    for e in messages(po_entries):
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for index, text in e["msgstr"].items():
            source = sources[min(index or 0, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{label(e)} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_compiled_mo_matches_the_po(po_entries):
    """A .mo compiled from an older (or newer) .po fails here: recompile with compilemessages."""
    assert MO_FILE.exists(), "locale/en/LC_MESSAGES/django.mo is missing: run compilemessages and commit it"
    with MO_FILE.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    stale = []
    expected_keys = {""}
    for e in messages(po_entries):
        prefix = e["msgctxt"] + "\x04" if "msgctxt" in e else ""
        if "msgid_plural" in e:
            expected_keys |= {(prefix + e["msgid"], 0), (prefix + e["msgid"], 1)}
            for n, index in ((1, 0), (2, 1)):
                if "msgctxt" in e:
                    got = mo.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], n)
                else:
                    got = mo.ngettext(e["msgid"], e["msgid_plural"], n)
                if got != e["msgstr"][index]:
                    stale.append(f"{label(e)} [{index}]: .mo has {got!r}")
        else:
            expected_keys.add(prefix + e["msgid"])
            got = mo.pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e else mo.gettext(e["msgid"])
            if got != e["msgstr"][None]:
                stale.append(f"{label(e)}: .mo has {got!r}")
    assert not stale, "django.mo is stale, run compilemessages:\n" + "\n".join(stale[:20])
    extra = set(mo._catalog) - expected_keys
    assert not extra, f"django.mo has messages the .po no longer has (stale .mo): {sorted(map(str, extra))[:10]}"


def test_known_strings_translate_when_english_is_active():
    with translation.override("en"):
        assert _("Đăng nhập") == "Log in"
        assert _("Đăng xuất") == "Log out"
        assert _("Khối thi đua") == "Emulation bloc"
        assert _("Bảng điểm thi đua") == "Scoreboard"
        assert _("Trưởng khối") == "Bloc head"
        assert _("Năm thi đua %(year)s") % {"year": 2025} == "Emulation year 2025"
        assert ngettext("%(n)s không nộp", "%(n)s không nộp", 3) % {"n": 3} == "3 missing"
        assert ngettext("%(n)s báo cáo chờ xem xét", "%(n)s báo cáo chờ xem xét", 1) % {"n": 1} == (
            "1 report awaiting review"
        )
        assert ngettext("%(n)s báo cáo chờ xem xét", "%(n)s báo cáo chờ xem xét", 2) % {"n": 2} == (
            "2 reports awaiting review"
        )
    with translation.override("vi"):
        assert _("Đăng nhập") == "Đăng nhập"


def test_model_and_choice_labels_translate():
    from core.models import Unit

    with translation.override("en"):
        assert str(Unit._meta.verbose_name) == "unit"
    with translation.override("vi"):
        assert str(Unit._meta.verbose_name) == "đơn vị"


@pytest.mark.django_db
def test_login_page_is_vietnamese_when_no_language_was_chosen(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập hệ thống Khối thi đua" in html
    assert "Log in to the Emulation Bloc system" not in html


@pytest.mark.django_db
def test_choosing_english_in_the_language_select_shows_english(client):
    login = reverse("login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login}, follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0] == login
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in to the Emulation Bloc system" in html
    assert "Forgot your password?" in html
    assert "Đăng nhập hệ thống Khối thi đua" not in html

    # The choice is remembered for later pages, and switching back restores Vietnamese.
    assert "Log in to the Emulation Bloc system" in client.get(login).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": login})
    assert "Đăng nhập hệ thống Khối thi đua" in client.get(login).content.decode()

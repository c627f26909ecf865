"""Every UI string in the code is in the Danish catalogue, translated, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
METHOD_MAP = [
    ("pbvote/**.py", "python"),
    ("pbvote/**/templates/**.html", "jinja2"),
    ("pbvote/**/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def danish_catalogue() -> dict[str, str]:
    with (ROOT / "pbvote/translations/da/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="da")
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
        for m in catalog
        if m.id and "fuzzy" not in m.flags
    }


def test_every_ui_string_has_a_danish_translation() -> None:
    catalogue = danish_catalogue()
    missing = sorted(message for message in source_messages() if not catalogue.get(message))
    assert missing == [], "untranslated strings (run `make messages`, then translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    for message, translation in danish_catalogue().items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation)), message

"""Every user-facing string is in kk, ru and en: none missing, fuzzy, stale or left in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "survey"
LOCALES = ("kk", "ru", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/mail/**.txt", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
# Proper names and international words that Kazakh and Russian really write alike.
SAME_IN_KK_AND_RU = {"“Adaldyq alany”", "Infographic (PNG)", "Infographic (SVG)", "File"}
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def _source_ids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message in the code: one msgid in two contexts ("Open" the
    finding status, "Open" the link) is two messages with two translations."""
    ids = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), METHODS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


@pytest.fixture(scope="module")
def source_ids() -> set[tuple[str | None, str]]:
    ids = _source_ids()
    assert len(ids) > 50, "extraction found almost nothing: is babel.cfg still right?"
    return ids


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    path = PACKAGE / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_current(
    locale: str, source_ids: set[tuple[str | None, str]]
) -> None:
    catalog = _catalog(locale)
    po_ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    missing = sorted(source_ids - po_ids)
    stale = sorted(po_ids - source_ids)
    assert not missing, f"{locale}: not in the catalogue (run make extract-messages): {missing}"
    assert not stale, f"{locale}: in the catalogue but no longer in the code: {stale}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{locale}: fuzzy: {message.id!r}"
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.pluralizable:  # every plural form the language has (ru: 3), each written
            assert len(forms) == catalog.num_plurals, f"{locale}: plural forms of {message.id!r}"
        assert all(f and f.strip() for f in forms), f"{locale}: untranslated: {message.id!r}"
        text = forms[0]
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), (
            f"{locale}: placeholders differ in {msgid!r}"
        )
        if locale in ("kk", "ru") and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", msgid)):
            assert CYRILLIC.search(text), f"{locale}: left in English: {msgid!r}"


def test_kazakh_is_not_russian() -> None:
    """Kazakh strings must not be Russian copied over: most use Kazakh-only letters."""
    kk, ru = _catalog("kk"), _catalog("ru")
    same = [
        m.id
        for m in kk
        if m.id
        and m.string
        and ru.get(m.id, m.context)
        and ru.get(m.id, m.context).string == m.string
        and CYRILLIC.search(m.string)
        and len(m.string) > 12
        and m.id not in SAME_IN_KK_AND_RU
    ]
    assert not same, f"kk equals ru for: {same}"
    kazakh_letters = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
    long_ones = [m for m in kk if m.id and isinstance(m.string, str) and len(m.string) > 25]
    with_letters = [m for m in long_ones if kazakh_letters.search(m.string)]
    assert len(with_letters) >= 0.8 * len(long_ones)

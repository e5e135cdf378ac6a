"""Text folded for search: case and accents set aside, in Kazakh, Russian and English alike.

SQLite's LOWER() and LIKE fold ASCII letters only, so "Стамбул" would not find "СТАМБУЛ"
there. Lists search a column that holds this folding of the searchable text (offices'
names and code, people's names and e-mail), compared with the same folding of what was
typed: the match is then plain substring matching, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Casefolded, without combining marks, spaces collapsed: "İstanbul" -> "istanbul",
    "Ёлка" -> "елка", "ҚАЗАҚСТАН" -> "қазақстан" (Kazakh letters are letters of their own
    and stay as they are)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", bare).split())


def terms(query: str | None, limit: int = 8) -> list[str]:
    """The words of a search, folded; every one must be found (at most `limit` words)."""
    return fold(query).split()[:limit]


def search_text(*parts: str | None) -> str:
    """What a row stores for search: its folded parts, one space apart."""
    return " ".join(p for p in (fold(part) for part in parts) if p)

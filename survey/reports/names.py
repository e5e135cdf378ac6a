"""What a reader sees in place of a code: office, section, item and country names (issue 14)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..checklists.services import list_checklists
from ..common.l10n import country_name
from ..extensions import db
from ..offices.models import Office


def _specs_oldest_first() -> list[Any]:
    """Every checklist version, oldest first: a later version's text wins for a code, and a
    code retired from the latest version keeps the name it had (codes keep their meaning,
    DESIGN §2), so data from any version is named."""
    return [checklist.spec for checklist in list_checklists()]  # ordered by version


@dataclass(frozen=True)
class Names:
    """What a reader sees in place of a code, in one language (issue 14: names, not codes).

    Each lookup falls back to the code itself, so a report never fails on an unknown code.
    """

    locale: str
    offices: dict[str, str]
    sections: dict[str, str]
    items: dict[str, str]
    item_sections: dict[str, str]  # item code -> its section code

    def office(self, code: str) -> str:
        return self.offices.get(code, code)

    def section(self, code: str) -> str:
        return self.sections.get(code, code)

    def item(self, code: str) -> str:
        return self.items.get(code, code)

    def country(self, code: str) -> str:
        return country_name(code, self.locale)


def _pick(text: dict[str, str], locale: str) -> str:
    return text.get(locale) or text.get("en") or next(iter(text.values()), "")


def names(locale: str) -> Names:
    """Offices, sections and items named in locale (kk, ru or en)."""
    offices = {o.code: o.name(locale) for o in db.session.scalars(select(Office))}
    specs = _specs_oldest_first()
    sections = {s.code: _pick(s.title, locale) for spec in specs for s in spec.sections}
    items = {i.code: _pick(i.text, locale) for spec in specs for i in spec.iter_items()}
    item_sections = {i.code: i.section for spec in specs for i in spec.iter_items()}
    return Names(locale, offices, sections, items, item_sections)

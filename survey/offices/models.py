"""Consular offices: the places volunteers visit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.cells import one_line
from ..domain.search import search_text as folded
from ..extensions import Model

OFFICE_KINDS = ("embassy", "consulate_general", "consulate", "other")


class Office(Model):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    city: Mapped[str] = mapped_column(String(120), nullable=False)
    name_kk: Mapped[str] = mapped_column(String(300), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(300), nullable=False)
    name_en: Mapped[str] = mapped_column(String(300), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Code, names and city folded (domain/search.py), kept up to date on every save: lists
    # find an office by any of its names, in any case, on SQLite and PostgreSQL alike.
    search_text: Mapped[str] = mapped_column(
        String(1200), nullable=False, default="", server_default=""
    )

    def name(self, locale: str) -> str:
        """The name in locale (else English), on one line without control characters, also
        for a name stored by a release that did not clean names on save."""
        return one_line(getattr(self, f"name_{locale}", None) or self.name_en)


@event.listens_for(Office, "before_insert")
@event.listens_for(Office, "before_update")
def _fold_for_search(_mapper: Any, _connection: Any, office: Office) -> None:
    # Names are read in pages, PDFs, spreadsheets and charts: no control characters (a
    # name pasted from Word holds U+000B), one line.
    for field in ("name_kk", "name_ru", "name_en", "city"):
        value = getattr(office, field)
        if isinstance(value, str):
            setattr(office, field, one_line(value))
    office.search_text = folded(
        office.code, office.name_kk, office.name_ru, office.name_en, office.city
    )

"""A loaded checklist as the code reads it (DESIGN §3): sections, items and options, frozen.

checklist.py builds these from a validated definition; answer_kinds.py reads an item's keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]
    score: float | None


@dataclass(frozen=True)
class Item:
    """One question. `data` is its normalised definition, whose kind keys a kind may read."""

    code: str
    kind: str
    text: dict[str, str]
    weight: float
    required: bool
    evidence: str
    section: str
    help: dict[str, str] | None = None
    recommendation: dict[str, str] | None = None
    critical: bool = False
    pass_answer: str = "yes"
    allow_na: bool = True
    min: int | None = None
    max: int | None = None
    unit: dict[str, str] | None = None
    pass_min: float | None = None
    pass_max: float | None = None
    has_pass_if: bool = False
    whole: bool = False  # number: only whole numbers (e.g. minutes rounded as the help asks)
    options: tuple[Option, ...] = ()
    scorable: bool = False  # whether an answer can ever score (figures list only these)
    data: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Section:
    code: str
    title: dict[str, str]
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ChecklistSpec:
    slug: str
    version: int
    title: dict[str, str]
    critical_cap: float | None
    sections: tuple[Section, ...]
    data: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)

    @property
    def items(self) -> dict[str, Item]:
        return {item.code: item for section in self.sections for item in section.items}

    def iter_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

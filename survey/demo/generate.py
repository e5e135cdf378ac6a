"""Believable answers for demo visits: each office has a quality that most answers follow."""

from __future__ import annotations

import random
from typing import Any

from ..domain.checklist import ChecklistSpec, Item


def _yesno(item: Item, quality: float, rng: random.Random) -> str:
    if item.allow_na and rng.random() < 0.06:
        return "na"
    # A failed critical item is rare, but it must happen for the figures to mean something.
    ok = rng.random() > 0.04 * (1.5 - quality) if item.critical else rng.random() < quality
    fail = "no" if item.pass_answer == "yes" else "yes"
    return item.pass_answer if ok else fail


def _number(item: Item, quality: float, rng: random.Random) -> float:
    bound = item.pass_max if item.pass_max is not None else 20
    return round(max(1.0, rng.gauss(bound * (1.6 - quality * 1.1), bound * 0.35)))


def _choice(item: Item, quality: float, rng: random.Random) -> str:
    weights = [
        (quality if (o.score or 0) >= 0.5 else (1 - quality) * 0.6)
        + (0.1 if o.score is None else 0)
        for o in item.options
    ]
    return rng.choices([o.code for o in item.options], weights=weights)[0]


def answers_for(spec: ChecklistSpec, quality: float, rng: random.Random) -> dict[str, Any]:
    """Item code -> value for one visit; text items stay empty (free text is the volunteer's)."""
    values: dict[str, Any] = {}
    for item in spec.iter_items():
        if item.kind == "yesno":
            values[item.code] = _yesno(item, quality, rng)
        elif item.kind == "scale":
            assert item.min is not None and item.max is not None
            span = item.max - item.min
            guess = item.min + quality * span + rng.gauss(0, span * 0.2)
            values[item.code] = int(min(item.max, max(item.min, round(guess))))
        elif item.kind == "number":
            values[item.code] = _number(item, quality, rng)
        elif item.kind == "choice":
            values[item.code] = _choice(item, quality, rng)
    return values

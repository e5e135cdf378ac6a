"""Believable answers for demo visits: each office has a quality that most answers follow."""

from __future__ import annotations

import random
from typing import Any

from ..domain.answer_kinds import KINDS
from ..domain.checklist import ChecklistSpec


def answers_for(spec: ChecklistSpec, quality: float, rng: random.Random) -> dict[str, Any]:
    """Item code -> value for one visit; text items stay empty (free text is the volunteer's)."""
    values: dict[str, Any] = {}
    for item in spec.iter_items():
        value = KINDS[item.kind].sample(item, quality, rng)
        if value is not None:
            values[item.code] = value
    return values

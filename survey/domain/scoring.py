"""Scoring of one visit, exactly as DESIGN §4: item, section, visit, critical and the cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .answer_kinds import kind_of
from .spec import ChecklistSpec, Item


def item_score(item: Item, value: Any) -> float | None:
    """The item's score in [0, 1], or None when the answer carries no score (its kind's rule)."""
    return None if value is None else kind_of(item).score(item, value)


def weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Σ w·s / Σ w over the pairs (weight, score); None when there are none."""
    total_weight = sum(w for w, _ in pairs)
    if not pairs or total_weight <= 0:
        return None
    mean = sum(w * s for w, s in pairs) / total_weight
    # A weighted mean lies between its smallest and largest value; rounding must not leave that.
    scores = [s for _, s in pairs]
    return min(max(mean, min(scores)), max(scores))


@dataclass(frozen=True)
class VisitScore:
    score: float | None
    sections: dict[str, float | None]
    items: dict[str, float | None]
    critical: bool
    failed_critical: tuple[str, ...]


def score_visit(spec: ChecklistSpec, values: Mapping[str, Any]) -> VisitScore:
    """Score a visit from its answer values (item code -> value; missing means unanswered)."""
    items: dict[str, float | None] = {}
    sections: dict[str, float | None] = {}
    section_pairs: list[tuple[float, float]] = []
    failed: list[str] = []
    for section in spec.sections:
        pairs: list[tuple[float, float]] = []
        for item in section.items:
            s = item_score(item, values.get(item.code))
            items[item.code] = s
            if s is not None:
                pairs.append((item.weight, s))
                if item.critical and s == 0:
                    failed.append(item.code)
        section_score = weighted_mean(pairs)
        if section_score is not None:
            section_score *= 100
            section_pairs.append((section.weight, section_score))
        sections[section.code] = section_score
    score = weighted_mean(section_pairs)
    if failed and score is not None and spec.critical_cap is not None:
        score = min(score, float(spec.critical_cap))
    return VisitScore(score, sections, items, bool(failed), tuple(failed))

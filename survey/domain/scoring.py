"""Scoring of one visit, exactly as DESIGN §4: item, section, visit, critical and the cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checklist import ChecklistSpec, Item


def item_score(item: Item, value: Any) -> float | None:
    """The item's score in [0, 1], or None when the answer carries no score."""
    if value is None:
        return None
    if item.kind == "yesno":
        if value == "na":
            return None
        return 1.0 if value == item.pass_answer else 0.0
    if item.kind == "scale":
        assert item.min is not None and item.max is not None
        return (value - item.min) / (item.max - item.min)
    if item.kind == "number":
        if not item.has_pass_if:
            return None
        low_ok = item.pass_min is None or value >= item.pass_min
        high_ok = item.pass_max is None or value <= item.pass_max
        return 1.0 if low_ok and high_ok else 0.0
    if item.kind == "choice":
        option = item.option(value)
        return None if option is None or option.score is None else float(option.score)
    return None


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

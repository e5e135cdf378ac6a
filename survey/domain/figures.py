"""Office figures for a period, assembled from SQL aggregates (DESIGN §4).

The database sums; this module turns sums into means and intervals, so 100,000 visits never
travel into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .stats import mean_ci, wilson

WILSON_Z = 1.959964


@dataclass(frozen=True)
class ScoreTally:
    """count, Σx and Σx² of visit scores, as one aggregate query returns them."""

    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass(frozen=True)
class ItemTally:
    """Counts of an item's answers by outcome, and the sum of its scores."""

    passed: int
    failed: int
    partial: int
    na: int
    scored: int
    total: float


def item_figures(tally: ItemTally) -> dict[str, Any]:
    """pass / fail / partial / na, the rate, and Wilson's interval when every score is 0 or 1."""
    rate = tally.total / tally.scored if tally.scored else None
    rate_ci = None
    if tally.scored and tally.partial == 0:
        ci = wilson(tally.passed, tally.scored, WILSON_Z)
        rate_ci = list(ci) if ci is not None else None
    return {
        "pass": tally.passed,
        "fail": tally.failed,
        "partial": tally.partial,
        "na": tally.na,
        "rate": rate,
        "rate_ci": rate_ci,
    }


def score_figures(tally: ScoreTally) -> dict[str, Any]:
    """n, mean score and its Student-t interval clipped to [0, 100] (none when n < 2)."""
    ci = mean_ci(tally.n, tally.total, tally.total_sq) if tally.n >= 2 else None
    return {
        "n": tally.n,
        "score": tally.mean,
        "score_ci": list(ci) if ci is not None else None,
    }

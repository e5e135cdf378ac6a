"""Which rows a chart shows: a chart read on a phone holds a few dozen bars, not a thousand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Row = TypeVar("Row")


def shown_in_chart(
    rows: Sequence[Row], ranked: Callable[[Row], bool], limit: int = 20
) -> tuple[list[Row], int]:
    """(rows to draw, how many are left out), rows kept in the order given (ranked best
    first, then those not ranked: too few visits).

    Up to limit rows: all of them. More, with more than limit ranked: the limit // 2 best
    and the limit // 2 worst ranked rows, so both ends of the ranking show. More, with at most
    limit ranked: every ranked row, then as many of the others as fit. The table beside the
    chart holds every row.
    """
    if len(rows) <= limit:
        return list(rows), 0
    ranked_rows = [row for row in rows if ranked(row)]
    if len(ranked_rows) > limit:
        half = limit // 2
        shown = ranked_rows[:half] + ranked_rows[-half:]
    else:
        others = [row for row in rows if not ranked(row)]
        shown = ranked_rows + others[: limit - len(ranked_rows)]
    return shown, len(rows) - len(shown)


def both_ends(rows: Sequence[Row], ranked: Callable[[Row], bool], limit: int = 20) -> bool:
    """Whether shown_in_chart draws the two ends of the ranking (more than limit ranked)."""
    return len(rows) > limit and sum(1 for row in rows if ranked(row)) > limit

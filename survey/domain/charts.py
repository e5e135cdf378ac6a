"""Which rows a chart shows: a chart read on a phone holds a few dozen bars, not a thousand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Row = TypeVar("Row")


def shown_in_chart(
    rows: Sequence[Row], ranked: Callable[[Row], bool], limit: int = 20
) -> tuple[list[Row], int]:
    """(rows to draw, how many are left out), rows kept in the order given (best first).

    Up to limit rows: all of them, those not ranked (too few visits) included. More: the
    limit // 2 best and the limit // 2 worst of the ranked rows, so both ends of the ranking
    show; the table beside the chart holds every row.
    """
    if len(rows) <= limit:
        return list(rows), 0
    ranked_rows = [row for row in rows if ranked(row)]
    half = limit // 2
    shown = ranked_rows[:half] + ranked_rows[-half:] if len(ranked_rows) > limit else ranked_rows
    return shown, len(rows) - len(shown)

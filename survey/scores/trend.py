"""An office's score over time: by month for reviewers, by quarter for its head."""

from __future__ import annotations

import statistics
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from ..domain.disclosure import MIN_VISITS
from ..domain.periods import Period, quarter_code
from ..domain.stats import mean_ci_from_values
from ..extensions import db
from ..visits.models import Visit


class MonthScore(NamedTuple):
    month: str  # YYYY-MM
    score: float | None  # mean of the month's approved visits, 0–100
    n: int  # approved visits with a score
    interval: tuple[float, float] | None  # 95 % t interval of the mean (n >= 2)


def monthly_scores(office_id: int, months: int = 12) -> list[MonthScore]:
    """One MonthScore for each of the last `months` months, oldest first (empty months too:
    the chart leaves a gap, the table skips them)."""
    today = date.today()
    start_year, start_month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    start = date(start_year, start_month + 1, 1)
    rows = db.session.execute(
        select(Visit.visited_on, Visit.score).where(
            Visit.office_id == office_id,
            Visit.status == "approved",
            Visit.visited_on >= start,
            Visit.score.is_not(None),
        )
    ).all()
    buckets: dict[str, list[float]] = {}
    for day, score in rows:
        if score is not None:  # none are, by the query; this tells the type checker
            buckets.setdefault(f"{day:%Y-%m}", []).append(score)
    result = []
    for offset in range(months):
        year, month = divmod(start.year * 12 + start.month - 1 + offset, 12)
        key = f"{year:04d}-{month + 1:02d}"
        values = buckets.get(key, [])
        mean = statistics.fmean(values) if values else None
        result.append(MonthScore(key, mean, len(values), mean_ci_from_values(values)))
    return result


def quarterly_scores(office_id: int, quarters: list[Period]) -> list[tuple[str, float | None, int]]:
    """(YYYY-Qn, mean score, n) per quarter given, the score withheld below MIN_VISITS.

    For the office head's trend: whole quarters only, so no two rows overlap (no differencing).
    """
    if not quarters:
        return []
    rows = db.session.execute(
        select(Visit.visited_on, Visit.score).where(
            Visit.office_id == office_id,
            Visit.status == "approved",
            Visit.visited_on >= min(q.start for q in quarters),
            Visit.visited_on <= max(q.end for q in quarters),
            Visit.score.is_not(None),
        )
    ).all()
    result = []
    for quarter in quarters:
        values = [
            score
            for day, score in rows
            if score is not None and quarter.start <= day <= quarter.end
        ]
        shown = statistics.fmean(values) if len(values) >= MIN_VISITS else None
        result.append((quarter_code(quarter) or "", shown, len(values)))
    return result


def first_approved_day(office_id: int) -> date | None:
    return db.session.scalar(
        select(func.min(Visit.visited_on)).where(
            Visit.office_id == office_id, Visit.status == "approved"
        )
    )

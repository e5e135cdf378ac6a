"""An office's score month by month, for the head's portal."""

from __future__ import annotations

import statistics
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..visits.models import Visit


def monthly_scores(office_id: int, months: int = 12) -> list[tuple[str, float | None, int]]:
    """(YYYY-MM, mean score, n) for the last `months` months, oldest first."""
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
        buckets.setdefault(f"{day:%Y-%m}", []).append(score)
    result = []
    for offset in range(months):
        year, month = divmod(start.year * 12 + start.month - 1 + offset, 12)
        key = f"{year:04d}-{month + 1:02d}"
        values = buckets.get(key, [])
        result.append((key, statistics.fmean(values) if values else None, len(values)))
    return result

"""The programme's recommendation KPIs: the pure part (definitions in docs/scoring.md,
"Recommendations: the programme's figures"; DESIGN §9 "Findings"; issue 13).

The charter's headline is the "share of recommendations implemented by state bodies": of the
findings *opened* in a period P, the share whose status at P's end is implemented or verified.
The database counts (survey/findings/kpis.py); this module fixes the instants those counts
are taken at and turns counts into shares.

Instants are naive UTC, as the database stores them. P = [first day, last day], both days
included, covers the instants from its first day 00:00 up to (not including) the day after its
last day 00:00. A period still running ends today: its figures are "so far", never a guess at
a future status.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from .periods import EARLIEST, Period

FIXED = ("implemented", "verified")  # the charter's "implemented": verified ones were, first
UNRESOLVED = ("open", "in_progress")  # what "overdue" and "open findings" count
REOPENINGS = ("reopened", "reopened_by_visit")  # the project group's, and a visit's


@dataclass(frozen=True)
class Window:
    """Where a period's counts are taken.

    start: P's first day at 00:00; end: the day after the cut-off day at 00:00 (an event
    belongs to P when start <= at < end, a status "at P's end" is the one before end); as_of:
    the cut-off day itself, P's last day or today when P is still running (a finding is
    overdue at P's end when its due date is before as_of).
    """

    start: datetime
    end: datetime
    as_of: date


def window(period: Period, today: date) -> Window:
    """The instants of period P, cut off at today for a period that has not ended."""
    as_of = min(period.end, today)
    start = datetime.combine(period.start, time())
    end = datetime.combine(as_of + timedelta(days=1), time())
    return Window(start=start, end=max(start, end), as_of=as_of)


def all_time(today: date) -> Period:
    """All time: from the earliest date the programme accepts to today."""
    return Period(EARLIEST, today)


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction in [0, 1]; None when whole is 0 (nothing to share)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Kpis:
    """The figures of one period, for all offices or one (counts of findings, merged ones
    left out).

    opened: opened in P (created_at in P); implemented: of those, implemented or verified at
    P's end; verified: of those, verified at P's end; reopened: findings reopened during P
    (by the project group or by a visit that failed the fix); overdue: findings opened by P's
    end, open or in progress at P's end, due before P's last day (as_of); recurrences: of the
    opened, those repeating a verified finding; median_days_to_fix: days
    (fractional) from opening to the fix standing at P's end, median over the opened ones
    implemented or verified at P's end, None when there is none.
    """

    opened: int = 0
    implemented: int = 0
    verified: int = 0
    reopened: int = 0
    overdue: int = 0
    recurrences: int = 0
    median_days_to_fix: float | None = None

    @property
    def share_implemented(self) -> float | None:
        """implemented / opened, in [0, 1]: the charter's headline figure."""
        return share(self.implemented, self.opened)

    @property
    def share_verified(self) -> float | None:
        """verified / opened, in [0, 1]."""
        return share(self.verified, self.opened)

    @property
    def recurrence_rate(self) -> float | None:
        """recurrences / opened, in [0, 1]."""
        return share(self.recurrences, self.opened)

    def as_json(self) -> dict[str, Any]:
        """The figures of GET /api/v1/kpis (DESIGN §9), shares as fractions, days as days."""
        return {
            "opened": self.opened,
            "implemented": self.implemented,
            "verified": self.verified,
            "reopened": self.reopened,
            "overdue": self.overdue,
            "share_implemented": self.share_implemented,
            "share_verified": self.share_verified,
            "median_days_to_fix": self.median_days_to_fix,
            "recurrence_rate": self.recurrence_rate,
        }


COUNTS = tuple(f.name for f in fields(Kpis) if f.name != "median_days_to_fix")


def combine(parts: dict[str, int], median: float | None) -> Kpis:
    """Kpis from counts by name (a missing count is 0) and the median computed apart."""
    return Kpis(**{name: int(parts.get(name) or 0) for name in COUNTS}, median_days_to_fix=median)


def change(now: float | None, before: float | None) -> float | None:
    """now - before, None when either is missing (the report's "change" columns)."""
    return now - before if now is not None and before is not None else None

"""Reporting periods: a month, a quarter, a year or any span of days, and the one before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before: the previous month, quarter or year when
        this one is a whole one, else the same number of days."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            end = self.start - timedelta(days=1)
            year, month = divmod(end.year * 12 + end.month - 1 - (months - 1), 12)
            return Period(date(year, month + 1, 1), end)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def month(year: int, number: int) -> Period:
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(date(year, number, 1), following - timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(first.start, last.end)


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31))


def last_twelve_months(today: date) -> Period:
    """From the same day a year ago (the day after) to today: the public page's default."""
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(today.year - 1, 3, 1)
    return Period(start, today)


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def iso_day(raw: str) -> date:
    """A date written YYYY-MM-DD in ASCII digits, and nothing else (Python's fromisoformat
    also takes "20260301" and "2026-W10-1"); ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw, flags=re.ASCII):
        raise ValueError(f"not YYYY-MM-DD: {raw!r}")
    return date.fromisoformat(raw)


def parse(
    kind: str | None, value: str | None, start: str | None, end: str | None, today: date
) -> Period:
    """month=2026-03, quarter=2026-Q1, year=2026, or custom from/to (ISO dates).

    ASCII digits only, within 2000-01-01…2100-12-31, start not after end; ValueError else.
    Without any, the previous month.
    """
    if kind == "month" and value:
        found = re.fullmatch(r"(\d{4})-(\d{2})", value, flags=re.ASCII)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValueError(f"not a month: {value!r}")
        chosen = month(int(found.group(1)), int(found.group(2)))
    elif kind == "quarter" and value:
        chosen = parse_quarter(value.upper())
    elif kind == "year" and value:
        if not re.fullmatch(r"\d{4}", value, flags=re.ASCII):
            raise ValueError(f"not a year: {value!r}")
        chosen = year(int(value))
    elif start and end:
        chosen = Period(iso_day(start), iso_day(end))
    else:
        return month(today.year, today.month).previous()
    if chosen.start < EARLIEST or chosen.end > LATEST or chosen.start > chosen.end:
        raise ValueError(f"out of range: {chosen}")
    return chosen


QUARTER_RE = r"(\d{4})-Q([1-4])"


def quarter_of(day: date) -> Period:
    """The calendar quarter that holds day."""
    return quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_code(period: Period) -> str | None:
    """ "2026-Q3" when period is exactly one calendar quarter, else None."""
    whole = quarter_of(period.start)
    if whole != period:
        return None
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> Period:
    """ "2026-Q3" (ASCII digits, Q1–Q4, years 2000–2100) as a Period; ValueError otherwise."""
    found = re.fullmatch(QUARTER_RE, text or "", flags=re.ASCII)
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ValueError(f"not a quarter: {text!r}")
    return quarter(int(found.group(1)), int(found.group(2)))


def completed_quarters(today: date, earliest: date | None, limit: int = 12) -> list[Period]:
    """Quarters that have ended by today, newest first, back to the one holding earliest.

    Only ended quarters: a quarter still running gains visits day by day, and comparing its
    figures from one day to the next would show each new visit (a differencing attack).
    With no earliest date, or one in the running quarter, the last complete quarter alone.
    At most limit quarters, and at least one.
    """
    current = quarter_of(today).previous()
    stop = quarter_of(earliest) if earliest is not None and earliest < current.end else current
    out: list[Period] = []
    while len(out) < max(limit, 1) and current.end >= stop.start:
        out.append(current)
        current = current.previous()
    return out


def code(period: Period) -> str:
    """How a period is written back: "2026-10" for a whole month, "2026-Q4" for a quarter,
    "2026" for a year, else the ISO 8601 interval "2026-10-03/2026-10-20"."""
    first, last = period.start, period.end
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 1:
            return f"{first:%Y-%m}"
        if months == 3 and first.month % 3 == 1:
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        if months == 12 and first.month == 1:
            return f"{first.year}"
    return f"{first.isoformat()}/{last.isoformat()}"


def span(
    date_from: date | None,
    date_to: date | None,
    *,
    today: date,
    default: Period,
    earliest: date = EARLIEST,
) -> Period:
    """The period a report or a figure covers, one rule for every report (issue 14):

    from and to as given (both inclusive, already checked: 2000–2100, not reversed); a lone
    from runs to today (to itself when it is later); a lone to runs from earliest (the first
    day with data, or 2000-01-01; to itself when that is later); neither gives default.
    """
    if date_from is None and date_to is None:
        return default
    if date_from is None:
        assert date_to is not None
        return Period(min(earliest, date_to), date_to)
    return Period(date_from, date_to or max(date_from, today))


def file_code(period: Period | None) -> str:
    """A period as it appears in a file name: "2026-10", "2026-Q4", "2026",
    "2026-10-03_2026-10-20"; "all" for no period (everything)."""
    return "all" if period is None else code(period).replace("/", "_")

"""Time helpers: the database keeps naive UTC; the API speaks ISO 8601 with offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone


def utcnow() -> datetime:
    """Naive UTC, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def with_offset(utc_naive: datetime, offset_minutes: int) -> datetime:
    """Give back the instant in the offset it was recorded in."""
    tz = timezone(timedelta(minutes=offset_minutes))
    return utc_naive.replace(tzinfo=UTC).astimezone(tz)


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None

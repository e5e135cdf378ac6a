"""The pure part of the recommendation KPIs (survey/domain/kpis.py) and how periods are written
back (docs/scoring.md, "Recommendations: the programme's figures")."""

from __future__ import annotations

from datetime import date, datetime

from survey.domain import periods
from survey.domain.kpis import Kpis, all_time, change, combine, share, window


def test_an_ended_period_is_counted_at_its_end() -> None:
    w = window(periods.month(2026, 8), today=date(2026, 11, 29))
    assert w.start == datetime(2026, 8, 1)
    assert w.end == datetime(2026, 9, 1)  # the day after its last day, 00:00, not included
    assert w.as_of == date(2026, 8, 31)  # overdue: due before the last day


def test_a_running_period_ends_today() -> None:
    w = window(periods.quarter(2026, 4), today=date(2026, 11, 29))
    assert (w.start, w.end, w.as_of) == (
        datetime(2026, 10, 1),
        datetime(2026, 11, 30),
        date(2026, 11, 29),
    )


def test_a_period_not_begun_counts_nothing() -> None:
    w = window(periods.year(2027), today=date(2026, 11, 29))
    assert w.end == w.start == datetime(2027, 1, 1)  # no instant is in it


def test_all_time_runs_from_the_earliest_date_to_today() -> None:
    assert all_time(date(2026, 11, 29)) == periods.Period(date(2000, 1, 1), date(2026, 11, 29))


def test_shares_are_fractions_of_the_opened_and_none_of_nothing() -> None:
    k = Kpis(opened=5, implemented=2, verified=1, recurrences=1, median_days_to_fix=15.25)
    assert (k.share_implemented, k.share_verified, k.recurrence_rate) == (0.4, 0.2, 0.2)
    assert Kpis().share_implemented is None and Kpis().recurrence_rate is None
    assert share(0, 0) is None and share(1, 4) == 0.25
    assert set(k.as_json()) == {
        "opened",
        "implemented",
        "verified",
        "reopened",
        "overdue",
        "share_implemented",
        "share_verified",
        "median_days_to_fix",
        "recurrence_rate",
    }


def test_combine_and_change() -> None:
    assert combine({"opened": 3, "overdue": 1}, None) == Kpis(opened=3, overdue=1)
    assert change(5, 1) == 4 and change(None, 1) is None and change(0.4, None) is None


def test_periods_are_written_back_as_they_are_asked_for() -> None:
    assert periods.code(periods.month(2026, 10)) == "2026-10"
    assert periods.code(periods.quarter(2026, 4)) == "2026-Q4"
    assert periods.code(periods.year(2026)) == "2026"
    assert periods.code(periods.Period(date(2026, 10, 3), date(2026, 10, 20))) == (
        "2026-10-03/2026-10-20"
    )
    two_months = periods.Period(date(2026, 9, 1), date(2026, 10, 31))
    assert periods.code(two_months) == "2026-09-01/2026-10-31"
    off_quarter = periods.Period(date(2026, 2, 1), date(2026, 4, 30))
    assert periods.code(off_quarter) == "2026-02-01/2026-04-30"

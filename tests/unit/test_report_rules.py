"""Issue 14's pure rules: which offices a chart shows, the period of a report, cell text."""

from __future__ import annotations

from datetime import date

import pytest

from survey.domain.cells import clean_text, one_line
from survey.domain.charts import both_ends, shown_in_chart
from survey.domain.periods import EARLIEST, Period, file_code, iso_day, span

TODAY = date(2026, 11, 29)
DEFAULT = Period(date(2026, 10, 1), date(2026, 10, 31))


def test_a_short_ranking_is_shown_whole_those_with_too_few_visits_too():
    rows = [("a", True), ("b", True), ("c", False)]
    assert shown_in_chart(rows, lambda r: r[1], limit=20) == (rows, 0)


def test_a_long_ranking_shows_both_ends_of_the_ranked_offices():
    rows = [(f"o{n:03d}", n < 90) for n in range(100)]  # 90 ranked, 10 with too few visits
    shown, hidden = shown_in_chart(rows, lambda r: r[1], limit=20)
    assert [r[0] for r in shown] == [f"o{n:03d}" for n in (*range(10), *range(80, 90))]
    assert hidden == 80


def test_too_few_ranked_to_fill_a_long_chart_keeps_every_ranked_office_then_the_others():
    rows = [(f"o{n}", n < 5) for n in range(30)]
    shown, hidden = shown_in_chart(rows, lambda r: r[1], limit=20)
    assert [r[0] for r in shown] == [f"o{n}" for n in range(20)] and hidden == 10
    assert not both_ends(rows, lambda r: r[1], limit=20)
    nobody = [(f"o{n}", False) for n in range(25)]  # a month with no office ranked
    assert len(shown_in_chart(nobody, lambda r: r[1], limit=20)[0]) == 20


@pytest.mark.parametrize(
    ("start", "end", "earliest", "expected"),
    [
        (
            date(2026, 4, 1),
            date(2026, 4, 30),
            EARLIEST,
            Period(date(2026, 4, 1), date(2026, 4, 30)),
        ),
        (date(2026, 4, 1), None, EARLIEST, Period(date(2026, 4, 1), TODAY)),
        (date(2027, 1, 1), None, EARLIEST, Period(date(2027, 1, 1), date(2027, 1, 1))),
        (None, date(2026, 3, 31), date(2026, 1, 5), Period(date(2026, 1, 5), date(2026, 3, 31))),
        (None, date(2025, 3, 31), date(2026, 1, 5), Period(date(2025, 3, 31), date(2025, 3, 31))),
        (None, None, EARLIEST, DEFAULT),
    ],
)
def test_one_period_rule_for_every_report(start, end, earliest, expected):
    assert span(start, end, today=TODAY, default=DEFAULT, earliest=earliest) == expected


def test_file_codes():
    assert file_code(None) == "all"
    assert file_code(DEFAULT) == "2026-10"
    assert file_code(Period(date(2026, 7, 1), date(2026, 9, 30))) == "2026-Q3"
    assert file_code(Period(date(2026, 10, 3), date(2026, 10, 20))) == "2026-10-03_2026-10-20"


def test_control_characters_leave_cell_text():
    assert clean_text("Бас\x0bконсулдық") == "Бас\nконсулдық"
    assert clean_text("a\r\nb\x00c\x1fd\x7fe\x85f\tg") == "a\nbcdef\tg"
    assert one_line("  Consulate\x0b General\n in X ") == "Consulate General in X"
    assert clean_text('=HYPERLINK("x")') == '=HYPERLINK("x")'  # text stays; cells decide
    assert clean_text("a\ufffeb\uffffc\ud800d") == "abcd"  # XML 1.0 refuses these


def test_iso_days_only():
    assert iso_day("2026-03-01") == date(2026, 3, 1)
    for raw in ("20260301", "2026-W10-1", "2026-3-1", "٢٠٢٦-03-01", "2026-03-01T00:00"):
        with pytest.raises(ValueError):
            iso_day(raw)

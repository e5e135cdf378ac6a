"""Dates as officials write them (issue 16): one format per language, checked here.

No seconds, no leading zero in the day, no abbreviated Kazakh month («қыр.», «жел.»); Kazakh
dates read «2026 жылғы 1 желтоқсан» (docs/glossary.md, "Dates and times").
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from survey import create_app
from survey.templating import day_label, moment_label, month_label

KK_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]
DAYS = [date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})


def _in(app, locale: str):  # type: ignore[no-untyped-def]
    return app.test_request_context(headers={"Accept-Language": locale})


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium", "long"])
def test_no_leading_zero_in_the_day_and_no_seconds(app, locale, fmt):
    with _in(app, locale):
        for day in (d for d in DAYS if d.month >= 10 and d.day < 10):  # "01" is never the month
            text = day_label(day, fmt)
            numbers = re.findall(r"\d+", text)
            assert str(day.day) in numbers, (text, day)
            assert f"0{day.day}" not in numbers, (text, day)  # "01.12.2026", "09 дек."
            moment = moment_label(
                datetime.combine(day, datetime.min.time()).replace(hour=9, minute=5, second=7), fmt
            )
            assert (":07" not in moment and "09:05" in moment) or "9:05" in moment, moment


@pytest.mark.parametrize("fmt", ["short", "medium", "long"])
def test_kazakh_months_are_never_abbreviated(app, fmt):
    with _in(app, "kk"):
        for day in DAYS:
            text = day_label(day, fmt)
            assert not re.search(r"[а-яәғқңөұүһі]{2,}\.", text), text  # «қыр.», «ж.»
            if fmt != "short":
                assert f"2026 жылғы {day.day} {KK_MONTHS[day.month - 1]}" == text
        assert month_label("2026-12") == "2026 жылғы желтоқсан"


def test_the_formats_people_read(app):
    moment = datetime(2026, 12, 1, 9, 5, 7)
    expected = {
        "kk": "2026 жылғы 1 желтоқсан, 09:05",
        "ru": "1 дек. 2026\u202fг., 09:05",
        "en": "Dec 1, 2026, 9:05\u202fAM",
    }
    for locale, text in expected.items():
        with _in(app, locale):
            assert moment_label(moment) == text
            assert moment_label("2026-12-01T09:05:07") == text  # a camera's ISO time

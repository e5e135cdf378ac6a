"""Issue 15's rule for dates and times: to the minute, in each language's own way."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import force_locale

from survey.templating import moment_label


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "2014 жылғы 21 қыркүйек, 16:00"),
        ("ru", "21 сент. 2014 г., 16:00"),
        ("en", "Sep 21, 2014, 4:00"),
    ],
)
def test_times_are_to_the_minute_in_every_language(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        camera = moment_label("2014-09-21T16:00:56")  # a camera's ISO capture time
        stored = moment_label(datetime(2014, 9, 21, 16, 0, 56))
    assert camera == stored
    assert camera.replace("\u202f", " ").startswith(expected)
    assert ":56" not in camera  # no seconds


def test_what_is_not_a_time_is_shown_as_it_is(app):
    with app.test_request_context(), force_locale("en"):
        assert moment_label("sometime") == "sometime" and moment_label(None) == ""

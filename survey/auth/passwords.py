"""The password rules, in one place: every way of setting a password asks them.

A password is 10 to 1000 characters, and not one an attacker guesses early: zxcvbn (Dropbox's
estimator, which knows common passwords, names, keyboard walks, sequences, repeats, dates and
the person's own email and name) must give it a score of 3 or more, that is at least about
10^8 guesses. Only the first 100 characters are scored: zxcvbn slows down on long input, and
100 characters are more than enough to tell.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 1000
SCORED_PREFIX = 100
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" online, about 10^8 guesses or more

# zxcvbn keeps the user inputs of a call in a module-level dictionary; two threads of one
# worker checking at once would see each other's, so one check at a time.
_zxcvbn_lock = threading.Lock()


def _personal_words(email: str, name: str) -> list[str]:
    """The email, its parts and the words of the name: what a password must not lean on."""
    words = [email, *re.split(r"[@.+_\-\s]+", email), name, *name.split()]
    return [w.lower() for w in words if len(w) >= 3]


def guessable(password: str, *, email: str = "", name: str = "") -> bool:
    """True when zxcvbn scores the password's first 100 characters below MIN_SCORE.

    One check takes about 1 ms for a usual password and at most about 50 ms for 100 characters.
    """
    from zxcvbn import zxcvbn

    with _zxcvbn_lock:
        result = zxcvbn(
            password[:SCORED_PREFIX],
            user_inputs=_personal_words(email, name),
            max_length=SCORED_PREFIX,
        )
    return int(result["score"]) < MIN_SCORE


def password_problems(password: str, *, email: str = "", name: str = "") -> list[Any]:
    """Why this password may not be set (translatable messages); empty when it may.

    email and name are the account's, so a password built on them is refused.
    """
    if len(password) < MIN_LENGTH:
        return [_l("Use at least 10 characters.")]
    if len(password) > MAX_LENGTH:
        return [_l("Use at most %(max)d characters.", max=MAX_LENGTH)]
    if guessable(password, email=email, name=name):
        return [_l("This password is too common or too easy to guess. Use a few unrelated words.")]
    return []

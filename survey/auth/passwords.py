"""The password rules, in one place: every way of setting a password asks them.

A password is 10 to 1000 characters, and not one an attacker guesses early: zxcvbn (Dropbox's
estimator, which knows common passwords, names, keyboard walks, sequences, repeats, dates and
the person's own email and name) must give it a score of 3 or more, that is at least about
10^8 guesses, also when read as typed on the Latin keys (zxcvbn knows English-language
lists; Russian-language passwords are typed on the same keys), and it must hold at least four
letters besides the person's name and e-mail and the words of KNOWN_WORDS. Only the first 100
characters are scored: zxcvbn slows down on long input, and 100 are more than enough to tell.
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


# The Russian (ЙЦУКЕН) layout over the Latin keys it sits on: "йцукен" is "qwerty" typed with
# Cyrillic on, "пароль" is "gfhjkm"; zxcvbn knows the Latin ones. Kazakh letters sit on the
# digit row (ә і ң ғ … on 2 3 4 5 …) of the Kazakh layout.
_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_KAZAKH = "әіңғүұқөһ"
_KAZAKH_KEYS = "234567890"
KEYBOARD = str.maketrans(_CYRILLIC + _KAZAKH, _LATIN + _KAZAKH_KEYS)

# Words anyone guessing at a password here tries first: the programme, the country and its
# cities, in the three languages, and the commonest Russian-language passwords.
KNOWN_WORDS = (
    "adaldyq", "адалдық", "адалдык", "alany", "алаңы", "kazakhstan", "qazaqstan", "казахстан",
    "қазақстан", "astana", "астана", "almaty", "алматы", "nursultan", "нурсултан", "shymkent",
    "шымкент", "karaganda", "караганда", "consul", "консул", "embassy", "посольство",
    "елшілік", "пароль", "парол", "привет", "любовь", "солнышко", "наташа", "максим",
    "сергей", "андрей", "дмитрий", "александр", "анастасия", "екатерина", "кисуля", "зайка",
    "мама", "папа", "сәлем", "сәлеметсіз", "құпиясөз",
)  # fmt: skip
MIN_OWN_LETTERS = 4


def _personal_words(email: str, name: str) -> list[str]:
    """The email, its parts and the words of the name: what a password must not lean on."""
    words = [email, *re.split(r"[@.+_\-\s]+", email), name, *name.split()]
    return [w.lower() for w in words if len(w) >= 3]


def _leans_on_known_words(password: str, words: list[str]) -> bool:
    """True when, without the words given and the known ones, fewer than four letters remain:
    "Гүлнар Гүлнар", "Астана2026!", "Qazaqstan123" are a name or a place and some digits."""
    rest = password.lower()
    for word in sorted({*words, *KNOWN_WORDS}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return sum(1 for c in rest if c.isalpha()) < MIN_OWN_LETTERS


def guessable(password: str, *, email: str = "", name: str = "") -> bool:
    """True when the password's first 100 characters are easy to guess.

    That is: zxcvbn scores them below MIN_SCORE, as typed or as the same keys give them in the
    Latin layout ("йцукенгшщз" is "qwertyuiop"), with the person's e-mail and name as words it
    knows; or they hold fewer than four letters besides those words and KNOWN_WORDS. One check
    takes about 1–2 ms for a usual password and at most about 100 ms for 100 characters.
    """
    from zxcvbn import zxcvbn

    scored = password[:SCORED_PREFIX]
    words = _personal_words(email, name)
    # The address's own part and the name, not its domain (shared by everyone at an office).
    own = _personal_words(email.partition("@")[0], name)
    if _leans_on_known_words(scored, own):
        return True
    typed = {scored, scored.lower().translate(KEYBOARD)}
    with _zxcvbn_lock:
        scores = [
            zxcvbn(text, user_inputs=words, max_length=SCORED_PREFIX)["score"] for text in typed
        ]
    return int(min(scores)) < MIN_SCORE


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

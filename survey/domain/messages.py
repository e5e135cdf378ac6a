"""The catalogue of problems the domain reports (in the manner of pyxform's errors.py).

Messages are English templates marked with N_ so pybabel extracts them; whoever shows a message
translates the template first and fills the parameters after, so the domain needs no Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(text: str) -> str:
    """Mark a string for extraction without translating it here."""
    return text


class Msg(str):
    """An English message that remembers its template, to be translated later."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        obj = super().__new__(cls, template.format(**params) if params else template)
        obj.template = template
        obj.params = params
        return obj

    def localize(self, gettext: Callable[[str], str]) -> str:
        """Render in the caller's language; gettext is flask_babel.gettext or the identity.
        (Not named translate: that is str.translate(table), which a Msg keeps.)"""
        text = gettext(self.template)
        return text.format(**self.params) if self.params else text


def render(message: str, gettext: Callable[[str], str] | None = None) -> str:
    """Translate a Msg, or pass a plain string through."""
    if gettext is not None and isinstance(message, Msg):
        return message.localize(gettext)
    return str(message)


REQUIRED = N_("This field is required.")
NOT_NULL = N_("This field may not be empty.")
UNKNOWN_KEY = N_("Unknown key (a typo?).")
NOT_STRING = N_("Must be a text string.")
EMPTY_STRING = N_("Must not be empty.")
NOT_MAPPING = N_("Must be a mapping of keys to values.")
NOT_LIST = N_("Must be a list.")
EMPTY_LIST = N_("Must list at least one entry.")
NOT_NUMBER = N_("Must be a number.")
NOT_INTEGER = N_("Must be a whole number.")
NOT_POSITIVE = N_("Must be greater than 0.")
NOT_BOOLEAN = N_("Must be true or false.")
BAD_SLUG = N_("Use only lower-case Latin letters, digits and hyphens.")
BAD_CODE = N_("Use only lower-case Latin letters, digits and underscores.")
BAD_OPTION_CODE = N_("Use only Latin letters, digits, hyphens and underscores.")
ONE_OF = N_("Must be one of: {choices}.")
MISSING_LANGUAGE = N_("The {lang} text is missing.")
UNKNOWN_LANGUAGE = N_("Unknown language {lang}: use kk, ru and en.")
CAP_RANGE = N_("Must be a number from 0 to 100, or null.")
OPTION_SCORE_RANGE = N_("Must be a number from 0 to 1, or null.")
NOT_FOR_KIND = N_("Not allowed for an item of kind {kind}.")
MIN_NOT_BELOW_MAX = N_("min must be less than max.")
PASS_IF_EMPTY = N_("Give min, max or both.")
PASS_IF_ORDER = N_("min must not be greater than max.")
DUPLICATE_SECTION = N_("Section code {code} is used more than once.")
DUPLICATE_ITEM = N_("Item code {code} is used more than once in the checklist.")
DUPLICATE_OPTION = N_("Option code {code} is used more than once in the item.")
CRITICAL_NEVER_FAILS_NUMBER = N_("A critical number item needs pass_if, or it can never fail.")
CRITICAL_NEVER_FAILS_CHOICE = N_(
    "A critical choice item needs an option scored 0, or it can never fail."
)
YAML_SYNTAX = N_("YAML syntax error: {problem}.")
DUPLICATE_KEY = N_("Key {key} is given twice.")
NOT_A_CHECKLIST = N_("The file must hold one checklist: a mapping with slug, version and sections.")
UNREADABLE = N_("Cannot read the file: {reason}.")
SAME_VERSION_TWICE = N_(
    "{slug} version {version} is also defined in {other} with a different content."
)
CHANGED_DEFINITION = N_(
    "{slug} version {version} is already loaded with a different definition: "
    "give the changed checklist a new version."
)

# Answers to a checklist (API and forms).
ANSWER_NOT_OBJECT = N_("An answer must be an object with value and comment.")
ANSWER_UNKNOWN_ITEM = N_("There is no item {code} in this checklist.")
ANSWER_UNKNOWN_KEY = N_("Unknown key {key}: an answer has only value and comment.")
ANSWER_YESNO = N_("Answer yes, no or na.")
ANSWER_YESNO_NO_NA = N_("Answer yes or no: “Not applicable” is not allowed for this item.")
ANSWER_SCALE = N_("Give a whole number from {min} to {max}.")
ANSWER_NUMBER = N_("Give a number.")
ANSWER_WHOLE = N_("Give a whole number, 0 or more.")
ANSWER_NUMBER_LIMIT = N_("Give a number between -{max} and {max}.")
# Translators: "1,500" typed where a comma may separate thousands or decimals ("Type 1500 or 1.5").
ANSWER_NUMBER_AMBIGUOUS = N_("Type {whole} or {fraction}: “{typed}” could mean either.")
ANSWER_CHOICE = N_("Choose one of: {choices}.")
# Translators: a text answer was expected (not a number or a choice).
ANSWER_TEXT = N_("Give text.")
ANSWER_TEXT_TOO_LONG = N_("Use at most {max} characters.")
ANSWER_COMMENT = N_("A comment must be text.")
ANSWER_REQUIRED = N_("This item must be answered before the visit is submitted.")

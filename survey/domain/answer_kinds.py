"""Answer kinds (DESIGN §3, §4, §7): one class per kind, in one table, KINDS, after ONS
eq-questionnaire-runner's field handlers (one handler class per answer type, in a registry).

A kind knows its YAML keys and their rules, how an answer is checked and normalised, scored,
shown, asked for on a page and described in the API; checklists, answers, scoring, forms,
pages and the API ask the table. A new kind is a subclass decorated with @register. No Flask:
the caller passes the locale, and the gettext that translates the N_-marked texts here.
"""

from __future__ import annotations

import math
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from babel import numbers
from marshmallow import ValidationError, fields, validates_schema
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from . import messages as m
from .checklist_schema import Bool, Num, OneOf, Str, StrictSchema, Text, nested, nested_list
from .messages import N_, Msg
from .spec import Item

Gettext = Callable[[str], str]
TEXT_MAX = 5000
# No number answer is larger (minutes, chairs, windows): a bigger one is a typing slip, and
# beyond 1e15 a float no longer holds every whole number.
NUMBER_LIMIT = 1_000_000
SMALL_INT = re.compile(r"-?[0-9]{1,6}")
TYPED_NUMBER = frozenset("0123456789+-., \u00a0\u202f")  # digits 0-9 only: not "١٢"
# "1,500" in en: 1500 with a thousands comma, or 1.5 typed on a Russian keyboard? "1.500" in kk
# and ru: 1.5 typed on an English keyboard, or 1500 as Turkish and German write it? ("0,001"
# cannot be a thousands group.)
THOUSANDS_OR_FRACTION = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")
LONGEST_NUMBER = 40  # characters: "-1 000 000,000…" fits; Babel fails on much longer ones
NOT_ANSWERED = N_("Not answered")
YESNO = {"yes": N_("Yes"), "no": N_("No"), "na": N_("Not applicable")}
SCALE_ENDS = N_("%(min)s is the worst, %(max)s the best.")
# Translators: the label of a number box, followed by its unit ("Value, minutes").
NUMBER_LABEL = N_("Value")
TEXT_LABEL = N_("Your answer")


def _plain_number(value: Any) -> bool:
    """Not a boolean, inf, nan or 10**400 (bounded first: such an int overflows isfinite)."""
    return type(value) in (int, float) and abs(value) <= 1e15 and math.isfinite(value)


def _text(text: dict[str, str] | None, locale: str) -> str:
    return (text or {}).get(locale) or (text or {}).get("en", "")


def number_text(value: Any, locale: str, pattern: str | None = None) -> str:
    """A number as `locale` writes it ("12,5" in kk and ru), in Babel's `pattern` or the
    locale's; as stored when Babel cannot (1e300, stored before issue 15 bounded numbers)."""
    try:
        return str(numbers.format_decimal(value, format=pattern, locale=locale))
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


def parse_number(raw: str, locale: str) -> int | float | str | None:
    """A number typed in `locale`, read by Babel's strict parse_decimal: "42,5" in kk and ru,
    "42.5" in en. Phones mix keyboards, so the other decimal sign is read too where it cannot
    be the locale's thousands separator; spaces group thousands ("1 500"). None for blank, an
    int when whole, else a float; `raw` itself when not plainly a number ("1_000", "1e3",
    "١٢", "42 5", en "1,500"), for the number kind to refuse with its message (issue 17)."""
    text = raw.strip()
    if not text or len(text) > LONGEST_NUMBER or not set(text) <= TYPED_NUMBER:
        return raw if text else None
    decimal, group = numbers.get_decimal_symbol(locale), numbers.get_group_symbol(locale)
    other = "," if decimal == "." else "."
    if text.count(other) == 1 and decimal not in text:
        if THOUSANDS_OR_FRACTION.fullmatch(text):
            return raw
        text = text.replace(other, decimal)
    try:
        number = numbers.parse_decimal(re.sub("[ \u00a0\u202f]", group, text), locale, strict=True)
    except (numbers.NumberFormatError, ArithmeticError):  # strict re-formatting can overflow
        return raw
    return int(number) if number == number.to_integral_value() else float(number)


class AnswerKind(ABC):
    """One kind of answer (its `code`), its declarations and hooks. `item` is always of the
    kind; `value` is an answer check() kept, never None (in check(): as sent, not None).

    keys          the YAML keys it adds to an item's common ones (DESIGN §3), as fields
    check_spec    {key: [Msg]} by rules across keys; `data` holds the keys that passed
    normalise_spec  its keys as stored: keep it stable, or a loaded version stops loading
    scorable      whether an answer can ever score (figures list only such items)
    check         (the value to store or None, the problem or None) for a value sent
    score         the score in [0, 1], or None: the answer carries none (DESIGN §4)
    display       the answer as a person reads it in `locale`
    field         its WTForms field, no validators (check() judges); field_value: a stored
                  value as the field shows it; read: the field's data as the API's value
                  (None: not answered; what cannot be read stays as typed, for check())
    api_schema    the value's OpenAPI schema object (DESIGN §7)
    exported      whether answers.csv carries its answers (free text stays out: it can name
                  people, docs/exports.md)
    sample        a believable answer for demo data, following an office's `quality` in
                  [0, 1] most of the time; None leaves the item unanswered
    """

    code: ClassVar[str]
    keys: ClassVar[dict[str, fields.Field]] = {}
    api_schema: ClassVar[dict[str, Any]]
    exported: ClassVar[bool] = True

    def check_spec(self, data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        return {}

    def normalise_spec(self, data: dict[str, Any]) -> dict[str, Any]:
        return {key: data[key] for key in self.keys if key in data}

    def scorable(self, item: Item) -> bool:
        return True

    @abstractmethod
    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]: ...

    @abstractmethod
    def score(self, item: Item, value: Any) -> float | None: ...

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        return str(value)

    @abstractmethod
    def field(self, item: Item, locale: str, gettext: Gettext) -> Field: ...

    def field_value(self, item: Item, value: Any, locale: str) -> str:
        return str(value)

    def read(self, item: Item, data: Any, locale: str) -> Any:
        return data or None

    @abstractmethod
    def sample(self, item: Item, quality: float, rng: random.Random) -> Any: ...


KINDS: dict[str, AnswerKind] = {}
K = TypeVar("K", bound=type[AnswerKind])


def register(cls: K) -> K:
    """Class decorator: the kind joins KINDS (their order is that of the messages)."""
    KINDS[cls.code] = cls()  # TypeError if a hook is missing
    assert isinstance(cls.api_schema, dict), cls
    return cls


def kind_of(item: Item) -> AnswerKind:
    return KINDS[item.kind]


def answer_text(item: Item, value: Any, locale: str, gettext: Gettext) -> str:
    """An answer as a person reads it in `locale`; "Not answered" for None."""
    if value is None:
        return gettext(NOT_ANSWERED)
    return kind_of(item).display(item, value, locale, gettext)


def answer_value_field() -> fields.Field:
    """The API's answer value: one of the kinds' schemas (titled by kind), or null."""
    return fields.Raw(
        allow_none=True,
        metadata={
            "description": "By the item's kind; null: not answered",
            "anyOf": [{"title": code, **kind.api_schema} for code, kind in KINDS.items()],
        },
    )


def _radios(choices: list[tuple[str, str]], **kwargs: Any) -> Field:
    options = [SelectChoice(value, label) for value, label in choices]
    return RadioField(choices=options, validate_choice=False, **kwargs)


@register
class YesNo(AnswerKind):
    code = "yesno"
    keys = {
        "pass": OneOf(("yes", "no"), load_default="yes"),
        "allow_na": Bool(load_default=True),
        "critical": Bool(load_default=False),
    }
    api_schema = {"type": "string", "enum": ["yes", "no", "na"]}

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        if value in ("yes", "no") or (value == "na" and item.allow_na):
            return value, None
        return None, Msg(m.ANSWER_YESNO if item.allow_na else m.ANSWER_YESNO_NO_NA)

    def score(self, item: Item, value: Any) -> float | None:
        return None if value == "na" else float(value == item.pass_answer)

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        return gettext(YESNO[value]) if value in YESNO else str(value)

    def field(self, item: Item, locale: str, gettext: Gettext) -> Field:
        codes = ("yes", "no", "na") if item.allow_na else ("yes", "no")
        return _radios([(code, gettext(YESNO[code])) for code in codes])

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        if item.allow_na and rng.random() < 0.06:
            return "na"
        # A failed critical item is rare, but it must happen for the figures to mean something.
        ok = rng.random() > 0.04 * (1.5 - quality) if item.critical else rng.random() < quality
        return item.pass_answer if ok else ("no" if item.pass_answer == "yes" else "yes")


@register
class Scale(AnswerKind):
    code = "scale"
    keys = {"min": Num(integer=True, required=True), "max": Num(integer=True, required=True)}
    api_schema = {"type": "integer"}

    def check_spec(self, data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        if data.keys() >= {"min", "max"} and data["min"] >= data["max"]:
            return {"max": [Msg(m.MIN_NOT_BELOW_MAX)]}
        return {}

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        low, high = item.min or 0, item.max or 0
        if _plain_number(value) and value == int(value) and low <= value <= high:
            return int(value), None
        return None, Msg(m.ANSWER_SCALE, min=low, max=high)

    def score(self, item: Item, value: Any) -> float | None:
        low, high = item.min or 0, item.max or 0
        return (value - low) / (high - low)

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        return f"{value} / {item.max}"

    def field(self, item: Item, locale: str, gettext: Gettext) -> Field:
        steps = [(str(n), str(n)) for n in range(item.min or 0, (item.max or 0) + 1)]
        return _radios(steps, description=gettext(SCALE_ENDS) % {"min": item.min, "max": item.max})

    def read(self, item: Item, data: Any, locale: str) -> Any:
        return int(data) if isinstance(data, str) and SMALL_INT.fullmatch(data) else (data or None)

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        low, high = item.min or 0, item.max or 0
        guess = low + quality * (high - low) + rng.gauss(0, (high - low) * 0.2)
        return int(min(high, max(low, round(guess))))


class PassIfSchema(StrictSchema):
    min = Num()
    max = Num()

    @validates_schema
    def _bounds(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "min" not in data and "max" not in data:
            raise ValidationError(Msg(m.PASS_IF_EMPTY))
        if "min" in data and "max" in data and data["min"] > data["max"]:
            raise ValidationError(Msg(m.PASS_IF_ORDER))


@register
class Number(AnswerKind):
    code = "number"
    keys = {
        "unit": Text(),
        "pass_if": nested(PassIfSchema),
        "critical": Bool(load_default=False),
        "whole": Bool(),  # a count, 0 or more (issue 15)
    }
    api_schema = {"type": "number", "description": "within ±1,000,000; whole: an integer ≥ 0"}

    def check_spec(self, data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        if data.get("critical") and "pass_if" not in original:
            return {"critical": [Msg(m.CRITICAL_NEVER_FAILS_NUMBER)]}
        return {}

    def normalise_spec(self, data: dict[str, Any]) -> dict[str, Any]:
        kept = super().normalise_spec(data)
        return kept if kept.get("whole") else {k: v for k, v in kept.items() if k != "whole"}

    def scorable(self, item: Item) -> bool:
        return item.has_pass_if

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        typed = value.strip() if isinstance(value, str) else ""
        if THOUSANDS_OR_FRACTION.fullmatch(typed) and item.whole:  # a count: only 1500 fits
            return self.check(item, int(re.sub("[.,]", "", typed)))
        if THOUSANDS_OR_FRACTION.fullmatch(typed):  # parse_number would not guess
            fraction = f"{Decimal(typed.replace(',', '.')).normalize():f}"
            whole = re.sub("[.,]", "", typed)
            return None, Msg(m.ANSWER_NUMBER_AMBIGUOUS, typed=typed, whole=whole, fraction=fraction)
        if not _plain_number(value):
            return None, Msg(m.ANSWER_NUMBER)
        if abs(value) > NUMBER_LIMIT:
            return None, Msg(m.ANSWER_NUMBER_LIMIT, max=NUMBER_LIMIT)
        if item.whole and (value != int(value) or value < 0):
            return None, Msg(m.ANSWER_WHOLE)
        return (int(value) if item.whole else value), None

    def score(self, item: Item, value: Any) -> float | None:
        if not item.has_pass_if:
            return None
        low_ok = item.pass_min is None or value >= item.pass_min
        return float(low_ok and (item.pass_max is None or value <= item.pass_max))

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        return f"{number_text(value, locale)} {_text(item.unit, locale)}".strip()

    def field(self, item: Item, locale: str, gettext: Gettext) -> Field:
        """A text box (either decimal sign is read); a whole number gets the digit keypad."""
        label = ", ".join(filter(None, [gettext(NUMBER_LABEL), _text(item.unit, locale)]))
        mode = "numeric" if item.whole else "decimal"
        return StringField(label, render_kw={"inputmode": mode, "autocomplete": "off"})

    def field_value(self, item: Item, value: Any, locale: str) -> str:
        return number_text(value, locale, "0.##########")  # 12,5 in kk and ru, not 1.2E+1

    def read(self, item: Item, data: Any, locale: str) -> Any:
        return parse_number(data, locale) if isinstance(data, str) else data

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        bound = item.pass_max if item.pass_max is not None else 20
        return round(max(1.0, rng.gauss(bound * (1.6 - quality * 1.1), bound * 0.35)))


class OptionSchema(StrictSchema):
    code = Str(re.compile(r"^[A-Za-z0-9_-]+$"), m.BAD_OPTION_CODE, required=True)
    label = Text(required=True)
    score = Num(low=0, high=1, range_msg=m.OPTION_SCORE_RANGE, required=True, allow_none=True)


@register
class Choice(AnswerKind):
    code = "choice"
    keys = {
        "options": nested_list(OptionSchema, required=True),
        "critical": Bool(load_default=False),
    }
    api_schema = {"type": "string", "description": "an option's code"}

    def check_spec(self, data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        codes = [option["code"] for option in data.get("options", [])]
        problems: dict[str, Any] = {}
        for index, code in enumerate(codes):
            if code in codes[:index]:
                twice = {"code": [Msg(m.DUPLICATE_OPTION, code=code)]}
                problems.setdefault("options", {})[index] = twice
        if codes and data.get("critical") and all(o["score"] != 0 for o in data["options"]):
            problems["critical"] = [Msg(m.CRITICAL_NEVER_FAILS_CHOICE)]
        return problems

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        if isinstance(value, str) and item.option(value) is not None:
            return value, None
        return None, Msg(m.ANSWER_CHOICE, choices=", ".join(o.code for o in item.options))

    def score(self, item: Item, value: Any) -> float | None:
        option = item.option(value)
        return None if option is None or option.score is None else float(option.score)

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        option = item.option(value)
        return _text(option.label, locale) if option else str(value)

    def field(self, item: Item, locale: str, gettext: Gettext) -> Field:
        return _radios([(o.code, _text(o.label, locale)) for o in item.options])

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        weights = [  # never all 0 (quality 0, only good options): rng.choices refuses that
            max(1e-9, (quality if (o.score or 0) >= 0.5 else (1 - quality) * 0.6))
            + (0.1 if o.score is None else 0)
            for o in item.options
        ]
        return rng.choices([o.code for o in item.options], weights=weights)[0]


@register
class FreeText(AnswerKind):
    code = "text"
    api_schema = {"type": "string", "maxLength": TEXT_MAX}
    exported = False

    def scorable(self, item: Item) -> bool:
        return False

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        if not isinstance(value, str):
            return None, Msg(m.ANSWER_TEXT)
        if len(value) > TEXT_MAX:
            return None, Msg(m.ANSWER_TEXT_TOO_LONG, max=TEXT_MAX)
        return value.strip() or None, None

    def score(self, item: Item, value: Any) -> float | None:
        return None

    def field(self, item: Item, locale: str, gettext: Gettext) -> Field:
        return TextAreaField(gettext(TEXT_LABEL), render_kw={"rows": 4, "maxlength": TEXT_MAX})

    def read(self, item: Item, data: Any, locale: str) -> Any:
        return (data or "").strip() or None

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        return None  # free text is the volunteer's own

"""The marshmallow fields checklist definitions are read with (DESIGN §3), with the messages
of messages.py, so the whole report can be translated. checklist.py reads a checklist with
them, answer_kinds.py each kind's own keys.
"""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from . import messages as m
from .messages import Msg

LANGS = ("kk", "ru", "en")

BASE_ERRORS: dict[str, str] = {"required": Msg(m.REQUIRED), "null": Msg(m.NOT_NULL)}


def field_errors(**extra: Msg) -> dict[str, str]:
    """A field's messages: ours for a missing or null value, and `extra`."""
    return {**BASE_ERRORS, **extra}


class Text(fields.Field):
    """A text in kk, ru and en, each a non-empty string."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=field_errors(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValidationError(Msg(m.NOT_MAPPING))
        problems: dict[str, list[Msg]] = {}
        for key in value:
            if key not in LANGS:
                problems[str(key)] = [Msg(m.UNKNOWN_LANGUAGE, lang=key)]
        for lang in LANGS:
            if lang not in value or value[lang] is None:
                problems[lang] = [Msg(m.MISSING_LANGUAGE, lang=lang)]
            elif not isinstance(value[lang], str):
                problems[lang] = [Msg(m.NOT_STRING)]
            elif not value[lang].strip():
                problems[lang] = [Msg(m.EMPTY_STRING)]
        if problems:
            raise ValidationError(problems)
        return {lang: value[lang].strip() for lang in LANGS}


class Str(fields.Field):
    """A non-empty string matching a pattern."""

    def __init__(self, pattern: re.Pattern[str], bad: str, **kwargs: Any) -> None:
        super().__init__(error_messages=field_errors(), **kwargs)
        self.pattern = pattern
        self.bad = bad

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(Msg(m.NOT_STRING))
        if not self.pattern.match(value):
            raise ValidationError(Msg(self.bad))
        return value


class OneOf(fields.Field):
    """A string from a fixed list."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(error_messages=field_errors(), **kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if value not in self.choices or not isinstance(value, str):
            raise ValidationError(Msg(m.ONE_OF, choices=", ".join(self.choices)))
        return value


class Num(fields.Field):
    """A finite number (never a boolean), with optional bounds and integrality."""

    def __init__(
        self,
        *,
        integer: bool = False,
        positive: bool = False,
        low: float | None = None,
        high: float | None = None,
        range_msg: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(error_messages=field_errors(), **kwargs)
        self.integer, self.positive = integer, positive
        self.low, self.high, self.range_msg = low, high, range_msg

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float | int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValidationError(Msg(self.range_msg or m.NOT_NUMBER))
        if self.integer and value != int(value):
            raise ValidationError(Msg(m.NOT_INTEGER))
        if self.positive and value <= 0:
            raise ValidationError(Msg(m.NOT_POSITIVE))
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ValidationError(Msg(self.range_msg or m.NOT_NUMBER))
        return int(value) if self.integer else value


class Bool(fields.Field):
    """true / false, and the YAML 1.1 words yes / no / on / off that people still write."""

    TRUE = {"yes", "on", "true"}
    FALSE = {"no", "off", "false"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=field_errors(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in self.TRUE | self.FALSE:
            return value.lower() in self.TRUE
        raise ValidationError(Msg(m.NOT_BOOLEAN))


class StrictSchema(Schema):
    """Unknown keys are errors: they are usually typos."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": Msg(m.UNKNOWN_KEY), "type": Msg(m.NOT_MAPPING)}


class ListOf(fields.List):
    """A non-empty list with our own messages."""

    def __init__(self, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(inner, error_messages=field_errors(invalid=Msg(m.NOT_LIST)), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and not value:
            raise ValidationError(Msg(m.EMPTY_LIST))
        return super()._deserialize(value, attr, data, **kwargs)


def nested(schema: type[Schema], **kwargs: Any) -> fields.Nested:
    return fields.Nested(schema, error_messages=field_errors(), **kwargs)


def nested_list(schema: type[Schema], **kwargs: Any) -> ListOf:
    return ListOf(nested(schema), **kwargs)

"""marshmallow schemas that validate a checklist definition (DESIGN §3) and normalise it.

Every message comes from the catalogue in messages.py, so the whole report can be translated.
"""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema

from . import messages as m
from .messages import Msg

LANGS = ("kk", "ru", "en")
KINDS = ("yesno", "scale", "number", "choice", "text")
EVIDENCE = ("none", "optional", "recommended", "required")
SLUG_RE = re.compile(r"^[a-z0-9-]+$")
CODE_RE = re.compile(r"^[a-z0-9_]+$")
OPTION_CODE_RE = re.compile(r"^[A-Za-z0-9_-]+$")

# Which keys each kind may carry beyond the common ones.
COMMON_ITEM_KEYS = {
    "code",
    "text",
    "help",
    "kind",
    "weight",
    "required",
    "evidence",
    "recommendation",
}
KIND_KEYS = {
    "yesno": {"pass", "allow_na", "critical"},
    "scale": {"min", "max"},
    "number": {"unit", "pass_if", "critical", "whole"},
    "choice": {"options", "critical"},
    "text": set(),
}
BASE_ERRORS = {"required": Msg(m.REQUIRED), "null": Msg(m.NOT_NULL)}


def _errors(**extra: Msg) -> dict[str, Msg]:
    return {**BASE_ERRORS, **extra}


class Text(fields.Field):
    """A text in kk, ru and en, each a non-empty string."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=_errors(), **kwargs)

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
        super().__init__(error_messages=_errors(), **kwargs)
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
        super().__init__(error_messages=_errors(), **kwargs)
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
        super().__init__(error_messages=_errors(), **kwargs)
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
        super().__init__(error_messages=_errors(), **kwargs)

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
        super().__init__(inner, error_messages=_errors(invalid=Msg(m.NOT_LIST)), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and not value:
            raise ValidationError(Msg(m.EMPTY_LIST))
        return super()._deserialize(value, attr, data, **kwargs)


def nested_list(schema: type[Schema], **kwargs: Any) -> ListOf:
    return ListOf(fields.Nested(schema, error_messages=_errors()), **kwargs)


class PassIfSchema(StrictSchema):
    min = Num()
    max = Num()

    @validates_schema
    def _bounds(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "min" not in data and "max" not in data:
            raise ValidationError(Msg(m.PASS_IF_EMPTY))
        if "min" in data and "max" in data and data["min"] > data["max"]:
            raise ValidationError(Msg(m.PASS_IF_ORDER))


class OptionSchema(StrictSchema):
    code = Str(OPTION_CODE_RE, m.BAD_OPTION_CODE, required=True)
    label = Text(required=True)
    score = Num(low=0, high=1, range_msg=m.OPTION_SCORE_RANGE, required=True, allow_none=True)


class ItemSchema(StrictSchema):
    code = Str(CODE_RE, m.BAD_CODE, required=True)
    text = Text(required=True)
    help = Text(allow_none=True)
    recommendation = Text(allow_none=True)
    kind = OneOf(KINDS, required=True)
    pass_ = OneOf(("yes", "no"), data_key="pass")
    allow_na = Bool()
    weight = Num(positive=True)
    critical = Bool()
    required = Bool()
    evidence = OneOf(EVIDENCE)
    min = Num(integer=True)
    max = Num(integer=True)
    unit = Text()
    whole = Bool()
    pass_if = fields.Nested(PassIfSchema, error_messages=_errors())
    options = nested_list(OptionSchema)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _kind_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        kind = data.get("kind")
        if kind not in KIND_KEYS or not isinstance(original, dict):
            return
        problems: dict[str, list[Msg]] = {}
        allowed = COMMON_ITEM_KEYS | KIND_KEYS[kind]
        for key in original:
            if key not in allowed and key in set().union(*KIND_KEYS.values()):
                problems[key] = [Msg(m.NOT_FOR_KIND, kind=kind)]
        if kind == "scale":
            for key in ("min", "max"):
                if key not in original:
                    problems[key] = [Msg(m.REQUIRED)]
            if "min" in data and "max" in data and data["min"] >= data["max"]:
                problems["max"] = [Msg(m.MIN_NOT_BELOW_MAX)]
        if kind == "choice" and "options" not in original:
            problems["options"] = [Msg(m.REQUIRED)]
        if kind == "choice" and "options" in data:
            seen: set[str] = set()
            for index, option in enumerate(data["options"]):
                code = option.get("code")
                if code is not None and code in seen:
                    problems.setdefault("options", {})[index] = {  # type: ignore[call-overload]
                        "code": [Msg(m.DUPLICATE_OPTION, code=code)]
                    }
                seen.add(code)
        if data.get("critical") and kind in ("number", "choice"):
            self._critical_can_fail(kind, data, original, problems)
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def _critical_can_fail(
        kind: str, data: dict[str, Any], original: dict[str, Any], problems: dict[str, Any]
    ) -> None:
        if kind == "number" and "pass_if" not in original:
            problems["critical"] = [Msg(m.CRITICAL_NEVER_FAILS_NUMBER)]
        options = data.get("options") if kind == "choice" else None
        if options is not None and not any(o.get("score") == 0 for o in options):
            problems["critical"] = [Msg(m.CRITICAL_NEVER_FAILS_CHOICE)]

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        kind = data["kind"]
        item: dict[str, Any] = {"code": data["code"], "kind": kind, "text": data["text"]}
        if data.get("help"):
            item["help"] = data["help"]
        if data.get("recommendation"):
            item["recommendation"] = data["recommendation"]
        item["weight"] = data.get("weight", 1)
        item["required"] = data.get("required", True)
        item["evidence"] = data.get("evidence", "optional")
        if "critical" in KIND_KEYS[kind]:
            item["critical"] = data.get("critical", False)
        if kind == "yesno":
            item["pass"] = data.get("pass_", "yes")
            item["allow_na"] = data.get("allow_na", True)
        elif kind == "scale":
            item["min"], item["max"] = data["min"], data["max"]
        elif kind == "number":
            if "unit" in data:
                item["unit"] = data["unit"]
            if "pass_if" in data:
                item["pass_if"] = dict(data["pass_if"])
            if data.get("whole"):
                item["whole"] = True
        elif kind == "choice":
            item["options"] = [dict(o) for o in data["options"]]
        return item


class SectionSchema(StrictSchema):
    code = Str(CODE_RE, m.BAD_CODE, required=True)
    title = Text(required=True)
    weight = Num(positive=True)
    items = nested_list(ItemSchema, required=True)

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {
            "code": data["code"],
            "title": data["title"],
            "weight": data.get("weight", 1),
            "items": data["items"],
        }


class ScoringSchema(StrictSchema):
    critical_cap = Num(low=0, high=100, range_msg=m.CAP_RANGE, allow_none=True)


class ChecklistSchema(StrictSchema):
    slug = Str(SLUG_RE, m.BAD_SLUG, required=True)
    version = Num(integer=True, positive=True, required=True)
    title = Text(required=True)
    scoring = fields.Nested(ScoringSchema, allow_none=True, error_messages=_errors())
    sections = nested_list(SectionSchema, required=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unique_codes(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        sections = original.get("sections") if isinstance(original, dict) else None
        if not isinstance(sections, list):
            return
        problems: dict[int, dict[str, Any]] = {}
        section_codes: set[Any] = set()
        item_codes: set[Any] = set()
        for s_index, section in enumerate(sections):
            if not isinstance(section, dict):
                continue
            code = section.get("code")
            if isinstance(code, str) and code in section_codes:
                problems.setdefault(s_index, {})["code"] = [Msg(m.DUPLICATE_SECTION, code=code)]
            section_codes.add(code)
            items = section.get("items")
            for i_index, item in enumerate(items if isinstance(items, list) else []):
                code = item.get("code") if isinstance(item, dict) else None
                if isinstance(code, str) and code in item_codes:
                    slot = problems.setdefault(s_index, {}).setdefault("items", {})
                    slot[i_index] = {"code": [Msg(m.DUPLICATE_ITEM, code=code)]}
                item_codes.add(code)
        if problems:
            raise ValidationError({"sections": problems})

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        scoring = data.get("scoring") or {}
        return {
            "slug": data["slug"],
            "version": data["version"],
            "title": data["title"],
            "scoring": {"critical_cap": scoring.get("critical_cap")},
            "sections": data["sections"],
        }

"""Answers to a checklist: check their shape against the items, before anything is stored."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import messages as m
from .checklist import ChecklistSpec, Item
from .messages import Msg

TEXT_MAX = 5000
COMMENT_MAX = 2000
# No answer to a number item is larger than this (minutes, chairs, windows): a bigger one is a
# typing slip, and beyond 1e15 a float no longer holds every whole number.
NUMBER_LIMIT = 1_000_000


@dataclass(frozen=True)
class Answer:
    """A checked answer: value None means not answered."""

    value: Any
    comment: str | None


def _check_value(item: Item, value: Any) -> tuple[Any, Msg | None]:
    if value is None:
        return None, None
    if item.kind == "yesno":
        allowed = ("yes", "no", "na") if item.allow_na else ("yes", "no")
        if value not in allowed or not isinstance(value, str):
            return None, Msg(m.ANSWER_YESNO if item.allow_na else m.ANSWER_YESNO_NO_NA)
        return value, None
    if item.kind in ("scale", "number"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or abs(value) > 1e15  # before isfinite: a 400-digit int overflows a float
            or not math.isfinite(value)
        ):
            bad = Msg(m.ANSWER_SCALE, min=item.min, max=item.max)
            return None, bad if item.kind == "scale" else Msg(m.ANSWER_NUMBER)
        if item.kind == "scale":
            if value != int(value) or not (item.min or 0) <= value <= (item.max or 0):
                return None, Msg(m.ANSWER_SCALE, min=item.min, max=item.max)
            return int(value), None
        if abs(value) > NUMBER_LIMIT:
            return None, Msg(m.ANSWER_NUMBER_LIMIT, max=NUMBER_LIMIT)
        if item.whole:  # a count: minutes, people (docs/checklists.md)
            if value != int(value) or value < 0:
                return None, Msg(m.ANSWER_WHOLE)
            return int(value), None
        return value, None
    if item.kind == "choice":
        if not isinstance(value, str) or item.option(value) is None:
            return None, Msg(m.ANSWER_CHOICE, choices=", ".join(o.code for o in item.options))
        return value, None
    if not isinstance(value, str):
        return None, Msg(m.ANSWER_TEXT)
    if len(value) > TEXT_MAX:
        return None, Msg(m.ANSWER_TEXT_TOO_LONG, max=TEXT_MAX)
    value = value.strip()
    return (value or None), None


def _check_one(item: Item, raw: Any) -> tuple[Answer | None, list[Msg]]:
    if not isinstance(raw, Mapping):
        return None, [Msg(m.ANSWER_NOT_OBJECT)]
    problems = [
        Msg(m.ANSWER_UNKNOWN_KEY, key=key) for key in raw if key not in ("value", "comment")
    ]
    value, problem = _check_value(item, raw.get("value"))
    if problem is not None:
        problems.append(problem)
    comment = raw.get("comment")
    if comment is not None and not isinstance(comment, str):
        problems.append(Msg(m.ANSWER_COMMENT))
    elif isinstance(comment, str) and len(comment) > COMMENT_MAX:
        problems.append(Msg(m.ANSWER_TEXT_TOO_LONG, max=COMMENT_MAX))
    comment = (comment or "").strip() or None if isinstance(comment, str) else None
    return Answer(value, comment), problems


def check_answers(
    spec: ChecklistSpec, raw: Any, *, submit: bool
) -> tuple[dict[str, Answer], dict[str, list[Msg]]]:
    """Return the answers worth keeping and the problems, keyed by item code.

    On submit every required item must have a value ("na" counts where it is allowed).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        return {}, {"": [Msg(m.NOT_MAPPING)]}
    items = spec.items
    answers: dict[str, Answer] = {}
    problems: dict[str, list[Msg]] = {}
    for code, value in raw.items():
        item = items.get(code)
        if item is None:
            problems[str(code)] = [Msg(m.ANSWER_UNKNOWN_ITEM, code=code)]
            continue
        answer, found = _check_one(item, value)
        if found:
            problems[code] = found
        elif answer is not None and (answer.value is not None or answer.comment):
            answers[code] = answer
    if submit:
        for item in spec.iter_items():
            missing = item.code not in answers or answers[item.code].value is None
            if item.required and item.code not in problems and missing:
                problems[item.code] = [Msg(m.ANSWER_REQUIRED)]
    return answers, problems

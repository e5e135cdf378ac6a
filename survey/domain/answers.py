"""Answers to a checklist: check their shape against the items, before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import messages as m
from .answer_kinds import kind_of
from .messages import Msg
from .spec import ChecklistSpec, Item

COMMENT_MAX = 2000


@dataclass(frozen=True)
class Answer:
    """A checked answer: value None means not answered."""

    value: Any
    comment: str | None


def _check_one(item: Item, raw: Any) -> tuple[Answer | None, list[Msg]]:
    if not isinstance(raw, Mapping):
        return None, [Msg(m.ANSWER_NOT_OBJECT)]
    problems = [
        Msg(m.ANSWER_UNKNOWN_KEY, key=key) for key in raw if key not in ("value", "comment")
    ]
    value, problem = raw.get("value"), None
    if value is not None:  # the kind checks and normalises it (answer_kinds.py)
        value, problem = kind_of(item).check(item, value)
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

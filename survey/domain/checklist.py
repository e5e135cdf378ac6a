"""Checklist definitions: parse and validate them, and build the model of spec.py (DESIGN §3).

An item is read by the schema of its kind: the common keys here, its own from its class in
answer_kinds.py.

A definition is refused as a whole with every problem listed, path like
`sections[1].items[3].weight`, so a writer fixes them all in one round.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, cast

import yaml
from marshmallow import ValidationError, fields, post_load, pre_load, validates_schema

from . import checklist_schema as f
from . import messages as m
from .answer_kinds import KINDS, AnswerKind
from .messages import Msg, render
from .spec import ChecklistSpec, Item, Option, Section
from .yamlload import load_yaml

EVIDENCE = ("none", "optional", "recommended", "required")
SLUG_RE = re.compile(r"^[a-z0-9-]+$")
CODE_RE = re.compile(r"^[a-z0-9_]+$")
COMMON_KEYS = ("code", "kind", "text", "help", "recommendation", "weight", "required", "evidence")


class ItemSchema(f.StrictSchema):
    """An item's common keys; item_schema() adds the `kind` choice and a kind's own keys.
    A key of another kind is refused as such, not as unknown (a misplaced key, not a typo)."""

    code = f.Str(CODE_RE, m.BAD_CODE, required=True)
    text = f.Text(required=True)
    help = f.Text(allow_none=True)
    recommendation = f.Text(allow_none=True)
    weight = f.Num(positive=True, load_default=1)
    required = f.Bool(load_default=True)
    evidence = f.OneOf(EVIDENCE, load_default="optional")
    others: ClassVar[frozenset[str]] = frozenset()  # the keys of the other kinds

    @pre_load
    def _set_aside_other_kinds(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if key not in self.others}

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _kind_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        kind = KINDS.get(data.get("kind", ""))
        if kind is None or not isinstance(original, dict):
            return
        problems: dict[str, Any] = {
            key: [Msg(m.NOT_FOR_KIND, kind=kind.code)] for key in original if key in self.others
        }
        problems.update(kind.check_spec(data, original))
        if problems:
            raise ValidationError(problems)

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        item = {key: data[key] for key in COMMON_KEYS if data.get(key) is not None}
        return {**item, **KINDS[data["kind"]].normalise_spec(data)}


@cache
def item_schema(kind: AnswerKind | None, kinds: tuple[AnswerKind, ...]) -> type[ItemSchema]:
    """The schema of an item of `kind` (None: unknown, the common keys only) among `kinds`."""
    own = kind.keys if kind is not None else {}
    choices = f.OneOf(tuple(k.code for k in kinds), required=True)
    schema = cast(type[ItemSchema], ItemSchema.from_dict({"kind": choices, **own}))
    schema.others = frozenset().union(*(k.keys for k in kinds)) - set(own)
    return schema


class ItemField(fields.Field):
    """An item, read by the schema of its kind."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(error_messages=f.field_errors(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError(Msg(m.NOT_MAPPING))
        code = value.get("kind")
        kind = KINDS.get(code) if isinstance(code, str) else None
        try:
            return item_schema(kind, tuple(KINDS.values()))().load(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class SectionSchema(f.StrictSchema):
    code = f.Str(CODE_RE, m.BAD_CODE, required=True)
    title = f.Text(required=True)
    weight = f.Num(positive=True, load_default=1)
    items = f.ListOf(ItemField(), required=True)


class ScoringSchema(f.StrictSchema):
    critical_cap = f.Num(low=0, high=100, range_msg=m.CAP_RANGE, allow_none=True, load_default=None)


class ChecklistSchema(f.StrictSchema):
    slug = f.Str(SLUG_RE, m.BAD_SLUG, required=True)
    version = f.Num(integer=True, positive=True, required=True)
    title = f.Text(required=True)
    scoring = f.nested(ScoringSchema, allow_none=True)
    sections = f.nested_list(SectionSchema, required=True)

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
        return {**data, "scoring": data.get("scoring") or {"critical_cap": None}}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one place."""

    file: str
    path: str
    message: str

    def format(self, gettext: Any = None) -> str:
        return f"{self.file}: {self.path}: {render(self.message, gettext)}"


def _item(data: dict[str, Any], section: str) -> Item:
    pass_if = data.get("pass_if") or {}
    item = Item(
        code=data["code"],
        kind=data["kind"],
        text=data["text"],
        help=data.get("help"),
        recommendation=data.get("recommendation"),
        weight=data["weight"],
        required=data["required"],
        evidence=data["evidence"],
        section=section,
        critical=data.get("critical", False),
        pass_answer=data.get("pass", "yes"),
        allow_na=data.get("allow_na", True),
        min=data.get("min"),
        max=data.get("max"),
        unit=data.get("unit"),
        pass_min=pass_if.get("min"),
        pass_max=pass_if.get("max"),
        has_pass_if="pass_if" in data,
        whole=data.get("whole", False),
        options=tuple(Option(o["code"], o["label"], o["score"]) for o in data.get("options", [])),
        data=data,
    )
    return replace(item, scorable=KINDS[item.kind].scorable(item))


def spec_from_data(data: dict[str, Any]) -> ChecklistSpec:
    """Build the model from a normalised definition (as validate() returns or the DB stores)."""
    return ChecklistSpec(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        critical_cap=data["scoring"]["critical_cap"],
        sections=tuple(
            Section(
                code=s["code"],
                title=s["title"],
                weight=s["weight"],
                items=tuple(_item(i, s["code"]) for i in s["items"]),
            )
            for s in data["sections"]
        ),
        data=data,
    )


def _flatten(errors: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "_schema":
                path = prefix or "document"
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(value, path)
    elif isinstance(errors, list | tuple):
        for message in errors:
            if isinstance(message, dict | list):
                yield from _flatten(message, prefix)
            else:
                yield prefix or "document", message
    else:
        yield prefix or "document", errors


def _path_key(path: str) -> list[Any]:
    """Sort problems in document order: sections[2] before sections[10]."""
    parts: list[Any] = []
    for token in path.replace("[", ".[").split("."):
        if token.startswith("[") and token.endswith("]") and token[1:-1].isdigit():
            parts.append((0, int(token[1:-1]), ""))
        else:
            parts.append((1, 0, token))
    return parts


def validate_data(data: Any, file: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Validate a parsed YAML document; return the normalised definition or every problem."""
    if not isinstance(data, dict):
        return None, [Problem(file, "document", Msg(m.NOT_A_CHECKLIST))]
    try:
        normalised = ChecklistSchema().load(data)
    except ValidationError as exc:
        problems = [Problem(file, p, msg) for p, msg in _flatten(exc.messages)]
        problems.sort(key=lambda p: _path_key(p.path))
        return None, problems
    return normalised, []


def parse_source(text: str, file: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and validate one checklist's YAML source."""
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "document"
        problem = exc.problem or str(exc)
        if isinstance(problem, Msg):
            return None, [Problem(file, where, problem)]
        return None, [Problem(file, where, Msg(m.YAML_SYNTAX, problem=problem))]
    except yaml.YAMLError as exc:
        return None, [Problem(file, "document", Msg(m.YAML_SYNTAX, problem=str(exc)))]
    return validate_data(data, file)


@dataclass(frozen=True)
class SourceFile:
    """A validated definition with where it came from and the hash of its bytes."""

    file: str
    sha256: str
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        return self.data["slug"], self.data["version"]


def read_files(paths: Iterable[Path]) -> tuple[list[SourceFile], list[Problem]]:
    """Read and validate every file; the caller loads them only if there is no problem at all."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), "document", Msg(m.UNREADABLE, reason=str(exc))))
            continue
        data, found = parse_source(text, str(path))
        problems.extend(found)
        if data is not None:
            sources.append(SourceFile(str(path), hashlib.sha256(raw).hexdigest(), data))
    seen: dict[tuple[str, int], SourceFile] = {}
    for source in sources:
        other = seen.get(source.key)
        if other is not None and other.data != source.data:
            problems.append(
                Problem(
                    source.file,
                    "version",
                    Msg(
                        m.SAME_VERSION_TWICE,
                        slug=source.key[0],
                        version=source.key[1],
                        other=other.file,
                    ),
                )
            )
        seen.setdefault(source.key, source)
    return sources, problems


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """A folder stands for the *.yaml and *.yml files in it, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            found.append(path)
    return found

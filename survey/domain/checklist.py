"""Checklist definitions: parse, validate and model them (DESIGN §3).

A definition is refused as a whole with every problem listed, path like
`sections[1].items[3].weight`, so a writer fixes them all in one round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from . import messages as m
from .checklist_schema import ChecklistSchema
from .messages import Msg, render
from .yamlload import load_yaml

SCORABLE_KINDS = ("yesno", "scale", "choice", "number")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one place."""

    file: str
    path: str
    message: str

    def format(self, gettext: Any = None) -> str:
        return f"{self.file}: {self.path}: {render(self.message, gettext)}"


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]
    score: float | None


@dataclass(frozen=True)
class Item:
    code: str
    kind: str
    text: dict[str, str]
    weight: float
    required: bool
    evidence: str
    section: str
    help: dict[str, str] | None = None
    recommendation: dict[str, str] | None = None
    critical: bool = False
    pass_answer: str = "yes"
    allow_na: bool = True
    min: int | None = None
    max: int | None = None
    unit: dict[str, str] | None = None
    pass_min: float | None = None
    pass_max: float | None = None
    has_pass_if: bool = False
    whole: bool = False  # number: only whole numbers (e.g. minutes rounded as the help asks)
    options: tuple[Option, ...] = ()

    @property
    def scorable(self) -> bool:
        """Whether an answer can ever give this item a score (figures list only these)."""
        if self.kind == "number":
            return self.has_pass_if
        return self.kind in SCORABLE_KINDS

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Section:
    code: str
    title: dict[str, str]
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ChecklistSpec:
    slug: str
    version: int
    title: dict[str, str]
    critical_cap: float | None
    sections: tuple[Section, ...]
    data: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)

    @property
    def items(self) -> dict[str, Item]:
        return {item.code: item for section in self.sections for item in section.items}

    def iter_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items


def _item(data: dict[str, Any], section: str) -> Item:
    pass_if = data.get("pass_if") or {}
    return Item(
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
    )


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

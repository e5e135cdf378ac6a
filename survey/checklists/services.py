"""Loading checklist definitions into the database: all or nothing, idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..audit import services as audit
from ..domain import messages as m
from ..domain.checklist import Problem, SourceFile, expand_paths, parse_source, read_files
from ..domain.messages import Msg
from ..extensions import db
from .models import Checklist


class ChecklistProblems(Exception):
    """The definitions were refused; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class LoadResult:
    loaded: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)


def validate_paths(paths: Iterable[Path]) -> list[Problem]:
    """Every problem in every file, without touching the database."""
    _, problems = read_files(expand_paths(paths))
    return problems


def load_paths(paths: Iterable[Path], actor: Any = None) -> LoadResult:
    """Load definitions; a changed definition under a loaded slug+version refuses the batch."""
    return _load(*read_files(expand_paths(paths)), actor=actor)


def load_upload(name: str, raw: bytes, *, dry_run: bool = False, actor: Any = None) -> LoadResult:
    """One definition sent from the admin page: checked, then loaded unless it is a dry run."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChecklistProblems(
            [Problem(name, "document", Msg(m.UNREADABLE, reason=str(exc)))]
        ) from exc
    data, problems = parse_source(text, name)
    sources = [SourceFile(name, hashlib.sha256(raw).hexdigest(), data)] if data else []
    return _load(sources, problems, dry_run=dry_run, actor=actor)


def _load(
    sources: list[SourceFile], problems: list[Problem], *, dry_run: bool = False, actor: Any = None
) -> LoadResult:
    if problems:
        raise ChecklistProblems(problems)
    result = LoadResult()
    pending: list[Checklist] = []
    seen: set[tuple[str, int]] = set()
    for source in sources:
        if source.key in seen:
            continue
        seen.add(source.key)
        stored = get_checklist(*source.key)
        if stored is None:
            pending.append(
                Checklist(
                    slug=source.key[0],
                    version=source.key[1],
                    spec_data=source.data,
                    source_sha256=source.sha256,
                )
            )
            result.loaded.append(source.key)
        elif stored.spec_data == source.data:
            result.unchanged.append(source.key)
        else:
            problems.append(
                Problem(
                    source.file,
                    "version",
                    Msg(m.CHANGED_DEFINITION, slug=source.key[0], version=source.key[1]),
                )
            )
    if problems:
        raise ChecklistProblems(problems)
    if not dry_run:
        db.session.add_all(pending)
        for slug, version in result.loaded:
            audit.record("checklist.loaded", actor, slug=slug, version=version)
        db.session.commit()
    return result


MAX_VERSION = 2**31 - 1  # a database INTEGER; a larger number names no checklist


def get_checklist(slug: str, version: int) -> Checklist | None:
    """The checklist slug at version, or None (also for a version no database column can
    hold: a request naming 10**30 is refused as unknown, not a 500)."""
    if not isinstance(version, int) or not 0 <= version <= MAX_VERSION:
        return None
    return db.session.scalar(
        select(Checklist).where(Checklist.slug == slug, Checklist.version == version)
    )


def list_checklists() -> list[Checklist]:
    return list(db.session.scalars(select(Checklist).order_by(Checklist.slug, Checklist.version)))


@dataclass(frozen=True)
class Catalogue:
    """Every item and section code of the loaded checklists (a code keeps its meaning across
    checklists and versions): texts from the newest version that has each code."""

    items: dict[str, Any]  # item code -> domain Item
    sections: dict[str, dict[str, str]]  # section code -> title in kk/ru/en
    section_items: dict[str, frozenset[str]]  # section code -> its item codes, all versions


def catalogue() -> Catalogue:
    items: dict[str, Any] = {}
    sections: dict[str, dict[str, str]] = {}
    members: dict[str, set[str]] = {}
    for checklist in sorted(list_checklists(), key=lambda c: (c.version, c.id)):
        for section in checklist.spec.sections:
            sections[section.code] = section.title
            for item in section.items:
                items[item.code] = item
                members.setdefault(section.code, set()).add(item.code)
    return Catalogue(items, sections, {code: frozenset(v) for code, v in members.items()})

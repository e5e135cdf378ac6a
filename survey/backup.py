"""Backups that carry the database and the evidence, checked by SHA-256 sums.

The database travels as JSON lines, one file per table, so a backup taken on SQLite restores
into PostgreSQL and back. `restore` refuses a backup whose files do not match their sums, and
an instance that is not empty.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Date, DateTime, Integer, func, select, text

from .common.time import utcnow
from .extensions import db

FORMAT = 1
BATCH = 1000


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _alembic_version() -> str | None:
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup(target: Path) -> dict[str, Any]:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    (target / "db").mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in db.metadata.sorted_tables:
        path = target / "db" / f"{table.name}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            rows = db.session.execute(select(table).execution_options(yield_per=BATCH))
            count = 0
            for row in rows.mappings():
                fh.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
                fh.write("\n")
                count += 1
        counts[table.name] = count
    media = Path(current_app.config["MEDIA_ROOT"])
    if media.exists():
        for source in media.rglob("*"):
            relative = source.relative_to(media)
            if source.is_file() and relative.parts[0] != "tmp":
                copy = target / "media" / relative
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)
    files = {
        str(p.relative_to(target)): _sha256(p)
        for p in sorted(target.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "schema": _alembic_version(),
        "rows": counts,
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _check(source: Path) -> dict[str, Any]:
    manifest_path = source / "manifest.json"
    if not manifest_path.exists():
        raise BackupError(f"{source} has no manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for relative, expected in manifest["files"].items():
        path = source / relative
        if not path.exists() or _sha256(path) != expected:
            raise BackupError(f"{relative} does not match its SHA-256 sum")
    return manifest


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    for column in table.columns:
        value = row.get(column.name)
        if isinstance(value, str) and isinstance(column.type, DateTime):
            row[column.name] = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            row[column.name] = date.fromisoformat(value)
    return row


def restore(source: Path) -> dict[str, Any]:
    manifest = _check(source)
    if manifest["schema"] != _alembic_version():
        raise BackupError(
            f"the backup's schema is {manifest['schema']}, this instance's {_alembic_version()}:"
            " run `survey db upgrade` to the same version first"
        )
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            raise BackupError(f"this instance is not empty (table {table.name} has rows)")
    for table in db.metadata.sorted_tables:
        batch: list[dict[str, Any]] = []
        with (source / "db" / f"{table.name}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                batch.append(_typed(table, json.loads(line)))
                if len(batch) >= BATCH:
                    db.session.execute(table.insert(), batch)
                    batch = []
        if batch:
            db.session.execute(table.insert(), batch)
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.columns and isinstance(table.columns["id"].type, Integer):
                sql = (  # table names come from our own metadata, never from input
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                )
                db.session.execute(text(sql))
    db.session.commit()
    media = Path(current_app.config["MEDIA_ROOT"])
    if (source / "media").exists():
        for path in (source / "media").rglob("*"):
            if path.is_file():
                target = media / path.relative_to(source / "media")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    return manifest

"""Backups that carry the database and the evidence, checked by SHA-256 sums.

The database travels as JSON lines, one file per table, so a backup taken on SQLite restores
into PostgreSQL and back. Every table is read in one snapshot (see `snapshot`), so a backup
taken while people work restores: no answer without its visit. `restore` refuses a backup
whose files do not match their sums, and an instance that is not empty.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Date, DateTime, Integer, create_engine, func, select, text

from .audit.services import head as audit_head
from .common.time import utcnow
from .evidence.storage import held_for_backup
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


def _alembic_version(conn: Connection | None = None) -> str | None:
    query = text("SELECT version_num FROM alembic_version")
    return (conn or db.session).execute(query).scalar()


@contextmanager
def snapshot(scratch: Path) -> Iterator[Connection]:
    """A connection whose reads all see the database as of one instant, while others write.

    PostgreSQL: a connection of its own in a REPEATABLE READ, READ ONLY transaction, set
    before its first query; rows committed meanwhile are in no table of it.
    SQLite: the online backup API copies the whole file (into scratch, removed afterwards) in
    one read transaction, which WAL writers do not wait on; the connection reads that copy.
    (A deferred read transaction on the live file would do too, but the app begins every
    transaction with BEGIN IMMEDIATE, survey/setup.py, and would wait for the writer lock.)
    """
    if db.engine.dialect.name == "sqlite":
        copy = scratch / "snapshot.sqlite"
        source = db.engine.raw_connection()
        target = sqlite3.connect(copy)
        try:
            source.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
            source.close()
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
        return
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            yield conn
        finally:
            conn.rollback()


def _dump_tables(conn: Connection, folder: Path) -> dict[str, int]:
    """Each table as JSON lines in primary-key order; {table: rows written}."""
    counts = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as fh:
            count = 0
            for row in conn.execute(query.execution_options(yield_per=BATCH)).mappings():
                fh.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
                fh.write("\n")
                count += 1
        counts[table.name] = count
    return counts


def backup(target: Path) -> dict[str, Any]:
    """Write every table, the media and manifest.json into the empty folder target.

    The manifest: {"format", "created_at", "schema" (alembic revision), "rows": {table: n},
    "audit_head": {"id", "count", "hash"}, "files": {relative path: SHA-256}}. Tables, schema
    revision and audit head come from one snapshot (DESIGN §7, issue 17). Raises BackupError
    when target is not empty.
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    (target / "db").mkdir(parents=True, exist_ok=True)
    media = Path(current_app.config["MEDIA_ROOT"])
    with held_for_backup():  # no file a row of the snapshot names is removed meanwhile
        with snapshot(target) as conn:
            schema = _alembic_version(conn)
            head = audit_head(conn)
            counts = _dump_tables(conn, target / "db")
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
        "schema": schema,
        "rows": counts,
        "audit_head": head.as_json(),
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
    """Load a backup folder into this empty, migrated instance; its manifest (see `backup`).

    Raises BackupError, before writing anything, when a file does not match its SHA-256 sum,
    the schema revision differs or a table has rows (DESIGN §7). Commits.
    """
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

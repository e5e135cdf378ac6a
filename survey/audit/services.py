"""Writing and checking the audit chain.

hash = HMAC-SHA256(SURVEY_AUDIT_KEY, prev_hash | at | actor | action | canonical JSON of
details) (issue 17). Changing any row, or removing one, breaks every hash after it, and
`survey audit verify` says where; the key lives outside the database, so whoever can write the
table cannot recompute the hashes. Removing the last rows leaves a shorter chain that is still
whole: a head (`survey audit head`, kept elsewhere) catches that.

Rows written before issue 17 were hashed with plain SHA-256. `survey audit rekey` checks such a
chain and signs it again with the key, once (docs/deploy.md §7); until then `verify` reports
them, since a plain SHA-256 row is what a forger would write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from ..common.time import utcnow
from ..extensions import db
from .models import AuditLog

GENESIS = "0" * 64
CHAIN_LOCK = 4242  # pg_advisory_xact_lock key: one writer extends the chain at a time
HEAD_LINE = re.compile(r"\s*(\d+)\s+([0-9a-f]{64})\s*")


class AuditError(Exception):
    """A head that cannot be read, or a chain that cannot be signed again; says why."""


@dataclass(frozen=True)
class Head:
    """Where the chain ends: the last row's id (None when empty), the row count, its hash."""

    id: int | None
    count: int
    hash: str

    def line(self) -> str:
        """`<count> <hash>`, the form DESIGN §9 gives `survey audit head`."""
        return f"{self.count} {self.hash}"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "count": self.count, "hash": self.hash}


def _message(prev: str, at: datetime, actor: int | None, action: str, details: Any) -> bytes:
    body = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    stamp = at.replace(microsecond=0).isoformat()
    return "|".join([prev, stamp, str(actor or ""), action, body]).encode()


def _signed(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _plain(message: bytes) -> str:
    """The hash before issue 17: anyone can compute it, so it proves nothing on its own."""
    return hashlib.sha256(message).hexdigest()


def _row_message(row: AuditLog) -> bytes:
    return _message(row.prev_hash, row.at, row.actor_id, row.action, row.details)


def configured_key() -> bytes:
    """SURVEY_AUDIT_KEY as bytes (config.py: the environment, else a key kept in instance/)."""
    key = current_app.config.get("AUDIT_KEY") or ""
    if not key:
        raise AuditError("SURVEY_AUDIT_KEY is not set")
    return str(key).encode()


def _lock_chain() -> None:
    """Be the one writer of the chain until the transaction ends.

    PostgreSQL: an advisory lock; SQLite: the transaction the app opens with BEGIN IMMEDIATE
    (survey/setup.py) is already the one writer.
    """
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def record(action: str, actor: Any = None, **details: Any) -> AuditLog:
    """Add a row to the chain in the caller's transaction (committed with the change itself)."""
    if has_request_context():
        details.setdefault("ip", request.remote_addr)
    _lock_chain()
    last = db.session.scalar(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1))
    prev = last or GENESIS
    at = utcnow().replace(microsecond=0)
    actor_id = getattr(actor, "id", actor)
    row = AuditLog(
        at=at,
        actor_id=actor_id,
        action=action,
        details=details,
        prev_hash=prev,
        hash=_signed(configured_key(), _message(prev, at, actor_id, action, details)),
    )
    db.session.add(row)
    db.session.flush()
    return row


def head(conn: Connection | Session | None = None) -> Head:
    """The chain's end now, read through conn (e.g. a backup's snapshot) or the session."""
    source = conn if conn is not None else db.session
    count = source.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    last = source.execute(
        select(AuditLog.id, AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)
    ).first()
    return Head(last.id, count, last.hash) if last else Head(None, 0, GENESIS)


def _head_from_json(data: Any, where: str) -> Head:
    found = data.get("audit_head", data) if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise AuditError(f"{where} holds no audit head (count and hash)")
    count, digest, last_id = found.get("count"), found.get("hash"), found.get("id")
    if (
        type(count) is not int
        or not isinstance(digest, str)
        or not HEAD_LINE.fullmatch(f"{count} {digest}")
        or not (last_id is None or type(last_id) is int)
    ):
        raise AuditError(f"{where} holds no audit head (count and hash)")
    return Head(last_id, count, digest)


def parse_head(value: str) -> Head:
    """A head given to `survey audit verify --head`.

    value is `<count> <hash>` as `survey audit head` prints it, or a file holding that line,
    the JSON `survey audit head --output` writes, or a backup's manifest.json (its
    "audit_head"). Raises AuditError when it is none of these.
    """
    inline = HEAD_LINE.fullmatch(value)
    if inline:
        return Head(None, int(inline.group(1)), inline.group(2))
    path = Path(value)
    if not value.strip() or not path.is_file():
        raise AuditError(f'"{value}" is neither "<count> <hash>" nor a file holding a head')
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"{value} cannot be read as a head: {exc}") from None
    inline = HEAD_LINE.fullmatch(content)
    if inline:
        return Head(None, int(inline.group(1)), inline.group(2))
    try:
        data = json.loads(content)
    except ValueError:
        raise AuditError(f"{value} holds no audit head (count and hash)") from None
    return _head_from_json(data, value)


def _ranges(ids: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7": a long run of rows in one line."""
    parts: list[str] = []
    start = prev = ids[0]
    for current in [*ids[1:], None]:
        if current is not None and current == prev + 1:
            prev = current
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if current is not None:
            start = prev = current
    return ", ".join(parts)


def verify(expected: Head | None = None, key: bytes | None = None) -> list[str]:
    """Every break in the chain, as readable lines; empty when the log is intact.

    Each row must follow the one before (prev_hash) and carry the HMAC of its content under
    key (default: the configured SURVEY_AUDIT_KEY). With expected (a head taken earlier), the
    chain must still hold that head's row, with that hash, at that position: rows added after
    it pass, rows removed at the end do not (DESIGN §9).
    """
    key = key or configured_key()
    problems: list[str] = []
    changed: list[int] = []
    plain: list[int] = []  # before the first signed row: written before the key
    forged: list[int] = []  # plain after a signed row: nobody upgrading writes those
    signed_seen = False
    prev = GENESIS
    count = 0
    at_head: str | None = None
    for row in db.session.scalars(select(AuditLog).order_by(AuditLog.id)):
        count += 1
        if row.prev_hash != prev:
            problems.append(f"row {row.id}: does not follow the row before (one was removed?)")
        message = _row_message(row)
        if hmac.compare_digest(_signed(key, message), row.hash):
            signed_seen = True
        elif _plain(message) == row.hash:
            (forged if signed_seen else plain).append(row.id)
        else:
            changed.append(row.id)
        if expected is not None and count == expected.count:
            at_head = row.hash
        prev = row.hash
    if changed and len(changed) == count:
        problems.append(
            f"none of the {count} rows matches the audit key: is SURVEY_AUDIT_KEY the key"
            " this log was signed with?"
        )
    else:
        problems.extend(f"row {row_id}: its content was changed" for row_id in changed)
    if forged:
        problems.append(
            f"rows {_ranges(forged)}: hashed with plain SHA-256 after rows signed with the key:"
            " forged (never sign them: restore the log from a backup)"
        )
    if plain:
        problems.append(
            f"rows {_ranges(plain)}: hashed with plain SHA-256, not signed with the audit key"
            " (forged, or written before the key; `survey audit rekey` signs an old log once)"
        )
    if expected is not None:
        problems.extend(_against_head(expected, count, at_head))
    return problems


def _against_head(expected: Head, count: int, at_head: str | None) -> list[str]:
    if count < expected.count:
        return [
            f"the log has {count} rows, the head {expected.count}: rows were removed at the end"
        ]
    if expected.count and at_head != expected.hash:
        return [
            f"row {expected.count} of the log is not the head's row: rows were removed or"
            " replaced at the end"
        ]
    return []


def rekey(old_key: bytes | None = None) -> tuple[int, Head]:
    """Check the chain as it is signed now, then sign every row again with the configured key.

    Once after upgrading past issue 17, the rows before the first signed one may be plain
    SHA-256 (accepted here only; a plain row after a signed one is a forgery and refused);
    when changing keys, old_key is the key they are signed with now. Rows already signed with
    the configured key are accepted too. Nothing is changed, and AuditError lists the breaks,
    when any row does not match or does not follow the row before. Returns (rows signed again,
    the new head); an `audit.rekeyed` row records the old head. Commits. A chain signed with
    the configured key throughout is left as it is: (0, its head).
    """
    key = configured_key()
    _lock_chain()
    rows = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
    problems: list[str] = []
    prev = GENESIS
    keys = [key] if old_key is None else [old_key, key]
    current = True  # every row signed with the configured key already
    signed_seen = False  # plain SHA-256 rows are accepted only before the first signed one
    unmatched = 0
    for row in rows:
        message = _row_message(row)
        if row.prev_hash != prev:
            problems.append(f"row {row.id}: does not follow the row before (one was removed?)")
        signed = [hmac.compare_digest(_signed(k, message), row.hash) for k in keys]
        if any(signed):
            signed_seen = True
        elif _plain(message) != row.hash:
            unmatched += 1
            problems.append(f"row {row.id}: its content was changed")
        elif signed_seen:
            problems.append(f"row {row.id}: plain SHA-256 after signed rows: forged")
        current = current and signed[keys.index(key)]
        prev = row.hash
    if rows and unmatched == len(rows):
        problems = [
            f"none of the {len(rows)} rows matches the audit key (or --old-key-file): is it"
            " the key this log was signed with?"
        ]
    if problems:
        db.session.rollback()
        raise AuditError("\n".join(problems))
    if current:
        db.session.rollback()
        return 0, head()
    old_head = Head(rows[-1].id, len(rows), rows[-1].hash) if rows else Head(None, 0, GENESIS)
    prev = GENESIS
    for row in rows:
        row.prev_hash = prev
        row.hash = _signed(key, _row_message(row))
        prev = row.hash
    db.session.flush()
    record("audit.rekeyed", None, rows=len(rows), old_head=old_head.as_json())
    db.session.commit()
    return len(rows), head()

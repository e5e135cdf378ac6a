"""Writing and checking the audit chain.

hash = SHA-256(prev_hash | at | actor | action | canonical JSON of details). Changing any row,
or removing one, breaks every hash after it, and `survey audit verify` says where.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select, text

from ..common.time import utcnow
from ..extensions import db
from .models import AuditLog

GENESIS = "0" * 64


def _digest(prev: str, at: str, actor: int | None, action: str, details: dict[str, Any]) -> str:
    body = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    text = "|".join([prev, at, str(actor or ""), action, body])
    return hashlib.sha256(text.encode()).hexdigest()


def record(action: str, actor: Any = None, **details: Any) -> AuditLog:
    """Add a row to the chain in the caller's transaction (committed with the change itself)."""
    if has_request_context():
        details.setdefault("ip", request.remote_addr)
    if db.engine.dialect.name == "postgresql":  # one writer at a time extends the chain
        db.session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
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
        hash=_digest(prev, at.isoformat(), actor_id, action, details),
    )
    db.session.add(row)
    db.session.flush()
    return row


def verify() -> list[str]:
    """Every break in the chain, as readable lines; empty when the log is intact."""
    problems: list[str] = []
    prev = GENESIS
    for row in db.session.scalars(select(AuditLog).order_by(AuditLog.id)):
        if row.prev_hash != prev:
            problems.append(f"row {row.id}: does not follow the row before (one was removed?)")
        expected = _digest(
            row.prev_hash,
            row.at.replace(microsecond=0).isoformat(),
            row.actor_id,
            row.action,
            row.details,
        )
        if expected != row.hash:
            problems.append(f"row {row.id}: its content was changed")
        prev = row.hash
    return problems

"""Evidence: attach (from the API, the pages or a finished resumable upload), list, remove.

One path for every source: checks the bytes, builds metadata-free derivatives, stores all three
objects under content-addressed keys, then writes the row. Any refusal leaves no file and no row.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_lib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..auth.models import User
from ..domain.media import Sniffed, near_duplicate, sniff
from ..errors import Conflict, InvalidInput, NotFound, ServiceError
from ..extensions import db
from ..visits.flow import own_visit
from ..visits.models import Visit
from . import errors
from .images import PhotoResult, process_photo
from .intake import HashingFile, forget_scratch, remember_scratch
from .models import Evidence, Upload
from .storage import removal_allowed, scratch_dir, storage
from .videos import VideoResult, process_video

MIB = 1024 * 1024
SIGNED = 1 << 63
STORED_LOCKS = 1717  # first key of pg_advisory_xact_lock(int, int): stored objects, by key


def to_signed(value: int | None) -> int | None:
    """64-bit hashes as signed integers, so BIGINT columns hold them on every database."""
    return None if value is None else (value - (1 << 64) if value >= SIGNED else value)


def to_unsigned(value: int | None) -> int | None:
    return None if value is None else value & ((1 << 64) - 1)


@dataclass(frozen=True)
class Incoming:
    """Bytes received and hashed; where they sit and what they are."""

    path: Path
    sha256: str
    size: int


def _limits() -> dict[str, int]:
    cfg = current_app.config
    return {
        "photo": cfg["EVIDENCE_PHOTO_MAX"],
        "video": cfg["EVIDENCE_VIDEO_MAX"],
        "pixels": cfg["EVIDENCE_MAX_PIXELS"],
    }


def _check(incoming: Incoming) -> Sniffed:
    """415 for what we do not take, 413 over a limit, 422 for an empty file."""
    if incoming.size == 0:
        raise errors.empty()
    with incoming.path.open("rb") as fh:
        found = sniff(fh.read(64))
    if found is None:
        raise errors.unsupported()
    limits = _limits()
    if found.kind == "photo" and incoming.size > limits["photo"]:
        raise errors.too_large_photo(limits["photo"] // MIB)
    if found.kind == "video" and incoming.size > limits["video"]:
        raise errors.too_large_video(limits["video"] // MIB)
    return found


def _item_code(visit: Visit, item: str | None) -> str | None:
    if not item:
        return None
    if item not in visit.checklist.spec.items:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"item": [_l("There is no item %(code)s in this checklist.", code=item)]},
        )
    return item


def _evidence_uuid(raw: str | None) -> str:
    """The client's id for the evidence: a random (version 4) UUID, or one made here.

    Other versions are refused: version 1 and 6 hold the moment and the device's MAC address,
    version 7 the moment, and an office head sees evidence ids (issue 12).
    """
    if not raw:
        return str(uuid_lib.uuid4())
    try:
        parsed = uuid_lib.UUID(str(raw))
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"uuid": [_l("Give a random UUID (version 4); the app makes one.")]},
        )
    return str(parsed)


def incoming_from_file(received: Any) -> Incoming:
    """A file Werkzeug streamed into our hasher (see intake.SurveyRequest)."""
    stream = getattr(received, "stream", received)
    if not isinstance(stream, HashingFile):  # e.g. a test client's in-memory file
        stream.seek(0)
        stream = HashingFile.from_stream(stream, scratch_dir())
    stream.flush()
    return Incoming(stream.path, stream.sha256.hexdigest(), stream.size)


def incoming_from_upload(user: User, upload_id: str) -> tuple[Incoming, Upload]:
    upload = db.session.get(Upload, str(upload_id))
    if upload is None or upload.user_id != user.id:
        raise NotFound(_l("No such upload."))
    if not upload.complete:
        raise Conflict(_l("This upload is not finished yet."))
    part = scratch_dir() / f"upload-{upload.id}.part"
    with part.open("rb") as fh:
        hashed = HashingFile.from_stream(fh, scratch_dir())
    hashed.flush()
    return Incoming(hashed.path, hashed.sha256.hexdigest(), hashed.size), upload


def _existing(evidence_uuid: str, visit: Visit, sha256: str) -> Evidence | None:
    """A repeat with the same uuid and bytes is the same entry; anything else is a conflict."""
    found = db.session.scalar(select(Evidence).where(Evidence.uuid == evidence_uuid))
    if found is None:
        return None
    if found.visit_id == visit.id and found.sha256 == sha256:
        return found
    raise Conflict(_l("This evidence id is already used for other bytes or another visit."))


def _reuse_flags(visit: Visit, sha256: str, phash: int | None) -> list[Evidence]:
    """Evidence in other visits with the same bytes or a near-identical picture."""
    others = db.session.execute(
        select(Evidence.id, Evidence.sha256, Evidence.phash).where(Evidence.visit_id != visit.id)
    ).all()
    ids = [
        row.id
        for row in others
        if row.sha256 == sha256 or near_duplicate(to_unsigned(row.phash), phash)
    ]
    if not ids:
        return []
    return list(db.session.scalars(select(Evidence).where(Evidence.id.in_(ids))))


def _store(found: Sniffed, incoming: Incoming, result: Any) -> dict[str, str]:
    sha = incoming.sha256
    display_ext = found.ext if found.kind == "video" else "jpg"
    keys = {
        "original": f"originals/{sha[:2]}/{sha}.{found.ext}",
        "display": f"derivatives/{sha[:2]}/{sha}/display.{display_ext}",
        "thumb": f"derivatives/{sha[:2]}/{sha}/thumb.jpg",
    }
    _lock_stored(keys.values())  # held until the row is committed (or rolled back)
    store = storage()
    store.put(result.display, keys["display"])
    store.put(result.thumb, keys["thumb"])
    store.put(incoming.path, keys["original"])
    for path in (incoming.path, result.display, result.thumb):
        forget_scratch(path)
    return keys


def _process(found: Sniffed, incoming: Incoming) -> PhotoResult | VideoResult:
    cfg = current_app.config
    scratch = scratch_dir()
    result: PhotoResult | VideoResult
    if found.kind == "photo":
        result = process_photo(
            incoming.path,
            scratch,
            max_pixels=cfg["EVIDENCE_MAX_PIXELS"],
            display_max=cfg["EVIDENCE_DISPLAY_MAX"],
            thumb_max=cfg["EVIDENCE_THUMB_MAX"],
        )
    else:
        result = process_video(
            incoming.path, scratch, found.ext, thumb_max=cfg["EVIDENCE_THUMB_MAX"]
        )
    remember_scratch(result.display)
    remember_scratch(result.thumb)
    return result


def _ingest(incoming: Incoming, visit: Visit) -> tuple[Evidence, list[Evidence]]:
    """Check, process and store the bytes; an unsaved row and the other visits' matches."""
    found = _check(incoming)
    result = _process(found, incoming)
    matches = _reuse_flags(visit, incoming.sha256, result.phash)
    keys = _store(found, incoming, result)
    evidence = Evidence(
        uuid=str(uuid_lib.uuid4()),
        visit=visit,
        kind=found.kind,
        sha256=incoming.sha256,
        size=incoming.size,
        content_type=found.content_type,
        original_key=keys["original"],
        display_key=keys["display"],
        display_type=found.content_type if found.kind == "video" else "image/jpeg",
        thumb_key=keys["thumb"],
        captured_at=result.captured_at,
        captured_on=result.captured_on,
        phash=to_signed(result.phash),
        width=result.width,
        height=result.height,
        duration=getattr(result, "duration", None),
        flags=["reused"] if matches else [],
    )
    return evidence, matches


def _commit_or_drop(evidence: Evidence) -> None:
    """Commit the row; if that fails, its freshly stored files must not stay behind."""
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        _drop_unreferenced([evidence.original_key, evidence.display_key, evidence.thumb_key])
        raise


def add_proof(head: User, finding: Any, incoming: Incoming) -> Evidence:
    """A photo of the fix from the office head, through the same pipeline as evidence."""
    evidence, _matches = _ingest(incoming, finding.visit)
    evidence.finding_id = finding.id
    evidence.flags = []
    db.session.add(evidence)
    _commit_or_drop(evidence)
    return evidence


def add_evidence(
    user: User,
    visit_uuid: str,
    incoming: Incoming,
    *,
    evidence_uuid: str | None = None,
    item: str | None = None,
    upload: Upload | None = None,
) -> tuple[Evidence, bool]:
    """Attach one file to the caller's editable visit; (entry, created)."""
    visit = own_visit(user, visit_uuid, editable=True)
    code = _item_code(visit, item)
    ev_uuid = _evidence_uuid(evidence_uuid)
    repeat = _existing(ev_uuid, visit, incoming.sha256)
    if repeat is not None:
        return repeat, False
    # Decoding and re-encoding take a while: do it outside any transaction, so SQLite's
    # single writer lock is not held by a thread that is busy with pixels.
    db.session.commit()
    evidence, matches = _ingest(incoming, visit)
    evidence.uuid, evidence.item_code = ev_uuid, code
    for other in matches:
        if "reused" not in other.flags:
            other.flags = [*other.flags, "reused"]
    db.session.add(evidence)
    if upload is not None:
        db.session.delete(upload)
    _commit_or_drop(evidence)
    if upload is not None:
        (scratch_dir() / f"upload-{upload.id}.part").unlink(missing_ok=True)
    return evidence, True


def _lock_stored(keys: Iterable[str]) -> None:
    """Hold the locks of these stored objects until the session's transaction ends.

    An upload takes them before it finds or writes its files (_store) and keeps them until its
    row is committed; a removal takes them to count references and unlink (_drop_unreferenced).
    So a removal cannot unlink a file an upload has just found and is about to point a row at
    (issue 17). PostgreSQL: one transaction-level advisory lock per key, in sorted order (no
    deadlock between two holders). SQLite: the transaction the app begins with BEGIN IMMEDIATE
    (survey/setup.py) is already the one writer, and this makes sure one is open.
    """
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        digest = hashlib.sha256(key.encode()).digest()
        conn.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
            {"space": STORED_LOCKS, "key": int.from_bytes(digest[:4], "big", signed=True)},
        )


def _drop_unreferenced(keys: Iterable[str]) -> None:
    """Remove stored objects no row points at (content-addressed keys may be shared).

    Called after the rows that pointed at them are committed gone. Counting and unlinking run
    under the objects' locks (_lock_stored), released by the commit after the unlink: an upload
    of the same bytes either committed its row before (counted, the file stays) or finds no
    file after and writes it again. Counts are fresh statements after the lock, so they see
    what was committed meanwhile (PostgreSQL's default READ COMMITTED).
    """
    keys = list(keys)
    _lock_stored(keys)
    store = storage()
    with removal_allowed() as allowed:
        for key in keys if allowed else []:  # during a backup: left for `survey media clean`
            used = db.session.scalar(
                select(func.count(Evidence.id)).where(
                    (Evidence.original_key == key)
                    | (Evidence.display_key == key)
                    | (Evidence.thumb_key == key)
                )
            )
            if not used:
                store.delete(key)
    db.session.commit()


def remove_evidence(user: User, visit_uuid: str, evidence_uuid: str) -> None:
    """Remove while the visit can still be edited."""
    visit = own_visit(user, visit_uuid, editable=True)
    evidence = db.session.scalar(
        select(Evidence).where(Evidence.uuid == evidence_uuid, Evidence.visit_id == visit.id)
    )
    if evidence is None:
        raise NotFound(_l("No such evidence."))
    keys = [evidence.original_key, evidence.display_key, evidence.thumb_key]
    db.session.delete(evidence)
    db.session.commit()
    _drop_unreferenced(keys)


def evidence_of(visit: Visit) -> list[Evidence]:
    """The volunteer's evidence of a visit (an office's proofs of fixes are not part of it)."""
    query = select(Evidence).where(Evidence.visit_id == visit.id, Evidence.finding_id.is_(None))
    return list(db.session.scalars(query.order_by(Evidence.id)))


def proofs_of(finding: Any) -> list[Evidence]:
    query = select(Evidence).where(Evidence.finding_id == finding.id)
    return list(db.session.scalars(query.order_by(Evidence.id)))


def attach_files(
    user: User, visit_uuid: str, files: dict[str | None, list[Any]]
) -> tuple[int, dict[str, list[Any]]]:
    """Attach files from a page, each on its own; (how many attached, refusals by item)."""
    attached = 0
    refused: dict[str, list[Any]] = {}
    for item, received in files.items():
        for one in received:
            try:
                add_evidence(user, visit_uuid, incoming_from_file(one), item=item)
            except ServiceError as exc:
                refused.setdefault(item or "visit", []).append(exc.message)
            else:
                attached += 1
    return attached, refused


def evidence_by_item(visit: Visit) -> dict[str | None, list[Evidence]]:
    grouped: dict[str | None, list[Evidence]] = {}
    for evidence in evidence_of(visit):
        grouped.setdefault(evidence.item_code, []).append(evidence)
    return grouped


def clean_media() -> dict[str, int]:
    """Remove stored objects no row points at, and scratch files: what a crash leaves behind.

    Run at start-up (`survey media clean`, e.g. ExecStartPre) while no request is in flight.
    While a backup runs, orphans are counted as kept_for_backup and left for the next clean.
    """
    root = Path(current_app.config["MEDIA_ROOT"])
    keys: set[str] = set()
    for row in db.session.execute(
        select(Evidence.original_key, Evidence.display_key, Evidence.thumb_key)
    ):
        keys.update(row)
    uploads = {f"upload-{u}.part" for u in db.session.scalars(select(Upload.id))}
    removed = {"orphans": 0, "scratch": 0, "kept_for_backup": 0}
    with removal_allowed() as allowed:  # a running backup may still copy an orphan's file
        for folder in ("originals", "derivatives"):
            for path in (root / folder).rglob("*") if (root / folder).exists() else []:
                if path.is_file() and str(path.relative_to(root)) not in keys:
                    if allowed:
                        path.unlink()
                    removed["orphans" if allowed else "kept_for_backup"] += 1
    scratch = root / "tmp"
    for path in scratch.iterdir() if scratch.exists() else []:
        if path.is_file() and path.name not in uploads:
            path.unlink()
            removed["scratch"] += 1
    return removed

"""Resumable uploads, tus 1.0.0 core + creation: a phone on a bad line resumes, not restarts."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import FIELD_ROLES, User
from ..common.time import utcnow
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from ..extensions import db
from .errors import TooLarge
from .models import Upload
from .storage import scratch_dir

TUS_VERSION = "1.0.0"
CHUNK = 1024 * 1024


class OffsetMismatch(Conflict):
    """409: the client's offset is not where the upload stands."""


class WrongContentType(ServiceError):
    status, code = 415, "unsupported_type"


def max_size() -> int:
    cfg = current_app.config
    return max(cfg["EVIDENCE_VIDEO_MAX"], cfg["EVIDENCE_PHOTO_MAX"])


def create(user: User, length_header: str | None) -> Upload:
    if user.role not in FIELD_ROLES:
        raise Forbidden(_l("Only volunteers and auditors upload evidence."))
    if length_header is None or not re.fullmatch(r"[0-9]{1,15}", length_header):
        raise InvalidInput(_l("Give Upload-Length as a whole number of bytes."))
    length = int(length_header)
    expire_abandoned()
    if length > max_size():
        raise TooLarge(_l("This file is larger than %(mb)s MB.", mb=max_size() // (1024 * 1024)))
    upload = Upload(id=secrets.token_hex(16), user_id=user.id, length=length, offset=0)
    db.session.add(upload)
    db.session.commit()
    (scratch_dir() / f"upload-{upload.id}.part").touch()
    return upload


def get(user: User, upload_id: str) -> Upload:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.user_id != user.id:
        raise NotFound(_l("No such upload."))
    return upload


def append(
    user: User, upload_id: str, offset_header: str | None, content_type: str | None, body: IO[bytes]
) -> Upload:
    """Write a PATCH body at the upload's offset, never past the declared length."""
    if content_type != "application/offset+octet-stream":
        raise WrongContentType(_l("Send the bytes as application/offset+octet-stream."))
    upload = get(user, upload_id)
    if (
        not re.fullmatch(r"[0-9]{1,15}", offset_header or "")
        or int(offset_header or 0) != upload.offset
    ):
        raise OffsetMismatch(_l("Upload-Offset does not match; ask with HEAD and resume."))
    path = scratch_dir() / f"upload-{upload.id}.part"
    written = upload.offset
    with path.open("r+b") as fh:
        fh.seek(written)
        while chunk := body.read(CHUNK):
            room = upload.length - written
            fh.write(chunk[:room])
            written += min(len(chunk), room)
            if written >= upload.length:
                break
        fh.truncate(written)
    upload.offset = written
    db.session.commit()
    return upload


def expire_abandoned(hours: int | None = None) -> int:
    """Uploads not finished within the allowed time are removed, with their bytes."""
    limit = hours if hours is not None else current_app.config["UPLOAD_EXPIRY_HOURS"]
    stale = list(
        db.session.scalars(
            select(Upload).where(Upload.created_at < utcnow() - timedelta(hours=limit))
        )
    )
    for upload in stale:
        (scratch_dir() / f"upload-{upload.id}.part").unlink(missing_ok=True)
        db.session.delete(upload)
    if stale:
        db.session.commit()
    return len(stale)

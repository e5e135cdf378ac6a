"""Receiving bytes: every uploaded file streams to disk and is hashed as it arrives."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from flask import Request, current_app, g

from .storage import scratch_dir

CHUNK = 1024 * 1024


class HashingFile:
    """A temporary file beside the store that keeps a running SHA-256 and byte count."""

    def __init__(self, directory: Path) -> None:
        fd, name = tempfile.mkstemp(dir=directory, prefix="in-", suffix=".part")
        self.path = Path(name)
        self._fh: IO[bytes] = os.fdopen(fd, "w+b")
        self.sha256 = hashlib.sha256()
        self.size = 0
        remember_scratch(self.path)

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._fh.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    @classmethod
    def from_stream(
        cls, stream: IO[bytes], directory: Path, limit: int | None = None
    ) -> HashingFile:
        """Copy a stream (a finished resumable upload) through the hasher."""
        target = cls(directory)
        while chunk := stream.read(CHUNK):
            target.write(chunk)
            if limit is not None and target.size > limit:
                break
        target.flush()
        return target


def remember_scratch(path: Path) -> None:
    """Scratch files of this request are removed at its end, whatever happened."""
    g.setdefault("scratch_files", []).append(path)


def forget_scratch(path: Path) -> None:
    files = g.get("scratch_files") or []
    if path in files:
        files.remove(path)


def clean_scratch(_exc: BaseException | None = None) -> None:
    for path in g.pop("scratch_files", []):
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            current_app.logger.warning("could not remove %s", path)


class SurveyRequest(Request):
    """Uploads go to our scratch folder through the hasher, never into memory."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return HashingFile(scratch_dir())  # type: ignore[return-value]

"""Where evidence bytes live, behind one small interface chosen by config.

Keys are content-addressed (`originals/ab/abcdef….jpg`), so a repeat upload stores nothing new
and a key can never point at other bytes. An S3-compatible store can implement the same four
methods without touching callers (after Indico's core/storage/backend.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app


class Storage(Protocol):
    def put(self, source: Path, key: str) -> None:
        """Move a finished local file under key, atomically; an existing key is kept."""

    def local_path(self, key: str) -> Path:
        """A path to read the object from (downloaded first by remote stores)."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """A folder on this machine (SURVEY_MEDIA_ROOT)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"bad storage key {key!r}")
        return path

    def put(self, source: Path, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        _fsync(source)  # the bytes are on disk before anyone is told they are stored
        try:
            os.replace(source, target)  # atomic on the same file system
            _fsync_dir(target.parent)
        except OSError:
            staging = target.with_suffix(target.suffix + ".part")
            shutil.copyfile(source, staging)
            os.replace(staging, target)
            source.unlink(missing_ok=True)

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


@contextmanager
def _flock(mode: int) -> Iterator[bool]:
    """flock(2) on instance/backup.lock: every process of this machine sees it. The file is
    opened read-only, so a lock file another user made (a backup run by root) still serves.
    A removal (LOCK_NB) that cannot open it keeps its files: `survey media clean` removes
    them later; a backup that cannot open it fails (OSError)."""
    path = Path(current_app.instance_path) / "backup.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        if not mode & fcntl.LOCK_NB:
            raise
        current_app.logger.warning("%s cannot be opened (%s): files are left", path, exc)
        yield False
        return
    try:
        fcntl.flock(fd, mode)
    except BlockingIOError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def held_for_backup() -> Iterator[None]:
    """While a backup reads its snapshot and copies the files, no stored file is removed
    (issue 17): a removal meanwhile leaves its file, an orphan for `survey media clean`. Waits
    for removals in progress to finish; taken before the snapshot, so every file a row of the
    snapshot names is still there when the copy reaches it."""
    with _flock(fcntl.LOCK_EX):
        yield


@contextmanager
def removal_allowed() -> Iterator[bool]:
    """True when no backup runs, and none starts until the block ends; False during one."""
    with _flock(fcntl.LOCK_SH | fcntl.LOCK_NB) as allowed:
        yield allowed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """The rename itself is durable only once its folder is synced."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


BACKENDS: dict[str, Callable[[Flask], Storage]] = {
    "local": lambda app: LocalStorage(Path(app.config["MEDIA_ROOT"])),
}


def storage() -> Storage:
    """The store this app is configured with (SURVEY_STORAGE, default local)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("survey_storage")
    if cached is None:
        cached = BACKENDS[app.config.get("STORAGE", "local")](app)
        app.extensions["survey_storage"] = cached
    return cached


def scratch_dir() -> Path:
    """Temporary files sit beside the store, so finishing them is a rename."""
    path = Path(current_app.config["MEDIA_ROOT"]) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path

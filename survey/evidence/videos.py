"""Videos: probe with PyAV (FFmpeg), re-mux without metadata or data tracks, take a poster.

Re-muxing copies the audio and video packets as they are (no re-encoding), one at a time, so
memory stays flat whatever the size; location atoms, artist and device tags are not copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from . import errors
from .images import _clean_rgb, dhash

FORMATS = {"mp4": "mp4", "mov": "mov", "webm": "webm"}


@dataclass(frozen=True)
class VideoResult:
    width: int | None
    height: int | None
    duration: float | None
    captured_at: str | None
    captured_on: date | None
    display: Path
    thumb: Path
    phash: int | None


def _creation_time(container: Any) -> tuple[str | None, date | None]:
    raw = container.metadata.get("creation_time")
    if not raw:
        for stream in container.streams:
            raw = stream.metadata.get("creation_time")
            if raw:
                break
    if not raw:
        return None, None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    return moment.isoformat(), moment.date()


def _remux(source: Any, target: Path, ext: str) -> None:
    import av

    options = {"movflags": "+faststart"} if ext in ("mp4", "mov") else {}
    with av.open(str(target), "w", format=FORMATS[ext], options=options) as out:
        mapping = {}
        for stream in source.streams:
            if stream.type in ("video", "audio"):
                copy = out.add_stream_from_template(stream)
                copy.metadata.clear()
                mapping[stream.index] = copy
        if not any(s.type == "video" for s in source.streams):
            raise errors.broken_video()
        out.metadata.clear()
        for packet in source.demux(*[source.streams[i] for i in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


def _poster(path: Path, thumb: Path, thumb_max: int) -> tuple[int | None, int | None, int | None]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            image = _clean_rgb(frame.to_image())
            width, height = image.size
            image.thumbnail((thumb_max, thumb_max), Image.Resampling.LANCZOS)
            image.save(thumb, "JPEG", quality=80)
            return width, height, dhash(image)
    raise errors.broken_video()


def process_video(source: Path, scratch: Path, ext: str, *, thumb_max: int) -> VideoResult:
    import av  # FFmpeg is big: loaded with the first video, not with the app

    display = scratch / f"{source.name}.display.{ext}"
    thumb = scratch / f"{source.name}.thumb.jpg"
    try:
        with av.open(str(source)) as container:
            captured_at, captured_on = _creation_time(container)
            duration = float(container.duration) / av.time_base if container.duration else None
            _remux(container, display, ext)
        width, height, phash = _poster(source, thumb, thumb_max)
    except errors.BrokenFile:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        display.unlink(missing_ok=True)
        thumb.unlink(missing_ok=True)
        raise errors.broken_video() from exc
    return VideoResult(width, height, duration, captured_at, captured_on, display, thumb, phash)

"""Videos: probe with PyAV (FFmpeg), re-mux without metadata or data tracks, take a poster.

Re-muxing copies the audio and video packets (no re-encoding), one at a time, so memory stays
flat whatever the size; location atoms, artist and device tags are not copied. H.264 and HEVC
packets go through an FFmpeg bitstream filter that drops SEI units, where encoders and phones
write user data (encoder settings, serial numbers, timestamps); other codecs are copied as is.
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

# FFmpeg's filter_units bitstream filter, by codec (not decoder) name: it removes every SEI NAL
# unit (H.264 type 6, HEVC prefix 39 and suffix 40); the pictures decode the same without them.
SEI_FILTERS = {
    "h264": "filter_units=remove_types=6",
    "hevc": "filter_units=remove_types=39|40",
}


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


def _sei_filter(stream: Any, copy: Any) -> Any | None:
    """A bitstream filter that drops SEI units from ``stream``'s packets; None if not H.264/HEVC.

    Built from ``stream``, the filter reads packets in the MP4 form (length-prefixed NAL units)
    and writes them in Annex B form, which the MP4/MOV muxer turns back into length-prefixed.
    It also rewrites the header record (avcC/hvcC) into ``copy`` as Annex B, but without
    filtering it; an avcC holds only parameter sets, an hvcC may hold SEI too (x265 puts its
    version and settings there), so the record goes through a second filter of its own.
    """
    import av

    codec = stream.codec_context.codec
    description = SEI_FILTERS.get(codec.canonical_name)
    if description is None:
        return None
    packet_filter = av.bitstream.BitStreamFilterContext(description, stream, copy)
    context = copy.codec_context
    # The muxer's choice (avc1, hev1), except that Apple plays HEVC only tagged hvc1: an
    # iPhone's video keeps that tag, or Safari would not play its display copy.
    keep = stream.codec_context.codec_tag == "hvc1"
    context.codec_tag = "hvc1" if keep else "\0\0\0\0"
    extradata = context.extradata
    if extradata:
        if not extradata.startswith((b"\0\0\1", b"\0\0\0\1")):
            raise errors.broken_video()  # filter_units writes Annex B or fails; never copy blind
        header_filter = av.bitstream.BitStreamFilterContext(description, codec)
        kept = header_filter.filter(av.Packet(extradata)) + header_filter.filter(None)
        context.extradata = b"".join(bytes(packet) for packet in kept) or None
    return packet_filter


def _remux(source: Any, target: Path, ext: str) -> None:
    """Copy the audio and video of ``source`` into ``target`` without metadata or SEI units."""
    import av

    options = {"movflags": "+faststart"} if ext in ("mp4", "mov") else {}
    with av.open(str(target), "w", format=FORMATS[ext], options=options) as out:
        mapping = {}
        filters = {}
        for stream in source.streams:
            if stream.type in ("video", "audio"):
                copy = out.add_stream_from_template(stream)
                copy.metadata.clear()
                mapping[stream.index] = copy
                if stream.type == "video" and (sei_filter := _sei_filter(stream, copy)):
                    filters[stream.index] = sei_filter
        if not any(s.type == "video" for s in source.streams):
            raise errors.broken_video()
        out.metadata.clear()
        for packet in source.demux(*[source.streams[i] for i in mapping]):
            if packet.dts is None:
                continue
            index = packet.stream.index
            sei_filter = filters.get(index)
            for kept in sei_filter.filter(packet) if sei_filter else (packet,):
                kept.stream = mapping[index]
                out.mux(kept)
        for index, sei_filter in filters.items():  # drain (filter_units keeps nothing back)
            for kept in sei_filter.filter(None):
                kept.stream = mapping[index]
                out.mux(kept)


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

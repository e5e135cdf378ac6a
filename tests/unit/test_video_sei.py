"""SEI user data (encoder strings, device serials) must not reach the display copy of a video.

H.264 SEI is NAL unit type 6, HEVC SEI types 39 (prefix) and 40 (suffix). They can sit in the
packets and, for HEVC, in the hvcC box of the MP4/MOV header; both places are checked.
"""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from survey.evidence.videos import process_video
from tests.media import makers

SEI_TYPES = {"h264": {6}, "hevc": {39, 40}}
CASES = [
    pytest.param("libx264", "mp4", b"x264 - core", id="h264-mp4"),
    pytest.param("libx264", "mov", b"x264 - core", id="h264-mov"),
    pytest.param("libx265", "mp4", b"x265 (build", id="hevc-mp4"),
    pytest.param("libx265", "mov", b"x265 (build", id="hevc-mov"),
]


def _nal_type(codec: str, nal: bytes) -> int:
    return nal[0] & 0x1F if codec == "h264" else (nal[0] >> 1) & 0x3F


def _config_nal_types(codec: str, extradata: bytes) -> list[int]:
    """NAL unit types held in an avcC or hvcC record (ISO/IEC 14496-15)."""
    assert extradata[0] == 1, "expected an avcC/hvcC record"
    nals: list[bytes] = []
    if codec == "h264":
        pos = 5
        for mask in (0x1F, 0xFF):  # SPS count (low 5 bits), then PPS count
            count, pos = extradata[pos] & mask, pos + 1
            for _ in range(count):
                size = int.from_bytes(extradata[pos : pos + 2], "big")
                nals.append(extradata[pos + 2 : pos + 2 + size])
                pos += 2 + size
    else:
        pos, arrays = 23, extradata[22]
        for _ in range(arrays):
            count = int.from_bytes(extradata[pos + 1 : pos + 3], "big")
            pos += 3
            for _ in range(count):
                size = int.from_bytes(extradata[pos : pos + 2], "big")
                nals.append(extradata[pos + 2 : pos + 2 + size])
                pos += 2 + size
    return [_nal_type(codec, nal) for nal in nals]


def _stream_nal_types(path: Path) -> tuple[str, list[int], list[int], list[int | None]]:
    """Codec, NAL types in the header record, NAL types in the packets, packet pts."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        extradata = stream.codec_context.extradata or b""
        length_size = (extradata[4 if codec == "h264" else 21] & 3) + 1
        header = _config_nal_types(codec, extradata)
        types, pts = [], []
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            pts.append(packet.pts)
            data, pos = bytes(packet), 0
            while pos < len(data):
                size = int.from_bytes(data[pos : pos + length_size], "big")
                pos += length_size
                assert 0 < size <= len(data) - pos, "not a length-prefixed packet"
                types.append(_nal_type(codec, data[pos : pos + size]))
                pos += size
    return codec, header, types, pts


def _frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


@pytest.mark.parametrize(("encoder", "fmt", "encoder_string"), CASES)
def test_sei_user_data_is_gone_from_the_display_copy(
    tmp_path: Path, encoder: str, fmt: str, encoder_string: bytes
) -> None:
    if encoder not in av.codecs_available:
        pytest.skip(f"FFmpeg here has no {encoder}")
    source = tmp_path / f"upload.{fmt}"
    source.write_bytes(makers.video_with_sei(fmt, encoder))
    original = source.read_bytes()
    secret = makers.SEI_SECRET.encode()
    assert secret in original and makers.SEI_UUID in original and encoder_string in original
    codec, header, types, original_pts = _stream_nal_types(source)
    assert (set(header) | set(types)) & SEI_TYPES[codec]  # the parser does see SEI

    result = process_video(source, tmp_path, fmt, thumb_max=320)

    shown = result.display.read_bytes()
    leaks = (secret, makers.SEI_UUID, makers.SERIAL.encode(), encoder_string)
    assert [leak for leak in leaks if leak in shown] == []
    shown_codec, header, types, shown_pts = _stream_nal_types(result.display)
    assert shown_codec == codec
    assert not set(header) & SEI_TYPES[codec], header
    assert not set(types) & SEI_TYPES[codec], types
    assert types  # the pictures are still there ...
    assert shown_pts == original_pts  # ... with their timing
    assert _frame_count(result.display) == _frame_count(source) == 24
    assert result.thumb.exists()


def test_other_codecs_are_copied_unchanged(tmp_path: Path) -> None:
    """MPEG-4 Part 2 has no SEI; its packets are copied byte for byte (no filter in the way)."""
    source = tmp_path / "upload.mp4"
    source.write_bytes(makers.video_with_location("mp4", frames=12))

    result = process_video(source, tmp_path, "mp4", thumb_max=320)

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as container:
            return [bytes(p) for p in container.demux(video=0) if p.size]

    assert packets(result.display) == packets(source)
    assert _frame_count(result.display) == 12


@pytest.mark.parametrize("fmt", ["mp4", "mov"])
def test_an_iphone_hevc_keeps_the_tag_apple_plays(tmp_path: Path, fmt: str) -> None:
    """iPhones tag HEVC "hvc1"; Safari and QuickTime play no other, so the copy keeps it."""
    from PIL import Image

    source = tmp_path / f"IMG_0001.{fmt}"
    with av.open(str(source), "w", format=fmt) as out:
        stream = out.add_stream("libx265", rate=12)
        stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
        stream.codec_context.codec_tag = "hvc1"
        stream.codec_context.options = {"x265-params": "log-level=error"}
        for i in range(12):
            frame = av.VideoFrame.from_image(Image.new("RGB", (128, 96), (i * 10, 50, 50)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)

    result = process_video(source, tmp_path, fmt, thumb_max=320)

    with av.open(str(result.display)) as container:
        assert container.streams.video[0].codec_context.codec_tag == "hvc1"
    assert b"x265 (build" not in result.display.read_bytes()
    assert _frame_count(result.display) == 12

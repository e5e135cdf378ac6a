"""Make test media with the metadata a phone leaves behind (GPS, serial, artist, location)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import av
from PIL import Image, PngImagePlugin

SECRET = "Secret Volunteer Aigerim"
SERIAL = "SN-99887766"
GPS_TEXT = "+43.2220+076.8512"


def _exif(orientation: int = 1, when: str = "2026:03:05 10:15:00") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[0x013B] = SECRET  # Artist
    exif[0x8298] = f"(c) {SECRET}"  # Copyright
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = when  # DateTimeOriginal
    sub[0x9011] = "+03:00"  # OffsetTimeOriginal
    sub[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 13.0, 19.2)
    gps[3] = "E"
    gps[4] = (76.0, 51.0, 4.3)
    return exif


def jpeg_with_secrets(
    size: tuple[int, int] = (640, 480),
    orientation: int = 1,
    when: str = "2026:03:05 10:15:00",
    colour: tuple[int, int, int] = (200, 80, 40),
) -> bytes:
    # A gradient with a few blocks, so a perceptual hash has real structure to hold on to.
    shade = Image.linear_gradient("L").rotate(30).resize(size)
    inverse = shade.point(lambda v: 255 - v)
    image = Image.merge("RGB", (shade, Image.new("L", size, colour[1]), inverse))
    w, h = size
    for i, (fx, fy) in enumerate(((0.1, 0.2), (0.55, 0.6), (0.7, 0.1))):
        box = (int(w * fx), int(h * fy), int(w * (fx + 0.2)), int(h * (fy + 0.25)))
        image.paste((colour[0], 40 * i, colour[2]), box)
    out = io.BytesIO()
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f"<rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>"
    )
    image.save(
        out, "JPEG", exif=_exif(orientation, when), comment=SECRET.encode(), xmp=xmp.encode()
    )
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_text("GPS", GPS_TEXT)
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 120, 200, 180)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (90, 200, 90)).save(out, "WEBP", exif=_exif())
    return out.getvalue()


def heic_with_secrets() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (150, 30, 200)).save(out, "HEIF", exif=_exif().tobytes())
    return out.getvalue()


def video_with_location(fmt: str, codec: str = "mpeg4", frames: int = 10) -> bytes:
    """An MP4/MOV/WebM whose container carries location, artist and device tags."""
    import tempfile

    ext = {"mp4": "mp4", "mov": "mov", "webm": "webm"}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip.{ext}"
        options = {"movflags": "use_metadata_tags"} if fmt == "mp4" else {}
        with av.open(str(path), "w", format=fmt, options=options) as out:
            tags = {
                "location": f"{GPS_TEXT}/",
                "com.apple.quicktime.location.ISO6709": f"{GPS_TEXT}+800.000/",
                "artist": SECRET,
                "make": "Apple",
                "model": f"iPhone 15 {SERIAL}",
                "creation_time": "2026-03-05T07:30:00.000000Z",
            }
            for key, value in tags.items():
                out.metadata[key] = value
            stream = out.add_stream(codec, rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
            for i in range(frames):
                frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (i * 20, 90, 40)))
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return path.read_bytes()


def decompression_bomb() -> bytes:
    """A tiny PNG that claims 15000 × 15000 pixels (225 MP)."""
    out = io.BytesIO()
    Image.new("1", (15000, 15000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def not_media() -> dict[str, tuple[bytes, str]]:
    """Bytes of types we refuse, under names that lie."""
    import zipfile

    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("a.txt", "hello")
    elf = b"\x7fELF" + struct.pack("<B", 2) + b"\x01\x01" + b"\x00" * 57
    return {
        "html": (b"<!doctype html><script>alert(1)</script>", "photo.jpg"),
        "svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
        ),
        "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "scan.jpg"),
        "zip": (zipped.getvalue(), "IMG_0001.heic"),
        "exe": (elf, "clip.mp4"),
    }


def broken_mp4() -> bytes:
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x13\x37" * 4000


def resaved(data: bytes, scale: float = 1.5, quality: int = 70) -> bytes:
    """The same picture scaled and re-encoded: other bytes, a near-identical photo."""
    image = Image.open(io.BytesIO(data))
    image = image.resize((int(image.width * scale), int(image.height * scale)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=image.getexif())
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A real JPEG cut in the middle of its picture data, as a dropped upload leaves it."""
    data = jpeg_with_secrets(size=(1600, 1200))
    return data[: len(data) // 2]


# A "user data unregistered" SEI payload as a phone maker might write it: a 16-byte UUID, then
# whatever it likes (here a device serial and a name).
SEI_UUID = bytes.fromhex("a1b2c3d4e5f6478899aabbccddeeff11")
SEI_SECRET = f"{SERIAL} Aigerim"


def _escape_rbsp(payload: bytes) -> bytes:
    """Insert emulation-prevention bytes so the payload cannot fake a start code."""
    out, zeros = bytearray(), 0
    for byte in payload:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def sei_nal(codec: str, *, suffix: bool = False, text: str = SEI_SECRET) -> bytes:
    """An Annex-B SEI NAL unit (H.264 type 6; HEVC prefix 39 or suffix 40) with user data."""
    data = SEI_UUID + text.encode()
    assert len(data) < 255  # one-byte payload size
    sei = bytes([5, len(data)]) + data + b"\x80"  # payload type 5, size, payload, rbsp stop bit
    # H.264: one header byte; HEVC: two (type << 1, then layer 0 and temporal id 0 + 1).
    header = b"\x06" if codec == "h264" else bytes([(40 if suffix else 39) << 1, 1])
    return b"\x00\x00\x00\x01" + header + _escape_rbsp(sei)


def video_with_sei(fmt: str, codec: str = "libx264", frames: int = 24) -> bytes:
    """An MP4/MOV from libx264 or libx265 whose bitstream carries SEI user data.

    The encoder writes its own version string in an SEI unit (x264 in the first picture,
    x265 in the parameter sets that end up in the hvcC box); on top of that every picture gets
    an SEI with ``SEI_SECRET``, and HEVC pictures also a suffix SEI after the slices.
    """
    import tempfile

    kind = "h264" if codec == "libx264" else "hevc"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip.{fmt}"
        with av.open(str(path), "w", format=fmt) as out:
            stream = out.add_stream(codec, rate=12)
            stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
            if codec == "libx265":
                stream.codec_context.options = {"x265-params": "log-level=error"}

            def mux(packets: list[av.Packet]) -> None:
                for packet in packets:
                    # Encoder packets are Annex B; the MP4 muxer turns them into length-prefixed.
                    data = sei_nal(kind) + bytes(packet)
                    if kind == "hevc":
                        data += sei_nal(kind, suffix=True)
                    marked = av.Packet(data)
                    marked.pts, marked.dts = packet.pts, packet.dts
                    marked.time_base, marked.duration = packet.time_base, packet.duration
                    marked.is_keyframe = packet.is_keyframe
                    marked.stream = stream
                    out.mux(marked)

            for i in range(frames):
                image = Image.new("RGB", (128, 96), (40, 90, 160))
                image.paste((230, 200, 30), (i * 4, 20, i * 4 + 30, 60))  # motion: P and B frames
                mux(stream.encode(av.VideoFrame.from_image(image)))
            mux(stream.encode())
        return path.read_bytes()

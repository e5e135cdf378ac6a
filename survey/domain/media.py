"""What a file is, decided from its first bytes; and the proof signals reviewers see.

Names and claimed types are the sender's word; the bytes are the file's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"M4V ",
    b"M4A ",
    b"MSNV",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"mmp4",
    b"f4v ",
}
MOV_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
SNIFF_BYTES = 64
NEAR_DUPLICATE_BITS = 6  # of 64: dHash distance still "the same photo"
FAR_FROM_VISIT_DAYS = 1


@dataclass(frozen=True)
class Sniffed:
    kind: str  # photo | video
    content_type: str
    ext: str


def sniff(head: bytes) -> Sniffed | None:
    """The accepted type these bytes start with, or None (a type we do not take)."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("photo", "image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("photo", "image/png", "png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("photo", "image/webp", "webp")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video", "video/webm", "webm") if b"webm" in head[:SNIFF_BYTES] else None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), SNIFF_BYTES), 4)}
        if brand in HEIF_BRANDS:
            return Sniffed("photo", "image/heic", "heic")
        if brand == b"qt  ":
            return Sniffed("video", "video/quicktime", "mov")
        if brand in MP4_BRANDS or compatible & MP4_BRANDS:
            return Sniffed("video", "video/mp4", "mp4")
        return None
    if head[4:8] in MOV_ATOMS:
        return Sniffed("video", "video/quicktime", "mov")
    return None


def capture_far_from_visit(captured: date | None, visited: date) -> bool:
    """More than a day between the capture date and the visit's own date."""
    return captured is not None and abs((captured - visited).days) > FAR_FROM_VISIT_DAYS


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def near_duplicate(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and hamming(a, b) <= NEAR_DUPLICATE_BITS

"""A photo's colour profile is free text too: it never reaches the derivatives (issue 12).

A profile's description and copyright name the maker and model, and any writer can put a
serial number in it; the display and thumb are converted to sRGB and carry no profile.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image, ImageCms

from survey.evidence.images import process_photo

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"

MARK = b"SERIAL-F2LXK1234 iPhone 15 Pro Max owner Aigerim"


def _profile_with_mark(base: ImageCms.ImageCmsProfile) -> bytes:
    """A valid ICC profile with MARK appended to its data (the header's size updated)."""
    raw = base.tobytes() + MARK
    return struct.pack(">I", len(raw)) + raw[4:]


def _photo(icc: bytes, colour: tuple[int, int, int] = (200, 60, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG", quality=95, icc_profile=icc)
    return out.getvalue()


def _derivatives(tmp_path: Path, data: bytes) -> list[Image.Image]:
    source = tmp_path / "upload.jpg"
    source.write_bytes(data)
    result = process_photo(
        source, tmp_path, max_pixels=120_000_000, display_max=2048, thumb_max=320
    )
    shown = []
    for path in (result.display, result.thumb):
        assert MARK not in path.read_bytes()
        shown.append(Image.open(path))
    return shown


def test_a_profile_with_text_in_it_is_not_copied(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = _photo(_profile_with_mark(srgb))
    assert MARK in data
    for image in _derivatives(tmp_path, data):
        assert "icc_profile" not in image.info
        assert image.getpixel((10, 10)) == pytest_approx((200, 60, 30))


def _p3() -> bytes:
    """The "Display P3" profile (© Apple) of a real iPhone photo in tests/samples."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(SAMPLES / "phones" / "IMG_5195.HEIC") as original:
        icc = original.info["icc_profile"]
    assert "Display P3" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    return bytes(icc)


def test_a_real_iphone_photo_loses_its_apple_profile(tmp_path: Path) -> None:
    source = tmp_path / "IMG_5195.HEIC"
    source.write_bytes((SAMPLES / "phones" / "IMG_5195.HEIC").read_bytes())
    result = process_photo(
        source, tmp_path, max_pixels=120_000_000, display_max=2048, thumb_max=320
    )
    for path in (result.display, result.thumb):
        assert "icc_profile" not in Image.open(path).info
        assert b"Apple" not in path.read_bytes() and b"Display P3" not in path.read_bytes()


def test_display_p3_colours_are_converted_not_merely_untagged(tmp_path: Path) -> None:
    """P3 (200, 100, 50) is sRGB (215, 93, 31): dropping the tag alone would dull the photo."""
    display, thumb = _derivatives(tmp_path, _photo(_p3(), colour=(200, 100, 50)))
    for image in (display, thumb):
        assert image.getpixel((10, 10)) == pytest_approx((215, 93, 31), tolerance=4)


def test_an_unreadable_profile_is_dropped_and_the_photo_kept(tmp_path: Path) -> None:
    data = _photo(b"not a colour profile at all " + MARK)
    for image in _derivatives(tmp_path, data):
        assert "icc_profile" not in image.info


def pytest_approx(expected: tuple[int, int, int], tolerance: int = 6):  # type: ignore[no-untyped-def]
    class Near:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, tuple) and all(
                abs(a - b) <= tolerance for a, b in zip(other, expected, strict=True)
            )

    return Near()

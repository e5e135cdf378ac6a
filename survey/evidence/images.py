"""Photos: read the capture time, then build upright derivatives that carry no metadata.

Derivatives are new images made from pixels, so no EXIF, XMP, GPS, maker note, JPEG comment or
PNG text chunk can ride along (a plain re-save keeps some of them). Large JPEGs are decoded in
draft mode, at a reduced scale, which is why ingesting costs less than one full decode.
"""

from __future__ import annotations

import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from . import errors

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
DATETIME = 0x0132
ORIENTATION = 0x0112
DISPLAY_MIN_FOR_DRAFT = 1024
JPEG_QUALITY = 85
T = Image.Transpose
# EXIF orientation -> the turn that makes the picture upright (as ImageOps.exif_transpose).
TRANSPOSE = {
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_270,
    7: T.TRANSVERSE,
    8: T.ROTATE_90,
}


@dataclass(frozen=True)
class PhotoResult:
    width: int
    height: int
    captured_at: str | None
    captured_on: date | None
    display: Path
    thumb: Path
    phash: int


def _register_heif() -> None:
    if not getattr(_register_heif, "done", False):
        import pillow_heif

        pillow_heif.register_heif_opener()
        _register_heif.done = True  # type: ignore[attr-defined]


def capture_time(exif: Image.Exif) -> tuple[str | None, date | None]:
    """EXIF DateTimeOriginal, with OffsetTimeOriginal when the camera wrote one."""
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None, None
    try:
        moment = datetime.strptime(raw.strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, None
    text = moment.isoformat()
    offset = sub.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip()) == 6 and offset.strip()[0] in "+-":
        text += offset.strip()
    return text, moment.date()


def _draft_scale(image: Image.Image) -> None:
    """Ask libjpeg for 1/2, 1/4 or 1/8 scale while the long side stays ≥ 1024 px."""
    if image.format != "JPEG":
        return
    longest = max(image.size)
    scale = 1
    while scale < 8 and longest // (scale * 2) >= DISPLAY_MIN_FOR_DRAFT:
        scale *= 2
    if scale > 1:
        image.draft("RGB", (image.size[0] // scale, image.size[1] // scale))


def _clean_rgb(image: Image.Image) -> Image.Image:
    """A new RGB image holding the pixels alone.

    The pixel core is copied into a plain Image whose info is emptied: EXIF, XMP, comments and
    text chunks live in info (or in the file object this one came from), so none can follow.
    """
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        clean = image.convert("RGB")
    else:
        # A new Image object around the decoded pixels (no copy): nothing but pixels.
        clean = image._new(image.im)
    clean.info = {}
    return clean


def dhash(image: Image.Image) -> int:
    """A 64-bit difference hash: near-identical photos differ in a few bits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # mode L: one byte per pixel
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits


def _fit(image: Image.Image, longest: int, method: Image.Resampling) -> Image.Image:
    """The image itself when it fits, else a resized copy (aspect kept)."""
    if max(image.size) <= longest:
        return image
    scale = longest / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, method, reducing_gap=3.0)


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The pixels in sRGB, with no colour profile left to carry.

    A profile is free text as well as colour: its description and copyright fields name the
    maker and model ("Apple", "iPhone 15 Pro"), and anyone can write a serial number there.
    So the pixels are converted from the photo's profile to sRGB (LittleCMS, through Pillow's
    ImageCms) and saved without one, as the web assumes. A profile that cannot be read is
    dropped and the pixels kept as they are.
    """
    if not icc or image.mode != "RGB":
        return image
    try:
        transform = _to_srgb(bytes(icc))
        ImageCms.applyTransform(image, transform, inPlace=True)  # no second 3 MP image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    image.info = {}
    return image


@lru_cache(maxsize=16)
def _to_srgb(icc: bytes) -> ImageCms.ImageCmsTransform:
    """A transform from this profile to sRGB; phones of one make share one profile.

    NOCACHE: LittleCMS keeps a one-pixel cache inside a transform, which two threads of one
    worker would share; without it the transform is safe to use from both (and as fast here).
    """
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(source, _srgb(), "RGB", "RGB", flags=ImageCms.Flags.NOCACHE)


def process_photo(
    source: Path, scratch: Path, *, max_pixels: int, display_max: int, thumb_max: int
) -> PhotoResult:
    """Decode once (at reduced scale when possible) and write display and thumb JPEGs."""
    _register_heif()
    Image.MAX_IMAGE_PIXELS = max_pixels
    # WeasyPrint turns this on for the whole process when it is imported; a truncated upload
    # must still be refused here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise errors.too_many_pixels(max_pixels // 1_000_000)
                exif = image.getexif()
                captured_at, captured_on = capture_time(exif)
                orientation = exif.get(ORIENTATION, 1)
                turned = orientation in (5, 6, 7, 8)  # width and height swap places
                icc = image.info.get("icc_profile")
                _draft_scale(image)
                image.load()
                if orientation in TRANSPOSE and image.mode == "RGB":
                    pixels = image.transpose(TRANSPOSE[orientation])  # a new image already
                    pixels.info = {}
                    orientation = 1
                else:
                    pixels = _clean_rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise errors.too_many_pixels(max_pixels // 1_000_000) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise errors.broken_photo() from exc
    if orientation in TRANSPOSE:
        pixels = pixels.transpose(TRANSPOSE[orientation])
        pixels.info = {}  # a fresh image of pixels only: transpose copies the (empty) info
    upright_w, upright_h = (height, width) if turned else (width, height)
    display = to_srgb(_fit(pixels, display_max, Image.Resampling.LANCZOS), icc)
    display_path = scratch / f"{source.name}.display.jpg"
    thumb_path = scratch / f"{source.name}.thumb.jpg"
    params: dict[str, object] = {"quality": JPEG_QUALITY}
    # Pillow's encoder releases the GIL: the display is written while the thumb is made.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(display.save, display_path, "JPEG", **params)
        factor = max(1, max(display.size) // (thumb_max * 2))
        small = display.reduce(factor) if factor > 1 else display
        thumb = _fit(small, thumb_max, Image.Resampling.BILINEAR)
        thumb.save(thumb_path, "JPEG", **params)
        phash = dhash(thumb)
        written.result()
    return PhotoResult(
        upright_w, upright_h, captured_at, captured_on, display_path, thumb_path, phash
    )

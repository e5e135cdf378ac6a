"""Refusals of an upload, each with the HTTP status DESIGN §6 gives it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import ServiceError


class TooLarge(ServiceError):
    status, code = 413, "too_large"


class UnsupportedType(ServiceError):
    status, code = 415, "unsupported_type"


class BrokenFile(ServiceError):
    status, code = 422, "broken_file"


def too_large_photo(limit_mb: int) -> TooLarge:
    return TooLarge(_l("This photo is larger than %(mb)s MB.", mb=limit_mb))


def too_large_video(limit_mb: int) -> TooLarge:
    return TooLarge(_l("This video is larger than %(mb)s MB.", mb=limit_mb))


def unsupported() -> UnsupportedType:
    return UnsupportedType(
        _l("This file is not a photo or video we accept (JPEG, PNG, WebP, HEIC, MP4, MOV, WebM).")
    )


def empty() -> BrokenFile:
    return BrokenFile(_l("The file is empty."))


def broken_photo() -> BrokenFile:
    return BrokenFile(_l("The photo is damaged or incomplete and cannot be read."))


def broken_video() -> BrokenFile:
    return BrokenFile(_l("The video is damaged or incomplete and cannot be read."))


def too_many_pixels(limit_mp: int) -> BrokenFile:
    return BrokenFile(_l("The photo has more than %(mp)s megapixels.", mp=limit_mp))

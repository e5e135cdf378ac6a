"""Static files under fingerprinted URLs, cached for a year; a new file gets a new URL.

The stylesheet is the exception: it is written into every page (`inline_stylesheet`), allowed
by its hash in the Content-Security-Policy, so a phone on a slow link paints the page as soon
as the HTML arrives instead of waiting one more round trip for a render-blocking file
(issue 15: the first question tappable within 1.3 s on slow 3G; bench/slow3g.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory
from markupsafe import Markup
from werkzeug.wrappers import Response

bp = Blueprint("assets", __name__)
YEAR = 365 * 24 * 3600


STYLESHEET = "css/app.css"
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@lru_cache(maxsize=4)
def _stylesheet(path: str, _mtime: float) -> tuple[str, str]:
    """(the stylesheet without comments and indentation, its CSP source 'sha256-…')."""
    text = _COMMENT.sub("", Path(path).read_text(encoding="utf-8"))
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if "</" in text:  # it could end the <style> element early
        raise ValueError(f"{path} must not contain '</'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def _current_stylesheet() -> tuple[str, str]:
    path = Path(current_app.static_folder or "static") / STYLESHEET
    return _stylesheet(str(path), path.stat().st_mtime)


def inline_stylesheet() -> Markup:
    """The site's stylesheet for a <style> element (a file we ship, not user input)."""
    return Markup(_current_stylesheet()[0])  # noqa: S704 - our own file, checked for '</'


def stylesheet_source() -> str:
    """The CSP source that allows exactly the inline stylesheet: "'sha256-<base64>'"."""
    return _current_stylesheet()[1]


@bp.get("/sw.js")
def service_worker() -> Response:
    """At the root, so it may look after every page of the site."""
    response = send_from_directory(current_app.static_folder or "static", "js/sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline() -> str:
    return render_template("offline.html")


@bp.get("/assets/<digest>/<path:filename>")
def asset(digest: str, filename: str) -> Response:
    response = send_from_directory(current_app.static_folder or "static", filename, max_age=YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response

"""Static files under fingerprinted URLs, cached for a year; a new file gets a new URL."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

bp = Blueprint("assets", __name__)
YEAR = 365 * 24 * 3600


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

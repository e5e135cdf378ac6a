"""Defaults that hold on every response: CSRF for cookie sessions, strict headers."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from .assets import stylesheet_source
from .extensions import csrf

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' {style}; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def protect_csrf() -> None:
    """Every form POST carries its token; a Bearer call cannot be forged by a browser."""
    if request.method in SAFE_METHODS:
        return
    # Only a cookie session can be forged by another site; Bearer and anonymous calls can't.
    forgeable = bearer_token() is None and current_user.is_authenticated
    if request.path.startswith("/api/") and not forgeable:
        return
    csrf.protect()


def security_headers(response: Response) -> Response:
    # Only the page's own stylesheet may be inline: allowed by its hash, never 'unsafe-inline'.
    response.headers.setdefault("Content-Security-Policy", CSP.format(style=stylesheet_source()))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response

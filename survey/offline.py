"""Whose data a phone keeps: the account namespace of pages, answers and files kept offline.

Every HTML page names its account in the X-Adaldyq-Account header (and data-account on
<html>); the service worker and the page scripts keep what they store under that name
(adaldyq-pages-<ns>, IndexedDB adaldyq-<ns>), so another account on the same phone never sees
it (docs/decisions.md, "Shared phones"). Requests sent from a phone's queue carry the name of
the account that queued them, and are refused when another account is signed in now: an open
tab of a signed-out account must not send its queue with the next person's session.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from .auth.models import FIELD_ROLES

HEADER = "X-Adaldyq-Account"


def offline_namespace() -> str | None:
    """The signed-in account's name for what a phone keeps of it: 16 hex digits, the same at
    every sign-in, that neither show nor reveal who it is (an HMAC of the user id).

    None when nobody is signed in, and for the roles that do not work offline: the phone keeps
    nothing of theirs.
    """
    if not current_user or not current_user.is_authenticated:
        return None
    if current_user.role not in FIELD_ROLES:
        return None
    key = current_app.secret_key or ""
    secret = key if isinstance(key, bytes) else str(key).encode()
    message = f"offline-namespace:{current_user.id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:16]


def name_the_account(response: Response) -> Response:
    """After each request: every HTML page says whose it is."""
    if response.mimetype == "text/html":
        namespace = offline_namespace()
        if namespace:
            response.headers[HEADER] = namespace
    return response


def refuse_another_account() -> Response | None:
    """Before each request: a request that names an account other than the one signed in now
    is refused with 401 ("other_account"), so the phone keeps it for its own account."""
    claimed = request.headers.get(HEADER)
    if claimed is None or not current_user.is_authenticated:
        return None
    if hmac.compare_digest(claimed, offline_namespace() or ""):
        return None
    body = {"error": {"code": "other_account", "message": "", "fields": {}}}
    return jsonify(body), 401  # type: ignore[return-value]
